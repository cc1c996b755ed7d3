import { describe, expect, it } from 'vitest';
import { parseJson } from '../../src/load/json.js';
import { JsonValue } from '../../src/load/json-value.js';
import { SourceFile } from '../../src/load/source.js';

const doc = (text: string) => parseJson(new SourceFile('/d.json', text));

describe('JsonValue: JSON values that keep their place', () => {
  const root = JsonValue.at(doc('{\n  "uid": "abc",\n  "panels": [\n    {"title": "Cost", "n": 2}\n  ],\n  "a/b": null\n}\n'), [])!;

  it('reads typed values and says when the type is another', () => {
    expect(root.get('uid')!.string()).toBe('abc');
    expect(root.at('panels', 0, 'n')!.string()).toBeUndefined();
    expect(root.at('panels', 0, 'n')!.js).toBe(2);
    expect(root.get('missing')).toBeUndefined();
    expect(root.get('panels')!.isArray()).toBe(true);
    expect(
      root
        .get('panels')!
        .items()
        .map((p) => p.get('title')?.string()),
    ).toEqual(['Cost']);
    expect(root.entries().map(([k]) => k)).toEqual(['uid', 'panels', 'a/b']);
    expect(root.get('a/b')!.js).toBeNull();
  });

  it('points at the value (an object at its brace) or its key, with the JSON pointer', () => {
    expect(root.get('uid')!.location()).toEqual({ file: '/d.json', path: '/uid', range: { start: { line: 2, column: 10 }, end: { line: 2, column: 15 } } });
    expect(root.get('uid')!.location('key').range!.start).toEqual({ line: 2, column: 3 });
    expect(root.at('panels', 0)!.location()).toEqual({
      file: '/d.json',
      path: '/panels/0',
      range: { start: { line: 4, column: 5 }, end: { line: 4, column: 6 } },
    });
    expect(root.get('a/b')!.location().path).toBe('/a~1b');
  });

  it('is absent when the document has no tree', () => {
    expect(JsonValue.at(doc('['.repeat(70)), [])).toBeUndefined();
  });
});
