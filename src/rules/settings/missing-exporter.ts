import { addition, fix } from '../../fixers/edits.js';
import { isTruthy } from '../../model/claude-env.js';
import type { Workspace } from '../../model/workspace.js';
import type { RuleFinding } from '../define.js';
import { atKey, where } from './locate.js';

/** Shared check for missing-metrics-exporter and missing-logs-exporter: the two differ only in signal and severity. */
export function missingExporter(ws: Workspace, variable: 'OTEL_METRICS_EXPORTER' | 'OTEL_LOGS_EXPORTER', what: string): RuleFinding[] {
  const enable = ws.claude.env.get('CLAUDE_CODE_ENABLE_TELEMETRY');
  if (!enable || !isTruthy(enable.value) || ws.claude.env.has(variable)) return [];
  return [
    {
      ...atKey(enable.origin, enable.name),
      message: `telemetry is on ${where(enable.origin)} but ${variable} is not set anywhere, so no ${what} are exported (unset means off, not otlp)`,
      hint: `add "${variable}": "otlp" beside CLAUDE_CODE_ENABLE_TELEMETRY`,
      fix: fix('safe', `add ${variable}=otlp`, [], [addition(ws, enable.origin, variable, 'otlp')]),
    },
  ];
}
