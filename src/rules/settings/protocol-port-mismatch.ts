import { defineRule, type RuleFinding } from '../define.js';
import { fix, replaceEnvValue } from '../../model/edits.js';
import type { EffectiveVar } from '../../model/claude-env.js';
import { hasScheme, type Signal } from '../../model/prediction.js';
import { atValue, where } from '../../model/settings-locate.js';
import { displayUrl, isHttp, listWords, otlpSignals, parseEndpoint, type OtlpSignal } from '../../model/otlp-signals.js';

const GRPC_PORT = 4317;
const HTTP_PORT = 4318;

interface Mismatch {
  signal: Signal;
  protocolVar: EffectiveVar;
  protocol: string;
  wantedPort: number;
}

/** The port an endpoint should use for a signal's protocol, when its written port is the other OTLP port. */
function mismatch(s: OtlpSignal): Mismatch | undefined {
  if (!s.protocol || !s.protocolVar || !s.endpointVar) return undefined;
  const value = s.endpointVar.value;
  // Over http an endpoint without a scheme is not used at all (invalid-endpoint says so); over grpc it is dialled.
  if (isHttp(s.protocol) && !hasScheme(value)) return undefined;
  const port = parseEndpoint(value)?.port;
  if (s.protocol === 'grpc' && port === HTTP_PORT) return { signal: s.signal, protocolVar: s.protocolVar, protocol: s.protocol, wantedPort: GRPC_PORT };
  if (isHttp(s.protocol) && port === GRPC_PORT) return { signal: s.signal, protocolVar: s.protocolVar, protocol: s.protocol, wantedPort: HTTP_PORT };
  return undefined;
}

/** The endpoint with its port replaced (the first `:<port>` after the host). */
export function withPort(value: string, from: number, to: number): string {
  return value.replace(new RegExp(`^((?:[a-z][a-z0-9+.-]*://)?(?:[^/@?#]*@)?(?:\\[[^\\]]*\\]|[^/:?#]*)):${from}(?=$|[/?#])`, 'i'), `$1:${to}`);
}

const messages = {
  wrongPort: {
    message: (d: { port: number; signals: string[]; protocols: { protocol: string }[] }) =>
      `${listWords(d.signals)} go over ${d.protocols[0].protocol === 'grpc' ? 'gRPC' : 'HTTP'} to port ${d.port}, ${d.port === HTTP_PORT ? 'the OTLP/HTTP port' : 'the OTLP/gRPC port'}: a standard collector rejects every export`,
    detail: (d: {
      variable: string;
      endpoint: string;
      where: string;
      port: number;
      signals: string[];
      protocols: { variable: string; protocol: string; where: string }[];
    }) =>
      `${d.variable}=${d.endpoint} ${d.where}; ${listWords(d.signals)} are sent with ${d.protocols[0].protocol === 'grpc' ? 'gRPC' : 'HTTP'} (${d.protocols.map((p) => `${p.variable}=${p.protocol} ${p.where}`).join('; ')})`,
  },
} as const;

export default defineRule({
  id: 'settings/protocol-port-mismatch',
  severity: 'warning',
  title: 'OTLP protocol does not match the endpoint port',
  checks:
    'For every signal exporting with otlp: the protocol that applies to it (per-signal or generic) against the port of the endpoint that applies to it (per-signal or generic). grpc with port 4318, or http/json or http/protobuf with port 4317, is a mismatch on a standard collector. When a collector config is part of the workspace the cross-file collector rule checks the real receiver ports instead, and this rule stays silent.',
  why: 'A standard OpenTelemetry Collector serves OTLP/gRPC on 4317 and OTLP/HTTP on 4318. gRPC sent to the HTTP port and HTTP sent to the gRPC port both fail on every export ("14 UNAVAILABLE: No connection established" for gRPC; "Parse Error: Expected HTTP/" for HTTP), silently unless CLAUDE_CODE_OTEL_DIAG_STDERR=1 is set.',
  fix: 'unsafe',
  fixDescription:
    'Changes the endpoint port to the one that matches the protocol (4318 → 4317 for grpc, 4317 → 4318 for http). Unsafe: the collector might really listen for that protocol on the other port, and then the protocol is what needs changing. No fix when one endpoint serves signals that would need different ports.',
  versions: 'all versions',
  bad: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4318"\n  }\n}\n',
  },
  good: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4317"\n  }\n}\n',
  },
  references: [
    'measured on real Claude Code: test/conformance/cases.ts, case "protocol-port-mismatch: grpc to the HTTP port"',
    'measured on real Claude Code: test/conformance/cases.ts, case "protocol-port-mismatch: http/protobuf to the gRPC port"',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/receiver/otlpreceiver/README.md (OTLP receiver ports 4317 gRPC, 4318 HTTP)',
  ],
  messages,
  oracle: 'fixtures',
  stage: 'OTLP endpoint',
  check(ws) {
    if (ws.stackFiles.some((f) => f.kind === 'collector')) return [];
    const signals = otlpSignals(ws.claude.env);
    const byEndpoint = new Map<string, { endpoint: EffectiveVar; readers: OtlpSignal[]; found: Mismatch[] }>();
    for (const s of signals) {
      if (!s.endpointVar) continue;
      const entry = byEndpoint.get(s.endpointVar.name) ?? { endpoint: s.endpointVar, readers: [], found: [] };
      entry.readers.push(s);
      const m = mismatch(s);
      if (m) entry.found.push(m);
      byEndpoint.set(s.endpointVar.name, entry);
    }
    const findings: RuleFinding<typeof messages>[] = [];
    for (const { endpoint, readers, found } of byEndpoint.values()) {
      if (found.length === 0) continue;
      const wanted = new Set(found.map((m) => m.wantedPort));
      // Changing the port is right only when every signal using this endpoint wants the same new port.
      const fixable = wanted.size === 1 && found.length === readers.length;
      const [to] = [...wanted];
      const from = to === GRPC_PORT ? HTTP_PORT : GRPC_PORT;
      const newValue = withPort(endpoint.value.trim(), from, to);
      const protocols = [...new Map(found.map((m) => [m.protocolVar.name, m])).values()].map((m) => ({
        variable: m.protocolVar.name,
        protocol: m.protocol,
        where: where(m.protocolVar.origin),
      }));
      findings.push({
        ...atValue(endpoint.origin, endpoint.name),
        kind: 'wrongPort',
        data: {
          variable: endpoint.name,
          endpoint: displayUrl(endpoint.value),
          where: where(endpoint.origin),
          port: from,
          signals: found.map((m) => m.signal),
          protocols,
        },
        hint: fixable
          ? `use port ${to} for ${found[0].protocol} (unsafe fix), or switch the protocol to ${to === GRPC_PORT ? 'http/protobuf' : 'grpc'} to keep port ${from}`
          : `this endpoint serves signals with different protocols: give ${listWords(found.map((m) => m.signal))} ${found.length > 1 ? 'their own endpoints' : 'its own endpoint'} on port ${to}, or align the protocols`,
        fix:
          fixable && newValue !== endpoint.value.trim()
            ? fix('unsafe', `change the port of ${endpoint.name} to ${to}`, replaceEnvValue(endpoint.origin, endpoint.name, newValue))
            : undefined,
      });
    }
    return findings;
  },
});
