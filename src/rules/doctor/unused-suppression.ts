import { defineRule } from '../define.js';

const messages = {
  comment: (d: { rules: string[] }) => `suppression comment for ${d.rules.join(', ')} matched no finding on the next line`,
  configEntry: (d: { rules: string[]; path: string }) => `suppression of ${d.rules.join(', ')} for "${d.path}" matched no finding`,
} as const;

/**
 * Findings of this rule come from the engine (src/engine.ts), which alone knows which suppressions
 * were used; the rule exists so the id has metadata, a docs page and SARIF descriptor like every other.
 */
export default defineRule({
  id: 'doctor/unused-suppression',
  severity: 'warning',
  title: 'Suppression that suppresses nothing',
  checks:
    'An `ignore` entry in .claude-otel-doctor.json, or a `# claude-otel-doctor-disable-next-line <rule-id>` comment in a YAML file, that matched no finding in a full run.',
  why: 'A stale suppression hides the next real problem of that rule in that place, and a mistyped rule id or path suppresses nothing while looking as if it did.',
  fix: 'none',
  versions: 'all versions of claude-otel-doctor',
  bad: {
    file: '.claude-otel-doctor.json',
    text: '{\n  "ignore": [\n    { "path": "team-a/.claude/settings.json", "rules": ["settings/console-exporter"], "reason": "demo repo" }\n  ]\n}\n',
  },
  good: { file: '.claude-otel-doctor.json', text: '{\n  "ignore": []\n}\n' },
  references: [
    'https://eslint.org/docs/latest/use/command-line-interface#--report-unused-disable-directives',
    'https://docs.astral.sh/ruff/rules/unused-noqa/ (Ruff RUF100)',
  ],
  messages,
  oracle: 'fixtures',
  stage: 'Claude Code settings',
  check: () => [],
});
