import { defineRule, type RuleFinding } from '../define.js';
import { isOffValue, isProjectLockedVariable, type EnvSetting } from '../../model/claude-env.js';
import type { SettingsFile } from '../../model/claude-settings.js';
import { atLeast, PROJECT_TELEMETRY_IGNORED_FROM } from '../../model/versions.js';
import { atKey } from '../../model/settings-locate.js';

interface Tried {
  file: string;
  /** The variables the file sets alone, in file order. */
  variables: string[];
  version: string;
}

const isSwitch = (n: string) => /^(CLAUDE_CODE_ENABLE_TELEMETRY|CLAUDE_CODE_ENHANCED_TELEMETRY_BETA|ENABLE_ENHANCED_TELEMETRY_BETA)$|_EXPORTER$/.test(n);
const isDestination = (n: string) => n.startsWith('OTEL_EXPORTER_');

/** "tries to switch telemetry on and choose its destination (A, B, C)". */
function tries({ file, variables }: Tried): string {
  const switches = variables.some(isSwitch);
  const destination = variables.some(isDestination);
  const what = [switches && 'switch telemetry on', destination && 'choose its destination', !switches && !destination && 'turn on content logging']
    .filter(Boolean)
    .join(' and ');
  const listed = variables.length <= 4 ? variables.join(', ') : `${variables.slice(0, 4).join(', ')} and ${variables.length - 4} more`;
  return `${file} alone tries to ${what} (${listed})`;
}

/** What is lost when Claude Code ignores the variables. */
function effect(variables: string[]): string {
  if (variables.includes('CLAUDE_CODE_ENABLE_TELEMETRY')) return 'nothing is exported';
  if (variables.some(isSwitch)) return 'those exporters stay off';
  if (variables.some(isDestination)) return 'exports go to the user-level or default destination instead';
  return 'these settings have no effect';
}

const messages = {
  ignored: {
    message: (d: Tried) => `Claude Code ignores telemetry settings in project settings: ${effect(d.variables)}`,
    detail: (d: Tried & { versionAssumed: boolean }) =>
      `${tries(d)}, but Claude Code ${d.version}${d.versionAssumed ? ' (assumed: the newest version the doctor knows; pass --claude-version)' : ''} ignores these in project settings`,
  },
  ignoredAfterUpgrade: {
    message: (d: Tried & { since: string }) =>
      `Claude Code ${d.since} and later ignore telemetry settings in project settings: after an upgrade ${effect(d.variables)}`,
    detail: (d: Tried) => `${tries(d)}: Claude Code ${d.version} applies them (interactive sessions once the folder is trusted)`,
  },
} as const;

export default defineRule({
  id: 'settings/project-scope-telemetry',
  severity: 'warning',
  title: 'Telemetry switched on or routed only from project settings',
  checks:
    'The telemetry switch (CLAUDE_CODE_ENABLE_TELEMETRY, the enhanced-telemetry flags, exporter selectors other than none, OTEL_LOG_* gates) or its destination (OTLP endpoints, headers, protocol, certificates, Prometheus host/port) is set only in .claude/settings.json or .claude/settings.local.json, and in no user, managed, --settings, ~/.claude.json or shell source.',
  why: 'Claude Code 2.1.282 and later ignore these variables in project and local settings (measured: 2.1.281 exports from project settings alone, 2.1.282 nothing; only exporters set to none still apply, CLAUDE_CODE_ENABLE_TELEMETRY=0 is ignored too; the debug log says "… is ignored — project-scoped settings can\'t set this key"): a setup that works on 2.1.197, where `-p` applies all project env and interactive sessions apply it after the folder is trusted, silently stops exporting or exports elsewhere after an upgrade.',
  fix: 'none',
  versions: `applies on every version: before ${PROJECT_TELEMETRY_IGNORED_FROM} as a warning about upgrades, from ${PROJECT_TELEMETRY_IGNORED_FROM} (measured: 2.1.281 applies project settings, 2.1.282 ignores them) as what already happens`,
  bad: {
    file: '<repo>/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel.internal.example.com:4317",\n    "OTEL_RESOURCE_ATTRIBUTES": "team.id=payments"\n  }\n}\n',
  },
  good: {
    file: '<repo>/.claude/settings.json',
    text: '{\n  "env": {\n    "OTEL_RESOURCE_ATTRIBUTES": "team.id=payments"\n  }\n}\n\n// switch and destination in ~/.claude/settings.json or managed settings\n',
  },
  references: [
    'measured on real Claude Code: test/conformance/cases.ts, case "project-scope-telemetry: project settings alone configure telemetry (before 2.1.282)"',
    'https://code.claude.com/docs/en/monitoring-usage',
    'https://dev.to/nixonperinchery/claude-code-opentelemetry-track-cost-and-tool-use-c83',
  ],
  messages,
  oracle: 'fixtures',
  stage: 'Claude Code settings',
  check(ws) {
    const version = ws.claude.version.version;
    const ignoredNow = atLeast(version, PROJECT_TELEMETRY_IGNORED_FROM);
    const elsewhere = (name: string) =>
      ws.claude.settings.some((o) => o.name === name && o.origin.scope !== 'project' && o.origin.scope !== 'local' && !o.ignored);

    const byFile = new Map<SettingsFile, EnvSetting[]>();
    for (const s of ws.claude.settings) {
      const file = s.origin.settings;
      if (!file || file.dropped || (s.origin.scope !== 'project' && s.origin.scope !== 'local')) continue;
      if (!isProjectLockedVariable(s.name) || isOffValue(s.name, s.value) || elsewhere(s.name)) continue;
      byFile.set(file, [...(byFile.get(file) ?? []), s]);
    }

    const findings: RuleFinding<typeof messages>[] = [];
    for (const [file, entries] of byFile) {
      const names = entries.map((e) => e.name);
      const first = entries.reduce((a, b) => ((a.origin.keyNode?.offset ?? 0) <= (b.origin.keyNode?.offset ?? 0) ? a : b));
      const tried: Tried = { file: file.path, variables: names, version };
      findings.push({
        ...atKey(first.origin, first.name),
        ...(ignoredNow
          ? { kind: 'ignored' as const, data: { ...tried, versionAssumed: ws.claude.version.source === 'newest known' } }
          : { kind: 'ignoredAfterUpgrade' as const, data: { ...tried, since: PROJECT_TELEMETRY_IGNORED_FROM } }),
        hint: 'move these variables to ~/.claude/settings.json (per user) or managed settings (per organisation); project settings may keep OTEL_RESOURCE_ATTRIBUTES and export intervals, and may still set an exporter to none',
      });
    }
    return findings;
  },
});
