// Edit builders keep a file's line endings and the presence or absence of its final newline.
import { describe, expect, it } from 'vitest';
import { addEnvNear, removeEnvEntry } from '../../src/model/edits.js';
import { SourceFile } from '../../src/load/source.js';
import type { EnvOrigin } from '../../src/model/claude-env.js';
import type { TextEdit } from '../../src/types.js';

function apply(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.offset - a.offset)) out = out.slice(0, e.offset) + e.text + out.slice(e.offset + e.length);
  return out;
}

/** The origin of the variable on a 1-based line of an env file. */
function envLine(text: string, line: number): EnvOrigin {
  const source = new SourceFile('/x/otel.env', text);
  const start = source.lineStarts[line - 1];
  return { scope: 'shell', file: source.path, source, keyRange: source.range(start, 1) };
}

describe('env file edits', () => {
  it('add a line: LF, CRLF, with and without a final newline, and export when the file uses it', () => {
    expect(apply('A=1\n', addEnvNear(envLine('A=1\n', 1), 'B', '2'))).toBe('A=1\nB=2\n');
    expect(apply('A=1', addEnvNear(envLine('A=1', 1), 'B', '2'))).toBe('A=1\nB=2');
    expect(apply('export A=1\r\n', addEnvNear(envLine('export A=1\r\n', 1), 'B', '2'))).toBe('export A=1\r\nexport B=2\r\n');
    expect(apply('A=1\r\nC=3', addEnvNear(envLine('A=1\r\nC=3', 1), 'B', '2'))).toBe('A=1\r\nC=3\r\nB=2');
  });

  it('remove a line: the last one without a final newline takes the line break before it', () => {
    expect(apply('A=1\nB=2\n', removeEnvEntry(envLine('A=1\nB=2\n', 2), 'B'))).toBe('A=1\n');
    expect(apply('A=1\nB=2', removeEnvEntry(envLine('A=1\nB=2', 2), 'B'))).toBe('A=1');
    expect(apply('A=1\r\nB=2', removeEnvEntry(envLine('A=1\r\nB=2', 2), 'B'))).toBe('A=1');
    expect(apply('A=1\r\nB=2\r\n', removeEnvEntry(envLine('A=1\r\nB=2\r\n', 1), 'A'))).toBe('B=2\r\n');
    expect(apply('B=2', removeEnvEntry(envLine('B=2', 1), 'B'))).toBe('');
  });
});
