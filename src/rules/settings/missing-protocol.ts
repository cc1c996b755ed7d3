import { defineRule, type RuleFinding } from '../define.js';
import { addition, fix } from '../../model/edits.js';
import { isTruthy } from '../../model/claude-env.js';
import { activeSignals, defaultProtocol, EXPORTER_VAR, parseExporterList, protocolVar, SIGNAL_UPPER } from '../../model/prediction.js';
import { DEFAULT_PROTOCOL_FROM } from '../../model/versions.js';
import { atValue, where } from '../../model/settings-locate.js';

interface Unset {
  variable: string;
  where: string;
  signal: string;
}

const unset = (d: Unset) => `no OTLP protocol is set for ${d.signal}`;
const whereSet = (d: Unset) => `${d.variable}=otlp ${d.where}`;

const messages = {
  defaulted: {
    message: (d: Unset & { version: string; protocol: string; grpcPort?: number }) =>
      `${unset(d)}: Claude Code ${d.version} uses ${d.protocol}${d.grpcPort !== undefined ? `, which port ${d.grpcPort} does not answer` : ''}`,
    detail: (d: Unset & { grpcPort?: number; since: string }) =>
      `${whereSet(d)}${d.grpcPort !== undefined ? `; ${d.grpcPort} is the gRPC port` : ''}; versions before ${d.since} export nothing at all`,
  },
  initFails: { message: (d: Unset) => `${unset(d)}: telemetry init fails and nothing at all is exported`, detail: whereSet },
} as const;

export default defineRule({
  id: 'settings/missing-protocol',
  severity: 'error',
  title: 'OTLP exporter without a protocol',
  checks:
    'A signal exports with `otlp` (traces only under the enhanced-telemetry beta flag) and neither OTEL_EXPORTER_OTLP_PROTOCOL nor the per-signal OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL is set.',
  why: 'Before 2.1.323 Claude Code has no default OTLP protocol (the OpenTelemetry default http/protobuf does not apply): telemetry init throws "Unknown protocol set in … env var: undefined" and nothing at all is exported, other signals included. Only the debug log shows it. From 2.1.323 it uses http/protobuf: then this is advice (a warning when the endpoint is the gRPC port 4317, which http/protobuf cannot reach; info otherwise), since the same settings export nothing on older versions.',
  fix: 'safe',
  fixDescription:
    'Adds OTEL_EXPORTER_OTLP_PROTOCOL chosen from the endpoint port: 4317 → grpc, 4318 → http/protobuf; on this machine to the user settings (`--scope project|local` chooses another file), in CI mode next to the exporter setting. Without a recognisable port there is no automatic fix.',
  versions: `error before ${DEFAULT_PROTOCOL_FROM} (observed on 2.1.197 and 2.1.322: init fails); from ${DEFAULT_PROTOCOL_FROM} http/protobuf is the default, so a warning (gRPC port) or info`,
  bad: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4317"\n  }\n}\n',
  },
  good: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4317"\n  }\n}\n',
  },
  references: [
    'measured on real Claude Code: test/conformance/cases.ts, case "missing-protocol: otlp without protocol"',
    'measured on real Claude Code: test/conformance/cases.ts, case "missing-protocol: console metrics plus otlp logs without protocol kills both (before 2.1.323)"',
    'https://code.claude.com/docs/en/monitoring-usage ("Claude Code has no default protocol")',
  ],
  messages,
  oracle: 'claude-code',
  stage: 'Claude Code settings',
  check(ws) {
    const env = ws.claude.env;
    if (!isTruthy(env.get('CLAUDE_CODE_ENABLE_TELEMETRY')?.value)) return [];
    const missing = activeSignals(env).filter((s) => parseExporterList(env.get(EXPORTER_VAR[s])?.value).includes('otlp') && !protocolVar(env, s)?.value.trim());
    return missing.map((signal) => {
      const exporter = env.get(EXPORTER_VAR[signal])!;
      const endpoint = env.get(`OTEL_EXPORTER_OTLP_${SIGNAL_UPPER[signal]}_ENDPOINT`) ?? env.get('OTEL_EXPORTER_OTLP_ENDPOINT');
      const guess = guessProtocol(endpoint?.value);
      const version = ws.claude.version.version;
      const fallback = defaultProtocol(version);
      const shown: Unset = { variable: exporter.name, where: where(exporter.origin), signal };
      const finding: RuleFinding<typeof messages> = {
        ...atValue(exporter.origin, exporter.name),
        ...(fallback
          ? {
              severity: guess === 'grpc' ? ('warning' as const) : ('info' as const),
              kind: 'defaulted' as const,
              data: { ...shown, version, protocol: fallback, grpcPort: guess === 'grpc' ? portOf(endpoint?.value) : undefined, since: DEFAULT_PROTOCOL_FROM },
            }
          : { kind: 'initFails' as const, data: shown }),
        hint: guess
          ? `add "OTEL_EXPORTER_OTLP_PROTOCOL": "${guess}" (the endpoint's port ${portOf(endpoint?.value)} is the ${guess === 'grpc' ? 'gRPC' : 'HTTP'} port)`
          : 'add "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc" (port 4317) or "http/protobuf" (port 4318) to match your collector',
        fix: guess
          ? fix('safe', `add OTEL_EXPORTER_OTLP_PROTOCOL=${guess}`, [], [addition(ws, exporter.origin, 'OTEL_EXPORTER_OTLP_PROTOCOL', guess)])
          : undefined,
      };
      return finding;
    });
  },
});

export function portOf(url: string | undefined): number | undefined {
  const m = url && /:(\d+)(\/|$)/.exec(url.trim());
  return m ? Number(m[1]) : undefined;
}

function guessProtocol(url: string | undefined): 'grpc' | 'http/protobuf' | undefined {
  const port = portOf(url);
  return port === 4317 ? 'grpc' : port === 4318 ? 'http/protobuf' : undefined;
}
