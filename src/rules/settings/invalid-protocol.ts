import { defineRule, type RuleFinding } from '../define.js';
import { fix, replaceEnvValue } from '../../model/edits.js';
import { PROTOCOLS, type Protocol } from '../../model/prediction.js';
import { atValue, where } from '../../model/settings-locate.js';
import { initFails, listWords, otlpSettingVars } from '../../model/otlp-signals.js';

interface Shown {
  variable: string;
  value: string;
  where: string;
}

const notAccepted = (d: Shown) => `${d.variable}="${d.value}" is not a protocol Claude Code accepts`;
const accepted = (d: Shown) => `set ${d.where}; Claude Code accepts exactly grpc, http/json or http/protobuf, case-sensitive`;

const messages = {
  read: {
    message: (d: Shown) => `${notAccepted(d)}: nothing at all is exported`,
    detail: (d: Shown & { signals: string[]; initFails: string }) => `${accepted(d)}; it is the protocol for ${listWords(d.signals)}: ${d.initFails}`,
  },
  unread: {
    message: (d: Shown) => `${notAccepted(d)}: once an otlp signal reads it, nothing at all is exported`,
    detail: (d: Shown) => `${accepted(d)}; no otlp signal reads it right now, but the moment one does, telemetry init fails`,
  },
} as const;

const SPELLINGS: Record<string, Protocol> = {
  grpc: 'grpc',
  http: 'http/protobuf',
  httpprotobuf: 'http/protobuf',
  httpproto: 'http/protobuf',
  protobuf: 'http/protobuf',
  httpjson: 'http/json',
  json: 'http/json',
};

/** The protocol a rejected value clearly means (`HTTP/JSON` → http/json, `http` → http/protobuf), if any. */
export function intendedProtocol(value: string): Protocol | undefined {
  const t = value
    .trim()
    .replace(/^["']+|["']+$/g, '')
    .trim()
    .toLowerCase();
  if ((PROTOCOLS as string[]).includes(t)) return t as Protocol;
  return SPELLINGS[t.replace(/[^a-z]/g, '')];
}

export default defineRule({
  id: 'settings/invalid-protocol',
  severity: 'error',
  title: 'OTLP protocol is not grpc, http/json or http/protobuf',
  checks:
    'OTEL_EXPORTER_OTLP_PROTOCOL and the per-signal OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL must be exactly grpc, http/json or http/protobuf (trimmed, case-sensitive). `http`, `HTTP/JSON`, `gRPC` and `http/proto` are rejected. A value no otlp signal reads (e.g. the generic one when every signal has its own) is reported as a warning.',
  why: 'Claude Code\'s telemetry init throws on any other value ("Telemetry init failed: Unknown protocol set in OTEL_EXPORTER_OTLP_METRICS_PROTOCOL or OTEL_EXPORTER_OTLP_PROTOCOL env var: http", only in the debug log), so nothing at all is exported: every signal, console included. Nothing is printed on stderr.',
  fix: 'safe',
  fixDescription:
    'Rewrites the value when its meaning is unambiguous: wrong case or quotes (`HTTP/JSON` → `http/json`, `gRPC` → `grpc`), `http` and `http/proto` → `http/protobuf`, `json` → `http/json`. Other values have no automatic fix.',
  versions: 'all versions (observed on 2.1.197, E15; issue #1712 on 1.0.16)',
  bad: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4318"\n  }\n}\n',
  },
  good: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4318"\n  }\n}\n',
  },
  references: [
    'measured on real Claude Code: test/conformance/cases.ts, case "invalid-protocol: http"',
    'measured on real Claude Code: test/conformance/cases.ts, case "invalid-protocol: HTTP/JSON per signal kills metrics too"',
    'https://github.com/anthropics/claude-code/issues/1712 (OTEL_EXPORTER_OTLP_PROTOCOL=http, no data)',
    'https://code.claude.com/docs/en/monitoring-usage',
  ],
  messages,
  oracle: 'claude-code',
  stage: 'Claude Code settings',
  check(ws) {
    const findings: RuleFinding<typeof messages>[] = [];
    for (const { v, readers } of otlpSettingVars(ws.claude.env, 'PROTOCOL')) {
      if (v.value.trim() === '' || (PROTOCOLS as string[]).includes(v.value.trim())) continue;
      const name = v.name;
      const intended = intendedProtocol(v.value);
      const edits = intended ? replaceEnvValue(v.origin, name, intended) : [];
      const shown = { variable: name, value: v.value, where: where(v.origin) };
      findings.push({
        ...atValue(v.origin, name),
        severity: readers.length ? 'error' : 'warning',
        ...(readers.length
          ? { kind: 'read' as const, data: { ...shown, signals: readers.map((s) => s.signal), initFails: initFails(ws.claude.env) } }
          : { kind: 'unread' as const, data: shown }),
        hint: intended ? `set it to "${intended}"` : 'use grpc (collector port 4317), http/protobuf or http/json (collector port 4318)',
        fix: intended ? fix('safe', `set ${name} to "${intended}"`, edits) : undefined,
      });
    }
    return findings;
  },
});
