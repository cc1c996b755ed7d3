import { addition, fix } from '../../model/edits.js';
import { isTruthy } from '../../model/claude-env.js';
import type { Workspace } from '../../model/workspace.js';
import { defineRule, type RuleFinding } from '../define.js';
import { atKey, where } from '../../model/settings-locate.js';

type ExporterVariable = 'OTEL_METRICS_EXPORTER' | 'OTEL_LOGS_EXPORTER';
const EXPORTED: Record<ExporterVariable, string> = { OTEL_METRICS_EXPORTER: 'metrics', OTEL_LOGS_EXPORTER: 'events (logs)' };

/** The message of missing-metrics-exporter and missing-logs-exporter. */
export const missingExporterMessages = {
  unset: {
    message: (d: { variable: ExporterVariable }) => `${d.variable} is not set anywhere, so no ${EXPORTED[d.variable]} are exported`,
    detail: (d: { where: string }) => `telemetry is on ${d.where}; an unset exporter means off, not otlp`,
  },
} as const;

export default defineRule({
  id: 'settings/missing-metrics-exporter',
  severity: 'error',
  title: 'Telemetry on, but no metrics exporter',
  checks: 'CLAUDE_CODE_ENABLE_TELEMETRY is on and OTEL_METRICS_EXPORTER is set nowhere (settings files or shell).',
  why: 'Unset OTEL_METRICS_EXPORTER means off in Claude Code, not the OpenTelemetry default `otlp`: no cost, token or session metrics reach Prometheus, and dashboards stay empty.',
  fix: 'safe',
  fixDescription:
    'Adds "OTEL_METRICS_EXPORTER": "otlp": on this machine to the user settings (`--scope project|local` chooses another file), in CI mode next to CLAUDE_CODE_ENABLE_TELEMETRY.',
  versions: 'all versions',
  bad: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"\n  }\n}\n',
  },
  good: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"\n  }\n}\n',
  },
  references: [
    'measured on real Claude Code: test/conformance/cases.ts, case "missing-metrics-exporter: logs only"',
    'https://code.claude.com/docs/en/monitoring-usage',
  ],
  messages: missingExporterMessages,
  oracle: 'claude-code',
  stage: 'Claude Code settings',
  check: (ws) => missingExporter(ws, 'OTEL_METRICS_EXPORTER'),
});

/** Shared check for missing-metrics-exporter and missing-logs-exporter: the two differ only in signal and severity. */
export function missingExporter(ws: Workspace, variable: ExporterVariable): RuleFinding<typeof missingExporterMessages>[] {
  const enable = ws.claude.env.get('CLAUDE_CODE_ENABLE_TELEMETRY');
  if (!enable || !isTruthy(enable.value) || ws.claude.env.has(variable)) return [];
  return [
    {
      ...atKey(enable.origin, enable.name),
      kind: 'unset',
      data: { where: where(enable.origin), variable },
      hint: `add "${variable}": "otlp" beside CLAUDE_CODE_ENABLE_TELEMETRY`,
      fix: fix('safe', `add ${variable}=otlp`, [], [addition(ws, enable.origin, variable, 'otlp')]),
    },
  ];
}
