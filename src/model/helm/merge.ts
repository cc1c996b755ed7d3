// The merges the collector chart's values go through, on plain data: Helm's coalescing of the user's values over
// the chart's (helm.sh/helm/v4 pkg/chart/common/util/coalesce.go) and the sprig functions its templates call
// (mustMergeOverwrite, mustMerge, uniq). Each is the library's behaviour as the chart meets it, checked against
// the real `helm template` (test/oracles/helm-values-differential.test.ts), not a general reimplementation.

export type Plain = null | string | number | boolean | Plain[] | { [key: string]: Plain };
export type PlainMap = { [key: string]: Plain };

export function isPlainMap(v: unknown): v is PlainMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at a path of keys and list indexes, or undefined. */
export function dig(v: Plain | undefined, path: (string | number)[]): Plain | undefined {
  let cur: Plain | undefined = v;
  for (const step of path) {
    if (typeof step === 'number') cur = Array.isArray(cur) ? cur[step] : undefined;
    else cur = isPlainMap(cur) && Object.hasOwn(cur, step) ? cur[step] : undefined;
  }
  return cur;
}

/** A deep copy (the chart's `deepCopy`, and so that merging never changes the defaults table). */
export function copy<T>(v: T): T {
  return structuredClone(v);
}

/**
 * Helm's coalescing of user values over a chart's defaults (v4 `coalesceValues`/`coalesceTablesFullKey`): the
 * user's value wins, maps present on both sides merge key by key, lists are replaced whole, and a user `null` deletes
 * the key where the chart has a value for it; a `null` where the chart has none stays, as null.
 */
export function coalesce(user: PlainMap, defaults: PlainMap): PlainMap {
  const out = copy(user);
  for (const [key, def] of Object.entries(defaults)) {
    if (!Object.hasOwn(out, key)) out[key] = copy(def);
    else if (out[key] === null) delete out[key];
    else if (isPlainMap(out[key]) && isPlainMap(def)) coalesceTables(out[key] as PlainMap, def);
  }
  return out;
}

function coalesceTables(dst: PlainMap, src: PlainMap): void {
  for (const [key, v] of Object.entries(src)) {
    if (!Object.hasOwn(dst, key)) dst[key] = copy(v);
    else if (dst[key] === null && v !== null) delete dst[key];
    else if (isPlainMap(v) && isPlainMap(dst[key])) coalesceTables(dst[key] as PlainMap, v);
  }
}

/**
 * sprig `mustMergeOverwrite dst src…` (mergo with override) on YAML-shaped data: each source's keys win, maps merge
 * key by key, lists and scalars (null included) replace. Changes and returns `dst`.
 */
export function mergeOverwrite(dst: PlainMap, ...srcs: PlainMap[]): PlainMap {
  for (const src of srcs) {
    for (const [key, v] of Object.entries(src)) {
      if (isPlainMap(v) && isPlainMap(dst[key])) mergeOverwrite(dst[key] as PlainMap, v);
      else dst[key] = copy(v);
    }
  }
  return dst;
}

/** sprig `mustMerge dst src` (mergo without override): fills the keys `dst` lacks or holds empty; maps merge. */
export function mergeMissing(dst: PlainMap, src: PlainMap): PlainMap {
  for (const [key, v] of Object.entries(src)) {
    if (v === null) continue;
    if (isPlainMap(v) && isPlainMap(dst[key])) mergeMissing(dst[key] as PlainMap, v);
    else if (isEmpty(dst[key])) dst[key] = copy(v);
  }
  return dst;
}

/** Go's notion of an empty value, as sprig's `empty`/`default` and mergo see it. */
export function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isPlainMap(v) && Object.keys(v).length === 0;
}

/** sprig `uniq`: first occurrences, in order. */
export function uniq(list: Plain[]): Plain[] {
  return list.filter((v, i) => list.findIndex((w) => JSON.stringify(w) === JSON.stringify(v)) === i);
}
