import { defineRule, type RuleFinding } from '../define.js';
import { addition, fix, replaceEnvValue } from '../../model/edits.js';
import { activeSignals, EXPORTER_VAR, protocolVar, VALID_EXPORTERS, type Protocol, type Signal } from '../../model/prediction.js';
import type { EnvAddition, TextEdit } from '../../types.js';
import type { Workspace } from '../../model/workspace.js';
import { atValue, where } from '../../model/settings-locate.js';
import { initFails, parseEndpoint, perSignalVar } from '../../model/otlp-signals.js';

/** What a mistyped exporter token most likely meant, when that is unambiguous. */
export interface ExporterIntent {
  exporters: string[];
  /** The protocol the token names (`otlphttp` → an HTTP protocol), which must then hold for the signal. */
  protocol?: Protocol;
}

const PROTOCOL_IN_NAME: Record<string, Protocol> = {
  otlphttp: 'http/protobuf',
  otlphttpprotobuf: 'http/protobuf',
  otlpproto: 'http/protobuf',
  otlphttpjson: 'http/json',
  otlpjson: 'http/json',
  otlpgrpc: 'grpc',
};

/** Intent of one token of an exporter list that Claude Code rejects; undefined when it cannot be told. */
export function exporterIntent(token: string, signal: Signal): ExporterIntent | undefined {
  const valid = [...VALID_EXPORTERS[signal], 'none'];
  const unquoted = token.replace(/^["'\s]+|["'\s]+$/g, '');
  const parts = unquoted.split(/[\s;|]+/).filter(Boolean);
  if (parts.length === 0) return undefined;
  const exporters: string[] = [];
  let protocol: Protocol | undefined;
  for (const part of parts) {
    const lower = part.toLowerCase();
    if (valid.includes(lower)) {
      exporters.push(lower);
      continue;
    }
    const named = PROTOCOL_IN_NAME[lower.replace(/[^a-z]/g, '')];
    if (!named || (protocol && protocol !== named)) return undefined;
    protocol = named;
    exporters.push('otlp');
  }
  return { exporters, protocol };
}

const family = (p: string) => (p.trim().toLowerCase() === 'grpc' ? 'grpc' : p.trim().toLowerCase().startsWith('http') ? 'http' : p.trim());

function describeToken(token: string, signal: Signal): string {
  const t = token.trim();
  const lower = t.replace(/^["']+|["']+$/g, '').toLowerCase();
  if (lower === 'prometheus' && signal !== 'metrics') return `"${t}" (prometheus exports metrics only)`;
  if ([...VALID_EXPORTERS[signal], 'none'].includes(lower)) return `"${t}" (names are case-sensitive and unquoted: ${lower})`;
  if (/[\s;|]/.test(t)) return `"${t}" (list items are separated by commas)`;
  return `"${t}"`;
}

function hintFor(tokens: string[], signal: Signal): string {
  const lower = tokens.map((t) => t.trim().toLowerCase());
  if (lower.includes('prometheus') && signal !== 'metrics') {
    return `remove prometheus from ${EXPORTER_VAR[signal]} (it is a metrics exporter; use otlp or console for ${signal}) and set OTEL_METRICS_EXPORTER=prometheus if you want a scrape endpoint`;
  }
  if (lower.some((t) => ['zipkin', 'jaeger'].includes(t)))
    return `Claude Code exports ${signal} only with otlp or console: use otlp and let a collector forward to ${lower.find((t) => t === 'zipkin' || t === 'jaeger')}`;
  if (lower.some((t) => ['logging', 'debug', 'stdout'].includes(t))) return 'use console to print telemetry to stdout';
  return `use one or more of ${[...VALID_EXPORTERS[signal], 'none'].join(', ')} (exact lower case, comma-separated)`;
}

const messages = {
  rejected: {
    message: (d: { variable: string; value: string }) => `${d.variable}="${d.value}" is not an exporter Claude Code accepts: nothing at all is exported`,
    detail: (d: { where: string; signal: Signal; tokens: string[]; initFails: string }) =>
      `set ${d.where}: ${d.tokens.map((t) => describeToken(t, d.signal)).join(', ')} ${d.tokens.length > 1 ? 'are not exporters' : 'is not an exporter'} Claude Code accepts for ${d.signal} (${[...VALID_EXPORTERS[d.signal], 'none'].join(', ')}); ${d.initFails}`,
  },
} as const;
type InvalidExporterFinding = RuleFinding<typeof messages>;

function checkSignal(ws: Workspace, signal: Signal): InvalidExporterFinding | undefined {
  const env = ws.claude.env;
  const variable = env.get(EXPORTER_VAR[signal]);
  if (!variable) return undefined;
  const valid = VALID_EXPORTERS[signal];
  const parts = variable.value.split(',');
  const bad = parts.filter((p) => p.trim() !== '' && p.trim() !== 'none' && !valid.includes(p.trim()));
  if (bad.length === 0) return undefined;

  // A fix only when every bad token has one clear meaning and any protocol it names can be made to hold.
  const intents = bad.map((t) => exporterIntent(t, signal));
  let edits: TextEdit[] = [];
  let additions: (EnvAddition | undefined)[] = [];
  let description = '';
  const protocols = new Set(intents.map((i) => i?.protocol).filter((p): p is Protocol => p !== undefined));
  if (intents.every((i) => i !== undefined) && protocols.size <= 1) {
    const fixed = parts.map((p) => (bad.includes(p) ? exporterIntent(p, signal)!.exporters.join(',') : p.trim())).filter((p) => p !== '');
    const newValue = [...new Set(fixed.join(',').split(','))].join(',');
    edits = replaceEnvValue(variable.origin, variable.name, newValue);
    description = `set ${variable.name} to "${newValue}"`;
    const [wanted] = [...protocols];
    if (wanted && edits.length > 0) {
      const current = protocolVar(env, signal);
      const endpoint = env.get(perSignalVar('ENDPOINT', signal)) ?? env.get('OTEL_EXPORTER_OTLP_ENDPOINT');
      const port = endpoint ? parseEndpoint(endpoint.value)?.port : undefined;
      const portFamily = port === 4317 ? 'grpc' : port === 4318 ? 'http' : undefined;
      if (current && current.value.trim() !== '') {
        // The protocol is already chosen: the token's protocol must agree with it (the protocol rule fixes its spelling).
        if (family(current.value) !== family(wanted)) edits = [];
      } else if (portFamily && portFamily !== family(wanted)) {
        edits = [];
      } else {
        const added = addition(ws, variable.origin, 'OTEL_EXPORTER_OTLP_PROTOCOL', wanted);
        if (added) additions = [added];
        else edits = [];
        description += ` and add OTEL_EXPORTER_OTLP_PROTOCOL=${wanted}`;
      }
    }
  }
  return {
    ...atValue(variable.origin, variable.name),
    kind: 'rejected',
    data: { variable: variable.name, value: variable.value, where: where(variable.origin), signal, tokens: bad, initFails: initFails(env) },
    hint: edits.length > 0 ? description : hintFor(bad, signal),
    fix: edits.length > 0 ? fix('safe', description, edits, additions) : undefined,
  };
}

export default defineRule({
  id: 'settings/invalid-exporter',
  severity: 'error',
  title: 'Unknown or wrongly cased exporter name',
  checks:
    'OTEL_METRICS_EXPORTER and OTEL_LOGS_EXPORTER (and OTEL_TRACES_EXPORTER when CLAUDE_CODE_ENHANCED_TELEMETRY_BETA or ENABLE_ENHANCED_TELEMETRY_BETA is on) must be comma lists of exactly otlp, prometheus (metrics only), console or none. Names are case-sensitive; `OTLP`, `otlphttp`, `zipkin` or `prometheus` for logs are rejected. Without the beta flag OTEL_TRACES_EXPORTER is never read, so it is not checked here (settings/traces-not-sent says that no traces are sent).',
  why: 'One unknown exporter name makes Claude Code\'s telemetry init throw ("Telemetry init failed: Unknown exporter type set in OTEL_EXPORTER_OTLP_METRICS_PROTOCOL or OTEL_EXPORTER_OTLP_PROTOCOL env var: otlphttp", only in the debug log; the message wrongly names the protocol variable). Then nothing at all is exported: every signal, console and prometheus included. Nothing is printed on stderr, not even with CLAUDE_CODE_OTEL_DIAG_STDERR=1.',
  fix: 'safe',
  fixDescription:
    'Rewrites the list when the intended name is unambiguous: wrong case or quotes (`OTLP` → `otlp`), other separators (`otlp;console` → `otlp,console`), and collector-style names (`otlphttp` → `otlp`, `otlpgrpc` → `otlp`). For a name that carries a protocol the fix also adds OTEL_EXPORTER_OTLP_PROTOCOL (http/protobuf or grpc) when none is set (on this machine to the user settings or the `--scope` file, in CI mode next to the exporter), and gives up when the set protocol or the endpoint port says otherwise. `prometheus` for logs or traces, `zipkin`, `jaeger` and other names have no automatic fix.',
  versions: 'all versions (observed on 2.1.197, E15, E17)',
  bad: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlphttp",\n    "OTEL_LOGS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4318"\n  }\n}\n',
  },
  good: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_LOGS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4318"\n  }\n}\n',
  },
  references: [
    'measured on real Claude Code: test/conformance/cases.ts, case "invalid-exporter: otlphttp kills every signal"',
    'measured on real Claude Code: test/conformance/cases.ts, case "invalid-exporter: zipkin traces under the beta flag"',
    'https://code.claude.com/docs/en/monitoring-usage',
  ],
  messages,
  oracle: 'claude-code',
  stage: 'Claude Code settings',
  check(ws) {
    return activeSignals(ws.claude.env)
      .map((signal) => checkSignal(ws, signal))
      .filter((f): f is InvalidExporterFinding => f !== undefined);
  },
});
