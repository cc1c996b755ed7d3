// The name suffix kustomize gives a generated ConfigMap or Secret (api/hasher): the SHA-256 of a JSON encoding of
// the object's kind, name and data, as Go's encoding/json writes it, its first ten hex digits with 0, 1, 3, a and e
// replaced so the suffix never reads as a number. The name is always empty: the hasher looks it up as the one key
// `metadata/name`, which no object has, so two generators of one content share their suffix.
import { createHash } from 'node:crypto';
import { isJsonMap, type Json, type JsonMap } from './json.js';

export function nameHash(obj: JsonMap): string {
  const field = (v: Json | undefined): Json => (v === undefined ? '' : v);
  const m: JsonMap =
    obj.kind === 'Secret' ? { kind: 'Secret', type: field(obj.type), name: '', data: field(obj.data) } : { kind: 'ConfigMap', name: '', data: field(obj.data) };
  if (obj.kind === 'Secret' && isJsonMap(obj.stringData)) m.stringData = obj.stringData;
  if (obj.kind !== 'Secret' && isJsonMap(obj.binaryData)) m.binaryData = obj.binaryData;
  const hex = createHash('sha256').update(goJson(m), 'utf8').digest('hex');
  return [...hex.slice(0, 10)].map((c) => ({ '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' })[c] ?? c).join('');
}

/** Go's json.Marshal: map keys sorted, <, >, & and U+2028/9 escaped, control characters as \u00XX but \n, \r, \t. */
export function goJson(v: Json): string {
  if (v === null || typeof v !== 'object') return typeof v === 'string' ? goString(v) : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  const keys = Object.keys(v).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `{${keys.map((k) => `${goString(k)}:${goJson(v[k])}`).join(',')}}`;
}

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]|\\[bf]/g, (c) => {
    if (c === '\\b') return '\\u0008';
    if (c === '\\f') return '\\u000c';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
