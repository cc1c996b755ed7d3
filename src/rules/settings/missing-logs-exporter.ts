import { defineRule } from '../define.js';
import { missingExporter, missingExporterMessages } from './missing-metrics-exporter.js';

export default defineRule({
  id: 'settings/missing-logs-exporter',
  severity: 'warning',
  title: 'Telemetry on, but no logs (events) exporter',
  checks: 'CLAUDE_CODE_ENABLE_TELEMETRY is on and OTEL_LOGS_EXPORTER is set nowhere.',
  why: 'Unset OTEL_LOGS_EXPORTER means off: no user_prompt, api_request or tool_result events reach Loki, so event panels stay empty. Metrics still flow, so this is a warning.',
  fix: 'safe',
  fixDescription:
    'Adds "OTEL_LOGS_EXPORTER": "otlp": on this machine to the user settings (`--scope project|local` chooses another file), in CI mode next to CLAUDE_CODE_ENABLE_TELEMETRY.',
  versions: 'all versions',
  bad: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"\n  }\n}\n',
  },
  good: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_LOGS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"\n  }\n}\n',
  },
  references: [
    'measured on real Claude Code: test/conformance/cases.ts, case "missing-logs-exporter: metrics only"',
    'https://code.claude.com/docs/en/monitoring-usage',
  ],
  messages: missingExporterMessages,
  oracle: 'claude-code',
  stage: 'Claude Code settings',
  check: (ws) => missingExporter(ws, 'OTEL_LOGS_EXPORTER'),
});
