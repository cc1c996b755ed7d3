import { defineRule } from '../define.js';
import { atNode } from '../../model/settings-locate.js';

const messages = {
  invalid: '{{at}} {{error}}: Claude Code ignores this whole file, including its env',
} as const;

export default defineRule({
  id: 'settings/invalid-schema',
  severity: 'error',
  title: 'Settings key has the wrong type',
  checks:
    'Validates the known top-level keys of each settings file (model, permissions, env, hooks, otelHeadersHelper, apiKeyHelper and other common keys) against the types Claude Code expects.',
  why: 'One mistyped key, even one unrelated to telemetry such as `"model": 123`, makes Claude Code ignore the whole file silently, so its telemetry env never applies.',
  fix: 'none',
  versions: 'all versions (observed on 2.1.197)',
  bad: { file: '~/.claude/settings.json', text: '{\n  "model": 123,\n  "env": { "CLAUDE_CODE_ENABLE_TELEMETRY": "1" }\n}\n' },
  good: { file: '~/.claude/settings.json', text: '{\n  "model": "opus",\n  "env": { "CLAUDE_CODE_ENABLE_TELEMETRY": "1" }\n}\n' },
  references: [
    'measured on real Claude Code: test/conformance/cases.ts, case "invalid-schema: "model": 123 drops the user file"',
    'https://code.claude.com/docs/en/settings',
  ],
  messages,
  oracle: 'claude-code',
  stage: 'Claude Code settings',
  repairsDroppedFile: true,
  check(ws) {
    return ws.claude.files.flatMap((f) =>
      f.schemaProblems.map((p) => ({
        ...atNode(f, p.node),
        path: p.pointer || undefined,
        kind: 'invalid' as const,
        data: { at: p.at, error: p.error },
        hint: "correct the value's type; until then nothing in this file takes effect",
      })),
    );
  },
});
