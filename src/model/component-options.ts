import { readdirSync, readFileSync } from 'node:fs';
import type { YamlPath } from '../load/yaml.js';
import { schemaPath } from '../util/paths.js';
import { nearest, typoDistance } from '../util/distance.js';
import type { ComponentKind } from './collector.js';
import { parseGoDuration } from './collector.js';
import { moduleKey } from './components.js';
import { compareVersions } from './versions.js';

/**
 * The options each component accepts, from snapshots generated off real collector builds
 * (schemas/collector/options-<version>.json, written by scripts/gen-collector-schemas.mjs from
 * test/oracles/schema-dump, which reflects over each factory's default config the way the collector's
 * config loader reads it). Only the components of the oracle builds are covered; others are not checked.
 */

export type ShapeKind = 'object' | 'map' | 'array' | 'string' | 'bool' | 'int' | 'uint' | 'float' | 'duration' | 'text' | 'any';

export interface OptionShape {
  kind: ShapeKind;
  fields?: Record<string, OptionShape>;
  elem?: OptionShape;
  /** The type reads itself (a confmap Unmarshal): it may accept forms other than its fields show. */
  custom?: boolean;
  /** The object keeps keys it does not know. */
  open?: boolean;
  /** On a component's root: its default config as the collector marshals it. */
  defaults?: Record<string, unknown>;
}

interface Snapshot {
  version: string;
  /** `kind:module` (see moduleKey) → shape of the component's config. */
  readonly components: Map<string, OptionShape>;
}

let snapshots: Snapshot[] | undefined;

/**
 * The snapshots by version, oldest first; each file is parsed when its components are first asked for (a stack
 * judged against one collector version needs one of them, and each is tens of kB of JSON).
 */
function loadSnapshots(): Snapshot[] {
  if (snapshots) return snapshots;
  const dir = schemaPath('collector');
  snapshots = readdirSync(dir)
    .map((name) => /^options-(\d+\.\d+\.\d+)\.json$/.exec(name))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => {
      let components: Map<string, OptionShape> | undefined;
      return {
        version: m[1],
        get components() {
          components ??= readComponents(`${dir}/${m[0]}`);
          return components;
        },
      };
    })
    .sort((a, b) => compareVersions(a.version, b.version));
  return snapshots;
}

function readComponents(file: string): Map<string, OptionShape> {
  const data = JSON.parse(readFileSync(file, 'utf8')) as { components: Record<string, Record<string, OptionShape>> };
  const components = new Map<string, OptionShape>();
  for (const [kind, byType] of Object.entries(data.components)) {
    for (const [type, shape] of Object.entries(byType)) components.set(moduleKey(kind as ComponentKind, type), shape);
  }
  return components;
}

export function snapshotVersions(): string[] {
  return loadSnapshots().map((s) => s.version);
}

/**
 * Which snapshots describe a version, and whether their verdict is certain:
 * a snapshot's own version or anything newer than the newest → that one snapshot (certain);
 * between two snapshots → both, and an option is wrong only if both say so (certain);
 * older than the oldest → the oldest, not certain (options may have been removed since).
 */
function snapshotsFor(version: string): { use: Snapshot[]; certain: boolean } {
  const all = loadSnapshots();
  const exact = all.find((s) => compareVersions(s.version, version) === 0);
  if (exact) return { use: [exact], certain: true };
  const newest = all[all.length - 1];
  if (compareVersions(version, newest.version) > 0) return { use: [newest], certain: true };
  if (compareVersions(version, all[0].version) < 0) return { use: [all[0]], certain: false };
  const after = all.findIndex((s) => compareVersions(s.version, version) > 0);
  return { use: [all[after - 1], all[after]], certain: true };
}

export interface OptionProblem {
  /** Path below the component's key. */
  path: YamlPath;
  /** Point at the key (unknown option) or at the value (wrong type). */
  part: 'key' | 'value';
  message: string;
  hint: string;
  /** Whether the collector, at this version, refuses the config. */
  certain: boolean;
  /** Snapshot versions the verdict rests on. */
  versions: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

const KIND_TEXT: Record<ShapeKind, string> = {
  object: 'a mapping of options',
  map: 'a mapping',
  array: 'a list',
  string: 'a string',
  bool: 'true or false (unquoted)',
  int: 'a whole number',
  uint: 'a whole number of 0 or more',
  float: 'a number',
  duration: 'a Go duration such as 30s or 5m',
  text: 'a single value',
  any: 'any value',
};

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (isObject(value)) return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value === 'boolean' ? 'the boolean' : 'the number'} ${String(value)}`;
}

/** Why a scalar does not fit a shape, or undefined when it fits (strict typing: no string→bool/number casts). */
function scalarMismatch(shape: OptionShape, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined; // null leaves the default
  if (typeof value === 'string' && value.includes('${')) return undefined; // typed by expansion
  const scalar = typeof value !== 'object';
  switch (shape.kind) {
    case 'any':
      return undefined;
    case 'object':
    case 'map':
      return isObject(value) || shape.custom ? undefined : 'expected';
    case 'array':
      // A string is split at commas into a list (the loader's string-to-slice hook; `allowed_origins: '*'` passes).
      return Array.isArray(value) || typeof value === 'string' || shape.custom ? undefined : 'expected';
    case 'text':
      return scalar || shape.custom ? undefined : 'expected';
    case 'string':
      return typeof value === 'string' || shape.custom ? undefined : 'expected';
    case 'bool':
      return typeof value === 'boolean' || shape.custom ? undefined : 'expected';
    case 'int':
      return typeof value === 'number' || shape.custom ? undefined : 'expected';
    case 'uint':
      if (shape.custom) return undefined;
      if (typeof value !== 'number') return 'expected';
      return value < 0 ? 'negative' : undefined;
    case 'float':
      return typeof value === 'number' || shape.custom ? undefined : 'expected';
    case 'duration':
      if (typeof value === 'number') return undefined; // nanoseconds
      if (typeof value !== 'string') return 'expected';
      return parseGoDuration(value) === undefined ? 'duration' : undefined;
  }
}

/** Looks a key up as the collector's loader does: names match exactly (`Namespace` is refused on both oracle builds). */
function field(shape: OptionShape, key: string): OptionShape | undefined {
  return Object.hasOwn(shape.fields ?? {}, key) ? shape.fields![key] : undefined;
}

interface RawProblem {
  path: YamlPath;
  part: 'key' | 'value';
  what: 'unknown' | 'expected' | 'negative' | 'duration';
  key: string;
  shape?: OptionShape;
  parent?: OptionShape;
  value?: unknown;
}

function walk(shape: OptionShape, value: unknown, path: YamlPath, out: RawProblem[]): void {
  const key = String(path[path.length - 1] ?? '');
  const what = scalarMismatch(shape, value);
  if (what) {
    out.push({ path, part: 'value', what: what as RawProblem['what'], key, shape, value });
    return;
  }
  if (shape.kind === 'object' && isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const f = field(shape, k);
      if (f) walk(f, v, [...path, k], out);
      else if (!shape.open) out.push({ path: [...path, k], part: 'key', what: 'unknown', key: k, parent: shape });
    }
  } else if (shape.kind === 'map' && isObject(value) && shape.elem) {
    for (const [k, v] of Object.entries(value)) walk(shape.elem, v, [...path, k], out);
  } else if (shape.kind === 'array' && Array.isArray(value) && shape.elem) {
    value.forEach((v, i) => walk(shape.elem!, v, [...path, i], out));
  }
}

const pathKey = (p: RawProblem) => `${p.what}:${p.path.join('\u0000')}`;

function suggestion(key: string, parent: OptionShape | undefined): string | undefined {
  return nearest(key.toLowerCase(), Object.keys(parent?.fields ?? {}), typoDistance(key))?.names[0];
}

/**
 * Options of one component that the collector of `version` cannot read: unknown keys and values of the
 * wrong type. Undefined when no snapshot knows the component (it is not checked).
 */
export function componentOptionProblems(kind: ComponentKind, type: string, config: unknown, version: string): OptionProblem[] | undefined {
  const { use, certain } = snapshotsFor(version);
  const key = moduleKey(kind, type);
  const shapes = use.map((s) => ({ version: s.version, shape: s.components.get(key) }));
  const known = shapes.filter((s): s is { version: string; shape: OptionShape } => !!s.shape);
  if (known.length === 0) return undefined;
  // Between two snapshots a problem counts only when every snapshot that has the component reports it.
  const perSnapshot = known.map((s) => {
    const out: RawProblem[] = [];
    walk(s.shape, config, [], out);
    return new Map(out.map((p) => [pathKey(p), p]));
  });
  const [first, ...rest] = perSnapshot;
  const versions = known.map((s) => s.version);
  const problems: OptionProblem[] = [];
  for (const [k, p] of first) {
    if (rest.some((m) => !m.has(k))) continue;
    problems.push({ path: p.path, part: p.part, certain, versions, ...explain(p, versions) });
  }
  return problems;
}

function explain(p: RawProblem, versions: string[]): { message: string; hint: string } {
  const where = versions.map((v) => `v${v}`).join(' and ');
  const option = p.path
    .map((k) => (typeof k === 'number' ? `[${k}]` : k))
    .join('.')
    .replace(/\.\[/g, '[');
  switch (p.what) {
    case 'unknown': {
      const near = suggestion(p.key, p.parent);
      const names = Object.keys(p.parent?.fields ?? {}).sort();
      return {
        message: `unknown option "${option}" (not an option of this component in ${where})`,
        hint: near ? `did you mean "${near}"?` : names.length ? `options here: ${names.join(', ')}` : 'remove it: nothing is configurable here',
      };
    }
    case 'negative':
      return { message: `${option}: ${describe(p.value)} where ${KIND_TEXT.uint} is expected`, hint: 'use 0 or a positive number' };
    case 'duration':
      return {
        message: `${option}: ${JSON.stringify(p.value)} is not a Go duration`,
        hint: `use ns, us, ms, s, m or h, e.g. ${durationSuggestion(String(p.value))}`,
      };
    default: {
      const kind = p.shape!.kind;
      const quoted = typeof p.value === 'string' && ['bool', 'int', 'uint', 'float'].includes(kind);
      const toggle = kind === 'object' && typeof p.value === 'boolean' && p.shape!.fields?.enabled?.kind === 'bool';
      const hint = quoted
        ? `remove the quotes: ${p.key}: ${p.value}`
        : toggle
          ? `write ${p.key}: {enabled: ${p.value}}`
          : kind === 'string' && (typeof p.value === 'number' || typeof p.value === 'boolean')
            ? `quote it: ${p.key}: "${p.value}"`
            : `write ${KIND_TEXT[kind]}`;
      return { message: `${option}: ${describe(p.value)} where ${KIND_TEXT[kind]} is expected; the collector does not convert types`, hint };
    }
  }
}

/** `1d` → `24h`, `2w` → `336h`, a bare number → seconds; otherwise a generic example. */
export function durationSuggestion(value: string): string {
  const m = /^(\d+)\s*(d|w)$/.exec(value.trim());
  if (m) return `${Number(m[1]) * (m[2] === 'd' ? 24 : 168)}h`;
  if (/^\d+$/.test(value.trim())) return `${value.trim()}s`;
  return '5m or 180m';
}

function shapeAt(shape: OptionShape | undefined, path: YamlPath): OptionShape | undefined {
  let s = shape;
  for (const k of path) {
    if (!s) return undefined;
    s = typeof k === 'number' || s.kind === 'map' ? s.elem : s.fields?.[k];
  }
  return s;
}

/** The snapshot at or below a version (the oldest for older versions). */
function snapshotAtOrBelow(version: string): Snapshot {
  const all = loadSnapshots();
  return [...all].reverse().find((s) => compareVersions(s.version, version) <= 0) ?? all[0];
}

/** The kind of value an option takes (for its zero value), from the snapshot at or below the version. */
export function optionKind(kind: ComponentKind, type: string, path: YamlPath, version: string): ShapeKind | undefined {
  return shapeAt(snapshotAtOrBelow(version).components.get(moduleKey(kind, type)), path)?.kind;
}

/** An option's default as the collector marshals its default config; undefined when none is recorded. */
export function optionDefault(kind: ComponentKind, type: string, path: YamlPath, version: string): unknown {
  let v: unknown = snapshotAtOrBelow(version).components.get(moduleKey(kind, type))?.defaults;
  for (const k of path) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}
