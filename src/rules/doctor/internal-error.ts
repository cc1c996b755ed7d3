import { defineRule } from '../define.js';

const messages = {
  ruleFailed: 'rule {{rule}} failed ({{error}}); its findings are missing, every other rule ran',
  /** The loading of a file threw: the reader words it (load/read.ts), naming the file. */
  loadFailed: '{{reason}}',
} as const;

/**
 * Findings of this rule come from the engine (src/engine.ts): a rule that threw, or the loading of a file that
 * threw; the rule exists so the id has metadata, a docs page and a SARIF descriptor like every other. No fixture
 * can make the doctor fail, so test/security/bounded-input.test.ts injects the failures.
 */
export default defineRule({
  id: 'doctor/internal-error',
  severity: 'error',
  title: 'The doctor failed on a rule or a file',
  checks:
    'A rule that threw while checking the setup, or the loading of one file that threw: a bug in claude-otel-doctor. The finding names the rule (its findings are missing, every other rule ran) or the file (every other file was examined).',
  why: 'Part of the setup went unchecked, so the result is incomplete: the run exits 2 whatever else it found, and the finding cannot be ignored, turned off or re-graded. One failure costs one finding, not the whole report.',
  fix: 'none',
  versions: 'all versions of claude-otel-doctor',
  bad: {
    file: 'claude-otel-doctor check . (output)',
    text: "error rule collector/memory-limiter failed (Cannot read properties of undefined (reading 'limit_mib')); its findings are missing, every other rule ran [doctor/internal-error]\n  hint: a bug in claude-otel-doctor: please report it with the file that caused it\n",
  },
  good: {
    file: 'claude-otel-doctor check . (output, after an upgrade with the fix)',
    text: '✓ no problems found\n',
  },
  references: ['README.md, exit codes', 'https://github.com/claude-otel-doctor/claude-otel-doctor/issues'],
  messages,
  oracle: 'fixtures',
  certainty: 'A fact about this run, not about a tool: a rule or a loader threw, so part of the setup went unchecked. The run exits 2.',
  stage: 'Claude Code settings',
  unexamined: true,
  check: () => [],
});
