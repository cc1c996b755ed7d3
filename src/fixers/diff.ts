import { redact } from '../util/secrets.js';
import { escapeControl } from '../util/escape.js';
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
  /** Files whose diff holds control characters (in a name or the text): shown escaped and commented out too. */
  escaped: string[];
}

const DECODER = new TextDecoder('utf-8', { ignoreBOM: true });
// jsdiff loads only when a diff is printed (--dry-run, init --dry-run).
const jsdiff = lazyRequire<typeof import('diff')>('diff');

export function formatDiffs(changes: FileChange[], secrets: Set<string>): DiffOutput {
  let text = '';
  const masked: string[] = [];
  const escaped: string[] = [];
  for (const c of changes) {
    const before = c.before ? DECODER.decode(c.before) : '';
    const { createTwoFilesPatch, FILE_HEADERS_ONLY } = jsdiff();
    const patch = createTwoFilesPatch(c.before ? c.path : '/dev/null', c.path, before, c.after, undefined, undefined, {
      context: 3,
      headerOptions: FILE_HEADERS_ONLY,
    });
    const hidden = redact(patch, secrets);
    const shown = escapeLines(hidden);
    if (shown === patch) {
      text += patch;
      continue;
    }
    const why =
      hidden !== patch ? 'masked, as comments that patch skips: it holds a credential' : 'with its control characters escaped, as comments that patch skips';
    (hidden !== patch ? masked : escaped).push(c.path);
    text += `# claude-otel-doctor: the change to ${escapeControl(c.path)} is shown ${why}.\n`;
    text += `# --fix applies it (with a backup).\n`;
    text += shown
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => `# ${l}`)
      .join('\n');
    text += '\n';
  }
  return { text, masked, escaped };
}

/** Each line of a diff with its control characters escaped; the \r of a CRLF line end stays (it moves nothing). */
function escapeLines(patch: string): string {
  return patch
    .split('\n')
    .map((l) => (l.endsWith('\r') ? `${escapeControl(l.slice(0, -1))}\r` : escapeControl(l)))
    .join('\n');
}
