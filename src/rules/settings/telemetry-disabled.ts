import { defineRule } from '../define.js';
import { isTruthy } from '../../model/claude-env.js';
import { addition, fix, replaceEnvValue } from '../../model/edits.js';
import { atKey, atValue, where } from '../../model/settings-locate.js';

const messages = {
  off: {
    message: (d: { value: string }) => `CLAUDE_CODE_ENABLE_TELEMETRY is ${JSON.stringify(d.value)}, which is off: Claude Code exports nothing`,
    detail: (d: { where: string; exporterVariable: string; exporters: string }) => `set ${d.where}; ${d.exporterVariable}=${d.exporters} then exports nothing`,
  },
  unset: {
    message: 'CLAUDE_CODE_ENABLE_TELEMETRY is not set anywhere, so Claude Code exports nothing',
    detail: '{{exporterVariable}} is set {{where}}, but telemetry stays off',
  },
} as const;

export default defineRule({
  id: 'settings/telemetry-disabled',
  severity: 'error',
  title: 'Exporters configured but telemetry is off',
  checks:
    'An exporter is selected (OTEL_METRICS_EXPORTER or OTEL_LOGS_EXPORTER other than none) while CLAUDE_CODE_ENABLE_TELEMETRY is unset or not one of 1, true, yes, on.',
  why: 'CLAUDE_CODE_ENABLE_TELEMETRY is the master switch: without it Claude Code exports nothing at all, whatever else is configured.',
  fix: 'safe',
  fixDescription:
    'Sets CLAUDE_CODE_ENABLE_TELEMETRY to "1" where it is defined. When it is set nowhere, adds it: on this machine to the user settings (`--scope project|local` chooses another file), in CI mode next to the exporter setting.',
  versions: 'all versions',
  bad: { file: '~/.claude/settings.json', text: '{\n  "env": {\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"\n  }\n}\n' },
  good: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"\n  }\n}\n',
  },
  references: [
    'measured on real Claude Code: test/conformance/cases.ts, case "telemetry-disabled: switch "0" in settings beats "1" in the shell"',
    'https://code.claude.com/docs/en/monitoring-usage',
  ],
  messages,
  oracle: 'claude-code',
  stage: 'Claude Code settings',
  check(ws) {
    const env = ws.claude.env;
    const enable = env.get('CLAUDE_CODE_ENABLE_TELEMETRY');
    if (isTruthy(enable?.value)) return [];
    const selected = ['OTEL_METRICS_EXPORTER', 'OTEL_LOGS_EXPORTER']
      .map((n) => env.get(n))
      .find((v) => v?.value.split(',').some((e) => e.trim() !== '' && e.trim() !== 'none'));
    if (!selected) return [];
    if (enable) {
      return [
        {
          ...atValue(enable.origin, enable.name),
          kind: 'off' as const,
          data: { value: enable.value, where: where(enable.origin), exporterVariable: selected.name, exporters: selected.value },
          hint: 'set it to "1" (only 1, true, yes and on count as on)',
          fix: fix('safe', 'set CLAUDE_CODE_ENABLE_TELEMETRY to "1"', replaceEnvValue(enable.origin, enable.name, '1')),
        },
      ];
    }
    return [
      {
        ...atKey(selected.origin, selected.name),
        kind: 'unset' as const,
        data: { exporterVariable: selected.name, where: where(selected.origin) },
        hint: 'add "CLAUDE_CODE_ENABLE_TELEMETRY": "1" to the same env block',
        fix: fix('safe', 'add CLAUDE_CODE_ENABLE_TELEMETRY=1', [], [addition(ws, selected.origin, 'CLAUDE_CODE_ENABLE_TELEMETRY', '1')]),
      },
    ];
  },
});
