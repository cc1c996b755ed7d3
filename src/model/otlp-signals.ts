import { isLocalTarget } from '../util/hosts.js';
import { isTruthy, type EffectiveEnv, type EffectiveVar } from './claude-env.js';
import { activeSignals, EXPORTER_VAR, parseExporterList, PROTOCOLS, protocolVar, SIGNAL_UPPER, SIGNALS, type Protocol, type Signal } from './prediction.js';

/** Helpers shared by the settings rules that reason about how Claude Code sends each signal over OTLP. */

/** How one signal that exports with `otlp` is sent, read from the effective environment. */
export interface OtlpSignal {
  signal: Signal;
  /** The protocol variable Claude Code reads for the signal (per-signal first, then generic). */
  protocolVar?: EffectiveVar;
  /** The protocol, when it is one Claude Code accepts. */
  protocol?: Protocol;
  /** The endpoint variable Claude Code reads for the signal: the per-signal one when non-empty, else the generic one. */
  endpointVar?: EffectiveVar;
}

export function perSignalVar(kind: 'ENDPOINT' | 'PROTOCOL' | 'HEADERS', signal: Signal): string {
  return `OTEL_EXPORTER_OTLP_${SIGNAL_UPPER[signal]}_${kind}`;
}

/**
 * The signals Claude Code would export with `otlp` (traces only under the enhanced-telemetry beta flag),
 * whether or not the master switch is on: rules describe what a setting does once telemetry runs.
 */
export function otlpSignals(env: EffectiveEnv): OtlpSignal[] {
  return activeSignals(env)
    .filter((signal) => parseExporterList(env.get(EXPORTER_VAR[signal])?.value).includes('otlp'))
    .map((signal) => {
      const pv = protocolVar(env, signal);
      const trimmed = pv?.value.trim();
      const protocol = trimmed !== undefined && (PROTOCOLS as string[]).includes(trimmed) ? (trimmed as Protocol) : undefined;
      const perSignal = env.get(perSignalVar('ENDPOINT', signal));
      const generic = env.get('OTEL_EXPORTER_OTLP_ENDPOINT');
      // As Claude Code reads it: an empty per-signal endpoint falls through to the generic one.
      const endpointVar = perSignal && perSignal.value.trim() !== '' ? perSignal : generic && generic.value.trim() !== '' ? generic : undefined;
      return { signal, protocolVar: pv, protocol, endpointVar };
    });
}

/** One variable of an OTLP setting, as set, and the otlp signals that read it. */
export interface OtlpSettingVar {
  v: EffectiveVar;
  /** The signal of a per-signal variable; undefined for the generic one. */
  perSignal?: Signal;
  /** The otlp signals Claude Code sends with this variable's value (none: set but unread right now). */
  readers: OtlpSignal[];
}

/**
 * The variables of one OTLP setting that are set, generic first (OTEL_EXPORTER_OTLP_<KIND>, then
 * OTEL_EXPORTER_OTLP_<SIGNAL>_<KIND> in signal order), each with its readers: an endpoint or protocol variable is read
 * by the signals it is in effect for, a headers variable by its signal, and the generic headers by every signal
 * (Claude Code merges them with the per-signal ones).
 */
export function otlpSettingVars(env: EffectiveEnv, kind: 'ENDPOINT' | 'PROTOCOL' | 'HEADERS'): OtlpSettingVar[] {
  const signals = otlpSignals(env);
  const vars: OtlpSettingVar[] = [];
  for (const perSignal of [undefined, ...SIGNALS]) {
    const v = env.get(perSignal ? perSignalVar(kind, perSignal) : `OTEL_EXPORTER_OTLP_${kind}`);
    if (!v) continue;
    const readers = signals.filter((s) => {
      if (kind === 'HEADERS') return perSignal === undefined || s.signal === perSignal;
      return (kind === 'ENDPOINT' ? s.endpointVar : s.protocolVar)?.name === v.name;
    });
    vars.push({ v, perSignal, readers });
  }
  return vars;
}

export function isHttp(protocol: Protocol | undefined): boolean {
  return protocol === 'http/json' || protocol === 'http/protobuf';
}

export function telemetryOn(env: EffectiveEnv): boolean {
  return isTruthy(env.get('CLAUDE_CODE_ENABLE_TELEMETRY')?.value);
}

/** The consequence of a telemetry init failure, worded for whether the master switch is on. */
export function initFails(env: EffectiveEnv): string {
  return telemetryOn(env)
    ? 'telemetry init fails, so nothing at all is exported (every signal, console included)'
    : 'once CLAUDE_CODE_ENABLE_TELEMETRY is on, telemetry init fails and nothing at all is exported (every signal, console included)';
}

/** "metrics", "metrics and logs", "metrics, logs and traces". */
export function listWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** A URL for messages: user info and query string masked, since either can carry a credential. */
export { displayUrl } from '../util/secrets.js';

/** Host names that are this machine. */
export function isLoopback(host: string): boolean {
  return isLocalTarget(host);
}

export function isIpAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || h.includes(':');
}

export interface ParsedEndpoint {
  scheme?: string;
  host: string;
  /** The port as written, or undefined when none is written. */
  port?: number;
  /** The path as written ('' when none). */
  path: string;
}

/** Parses an endpoint with or without a scheme; undefined when it is not a URL at all. */
export function parseEndpoint(value: string): ParsedEndpoint | undefined {
  const v = value.trim();
  if (v === '' || /\s/.test(v)) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(v);
  let url: URL;
  try {
    url = new URL(withScheme ? v : `http://${v}`);
  } catch {
    return undefined;
  }
  if (!url.hostname) return undefined;
  // URL drops a port equal to the scheme's default; read it from the text instead.
  const portMatch = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^/@?#]*@)?(?:\[[^\]]*\]|[^/:?#]*):(\d+)/i.exec(v);
  const rest = v.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = rest.search(/[/?#]/);
  const path = slash < 0 ? '' : rest.slice(slash).replace(/[?#].*$/, '');
  return {
    scheme: withScheme ? url.protocol.slice(0, -1).toLowerCase() : undefined,
    host: url.hostname,
    port: portMatch ? Number(portMatch[1]) : undefined,
    path,
  };
}
