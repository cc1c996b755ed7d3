import { defineRule, type RuleFinding } from '../define.js';
import { fix, replaceEnvValue } from '../../model/edits.js';
import { isTruthy } from '../../model/claude-env.js';
import { activeSignals, EXPORTER_VAR, parseExporterList } from '../../model/prediction.js';
import { atValue, where } from '../../model/settings-locate.js';
import type { Signal } from '../../model/prediction.js';

const PRINTED: Record<Signal, string> = {
  metrics: 'every metric export',
  logs: 'every event (user_prompt, api_request, tool_result, …)',
  traces: 'every span',
};

const messages = {
  prints: {
    message: (d: { variable: string; value: string; signal: Signal }) => `${d.variable}=${d.value}: Claude Code prints ${PRINTED[d.signal]} into the terminal`,
    detail: (d: { where: string; stillExporting: string[] }) =>
      `set ${d.where}; with claude -p it goes onto stdout after the answer${d.stillExporting.length ? `; ${d.stillExporting.join(', ')} still export${d.stillExporting.length > 1 ? '' : 's'} as configured` : ''}`,
  },
} as const;

export default defineRule({
  id: 'settings/console-exporter',
  severity: 'warning',
  title: 'Console exporter prints telemetry into the terminal',
  checks:
    'With telemetry on (and its init not failing), `console` appears in OTEL_METRICS_EXPORTER, OTEL_LOGS_EXPORTER or (under the enhanced-telemetry beta flag) OTEL_TRACES_EXPORTER.',
  why: 'Claude Code prints every metric export and every event (prompts included when OTEL_LOG_USER_PROMPTS is on) into the terminal; with `claude -p` the records go to stdout right after the answer, so scripts that read the answer get telemetry dumps too. Only `--output-format json`/`stream-json` drop the console exporter. Usually a leftover from debugging.',
  fix: 'unsafe',
  fixDescription:
    'Removes `console` from the exporter list (leaving `none` when nothing else is left). Unsafe: it changes what is printed, which may have been wanted.',
  versions: 'all versions (observed on 2.1.197, E1 and E32)',
  bad: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "console,otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4317"\n  }\n}\n',
  },
  good: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4317"\n  }\n}\n',
  },
  references: [
    'measured on real Claude Code: test/conformance/cases.ts, case "exporter lists: "otlp, console" and "none,otlp""',
    'https://code.claude.com/docs/en/monitoring-usage (console exporter)',
    'https://github.com/anthropics/claude-code/issues/5508',
  ],
  messages,
  oracle: 'fixtures',
  stage: 'Claude Code settings',
  check(ws) {
    const env = ws.claude.env;
    // When telemetry init fails nothing is printed either (E17); the init error is reported by its own rule.
    if (!isTruthy(env.get('CLAUDE_CODE_ENABLE_TELEMETRY')?.value) || ws.claude.prediction.initFailure) return [];
    const findings: RuleFinding<typeof messages>[] = [];
    for (const signal of activeSignals(env)) {
      const v = env.get(EXPORTER_VAR[signal]);
      const list = parseExporterList(v?.value);
      if (!v || !list.includes('console')) continue;
      const rest = list.filter((e) => e !== 'console');
      const edits = v.origin.scope === 'managed' ? [] : replaceEnvValue(v.origin, v.name, rest.length ? rest.join(',') : 'none');
      findings.push({
        ...atValue(v.origin, v.name),
        kind: 'prints',
        data: { variable: v.name, value: v.value.trim(), where: where(v.origin), signal, stillExporting: rest },
        hint: rest.length
          ? `remove console: "${v.name}": "${rest.join(',')}" (--output-format json or stream-json also drop it)`
          : `use "otlp" with a collector, or "none"; keep console only for a one-off debugging session`,
        fix: fix('unsafe', `remove console from ${v.name}`, edits),
      });
    }
    return findings;
  },
});
