import * as jsonc from 'jsonc-parser';
import type { Location } from '../types.js';
import { jsonPointer, type JsonDocument, type JsonNode } from './json.js';

export type JsonPath = (string | number)[];

/**
 * A value of a JSON document that keeps where it is, the JSON counterpart of YamlValue: models hand these to rules,
 * so a finding about a value points at it (its key or its text) without going back to the document.
 *
 * Only values that are in the document exist (`get` of a missing key is undefined); with a duplicate key the first
 * one counts, as it does for the edits (jsonc-parser's findNodeAtLocation).
 */
export class JsonValue {
  constructor(
    readonly doc: JsonDocument,
    /** Path from the document's root (a wrapped dashboard's paths start with `dashboard`). */
    readonly path: JsonPath,
    readonly node: JsonNode,
  ) {}

  /** The value at a path from the document's root, or undefined when the document has no tree or no such value. */
  static at(doc: JsonDocument, path: JsonPath): JsonValue | undefined {
    const node = doc.root && jsonc.findNodeAtLocation(doc.root, path);
    return node ? new JsonValue(doc, path, node) : undefined;
  }

  get file(): string {
    return this.doc.source.path;
  }

  /** The plain JavaScript value, for values a rule only reads. */
  get js(): unknown {
    return jsonc.getNodeValue(this.node);
  }

  isObject(): boolean {
    return this.node.type === 'object';
  }

  isArray(): boolean {
    return this.node.type === 'array';
  }

  /** The member of an object under a key (or an array's item at an index); undefined when there is none. */
  get(key: string | number): JsonValue | undefined {
    const node = jsonc.findNodeAtLocation(this.node, [key]);
    return node ? new JsonValue(this.doc, [...this.path, key], node) : undefined;
  }

  /** The value at a path of keys and indexes below this one. */
  at(...keys: JsonPath): JsonValue | undefined {
    let v: JsonValue | undefined = this;
    for (const k of keys) v = v?.get(k);
    return v;
  }

  /** An array's items in order; empty for anything else. */
  items(): JsonValue[] {
    if (!this.isArray()) return [];
    return (this.node.children ?? []).map((n, i) => new JsonValue(this.doc, [...this.path, i], n));
  }

  /** An object's members in document order; empty for anything else. */
  entries(): [string, JsonValue][] {
    if (!this.isObject()) return [];
    return (this.node.children ?? []).flatMap((p) => {
      const [key, value] = p.children ?? [];
      return key && value ? [[String(key.value), new JsonValue(this.doc, [...this.path, String(key.value)], value)] as [string, JsonValue]] : [];
    });
  }

  /** The text of a string value. */
  string(): string | undefined {
    return this.node.type === 'string' ? (this.node.value as string) : undefined;
  }

  /** Where a finding about this value points: its text (default; the opening brace of an object or array) or its key. */
  location(part: 'key' | 'value' = 'value'): Location {
    const key = part === 'key' && this.node.parent?.type === 'property' ? this.node.parent.children?.[0] : undefined;
    const node = key ?? this.node;
    const length = node.type === 'object' || node.type === 'array' ? 1 : node.length;
    return { file: this.file, range: this.doc.source.range(node.offset, length), path: jsonPointer(this.path) };
  }
}
