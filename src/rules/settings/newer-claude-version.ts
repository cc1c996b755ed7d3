import { defineRule } from '../define.js';
import { NEWEST_KNOWN_CLAUDE, newerThanKnown, OLDEST_SUPPORTED_CLAUDE } from '../../model/versions.js';

const messages = {
  newer: 'Claude Code {{version}} is newer than the newest version this doctor was proven on, {{newestKnown}}: behaviour may have changed',
} as const;

export default defineRule({
  id: 'settings/newer-claude-version',
  severity: 'info',
  title: 'Claude Code is newer than the newest version the doctor was proven on',
  checks: `The Claude Code version in force (--claude-version, the config's versions.claudeCode, or \`claude --version\`) is newer than ${NEWEST_KNOWN_CLAUDE}, the newest version the conformance suite ran on.`,
  why: 'Claude Code changes its telemetry behaviour almost every release (the default protocol, which settings scopes count, how intervals and resource attributes are read). The doctor predicts exactly what the versions it was proven on do; on a newer one a prediction may be out of date.',
  fix: 'none',
  versions: `supported range ${OLDEST_SUPPORTED_CLAUDE} to ${NEWEST_KNOWN_CLAUDE} (each version gate measured on real binaries); this rule fires above it`,
  bad: { file: 'shell', text: '$ claude --version\n2.1.400 (Claude Code)\n$ claude-otel-doctor check\n' },
  good: { file: 'shell', text: `$ claude --version\n${NEWEST_KNOWN_CLAUDE} (Claude Code)\n$ claude-otel-doctor check\n` },
  references: ['src/model/versions.ts (CLAUDE_GATES)', 'test/conformance/prediction.test.ts (the version matrix)'],
  messages,
  oracle: 'fixtures',
  stage: 'Claude Code settings',
  check(ws) {
    const { version, source } = ws.claude.version;
    // The newest known is the fallback when nothing says which version runs: then there is nothing to warn about.
    const newer = source !== 'newest known' && newerThanKnown(version) !== undefined;
    return newer
      ? [
          {
            kind: 'newer' as const,
            data: { version, newestKnown: NEWEST_KNOWN_CLAUDE },
            hint: "check the findings against this version's changelog, or pin --claude-version to a version in the supported range to compare",
          },
        ]
      : [];
  },
});
