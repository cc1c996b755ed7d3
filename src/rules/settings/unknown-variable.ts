import { defineRule, type RuleFinding } from '../define.js';
import { fix, renameEnvKey } from '../../model/edits.js';
import { propertyNode } from '../../load/json.js';
import type { EnvSetting } from '../../model/claude-env.js';
import { unknownVariable, type UnknownVariable } from '../../model/known-variables.js';
import type { Workspace } from '../../model/workspace.js';
import { atKey, atNode, where } from '../../model/settings-locate.js';

export default defineRule({
  id: 'settings/unknown-variable',
  severity: 'warning',
  title: 'Misspelt or invented telemetry variable',
  checks:
    'Every env entry (settings files and shell): OTEL_* names that neither Claude Code nor the OpenTelemetry SDK defines, any OLTP_* name, CLAUDE_CODE_* names within edit distance 2 of a telemetry variable, names in the wrong case, and the invented CLAUDE_CODE_ENABLE_TELEMETRY_CONTENT; also a top-level "telemetry" object in a settings file. Each with the nearest real name.',
  why: 'Claude Code reads exact variable names and says nothing about others: OTEL_METRIC_EXPORTER leaves OTEL_METRICS_EXPORTER unset, which means no metrics at all; OTEL_METRICS_EXPORT_INTERVAL leaves the 60 s default; an OLTP_ prefix or a "telemetry": {…} block disables everything silently.',
  fix: 'safe',
  fixDescription:
    'Renames the key to the intended name when the intended name is certain (one nearest name at distance ≤ 2, OLTP_ → OTEL_, or the right case) and it is not set anywhere yet. The value is kept.',
  versions: 'all versions',
  bad: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRIC_EXPORTER": "otlp",\n    "OTEL_METRICS_EXPORT_INTERVAL": "10000",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"\n  }\n}\n',
  },
  good: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_METRIC_EXPORT_INTERVAL": "10000",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"\n  }\n}\n',
  },
  references: [
    'claude-code.md §2.2 (master table), §2.3 (variables and keys that do not exist: OLTP_*, "telemetry" block, CLAUDE_CODE_ENABLE_TELEMETRY_CONTENT)',
    'https://github.com/anthropics/claude-code/issues/1911',
    'https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/',
    'https://code.claude.com/docs/en/monitoring-usage',
  ],
  oracle: 'claude-code',
  stage: 'Claude Code settings',
  check(ws) {
    const findings: RuleFinding[] = [];
    const renamed = new Set<string>();
    for (const s of ws.claude.settings) {
      const unknown = unknownVariable(s.name);
      if (unknown) findings.push(variableFinding(ws, s, unknown, renamed));
    }
    for (const file of ws.claude.files) {
      const prop = propertyNode(file.doc.root, ['telemetry']);
      if (!prop || prop.parent !== file.doc.root) continue;
      findings.push({
        ...atNode(file, prop.children?.[0] ?? prop, ['telemetry']),
        message: `"telemetry" in ${file.path} is not a Claude Code setting: Claude Code ignores the whole block, so nothing in it configures telemetry`,
        hint: 'telemetry is configured with environment variables in "env": "CLAUDE_CODE_ENABLE_TELEMETRY": "1", "OTEL_METRICS_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL" and "OTEL_EXPORTER_OTLP_ENDPOINT"',
      });
    }
    return findings;
  },
});

function variableFinding(ws: Workspace, s: EnvSetting, unknown: UnknownVariable, renamed: Set<string>): RuleFinding {
  const target = unknown.suggestions[0];
  const targetSet = target !== undefined ? ws.claude.env.get(target) : undefined;
  const status =
    target === undefined || unknown.suggestions.length > 1 ? '' : targetSet ? ` (set ${where(targetSet.origin)}, which applies)` : ' (not set anywhere)';
  const didYouMean = unknown.suggestions.length > 0 ? `; did you mean ${unknown.suggestions.slice(0, 2).join(' or ')}${status}?` : '';
  const lead = `${s.name} ${where(s.origin)}`;
  let message: string;
  switch (unknown.kind) {
    case 'case':
      message = `${lead} is in the wrong case: environment variable names are case-sensitive on macOS and Linux, so Claude Code does not see it; it reads ${target}${status}`;
      break;
    case 'oltp':
      message = `${lead} starts with OLTP_ instead of OTEL_, so Claude Code ignores it${didYouMean}`;
      break;
    case 'nonexistent':
      message = `${lead} does not exist (it appears in some setup guides), so Claude Code ignores it; prompt and tool content logging is switched by OTEL_LOG_USER_PROMPTS and OTEL_LOG_TOOL_DETAILS`;
      break;
    case 'claude':
      message = `${lead} is not a Claude Code variable, so Claude Code ignores it${didYouMean}`;
      break;
    default:
      message = `${lead} is neither a Claude Code nor an OpenTelemetry SDK variable, so Claude Code ignores it${didYouMean}`;
  }

  const fileKey = `${s.origin.file ?? '(environment)'}\0${target}`;
  const sameFileHasTarget = target !== undefined && (s.origin.settings?.env.some((e) => e.name === target) ?? false);
  const canRename = unknown.confident && target !== undefined && !targetSet && !sameFileHasTarget && !renamed.has(fileKey);
  const edits = canRename ? renameEnvKey(s.origin, target) : [];
  if (edits.length > 0) renamed.add(fileKey);

  let hint: string;
  if (unknown.kind === 'nonexistent') hint = 'remove it; set "OTEL_LOG_USER_PROMPTS": "1" (and "OTEL_LOG_TOOL_DETAILS": "1") only if prompt and tool content may leave the machine';
  else if (target === undefined) hint = 'remove it, or look the intended name up in https://code.claude.com/docs/en/monitoring-usage';
  else if (targetSet) hint = `remove this entry: ${target} is already set ${where(targetSet.origin)}`;
  else if (edits.length > 0) hint = `rename it to ${target} (--fix does this)`;
  else hint = `rename it to ${unknown.suggestions.length > 1 ? 'the variable you meant' : target}`;

  return {
    ...atKey(s.origin, s.name),
    message,
    hint,
    fix: fix('safe', `rename ${s.name} to ${target}`, edits),
  };
}
