import type { YamlValue } from '../../load/yaml-value.js';

/** A value of a built object: plain JSON, as kustomize holds it. */
export type Json = null | boolean | number | string | Json[] | JsonMap;
export interface JsonMap {
  [key: string]: Json;
}

export const isJsonMap = (v: unknown): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Where each part of a built object was written: a map or list by itself, a field or item by its container and key.
 * Transformations move values between objects and lists; the origins travel with the containers, so a value's
 * origin survives merges (a list item keeps its own) and only what a step writes gets a new one.
 */
export class Origins {
  private readonly own = new WeakMap<object, YamlValue>();
  private readonly fields = new WeakMap<object, Map<string | number, YamlValue>>();

  ofContainer(v: object): YamlValue | undefined {
    return this.own.get(v);
  }

  of(container: object, key: string | number): YamlValue | undefined {
    return this.fields.get(container)?.get(key);
  }

  set(container: object, key: string | number, at: YamlValue | undefined): void {
    if (!at) return;
    const m = this.fields.get(container) ?? new Map<string | number, YamlValue>();
    this.fields.set(container, m);
    m.set(key, at);
    const v = (container as Record<string | number, unknown>)[key];
    if (typeof v === 'object' && v !== null && !this.own.has(v)) this.own.set(v, at);
  }

  setContainer(v: object, at: YamlValue): void {
    this.own.set(v, at);
  }

  /** A list's items moved (a splice): their per-index origins follow them. */
  reindex(list: Json[], before: (YamlValue | undefined)[]): void {
    const m = new Map<string | number, YamlValue>();
    before.forEach((o, i) => o && m.set(i, o));
    this.fields.set(list, m);
  }

  listOrigins(list: Json[]): (YamlValue | undefined)[] {
    return list.map((_, i) => this.of(list, i));
  }

  /** A value written at `at` as a whole (a literal, a patch's value): it and everything in it come from there. */
  mark(v: Json, at: YamlValue | undefined): void {
    if (!at || typeof v !== 'object' || v === null) return;
    if (!this.own.has(v)) this.own.set(v, at);
    const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
    for (const [k, x] of entries) {
      if (!this.of(v, k)) this.set(v, k, at);
      this.mark(x, at);
    }
  }
}

/** A YAML value as JSON, every part's origin recorded. */
export function fromYaml(v: YamlValue, origins: Origins): Json {
  if (v.isMap()) {
    const out: JsonMap = {};
    origins.setContainer(out, v);
    for (const [k, e] of v.entries()) {
      out[k] = fromYaml(e, origins);
      origins.set(out, k, e);
    }
    return out;
  }
  if (v.isList()) {
    const out: Json[] = [];
    origins.setContainer(out, v);
    v.items().forEach((e, i) => {
      out.push(fromYaml(e, origins));
      origins.set(out, i, e);
    });
    return out;
  }
  return goScalar(v);
}

/**
 * A scalar as kustomize's YAML parser (go-yaml) reads it. They differ in one place: a block scalar (`|`, `>`) that
 * ends the text with no line break after it keeps none in go-yaml, as the YAML spec says; the yaml package adds one.
 */
function goScalar(v: YamlValue): Json {
  const js = (v.js ?? null) as Json;
  const node = v.node as { type?: string; range?: [number, number, number]; source?: string } | null;
  if (typeof js !== 'string' || (node?.type !== 'BLOCK_LITERAL' && node?.type !== 'BLOCK_FOLDED') || !node.range) return js;
  const text = v.doc.source.text;
  const keep = (/^[|>]\S*/.exec(text.slice(node.range[0]))?.[0] ?? '').includes('+');
  return node.range[1] >= text.length && !text.endsWith('\n') && !keep && js.endsWith('\n') ? js.slice(0, -1) : js;
}

/** A deep copy keeping every origin (one patch applies to each of its targets). */
export function cloneWithOrigins<T extends Json>(v: T, origins: Origins): T {
  if (typeof v !== 'object' || v === null) return v;
  const out = (Array.isArray(v) ? [] : {}) as Record<string | number, Json>;
  const own = origins.ofContainer(v);
  if (own) origins.setContainer(out, own);
  const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
  for (const [k, x] of entries) {
    out[k] = cloneWithOrigins(x, origins);
    const o = origins.of(v, k);
    if (o) origins.set(out, k, o);
  }
  return out as T;
}
