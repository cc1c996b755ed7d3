import { isTruthy, type EffectiveEnv, type EffectiveVar } from './claude-env.js';
import { atLeast, DEFAULT_PROTOCOL_FROM, INTERVAL_NUMBER_FROM, RESOURCE_SPACE_KEPT_FROM } from './versions.js';

export type Signal = 'metrics' | 'logs' | 'traces';
export const SIGNALS: Signal[] = ['metrics', 'logs', 'traces'];
export type Protocol = 'grpc' | 'http/json' | 'http/protobuf';
export const PROTOCOLS: Protocol[] = ['grpc', 'http/json', 'http/protobuf'];

export const SIGNAL_UPPER: Record<Signal, 'METRICS' | 'LOGS' | 'TRACES'> = { metrics: 'METRICS', logs: 'LOGS', traces: 'TRACES' };
export const EXPORTER_VAR: Record<Signal, string> = {
  metrics: 'OTEL_METRICS_EXPORTER',
  logs: 'OTEL_LOGS_EXPORTER',
  traces: 'OTEL_TRACES_EXPORTER',
};
export const INTERVAL_VAR: Record<Signal, string> = {
  metrics: 'OTEL_METRIC_EXPORT_INTERVAL',
  logs: 'OTEL_LOGS_EXPORT_INTERVAL',
  traces: 'OTEL_TRACES_EXPORT_INTERVAL',
};
const DEFAULT_INTERVAL: Record<Signal, number> = { metrics: 60000, logs: 5000, traces: 5000 };
export const VALID_EXPORTERS: Record<Signal, string[]> = {
  metrics: ['otlp', 'prometheus', 'console'],
  logs: ['otlp', 'console'],
  traces: ['otlp', 'console'],
};

export interface SignalPrediction {
  signal: Signal;
  /** Whether anything of this signal leaves Claude Code. */
  exported: boolean;
  exporters: string[];
  protocol?: Protocol;
  /** For http: the exact URL posted to; for grpc: the endpoint dialled. */
  url?: string;
  /** Header names sent (lower case); values are never kept here. */
  headerNames: string[];
  /** True when otelHeadersHelper adds headers whose names only its output knows. */
  headersFromHelper: boolean;
  temporality?: 'delta' | 'cumulative';
  intervalMs: number;
  /** Why a configured signal sends nothing even though init succeeds (e.g. gRPC without a scheme). */
  problem?: string;
}

export interface ResourcePrediction {
  /** service.name on every signal: OTEL_SERVICE_NAME, else service.name from the attributes, else claude-code. */
  serviceName: string;
  /** Custom attributes from OTEL_RESOURCE_ATTRIBUTES as they arrive (empty when dropped). */
  attributes: Record<string, string>;
  /** Why OTEL_RESOURCE_ATTRIBUTES is discarded whole, when it is. */
  dropped?: string;
}

export interface Prediction {
  telemetryEnabled: boolean;
  /** Set when telemetry init throws: then nothing at all is exported. */
  initFailure?: string;
  signals: SignalPrediction[];
  resource: ResourcePrediction;
}

export interface PredictionInput {
  env: EffectiveEnv;
  otelHeadersHelper?: string;
  /** The Claude Code version in force: several readings below changed between releases (model/versions.ts). */
  claudeVersion: string;
}

const get = (env: EffectiveEnv, name: string): string | undefined => env.get(name)?.value;

export function parseExporterList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== 'none');
}

export function tracesEnabled(env: EffectiveEnv): boolean {
  return isTruthy(get(env, 'CLAUDE_CODE_ENHANCED_TELEMETRY_BETA')) || isTruthy(get(env, 'ENABLE_ENHANCED_TELEMETRY_BETA'));
}

/** The signals whose exporter variable Claude Code reads (traces only under the beta flag). */
export function activeSignals(env: EffectiveEnv): Signal[] {
  return tracesEnabled(env) ? SIGNALS : ['metrics', 'logs'];
}

/** The protocol variable that applies to a signal: per-signal first, then generic. */
export function protocolVar(env: EffectiveEnv, signal: Signal): EffectiveVar | undefined {
  return env.get(`OTEL_EXPORTER_OTLP_${SIGNAL_UPPER[signal]}_PROTOCOL`) ?? env.get('OTEL_EXPORTER_OTLP_PROTOCOL');
}

/**
 * How Claude Code reads an interval or timeout; NaN means the default. Before 2.1.211: parseInt(value, 10), so `1e4` is 1.
 * From 2.1.211 (read from the binary, `1e4` measured): trimmed; up to 32 characters, scientific notation goes through
 * Number() and must be whole (else NaN), and `5,000` / `5_000` / `5 000` lose their separators; anything else is
 * still parseInt, so `10s` stays 10.
 */
export function claudeParseInt(value: string, claudeVersion: string): number {
  const t = value.trim();
  if (atLeast(claudeVersion, INTERVAL_NUMBER_FROM) && t.length <= 32) {
    if (/^[+-]?(\d+(\.\d*)?|\.\d+)[eE][+-]?\d+$/.test(t)) {
      const n = Number(t);
      return Number.isInteger(n) ? n : Number.NaN;
    }
    if (/^[+-]?\d{1,3}([_,\u00A0\u202F ])\d{3}(?:\1\d{3})*$/.test(t)) return Number.parseInt(t.replace(/[_,\u00A0\u202F ]/g, ''), 10);
  }
  return Number.parseInt(t, 10);
}

export function hasScheme(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url.trim());
}

/** The protocol a signal uses when none is set: none before 2.1.323 (init fails), http/protobuf from it. */
export function defaultProtocol(claudeVersion: string): Protocol | undefined {
  return atLeast(claudeVersion, DEFAULT_PROTOCOL_FROM) ? 'http/protobuf' : undefined;
}

export function predict({ env, otelHeadersHelper, claudeVersion }: PredictionInput): Prediction {
  const telemetryEnabled = isTruthy(get(env, 'CLAUDE_CODE_ENABLE_TELEMETRY'));
  const signals: SignalPrediction[] = SIGNALS.map((signal) => ({
    signal,
    exported: false,
    exporters: [],
    headerNames: [],
    headersFromHelper: false,
    intervalMs: DEFAULT_INTERVAL[signal],
  }));
  const resource = resourceAttributes(get(env, 'OTEL_RESOURCE_ATTRIBUTES'), get(env, 'OTEL_SERVICE_NAME'), claudeVersion);
  if (!telemetryEnabled) return { telemetryEnabled, signals, resource };

  const active = activeSignals(env);
  let initFailure: string | undefined;
  for (const s of signals) {
    if (!active.includes(s.signal)) continue;
    s.exporters = parseExporterList(get(env, EXPORTER_VAR[s.signal]));
    const bad = s.exporters.find((e) => !VALID_EXPORTERS[s.signal].includes(e));
    if (bad !== undefined) initFailure ??= `unknown exporter "${bad}" in ${EXPORTER_VAR[s.signal]}`;
    if (s.exporters.includes('otlp')) {
      const protocol = protocolVar(env, s.signal)?.value?.trim() || defaultProtocol(claudeVersion);
      if (protocol === undefined) initFailure ??= `no OTLP protocol for ${s.signal} (Claude Code ${claudeVersion} has no default)`;
      else if (!(PROTOCOLS as string[]).includes(protocol)) initFailure ??= `unknown OTLP protocol "${protocol}"`;
      else s.protocol = protocol as Protocol;
    }
  }
  if (initFailure) {
    for (const s of signals) s.protocol = undefined;
    return { telemetryEnabled, initFailure, signals, resource };
  }

  for (const s of signals) {
    if (s.exporters.length === 0) continue;
    s.exported = true;
    const interval = get(env, INTERVAL_VAR[s.signal]);
    if (interval !== undefined) {
      const parsed = claudeParseInt(interval, claudeVersion);
      if (!Number.isNaN(parsed)) s.intervalMs = parsed;
    }
    if (s.signal === 'metrics') s.temporality = s.exporters.includes('otlp') ? temporality(env) : 'cumulative';
    if (!s.exporters.includes('otlp') || !s.protocol) continue;
    const upper = SIGNAL_UPPER[s.signal];
    const perSignal = get(env, `OTEL_EXPORTER_OTLP_${upper}_ENDPOINT`)?.trim();
    const generic = get(env, 'OTEL_EXPORTER_OTLP_ENDPOINT')?.trim();
    if (s.protocol === 'grpc') {
      s.url = perSignal || generic || 'http://localhost:4317';
      if (!hasScheme(s.url)) s.problem = 'the gRPC endpoint has no scheme, so Claude Code attempts TLS and fails against a plaintext receiver';
    } else {
      s.url = httpUrl(s.signal, perSignal, generic);
    }
    s.headerNames = headerNames(env, upper);
    s.headersFromHelper = s.protocol !== 'grpc' && !!otelHeadersHelper;
    const badName = s.headerNames.find((n) => !HTTP_TOKEN.test(n));
    if (badName !== undefined && s.protocol !== 'grpc') s.problem ??= `header name ${JSON.stringify(badName)} is not a valid HTTP token, so every export fails`;
    if (s.problem) s.exported = false;
  }
  return { telemetryEnabled, signals, resource };
}

/**
 * OTEL_RESOURCE_ATTRIBUTES as the bundled OpenTelemetry resource detector reads it: entries split on ',',
 * key and value on the first '=', both trimmed; a key or value with a character outside printable
 * ASCII without space (0x21-0x7e) makes the detector throw, which discards every attribute (E23); from 2.1.251 a
 * space inside a value is kept (measured; other characters and keys are unmeasured and assumed unchanged);
 * values are then percent-decoded. The conformance suite checks each of these steps on real Claude Code.
 */
export function resourceAttributes(value: string | undefined, serviceNameVar: string | undefined, claudeVersion: string): ResourcePrediction {
  const valueChars = atLeast(claudeVersion, RESOURCE_SPACE_KEPT_FROM) ? /^[\x20-\x7e]*$/ : /^[\x21-\x7e]*$/;
  const attributes: Record<string, string> = {};
  let dropped: string | undefined;
  for (const part of (value ?? '').split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const raw = eq < 0 ? '' : part.slice(eq + 1).trim();
    const bad = !/^[\x21-\x7e]*$/.test(key) || !valueChars.test(raw);
    if (eq < 0 || key === '' || bad) {
      dropped = eq < 0 ? `entry "${key}" has no "="` : `"${key}" has a space or a non-ASCII character`;
      break;
    }
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      // kept as written
    }
    attributes[key] = decoded;
  }
  const kept = dropped ? {} : attributes;
  const serviceName = serviceNameVar?.trim() || kept['service.name'] || 'claude-code';
  return { serviceName, attributes: kept, dropped };
}

/** Per-signal endpoints are used verbatim; the generic one gets /v1/<signal> appended; no scheme falls back to the default. */
export function httpUrl(signal: Signal, perSignal: string | undefined, generic: string | undefined): string {
  const fallback = `http://localhost:4318/v1/${signal}`;
  if (perSignal) return hasScheme(perSignal) ? perSignal : fallback;
  if (generic && hasScheme(generic)) return `${generic.replace(/\/+$/, '')}/v1/${signal}`;
  return fallback;
}

const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i;

function temporality(env: EffectiveEnv): 'delta' | 'cumulative' {
  const pref = get(env, 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE')?.trim().toLowerCase();
  if (pref === undefined || pref === 'delta' || pref === 'lowmemory') return 'delta';
  // 'cumulative', and anything invalid: the SDK falls back to cumulative (observed).
  return 'cumulative';
}

/** Split a k=v list the way Claude Code does for http: on ',', then on the first '='; names trimmed. */
export function parseHeaderList(value: string): { name: string; value: string; ok: boolean; offset: number }[] {
  const out: { name: string; value: string; ok: boolean; offset: number }[] = [];
  let offset = 0;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (part.trim() !== '') {
      out.push(
        eq < 0 ? { name: part.trim(), value: '', ok: false, offset } : { name: part.slice(0, eq).trim(), value: part.slice(eq + 1).trim(), ok: true, offset },
      );
    }
    offset += part.length + 1;
  }
  return out;
}

function headerNames(env: EffectiveEnv, upper: string): string[] {
  const names = new Set<string>();
  for (const name of ['OTEL_EXPORTER_OTLP_HEADERS', `OTEL_EXPORTER_OTLP_${upper}_HEADERS`]) {
    const value = get(env, name);
    if (value === undefined) continue;
    for (const h of parseHeaderList(value)) if (h.ok && h.name) names.add(h.name.toLowerCase());
  }
  return [...names].sort();
}
