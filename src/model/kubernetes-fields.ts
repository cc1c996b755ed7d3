import { readdirSync, readFileSync } from 'node:fs';
import { isScalar, type YamlPath } from '../load/yaml.js';
import { YamlValue } from '../load/yaml-value.js';
import type { YamlDocument } from '../load/yaml.js';
import { schemaPath } from '../util/paths.js';
import { compareVersions } from './versions.js';

/**
 * What the API server's strict decoding refuses in a manifest, judged against the fields of the Go types
 * (schemas/kubernetes/fields-<k8s.io/api version>.json, written by scripts/gen-k8s-schemas.mjs from
 * `k8s-check schema`, which reflects over the json tags of every kind test/oracles/k8s-check decodes).
 *
 * The catalogue: `kinds` maps "<apiVersion>/<kind>" to a type; `types` maps a struct's name to its fields, each a
 * ref: a struct's name, "[]<ref>", "map[<ref>]", or a leaf (see Leaf), after "<Go names>^" for a field of an embedded
 * struct.
 */

export type Leaf = 'string' | 'bytes' | 'int' | IntWidth | 'number' | 'bool' | 'quantity' | 'int-or-string' | 'raw';

/** The integer types of other widths than int64 (`int`), with the range the decoder accepts. */
const INT_RANGES = {
  int8: [-(2 ** 7), 2 ** 7 - 1],
  int16: [-(2 ** 15), 2 ** 15 - 1],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint: [0, 2 ** 64 - 1],
  uint8: [0, 2 ** 8 - 1],
  uint16: [0, 2 ** 16 - 1],
  uint32: [0, 2 ** 32 - 1],
  uint64: [0, 2 ** 64 - 1],
} as const;
type IntWidth = keyof typeof INT_RANGES;

interface Catalogue {
  version: string;
  /** The Go modules whose types were read, with their versions. */
  modules: string;
  kinds: Record<string, string>;
  types: Record<string, Record<string, string>>;
}

let catalogue: Catalogue | undefined;

/** The newest catalogue in schemas/kubernetes. */
function load(): Catalogue {
  if (catalogue) return catalogue;
  const dir = schemaPath('kubernetes');
  const newest = readdirSync(dir)
    .filter((n) => /^fields-v\d+\.\d+\.\d+\.json$/.test(n))
    .sort((a, b) => compareVersions(a.slice(8, -5), b.slice(8, -5)))
    .pop();
  catalogue = JSON.parse(readFileSync(`${dir}/${newest}`, 'utf8')) as Catalogue;
  return catalogue;
}

/** The Go modules (and versions) the catalogue was read from: "k8s.io/api v0.37.2, sigs.k8s.io/gateway-api v1.6.3, …". */
export function kubernetesFieldsModules(): string {
  return load().modules;
}

/** The Go type an object of this apiVersion and kind decodes into; undefined for kinds the catalogue lacks (CRDs). */
export function kindType(apiVersion: string, kind: string): string | undefined {
  const kinds = load().kinds;
  const key = `${apiVersion}/${kind}`;
  return Object.hasOwn(kinds, key) ? kinds[key] : undefined;
}

/** Custom resources (Gateway API, Prometheus Operator): their CRD's version on the cluster may differ from ours. */
export function isCustomResourceType(type: string): boolean {
  return type.startsWith('gateway/') || type.startsWith('monitoring/');
}

/** A JSON value's type as sigs.k8s.io/yaml hands it to the decoder. */
export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'bool' | 'null';

/**
 * What strict decoding refuses, each at the value it is about:
 * - `unknown`: a key no field of the struct has (a strict error: reported only when the object otherwise decodes);
 * - `type`: a value of the wrong JSON type (a string where an int32 belongs), or a fraction where an integer belongs;
 * - `value`: the right JSON type refused by the type's own decoding (a quantity that does not parse, `data` of a
 *   Secret that is not base64).
 * `fatal`: the decoder stops at it (a type that decodes itself), so it is the error reported whatever comes after.
 */
export interface Refusal {
  problem: 'unknown' | 'type' | 'value';
  value: YamlValue;
  /** The path as the decoder names it in an unknown-field error: `spec.ports[0].port`. */
  path: string;
  /** The struct fields on the path (no list indexes, no map keys): what a type error names. */
  fieldPath: string;
  /** The struct's Go type (unknown) or the expected ref (type, value). */
  expected: string;
  /** The JSON type found (type, value). */
  found?: JsonKind;
  /** The struct's fields, for "did you mean" (unknown). */
  fields?: string[];
  fatal: boolean;
}

/** An object of a kind the catalogue knows, with what strict decoding refuses in it. */
export interface StrictObject {
  object: YamlValue;
  apiVersion: string;
  kind: string;
  name?: string;
  /** Its Go type in the catalogue. */
  type: string;
  refusals: Refusal[];
}

/**
 * The objects of these documents that strict decoding judges, as kubectl sends them: each document that parses, and
 * each item of a `v1` `List` (which holds its items as raw objects, each decoded on its own). Objects of kinds the
 * catalogue lacks (custom resources the doctor does not know) are not judged.
 */
export function strictObjects(docs: YamlDocument[]): StrictObject[] {
  const out: StrictObject[] = [];
  const judge = (object: YamlValue) => {
    const apiVersion = object.get('apiVersion')?.string();
    const kind = object.get('kind')?.string();
    const type = apiVersion && kind ? kindType(apiVersion, kind) : undefined;
    if (!type || !kind || !apiVersion) return;
    out.push({ object, apiVersion, kind, name: object.at('metadata', 'name')?.text(), type, refusals: strictRefusals(object, type) });
    if (type === 'core/v1.List') for (const item of object.get('items')?.items() ?? []) judge(item);
  };
  for (const doc of docs) if (doc.problems.length === 0) judge(YamlValue.root(doc));
  return out;
}

/**
 * Every refusal of strict decoding an object of Go type `type`, in the order the decoder meets them (keys sorted, as
 * sigs.k8s.io/yaml's conversion to JSON sorts them).
 */
export function strictRefusals(root: YamlValue, type: string): Refusal[] {
  const out: Refusal[] = [];
  walk(root, type, [], [], out);
  return out;
}

/** go-yaml v2 (YAML 1.1), which kubectl's sigs.k8s.io/yaml reads with, takes these plain scalars for booleans. */
const YAML11_BOOLEANS = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;
const YAML11_TRUE = /^(?:y|Y|yes|Yes|YES|on|On|ON)$/;
/** …and these for integers (underscores dropped, then Go's ParseInt with base prefixes), where YAML 1.2 sees strings. */
const YAML11_INT = /^[-+]?(?:0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)$/;

/** A plain scalar's text as go-yaml v2 reads it: a boolean or integer YAML 1.2 takes for a string, else undefined. */
function yaml11(v: YamlValue | { node: unknown }): boolean | number | undefined {
  const node = v.node;
  if (!isScalar(node) || node.type !== 'PLAIN' || typeof node.value !== 'string') return undefined;
  if (YAML11_BOOLEANS.test(node.value)) return YAML11_TRUE.test(node.value);
  if (YAML11_INT.test(node.value) && /\d/.test(node.value)) {
    const text = node.value.replace(/_/g, '');
    const sign = text.startsWith('-') ? -1 : 1;
    const digits = text.replace(/^[-+]/, '');
    const n = /^0[0-7]+$/.test(digits) ? Number.parseInt(digits, 8) : Number(digits.replace(/^0o/, '0o'));
    return Number.isNaN(n) ? undefined : sign * n;
  }
  return undefined;
}

export function jsonKind(v: YamlValue): JsonKind {
  if (v.isNull()) return 'null';
  if (v.isMap()) return 'object';
  if (v.isList()) return 'array';
  const node = v.node;
  if (!isScalar(node)) return 'null';
  if (typeof node.value === 'boolean') return 'bool';
  if (typeof node.value === 'number' || typeof node.value === 'bigint') return 'number';
  const old = yaml11(v);
  if (typeof old === 'boolean') return 'bool';
  if (typeof old === 'number') return 'number';
  return 'string';
}

/** A scalar's number as the decoder sees it (YAML 1.1 integers included). */
function jsonNumber(v: YamlValue): number | undefined {
  const old = yaml11(v);
  if (typeof old === 'number') return old;
  return isScalar(v.node) && (typeof v.node.value === 'number' || typeof v.node.value === 'bigint') ? Number(v.node.value) : undefined;
}

function walk(v: YamlValue, ref: string, path: YamlPath, fields: string[], out: Refusal[]): void {
  const found = jsonKind(v);
  if (found === 'null' || ref === 'raw') return; // null decodes into anything as the zero value
  const refuse = (problem: 'type' | 'value', fatal: boolean): void => {
    out.push({ problem, value: v, path: pathText(path), fieldPath: fields.join('.'), expected: ref, found, fatal });
  };
  if (ref.startsWith('[]')) {
    if (found !== 'array') {
      refuse('type', false);
      return;
    }
    v.items().forEach((item, i) => walk(item, ref.slice(2), [...path, i], fields, out));
    return;
  }
  if (ref.startsWith('map[')) {
    if (found !== 'object') {
      refuse('type', false);
      return;
    }
    for (const [key, entry] of sortedEntries(v)) walk(entry, ref.slice(4, -1), [...path, key], fields, out);
    return;
  }
  switch (ref as Leaf) {
    case 'string':
      if (found !== 'string') refuse('type', false);
      return;
    case 'bytes':
      if (found !== 'string') refuse('type', false);
      else if (!isBase64(v.string() ?? '')) refuse('value', false);
      return;
    case 'bool':
      if (found !== 'bool') refuse('type', false);
      return;
    case 'number':
      if (found !== 'number') refuse('type', false);
      return;
    case 'int':
      if (found !== 'number' || !Number.isInteger(jsonNumber(v))) refuse('type', false);
      return;
    case 'int-or-string':
      // IntOrString decodes itself: a quoted value is its string, anything else must be an int32.
      if (found !== 'string' && !(found === 'number' && inRange(jsonNumber(v), 'int32'))) refuse('type', true);
      return;
    case 'quantity': {
      // Quantity decodes itself from a string or a bare number, both through ParseQuantity.
      const text = found === 'number' ? String(jsonNumber(v)) : v.string();
      if ((found !== 'string' && found !== 'number') || !isQuantity(text ?? '')) refuse('value', true);
      return;
    }
  }
  if (Object.hasOwn(INT_RANGES, ref)) {
    if (found !== 'number' || !inRange(jsonNumber(v), ref as IntWidth)) refuse('type', false);
    return;
  }
  // A struct.
  if (found !== 'object') {
    refuse('type', false);
    return;
  }
  const known = load().types[ref] ?? {};
  for (const [key, entry] of sortedEntries(v)) {
    if (!Object.hasOwn(known, key)) {
      out.push({
        problem: 'unknown',
        value: entry,
        path: pathText([...path, key]),
        fieldPath: [...fields, key].join('.'),
        expected: ref,
        fields: Object.keys(known),
        fatal: false,
      });
      continue;
    }
    // "VolumeSource^<ref>": a field of an embedded struct, which the decoder's type errors name on the way.
    const [via, fieldRef] = known[key].includes('^') ? known[key].split('^') : ['', known[key]];
    walk(entry, fieldRef, [...path, key], [...fields, ...(via ? via.split('.') : []), key], out);
  }
}

function inRange(n: number | undefined, width: IntWidth): boolean {
  const [low, high] = INT_RANGES[width];
  return n !== undefined && Number.isInteger(n) && n >= low && n <= high;
}

/**
 * A map's entries as the decoder gets them: merge keys (`<<: *defaults`) resolved as go-yaml does (the map's own
 * keys win, then the merged maps in order), each key as go-yaml types it (a plain `y` is the boolean true, so the
 * key "true"), sorted bytewise as Go's JSON encoder writes them.
 */
function sortedEntries(v: YamlValue): [string, YamlValue][] {
  const byKey = new Map<string, YamlValue>();
  const add = (entries: [string, YamlValue][]) => {
    for (const [key, entry] of entries) {
      const name = jsonKey(key, entry);
      if (!byKey.has(name)) byKey.set(name, entry);
    }
  };
  add(v.entries().filter(([k]) => k !== '<<'));
  const merged = v.get('<<');
  for (const m of merged?.isList() ? merged.items() : merged ? [merged] : []) add(m.entries());
  return [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function jsonKey(key: string, entry: YamlValue): string {
  const old = entry.pair ? yaml11({ node: entry.pair.key }) : undefined;
  return old === undefined ? key : String(old);
}

/** `spec.ports[0].port`, as the strict decoder's unknown-field errors write a path. */
function pathText(path: YamlPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Standard base64 with padding, as encoding/json decodes a []byte (line breaks ignored). */
function isBase64(text: string): boolean {
  const s = text.replace(/[\r\n]/g, '');
  return s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);
}

/**
 * resource.ParseQuantity: a signed decimal number, then a binary suffix (Ki…Ei), a decimal one (n, u, m, k, M, G,
 * T, P, E) or a decimal exponent (e3, E-2).
 */
export function isQuantity(text: string): boolean {
  const m = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/.exec(text.trim());
  if (!m) return false;
  if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)$/.test(m[1])) return false;
  return /^(?:|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][-+]?[0-9]+)$/.test(m[2]);
}
