// src/util/escape.ts, exactly: how each control character is written, and where clip and excerpt cut. The
// end-to-end forgery and flood tests (test/security) show no output escapes these; these pin the shapes.
import { describe, expect, it } from 'vitest';
import { clip, escapeControl, excerpt, hasControl, jsonSafe, MAX_MESSAGE, MAX_WORD } from '../../src/util/escape.js';

describe('escapeControl', () => {
  it('names \\n and \\r, writes C0, DEL and C1 as \\xNN and the Unicode controls as \\uNNNN; tab and text stay', () => {
    expect(escapeControl('a\nb\rc\u0000d\u001be\u007ff\u0085g\u009fh\u2028i\u202ej\u2069k\tl é ✓')).toBe(
      'a\\nb\\rc\\x00d\\x1be\\x7ff\\x85g\\x9fh\\u2028i\\u202ej\\u2069k\tl é ✓',
    );
  });
  it('hasControl says whether there is one, call after call', () => {
    expect([hasControl('a\u001bb'), hasControl('a\u001bb'), hasControl('plain\ttext')]).toEqual([true, true, false]);
  });
  it('jsonSafe writes DEL, C1 and the Unicode controls as \\u escapes and leaves the rest', () => {
    expect(jsonSafe('"a\u007fb\u0085c\u2028d\u202ee\u2066f é"')).toBe('"a\\u007fb\\u0085c\\u2028d\\u202ee\\u2066f é"');
  });
});

describe('clip', () => {
  const half = Math.floor((MAX_WORD - 1) / 2);
  it('keeps a word up to MAX_WORD whole; a longer one keeps its head and tail around …', () => {
    const fits = 'a'.repeat(MAX_WORD);
    expect(clip(`x ${fits} y`)).toBe(`x ${fits} y`);
    const long = `${'h'.repeat(100)}${'m'.repeat(100)}${'t'.repeat(100)}`;
    expect(clip(`x ${long} y`)).toBe(`x ${long.slice(0, half)}…${long.slice(-half)} y`);
    expect(clip(long).length).toBe(2 * half + 1);
    expect(clip(`${long} ${long}`)).toBe(`${long.slice(0, half)}…${long.slice(-half)} ${long.slice(0, half)}…${long.slice(-half)}`);
  });
  it('cuts the whole to max with a closing …, and not before', () => {
    const words = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ');
    expect(clip(words, 50)).toBe(`${words.slice(0, 49)}…`);
    expect(clip(words.slice(0, 50), 50)).toBe(words.slice(0, 50));
    expect(clip(words).length).toBe(MAX_MESSAGE);
  });
});

describe('excerpt', () => {
  it('a short line whole, with the caret under the marked range', () => {
    expect(excerpt('key: value', 5, 10)).toEqual({ text: 'key: value', caret: 5, width: 5 });
  });
  it('a line of exactly the width is not cut', () => {
    const line = 'x'.repeat(120);
    expect(excerpt(line, 10, 12)).toEqual({ text: line, caret: 10, width: 2 });
  });
  it('a long line: a window with a quarter of context before the mark, … at both cut ends', () => {
    const line = `${'a'.repeat(300)}MARK${'b'.repeat(300)}`;
    const e = excerpt(line, 300, 304, 40);
    expect(e.text).toBe(`…${'a'.repeat(10)}MARK${'b'.repeat(26)}…`);
    expect(e.text.slice(e.caret, e.caret + e.width)).toBe('MARK');
  });
  it('near the end the window ends at the line end, without a closing …', () => {
    const line = `${'a'.repeat(300)}END`;
    const e = excerpt(line, 300, 303, 40);
    expect(e.text).toBe(`…${'a'.repeat(37)}END`);
    expect(e.caret).toBe(38);
  });
  it('escapes control characters and places the caret under the escaped text', () => {
    expect(excerpt('a\u001bb: v', 5, 6)).toEqual({ text: 'a\\x1bb: v', caret: 8, width: 1 });
  });
});
