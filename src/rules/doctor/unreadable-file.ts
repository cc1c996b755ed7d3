import { defineRule } from '../define.js';

/** The reader says why (load/read.ts `ReadProblem.reason`); these say what that means for the run. */
const messages = {
  unreadable: '{{reason}}; not read',
  /** A link out of the scanned folders, left unread by the trust rules. */
  outside: '{{reason}}; not read',
} as const;

/**
 * Findings of this rule come from the engine (src/engine.ts), one for each file the reader refused
 * (src/load/read.ts); the rule exists so the id has metadata, a docs page and a SARIF descriptor like every other.
 */
export default defineRule({
  id: 'doctor/unreadable-file',
  severity: 'error',
  title: 'File the doctor could not read',
  checks:
    'A file named by a flag, found by the walk of a scanned folder, or in a place Claude Code reads settings from, that the doctor could not or would not read: not a regular file (a folder, FIFO, socket or device), over the size limit, not UTF-8 text (UTF-16 is named), binary, nested deeper than the limit, a symlink loop, or without read permission. A symlink that leads out of the scanned folders (or, for project settings, out of the project) is left unread on purpose: that is a warning of this rule, and the exit code does not change.',
  why: "Nothing in the file was checked, so the result is incomplete: the run exits 2 whatever else it found (a link left unread by the trust rules excepted: the input is fine there), and the finding cannot be ignored, turned off or re-graded (the exit code needs its reason shown). A settings file saved as UTF-16, as Windows editors and PowerShell's `Out-File` do, is one Claude Code does not read either: its telemetry settings never take effect.",
  fix: 'none',
  versions: 'all versions of claude-otel-doctor',
  bad: {
    file: 'shell',
    text: '$ file ~/.claude/settings.json\n/home/me/.claude/settings.json: Unicode text, UTF-16, little-endian text\n',
  },
  good: {
    file: 'shell',
    text: '$ iconv -f UTF-16 -t UTF-8 ~/.claude/settings.json > /tmp/settings.json && mv /tmp/settings.json ~/.claude/settings.json\n$ file ~/.claude/settings.json\n/home/me/.claude/settings.json: JSON text data\n',
  },
  references: ['README.md, exit codes', 'SECURITY.md (what the doctor reads, and what it refuses)'],
  messages,
  oracle: 'fixtures',
  certainty:
    'A fact about this run, not about a tool: the file was not read, so nothing in it was checked. The run exits 2 (a link left unread by the trust rules is a warning).',
  stage: 'Claude Code settings',
  unexamined: true,
  check: () => [],
});
