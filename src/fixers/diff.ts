import { redact } from '../util/secrets.js';
import { lazyRequire } from '../util/lazy.js';
import type { FileChange } from './apply.js';

/**
 * `--dry-run` output: one unified diff per file (jsdiff's createTwoFilesPatch, 3 lines of context), with
 * absolute paths, so `patch -d / -p1 < fix.diff` applies it; a created file comes from /dev/null.
 *
 * A diff cannot be both redacted and applicable. The doctor never prints a credential, so the diff of a file
 * whose changed lines or context hold one is printed masked (`****`) with every line commented out (`# `):
 * `patch` skips such lines as it skips any text between diffs, and applies the rest. `--fix` applies that
 * change for real (with a backup).
 */
export interface DiffOutput {
  text: string;
  /** Files whose diff is shown masked and commented out, not as an applicable patch. */
  masked: string[];
}

const DECODER = new TextDecoder('utf-8', { ignoreBOM: true });
// jsdiff loads only when a diff is printed (--dry-run, init --dry-run).
const jsdiff = lazyRequire<typeof import('diff')>('diff');

export function formatDiffs(changes: FileChange[], secrets: Set<string>): DiffOutput {
  let text = '';
  const masked: string[] = [];
  for (const c of changes) {
    const before = c.before ? DECODER.decode(c.before) : '';
    const { createTwoFilesPatch, FILE_HEADERS_ONLY } = jsdiff();
    const patch = createTwoFilesPatch(c.before ? c.path : '/dev/null', c.path, before, c.after, undefined, undefined, {
      context: 3,
      headerOptions: FILE_HEADERS_ONLY,
    });
    const shown = redact(patch, secrets);
    if (shown === patch) {
      text += patch;
      continue;
    }
    masked.push(c.path);
    text += `# claude-otel-doctor: the change to ${c.path} is shown masked, as comments that patch skips: it holds a credential.\n`;
    text += `# --fix applies it (with a backup).\n`;
    text += shown
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => `# ${l}`)
      .join('\n');
    text += '\n';
  }
  return { text, masked };
}
