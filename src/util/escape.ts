/**
 * Text from input (values, keys, comments, file names, dashboard titles, server answers) on its way to a terminal
 * or a CI log: control characters are shown escaped, so input can neither move the cursor, clear the screen, start
 * a hyperlink, overwrite a line (`\r`) nor forge a line of the doctor's own (`\n`). Escaped: C0 except tab, DEL,
 * C1, and the Unicode line separators and bidirectional overrides that reorder or break what a terminal shows.
 */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r' };

export function escapeControl(text: string): string {
  return text.replace(CONTROL, (ch) => NAMED[ch] ?? hexEscape(ch));
}

export function hasControl(text: string): boolean {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text);
}

function hexEscape(ch: string): string {
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * JSON text (JSON and SARIF reports) with the characters JSON.stringify leaves raw but a terminal may act on (DEL,
 * C1, line separators, bidi overrides) written as \u escapes: the parsed value is the same.
 */
export function jsonSafe(json: string): string {
  return json.replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Longest run of non-space characters a message shows whole (a name or value); longer ones keep head and tail. */
export const MAX_WORD = 120;
/** Longest message, hint or summary shown. */
export const MAX_MESSAGE = 1000;

/**
 * A run of more than MAX_WORD non-space characters. The lookbehind tries it only where a run starts (where the
 * leftmost match begins anyway): without it every character of every run starts a try, the report's slowest regex.
 */
const LONG_WORD = new RegExp(`(?<!\\S)\\S{${MAX_WORD + 1},}`, 'g');

/**
 * A message cut to fixed bounds: every name or value (a run without spaces) to MAX_WORD characters, the whole to
 * `max`, each cut marked with …. Mask secrets before cutting, or a cut could leave part of one.
 */
export function clip(text: string, max = MAX_MESSAGE): string {
  const half = Math.floor((MAX_WORD - 1) / 2);
  const short = text.length > MAX_WORD ? text.replace(LONG_WORD, (w) => `${w.slice(0, half)}…${w.slice(-half)}`) : text;
  return short.length > max ? `${short.slice(0, max - 1)}…` : short;
}

/** Columns of a source line shown around the caret. */
export const EXCERPT_WIDTH = 120;

/**
 * One source line cut to EXCERPT_WIDTH columns around the marked range [start, end) (0-based), with … at the cut
 * ends and control characters escaped; `caret`/`width` place the ^ marks under the escaped text.
 */
export function excerpt(line: string, start: number, end: number, width = EXCERPT_WIDTH): { text: string; caret: number; width: number } {
  start = Math.max(0, Math.min(start, line.length));
  end = Math.max(start, Math.min(end, line.length));
  let from = 0;
  let to = line.length;
  if (to > width) {
    // Some context before the mark, then as much of the mark and what follows as fits.
    from = Math.max(0, Math.min(start - Math.floor(width / 4), line.length - width));
    to = from + width;
  }
  const head = (from > 0 ? '…' : '') + escapeControl(line.slice(from, start));
  const marked = escapeControl(line.slice(start, Math.max(start, Math.min(end, to))));
  const tail = escapeControl(line.slice(Math.min(Math.max(end, start), to), to)) + (to < line.length ? '…' : '');
  return { text: head + marked + tail, caret: head.length, width: marked.length };
}
