import { defineRule } from '../define.js';
import { missingExporter } from './missing-exporter.js';

export default defineRule({
  id: 'settings/missing-metrics-exporter',
  severity: 'error',
  title: 'Telemetry on, but no metrics exporter',
  checks: 'CLAUDE_CODE_ENABLE_TELEMETRY is on and OTEL_METRICS_EXPORTER is set nowhere (settings files or shell).',
  why: 'Unset OTEL_METRICS_EXPORTER means off in Claude Code, not the OpenTelemetry default `otlp`: no cost, token or session metrics reach Prometheus, and dashboards stay empty.',
  fix: 'safe',
  fixDescription: 'Adds "OTEL_METRICS_EXPORTER": "otlp": on this machine to the user settings (`--scope project|local` chooses another file), in CI mode next to CLAUDE_CODE_ENABLE_TELEMETRY.',
  versions: 'all versions',
  bad: { file: '~/.claude/settings.json', text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"\n  }\n}\n' },
  good: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"\n  }\n}\n',
  },
  references: ['claude-code.md §1 key finding 3: unset exporter means off', 'https://code.claude.com/docs/en/monitoring-usage'],
  oracle: 'claude-code',
  check: (ws) => missingExporter(ws, 'OTEL_METRICS_EXPORTER', 'metrics'),
});
