import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as jsonc from 'jsonc-parser';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { classifySource } from '../../src/discover/classify.js';
import { parseJson } from '../../src/load/json.js';
import { readTextFile } from '../../src/load/read.js';
import { SourceFile } from '../../src/load/source.js';
import { parseYamlDocument, parseYamlDocuments } from '../../src/load/yaml.js';

// Loading reads each file once and lexes it once: the nesting check made while reading keeps what the parse needs
// (issue #15, speed of the first answer). Structure, not time: the lexer's and scanner's calls are counted.
// src/util/lazy.ts loads the yaml package with require: the same copy as here.
const Y = createRequire(import.meta.url)('yaml') as typeof import('yaml');

const dir = mkdtempSync(join(tmpdir(), 'cod-load-once-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function read(path: string): SourceFile {
  const r = readTextFile(path);
  if (!r.ok) throw new Error(r.problem.reason);
  return r.source;
}

const OPTIONS = { uniqueKeys: false, keepSourceTokens: true, prettyErrors: false, strict: true } as const;

describe('a YAML file is lexed once', () => {
  it('reading and classifying it (which parses it) lex it once', () => {
    const path = file('otel-collector-config.yaml', 'receivers:\n  otlp:\n    protocols: {grpc: {}}\nservice:\n  pipelines: {}\n');
    const lex = vi.spyOn(Y.Lexer.prototype, 'lex');
    const source = read(path);
    expect(classifySource(source)?.kind).toBe('collector');
    expect(lex).toHaveBeenCalledTimes(1);
  });

  it('a source not read from a file (an embedded config) is checked and lexed when parsed', () => {
    const lex = vi.spyOn(Y.Lexer.prototype, 'lex');
    parseYamlDocument(new SourceFile('x.yaml', 'a: 1\n'));
    expect(lex).toHaveBeenCalledTimes(1);
  });

  it('a second parse of the same source lexes it again, and gives the same Document', () => {
    const source = read(file('twice.yaml', 'a: [1, 2]\nb: {c: d}\n'));
    const first = parseYamlDocument(source);
    const second = parseYamlDocument(source);
    expect(second.toJS()).toEqual(first.toJS());
    expect(second.toString()).toBe(first.toString());
  });

  // The parse from kept tokens is the yaml package's parseDocument / parseAllDocuments: same documents, errors, ranges.
  const texts: [string, string][] = [
    ['a map', 'a: 1\nb:\n  - x\n  - {y: z}\n'],
    ['empty', ''],
    ['comments only', '# nothing\n'],
    ['several documents', 'a: 1\n---\nb: 2\n---\nc: 3\n'],
    ['a syntax error', 'a: [\nb: x\n'],
    ['directives', '%YAML 1.1\n---\nbase: &b {x: 1}\n<<: *b\n'],
    ['a document end marker', 'a: 1\n...\n'],
    ['CRLF line breaks', 'a: 1\r\nb:\r\n  c: 2\r\n'],
    ['a block scalar', 'a: |\n  line one\n  line two\nb: >-\n  folded\n'],
  ];
  const attempt = (f: () => unknown) => {
    try {
      return f();
    } catch (err) {
      return `throws: ${(err as Error).message}`;
    }
  };
  const shape = (d: import('yaml').Document.Parsed) => ({
    range: d.range,
    errors: d.errors.map((e) => [e.code, e.pos, e.message]),
    warnings: d.warnings.map((e) => [e.code, e.pos]),
    value: attempt(() => d.toJS({ maxAliasCount: 1000 })),
    text: attempt(() => String(d)),
  });
  it.each(texts)('%s: as parseDocument and parseAllDocuments parse the text', (_name, text) => {
    expect(shape(parseYamlDocument(read(file('single.yaml', text))))).toEqual(shape(Y.parseDocument(text, OPTIONS)));
    expect(parseYamlDocuments(read(file('all.yaml', text))).map(shape)).toEqual([...Y.parseAllDocuments(text, OPTIONS)].map(shape));
  });
});

describe('a JSON file is scanned once', () => {
  // The nesting check is a character loop of its own (load/nesting.ts), not a jsonc-parser scan.
  it('reading, classifying and parsing a dashboard make no scanner pass', () => {
    const path = file('board.json', JSON.stringify({ title: 'x', panels: [{ targets: [{ expr: 'up' }] }] }));
    const scanner = vi.spyOn(jsonc, 'createScanner');
    const source = read(path);
    expect(source.nestingChecked).toBe('json'); // checked while reading: classifying and parsing do not check again
    expect(classifySource(source)?.kind).toBe('dashboard');
    expect(parseJson(source).problems).toEqual([]);
    expect(scanner.mock.calls.map(([, ignoreTrivia]) => ignoreTrivia)).toEqual([]);
  });

  it('JSONC (comments, trailing commas) is scanned once, for them', () => {
    const text = '{\n  // a comment\n  "title": "x",\n  "panels": [1, 2,],\n}\n';
    const scanner = vi.spyOn(jsonc, 'createScanner');
    const source = read(file('board.jsonc', text));
    expect(classifySource(source)?.kind).toBe('dashboard');
    expect(parseJson(source).problems.map((p) => [p.kind, text.slice(p.offset, p.offset + p.length)])).toEqual([
      ['comment', '// a comment'],
      ['trailing-comma', ','],
      ['trailing-comma', ','],
    ]);
    expect(scanner.mock.calls.map(([, ignoreTrivia]) => ignoreTrivia)).toEqual([false]);
  });
});
