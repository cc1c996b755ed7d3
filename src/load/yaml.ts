import type { Document, Node, Pair } from 'yaml';
import type { SourceFile } from './source.js';
import type { Range } from '../types.js';
import { lazyRequire } from '../util/lazy.js';
import { lexYaml, nestingMessage } from './nesting.js';

// The yaml library loads with the first YAML file read, not at startup: `--version`, `rules` and a check of
// settings files alone never need it. Its node guards are used through here for the same reason.
const yaml = lazyRequire<typeof import('yaml')>('yaml');
export const isMap = ((node: unknown) => yaml().isMap(node)) as typeof import('yaml').isMap;
export const isSeq = ((node: unknown) => yaml().isSeq(node)) as typeof import('yaml').isSeq;
export const isScalar = ((node: unknown) => yaml().isScalar(node)) as typeof import('yaml').isScalar;
export const isPair = ((node: unknown) => yaml().isPair(node)) as typeof import('yaml').isPair;
export const isAlias = ((node: unknown) => yaml().isAlias(node)) as typeof import('yaml').isAlias;

export interface YamlProblem {
  offset: number;
  length: number;
  message: string;
  code: string;
}

/** A YAML file kept as a Document: comments, anchors and ranges survive, so findings and edits can point anywhere. */
export interface YamlDocument {
  source: SourceFile;
  doc: Document.Parsed;
  problems: YamlProblem[];
  /** The plain value (undefined when the file does not parse). */
  value: unknown;
  /** Its key among the stack's YAML when it is not the whole file (`subDocument`). */
  name?: string;
}

// uniqueKeys is checked here, not by the yaml package: its check compares each key with every earlier one, so a
// map of 40 000 keys (400 kB) takes half a minute; `duplicateKeyErrors` does the same with a set.
const OPTIONS = { uniqueKeys: false, keepSourceTokens: true, prettyErrors: false, strict: true } as const;

/** The error code of a YAML file nested deeper than MAX_NESTING. */
export const NESTING_TOO_DEEP = 'NESTING_TOO_DEEP';

/**
 * The parsed Document alone: classifying a file needs no more, and `parseYaml` takes it on from there. Composing a
 * Document recurses once per level, so a file nested deeper than MAX_NESTING becomes an empty Document with one
 * error where the limit is crossed (readTextFile refuses such files already; this keeps the parser safe alone).
 */
export function parseYamlDocument(source: SourceFile): Document.Parsed {
  const Y = yaml();
  const lexed = lexedTokens(source);
  if (lexed.tokens) {
    const doc = firstDocument(composed(lexed.tokens, source.text.length));
    const duplicates = duplicateKeyErrors(doc);
    if (duplicates.length > 0) doc.errors = [...doc.errors, ...duplicates].sort((a, b) => a.pos[0] - b.pos[0]);
    return doc;
  }
  const empty = Y.parseDocument('', OPTIONS);
  empty.errors.push(new Y.YAMLParseError([lexed.tooDeepAt, lexed.tooDeepAt + 1], NESTING_TOO_DEEP as never, nestingMessage()));
  return empty;
}

/**
 * Every document of a multi-document stream (`---` between them, as Kubernetes manifests are written), each with the
 * same checks as `parseYamlDocument`; ranges are offsets in the whole file. A stream too deeply nested is one empty
 * Document with that error, as for a single document.
 */
export function parseYamlDocuments(source: SourceFile): Document.Parsed[] {
  const lexed = lexedTokens(source);
  if (!lexed.tokens) return [parseYamlDocument(source)];
  // An empty stream (comments only) has no documents: a plain empty list, like the others.
  const docs = Array.from(composed(lexed.tokens));
  for (const doc of docs) {
    const duplicates = duplicateKeyErrors(doc);
    if (duplicates.length > 0) doc.errors = [...doc.errors, ...duplicates].sort((a, b) => a.pos[0] - b.pos[0]);
  }
  return docs;
}

/**
 * The source's tokens, lexed with the nesting check (none when too deep). Those its read lexed are taken, not
 * lexed again; a second parse of the same source lexes anew.
 */
function lexedTokens(source: SourceFile): ReturnType<typeof lexYaml> {
  const tokens = source.yamlTokens;
  if (!tokens) return lexYaml(source.text);
  source.yamlTokens = undefined;
  return { tokens };
}

/**
 * The documents of these tokens, as the yaml package's parseAllDocuments composes them from the text (its parser
 * takes one token at a time), or its parseDocument when the text's length is given (an empty text is then one
 * empty document).
 */
function composed(tokens: string[], forcedDocEnd?: number): Generator<Document.Parsed> {
  const Y = yaml();
  const parser = new Y.Parser();
  function* cst() {
    for (const token of tokens) yield* parser.next(token);
    yield* parser.end();
  }
  return new Y.Composer(OPTIONS).compose(cst(), forcedDocEnd !== undefined, forcedDocEnd ?? -1) as Generator<Document.Parsed>;
}

/** The first document, with the error the yaml package's parseDocument gives a stream of several. */
function firstDocument(docs: Generator<Document.Parsed>): Document.Parsed {
  const Y = yaml();
  let doc: Document.Parsed | undefined;
  for (const next of docs) {
    if (!doc) doc = next;
    else {
      doc.errors.push(
        new Y.YAMLParseError(
          next.range.slice(0, 2) as [number, number],
          'MULTIPLE_DOCS',
          'Source contains multiple documents; please use YAML.parseAllDocuments()',
        ),
      );
      break;
    }
  }
  return doc!;
}

/**
 * What the yaml package's `uniqueKeys: true` reports (same code, message and place: the second key's start), in
 * linear time: two scalar keys with the same value in one map. Depth is bounded by MAX_NESTING before this runs.
 */
function duplicateKeyErrors(doc: Document.Parsed): InstanceType<typeof import('yaml').YAMLParseError>[] {
  const Y = yaml();
  const errors: InstanceType<typeof import('yaml').YAMLParseError>[] = [];
  const visit = (node: unknown) => {
    if (Y.isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        if (Y.isScalar(pair.key) && pair.key.range) {
          if (seen.has(pair.key.value))
            errors.push(new Y.YAMLParseError([pair.key.range[0], pair.key.range[0] + 1], 'DUPLICATE_KEY', 'Map keys must be unique'));
          seen.add(pair.key.value);
        }
        visit(pair.key);
        visit(pair.value);
      }
    } else if (Y.isSeq(node)) {
      for (const item of node.items) visit(item);
    }
  };
  visit(doc.contents);
  return errors;
}

function unresolvedAlias(doc: Document.Parsed): boolean {
  let found = false;
  yaml().visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) === undefined) found = true;
      return found ? yaml().visit.BREAK : undefined;
    },
  });
  return found;
}

/** The file as the models read it; `doc` is its Document when already parsed (by classification). */
export function parseYaml(source: SourceFile, doc: Document.Parsed = parseYamlDocument(source)): YamlDocument {
  const problems: YamlProblem[] = doc.errors.map((e) => ({
    offset: e.pos[0],
    length: Math.max(1, e.pos[1] - e.pos[0]),
    message: firstLine(e.message),
    code: e.code,
  }));
  let value: unknown;
  if (problems.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      // An alias without its anchor, or aliases expanding past the limit (which kubectl's go-yaml still reads).
      problems.push({ offset: 0, length: 1, message: (err as Error).message, code: unresolvedAlias(doc) ? 'ALIAS' : 'ALIAS_LIMIT' });
    }
  }
  return { source, doc, problems, value };
}

/**
 * A value of a document read as a document of its own (a collector config written as YAML inside a manifest): same
 * file, same ranges, so findings and edits land in the file as they are; `name` keeps it apart from the file's own.
 */
export function subDocument(y: YamlDocument, node: Node, name: string): YamlDocument {
  const doc = y.doc.clone();
  doc.contents = node as never;
  const value = (node as { toJS?: (doc: unknown, opts: object) => unknown }).toJS?.(y.doc, { maxAliasCount: 1000 });
  return { source: y.source, doc: doc as Document.Parsed, problems: [], value, name };
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

export type YamlPath = (string | number)[];

/** A string value (never a key) with its path and its source range, quotes included. */
export interface StringScalar {
  path: YamlPath;
  start: number;
  end: number;
  value: string;
}

/** Every string value of the document, in document order. */
export function stringScalars(y: YamlDocument): StringScalar[] {
  const out: StringScalar[] = [];
  const walk = (node: Node | null | undefined, path: YamlPath) => {
    if (isMap(node)) {
      for (const p of node.items) if (isPair(p) && isScalar(p.key)) walk(p.value as Node | null, [...path, String(p.key.value)]);
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item as Node, [...path, i]));
    } else if (isScalar(node) && typeof node.value === 'string' && node.range) {
      out.push({ path, start: node.range[0], end: node.range[1], value: node.value });
    }
  };
  walk(y.doc.contents as Node | null, []);
  return out;
}

/** The node at a path (map keys or sequence indexes), or undefined. */
export function nodeAt(y: YamlDocument, path: YamlPath): Node | undefined {
  const n = y.doc.getIn(path, true);
  return n && typeof n === 'object' && 'range' in (n as object) ? (n as Node) : undefined;
}

/** The key/value pair holding a map entry, for findings that point at the key. */
export function pairAt(y: YamlDocument, path: YamlPath): Pair | undefined {
  const parent = path.length === 1 ? y.doc.contents : nodeAt(y, path.slice(0, -1));
  if (!isMap(parent)) return undefined;
  return parent.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(path[path.length - 1]));
}

export function rangeOfNode(y: YamlDocument, node: Node | null | undefined): Range | undefined {
  if (!node?.range) return undefined;
  return y.source.range(node.range[0], node.range[1] - node.range[0]);
}

/** Range of a map key (best for "this component"), falling back to the value. */
export function keyRange(y: YamlDocument, path: YamlPath): Range | undefined {
  const pair = pairAt(y, path);
  if (pair && isScalar(pair.key)) return rangeOfNode(y, pair.key);
  return rangeOfNode(y, nodeAt(y, path));
}

export function valueRange(y: YamlDocument, path: YamlPath): Range | undefined {
  return rangeOfNode(y, nodeAt(y, path)) ?? keyRange(y, path);
}

/** `a.b[0].c` style path for findings. */
export function yamlPathString(path: YamlPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** A key or value of a document at an offset: its path, which of the two, and where in it the offset is. */
export interface OffsetNode {
  path: YamlPath;
  part: 'key' | 'value';
  /** The offset's distance from the node's start, and the node's length. */
  delta: number;
  length: number;
}

/** The deepest key or value of a document at an offset (its end included), with its path: mapping derived text back. */
export function nodeAtOffset(node: Node | null, offset: number, path: YamlPath): OffsetNode | undefined {
  const inside = (n: Node | null | undefined) => !!n?.range && n.range[0] <= offset && offset <= n.range[1];
  const here = (n: Node, part: 'key' | 'value', p: YamlPath): OffsetNode => ({
    path: p,
    part,
    delta: offset - n.range![0],
    length: n.range![1] - n.range![0],
  });
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const p = [...path, String(pair.key.value)];
      if (inside(pair.key)) return here(pair.key, 'key', p);
      const value = pair.value as Node | null;
      if (inside(value)) return nodeAtOffset(value, offset, p) ?? here(value!, 'value', p);
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      if (inside(item as Node)) return nodeAtOffset(item as Node, offset, [...path, i]) ?? here(item as Node, 'value', [...path, i]);
    }
  } else if (node && inside(node) && path.length > 0) {
    return here(node, 'value', path);
  }
  return undefined;
}
