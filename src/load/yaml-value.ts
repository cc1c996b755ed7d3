import type { Node, Pair } from 'yaml';
import type { Location, Range } from '../types.js';
import { isAlias, isMap, isPair, isScalar, isSeq, rangeOfNode, yamlPathString, type YamlDocument, type YamlPath } from './yaml.js';

/**
 * A value of a YAML document, typed on demand and never separated from where it is: models hand these to rules
 * instead of plain objects, so a finding about a value points at that value (its key or its text) without going
 * back to the document, and never at the start of the file.
 *
 * A value may be absent (`get` of a missing key returns undefined) or present but of another type (`string()` of a
 * map is undefined): rules decide what a wrong type means, the loader never guesses.
 */
export class YamlValue {
  constructor(
    readonly doc: YamlDocument,
    readonly path: YamlPath,
    readonly node: Node | null,
    /** The pair holding it when it is a map entry: its key is where "this entry" findings point. */
    readonly pair?: Pair,
    /** The alias written in its place (`*name`), when it is one: its value findings point there, not at the anchor. */
    readonly alias?: Node,
  ) {}

  /**
   * The value at a path of keys and list indexes, or the nearest enclosing value that exists: a finding about
   * something missing points at where it would go, never at the start of the file.
   */
  static nearest(doc: YamlDocument, path: YamlPath): YamlValue {
    let v = YamlValue.root(doc);
    for (const step of path) {
      const next = typeof step === 'number' ? v.items()[step] : v.get(step);
      if (!next) break;
      v = next;
    }
    return v;
  }

  /** The document's root value. */
  static root(doc: YamlDocument): YamlValue {
    return new YamlValue(doc, [], resolved(doc, doc.doc.contents as Node | null));
  }

  get file(): string {
    return this.doc.source.path;
  }

  /** The plain JavaScript value (maps become objects), for comparisons and for values a rule only reads. */
  get js(): unknown {
    if (this.node === null) return null;
    // Through the document, so aliases inside resolve as the loaded value does (same alias limit as loading).
    return (this.node as { toJS?: (doc: unknown, opts: object) => unknown }).toJS?.(this.doc.doc, { maxAliasCount: 1000 });
  }

  isMap(): boolean {
    return isMap(this.node);
  }

  isList(): boolean {
    return isSeq(this.node);
  }

  /** Written with no value (`key:`), which YAML reads as null. */
  isNull(): boolean {
    return this.node === null || (isScalar(this.node) && this.node.value === null);
  }

  /** The entry under a key of a map, or undefined when this is not a map or has no such key. */
  get(key: string): YamlValue | undefined {
    if (!isMap(this.node)) return undefined;
    const pair = this.node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
    return pair ? new YamlValue(this.doc, [...this.path, key], resolved(this.doc, pair.value as Node | null), pair, aliasOf(pair.value)) : undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** The value at a path of keys below this one. */
  at(...keys: string[]): YamlValue | undefined {
    let v: YamlValue | undefined = this;
    for (const k of keys) v = v?.get(k);
    return v;
  }

  /** A map's entries in document order (keys as strings); empty for anything else. */
  entries(): [string, YamlValue][] {
    if (!isMap(this.node)) return [];
    return this.node.items
      .filter((p): p is Pair => isPair(p) && isScalar(p.key))
      .map((p) => {
        const key = String((p.key as { value: unknown }).value);
        return [key, new YamlValue(this.doc, [...this.path, key], resolved(this.doc, p.value as Node | null), p, aliasOf(p.value))];
      });
  }

  keys(): string[] {
    return this.entries().map(([k]) => k);
  }

  /** A list's items in order; empty for anything else. */
  items(): YamlValue[] {
    if (!isSeq(this.node)) return [];
    return this.node.items.map((n, i) => new YamlValue(this.doc, [...this.path, i], resolved(this.doc, n as Node | null), undefined, aliasOf(n)));
  }

  /** The text of a string scalar (a number or boolean is not a string: YAML typed it). */
  string(): string | undefined {
    return isScalar(this.node) && typeof this.node.value === 'string' ? this.node.value : undefined;
  }

  /** A scalar's text however YAML typed it (`4317` and `"4317"` both give "4317"). */
  text(): string | undefined {
    if (!isScalar(this.node) || this.node.value === null || typeof this.node.value === 'object') return undefined;
    return String(this.node.value);
  }

  number(): number | undefined {
    return isScalar(this.node) && typeof this.node.value === 'number' ? this.node.value : undefined;
  }

  boolean(): boolean | undefined {
    return isScalar(this.node) && typeof this.node.value === 'boolean' ? this.node.value : undefined;
  }

  /** Range of its key when it is a map entry, else of the value itself. */
  get keyRange(): Range {
    return (this.pair && isScalar(this.pair.key) ? rangeOfNode(this.doc, this.pair.key) : undefined) ?? this.valueRange;
  }

  /** Range of the value's text; an empty value (`key:`) falls back to its key. */
  get valueRange(): Range {
    const own = this.alias ? rangeOfNode(this.doc, this.alias) : this.isNull() && this.pair ? undefined : rangeOfNode(this.doc, this.node);
    return own ?? (this.pair && isScalar(this.pair.key) ? rangeOfNode(this.doc, this.pair.key) : undefined) ?? this.doc.source.range(0, 0);
  }

  /** Where a finding about this value points: its key (default) or its value, with the readable path. */
  location(part: 'key' | 'value' = 'key'): Location {
    return { file: this.file, range: part === 'key' ? this.keyRange : this.valueRange, path: this.path.length ? yamlPathString(this.path) : undefined };
  }

  /** The value's text as written in the file (quotes included), for edits that follow its style. */
  sourceText(): string | undefined {
    const range = this.node?.range;
    return range ? this.doc.source.text.slice(range[0], range[1]) : undefined;
  }
}

/**
 * An alias (`*name`) stands for its anchored node, as the loaded value does (`toJS`): rules judge what it means, and
 * the value's text is found where the anchor wrote it. An alias with no anchor before it reads as nothing.
 */
function resolved(doc: YamlDocument, node: Node | null | undefined): Node | null {
  if (!isAlias(node)) return node ?? null;
  return (node.resolve(doc.doc) as Node | undefined) ?? null;
}

function aliasOf(node: unknown): Node | undefined {
  return isAlias(node) ? node : undefined;
}
