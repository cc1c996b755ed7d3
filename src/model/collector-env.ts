import { basename } from 'node:path';
import { readTextFile } from '../load/read.js';
import { parseEnvFile } from '../load/env-file.js';
import { stringScalars, yamlPathString, type YamlDocument, type YamlPath } from '../load/yaml.js';
import { UsageError } from '../util/errors.js';
import { componentRuns, COMPONENT_KINDS, type CollectorConfig, type Component, type ComponentKind } from './collector.js';
import { optionDefault, optionKind, type ShapeKind } from './component-options.js';
import type { ComposeFile, ComposeService } from './compose.js';
import { requiredOptionFailures } from './required-options.js';
import { atLeast } from './versions.js';

/**
 * The environment the collector process runs with, when the doctor can know it, and how the collector
 * expands `${env:NAME}` / `${NAME}` against it (confmap resolver and envprovider, read at each version):
 * - an unset variable and one set to the empty string expand alike: the env provider parses "" as YAML, i.e. nil;
 * - a reference that is the whole value makes the option nil: before v0.127.0 it keeps its default,
 *   from v0.127.0 (confmap v1.33.0, DecodeNil) it is set to its zero value ("", 0, false);
 * - inside a longer string, nil had no string form before v0.108.0 (confmap v1.14.0): from v0.104.0, where
 *   every `${…}` goes through the provider, the collector refuses to start
 *   ("retrieved value does not have unambiguous string representation: <nil>"); later it is "".
 */
export const EMBEDDED_NIL_FATAL_FROM = '0.104.0';
export const EMBEDDED_NIL_FIXED_IN = '0.108.0';
export const NIL_ZEROES_FROM = '0.127.0';

export interface CollectorEnvironment {
  /** Variables the collector sees, with their values; undefined value: set, but its value is not known here. */
  variables: Map<string, string | undefined>;
  /** For messages: where the environment came from. */
  evidence: string;
}

/** `--collector-env-file`: exactly the variables of a KEY=value file. */
export function readCollectorEnvironment(path: string): CollectorEnvironment {
  const r = readTextFile(path);
  if (!r.ok) throw new UsageError(`--collector-env-file ${r.problem.path}: ${r.problem.reason}`);
  const variables = new Map<string, string | undefined>(parseEnvFile(r.source).map((e) => [e.name, e.value]));
  return { variables, evidence: `--collector-env-file ${basename(path)}` };
}

/**
 * A compose service's container environment, from `environment:`. Undefined when it also reads
 * `env_file:` (not read here, so the environment is not known). `- NAME` without a value and values that
 * compose interpolates (`${HOST_VAR}`) count as set.
 */
export function composeEnvironment(compose: ComposeFile, service: ComposeService): CollectorEnvironment | undefined {
  if (service.raw.env_file !== undefined) return undefined;
  const variables = new Map<string, string | undefined>();
  const raw = service.raw.environment;
  for (const [name, value] of Object.entries(service.environment)) {
    const passThrough = Array.isArray(raw) && raw.some((e) => String(e) === name);
    variables.set(name, passThrough || value.includes('$') ? undefined : value);
  }
  return { variables, evidence: `the environment of service "${service.name}" in ${basename(compose.file)}` };
}

/** Whether the collector sees the variable as empty (unset, or set to ""). */
export function expandsEmpty(env: CollectorEnvironment, name: string): boolean {
  if (!env.variables.has(name)) return true;
  return env.variables.get(name) === '';
}

/** One `${NAME}` or `${env:NAME}` reference without a default, in a string value of the collector config. */
export interface EnvReference {
  name: string;
  /** The reference as written, e.g. `${env:OTLP_HOST}`. */
  token: string;
  offset: number;
  /** The reference is the whole value (the option then takes the variable's typed value, or nil). */
  whole: boolean;
  path: YamlPath;
}

/** A string value of a YAML file: its value, its text as written (quotes and escapes kept) and where that starts. */
export interface WrittenString {
  path: YamlPath;
  value: string;
  raw: string;
  start: number;
}

/** Every string value of the file, in document order: what the collector's `${…}` and `$VAR` handling reads. */
export function writtenStrings(y: YamlDocument): WrittenString[] {
  return stringScalars(y).map((v) => ({ path: v.path, value: v.value, raw: y.source.text.slice(v.start, v.end), start: v.start }));
}

/** References the env provider resolves: unescaped (`$${…}` is literal), no `:-default`, env: scheme or none. */
export function envReferences(y: YamlDocument): EnvReference[] {
  const out: EnvReference[] = [];
  for (const v of writtenStrings(y)) {
    const raw = v.raw;
    for (const m of raw.matchAll(/(\$+)\{(env:)?([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
      if (m[1].length % 2 === 0) continue; // `$${…}` is the escape for the literal text
      const token = m[0].slice(m[1].length - 1);
      out.push({ name: m[3], token, offset: v.start + m.index! + m[1].length - 1, whole: v.value === token, path: v.path });
    }
  }
  return out;
}

/** The component a reference sits in (its settings), if any. */
export function componentOf(c: CollectorConfig, path: YamlPath): Component | undefined {
  if (!COMPONENT_KINDS.includes(path[0] as ComponentKind)) return undefined;
  return c.components.find((x) => x.kind === path[0] && x.id === path[1]);
}

/**
 * What an empty reference does to its option: `nothing` (not in a component), `embedded` (the option is the rest of
 * its text, `value`), `cleared` (from v0.127.0: the zero value `value`, or no value), `unset` (before: no default),
 * `default` (before: the default `value`). `value` is JSON text.
 */
export interface EmptyExpansion {
  effect: 'nothing' | 'embedded' | 'cleared' | 'unset' | 'default';
  /** The option's path inside the component, e.g. `headers.authorization`. */
  option?: string;
  value?: string;
}

const ZERO: Partial<Record<ShapeKind, unknown>> = { string: '', text: '', int: 0, uint: 0, float: 0, duration: 0, bool: false };

/** The component's settings as the collector sees them with this one reference expanded empty, and what became of the option. */
export function expandEmpty(comp: Component, ref: EnvReference, version: string): { config: Record<string, unknown>; expansion: EmptyExpansion } {
  const rel = ref.path.slice(2);
  const config = structuredClone(comp.config);
  const option = yamlPathString(rel);
  if (!ref.whole) {
    const value = String(get(config, rel) ?? '').split(ref.token).join('');
    set(config, rel, value);
    return { config, expansion: { effect: 'embedded', option, value: JSON.stringify(value) } };
  }
  if (atLeast(version, NIL_ZEROES_FROM)) {
    const kind = optionKind(comp.kind, comp.type, rel, version);
    const zero = kind ? (ZERO[kind] ?? null) : '';
    set(config, rel, zero);
    return { config, expansion: { effect: 'cleared', option, value: zero === null ? undefined : JSON.stringify(zero) } };
  }
  remove(config, rel);
  const fallback = optionDefault(comp.kind, comp.type, rel, version);
  const none = fallback === undefined || fallback === null || fallback === '';
  return { config, expansion: none ? { effect: 'unset', option } : { effect: 'default', option, value: JSON.stringify(fallback) } };
}

/** Required-option failures that expanded settings cause (and the original do not), where they stop the collector. */
export function newRequiredFailures(c: CollectorConfig, comp: Component, config: Record<string, unknown>): string[] {
  const before = new Set(requiredOptionFailures(comp.kind, comp.type, comp.config).map((f) => f.error));
  const used = componentRuns(c, comp);
  return requiredOptionFailures(comp.kind, comp.type, config)
    .filter((f) => !before.has(f.error) && (f.stage === 'validate' || used))
    .map((f) => f.error);
}

function get(root: unknown, path: YamlPath): unknown {
  let v = root;
  for (const k of path) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

function set(root: Record<string, unknown>, path: YamlPath, value: unknown): void {
  const parent = get(root, path.slice(0, -1));
  if (parent && typeof parent === 'object') (parent as Record<string | number, unknown>)[path[path.length - 1]] = value;
}

function remove(root: Record<string, unknown>, path: YamlPath): void {
  const parent = get(root, path.slice(0, -1));
  if (!parent || typeof parent !== 'object') return;
  if (Array.isArray(parent)) parent[path[path.length - 1] as number] = undefined;
  else delete (parent as Record<string, unknown>)[path[path.length - 1] as string];
}
