import { defineRule, type RuleFinding } from '../define.js';
import { fix, renameEnvKey } from '../../model/edits.js';
import { topLevelProperty } from '../../model/claude-settings.js';
import type { EnvSetting } from '../../model/claude-env.js';
import { unknownVariable, type UnknownVariable } from '../../model/known-variables.js';
import type { Workspace } from '../../model/workspace.js';
import { atKey, atNode, where } from '../../model/settings-locate.js';

interface Unknown {
  variable: string;
  where: string;
  /** Names it may have meant, best first. */
  suggestions: string[];
  /** Where the one suggestion is set, when it is set. */
  suggestionWhere?: string;
}

const status = (d: Unknown) =>
  d.suggestions.length !== 1
    ? ''
    : d.suggestionWhere
      ? `; ${d.suggestions[0]} is set ${d.suggestionWhere}, which applies`
      : `; ${d.suggestions[0]} is not set anywhere`;
const didYouMean = (d: Unknown) => (d.suggestions.length > 0 ? `; did you mean ${d.suggestions.slice(0, 2).join(' or ')}?` : '');
/** Where the name is set, and whether the name it may have meant is set. */
const whereSet = (d: Unknown) => `set ${d.where}${status(d)}`;

/** One message per kind of unknown name (model/known-variables.ts `UnknownKind`). */
const messages = {
  case: {
    message: (d: Unknown) => `${d.variable} is in the wrong case: Claude Code does not see it; it reads ${d.suggestions[0]}`,
    detail: (d: Unknown) => `environment variable names are case-sensitive on macOS and Linux; ${whereSet(d)}`,
  },
  oltp: {
    message: (d: Unknown) => `${d.variable} starts with OLTP_ instead of OTEL_, so Claude Code ignores it${didYouMean(d)}`,
    detail: whereSet,
  },
  nonexistent: {
    message: (d: Unknown) => `${d.variable} does not exist (it appears in some setup guides), so Claude Code ignores it`,
    detail: (d: Unknown) => `${whereSet(d)}; prompt and tool content logging is switched by OTEL_LOG_USER_PROMPTS and OTEL_LOG_TOOL_DETAILS`,
  },
  claude: { message: (d: Unknown) => `${d.variable} is not a Claude Code variable: it is ignored${didYouMean(d)}`, detail: whereSet },
  otel: {
    message: (d: Unknown) => `${d.variable} is no Claude Code or OpenTelemetry SDK variable: it is ignored${didYouMean(d)}`,
    detail: whereSet,
  },
  telemetryBlock: {
    message: '"telemetry" is not a Claude Code setting: Claude Code ignores the whole block, so nothing in it configures telemetry',
    detail: 'in {{file}}',
  },
} as const;
type UnknownVariableFinding = RuleFinding<typeof messages>;

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
    'measured on real Claude Code: test/conformance/cases.ts, case "unknown-variable: OLTP_ exporters from the shell"',
    'https://github.com/anthropics/claude-code/issues/1911',
    'https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/',
    'https://code.claude.com/docs/en/monitoring-usage',
  ],
  messages,
  oracle: 'claude-code',
  stage: 'Claude Code settings',
  check(ws) {
    const findings: UnknownVariableFinding[] = [];
    const renamed = new Set<string>();
    for (const s of ws.claude.settings) {
      const unknown = unknownVariable(s.name);
      if (unknown) findings.push(variableFinding(ws, s, unknown, renamed));
    }
    for (const file of ws.claude.files) {
      const prop = topLevelProperty(file, 'telemetry');
      if (!prop) continue;
      findings.push({
        ...atNode(file, prop.children?.[0] ?? prop, ['telemetry']),
        kind: 'telemetryBlock',
        data: { file: file.path },
        hint: 'telemetry is configured with environment variables in "env": "CLAUDE_CODE_ENABLE_TELEMETRY": "1", "OTEL_METRICS_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL" and "OTEL_EXPORTER_OTLP_ENDPOINT"',
      });
    }
    return findings;
  },
});

function variableFinding(ws: Workspace, s: EnvSetting, unknown: UnknownVariable, renamed: Set<string>): UnknownVariableFinding {
  const target = unknown.suggestions[0];
  const targetSet = target !== undefined ? ws.claude.env.get(target) : undefined;
  const fileKey = `${s.origin.file ?? '(environment)'}\0${target}`;
  const sameFileHasTarget = target !== undefined && (s.origin.settings?.env.some((e) => e.name === target) ?? false);
  const canRename = unknown.confident && target !== undefined && !targetSet && !sameFileHasTarget && !renamed.has(fileKey);
  const edits = canRename ? renameEnvKey(s.origin, target) : [];
  if (edits.length > 0) renamed.add(fileKey);

  let hint: string;
  if (unknown.kind === 'nonexistent')
    hint = 'remove it; set "OTEL_LOG_USER_PROMPTS": "1" (and "OTEL_LOG_TOOL_DETAILS": "1") only if prompt and tool content may leave the machine';
  else if (target === undefined) hint = 'remove it, or look the intended name up in https://code.claude.com/docs/en/monitoring-usage';
  else if (targetSet) hint = `remove this entry: ${target} is already set ${where(targetSet.origin)}`;
  else if (edits.length > 0) hint = `rename it to ${target}`;
  else hint = `rename it to ${unknown.suggestions.length > 1 ? 'the variable you meant' : target}`;

  return {
    ...atKey(s.origin, s.name),
    kind: unknown.kind,
    data: { variable: s.name, where: where(s.origin), suggestions: unknown.suggestions, suggestionWhere: targetSet ? where(targetSet.origin) : undefined },
    hint,
    fix: fix('safe', `rename ${s.name} to ${target}`, edits),
  };
}
