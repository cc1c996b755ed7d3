import { yamlPathString, type YamlPath } from '../load/yaml.js';
import { COMPONENT_KINDS, type CollectorConfig, type Component, type ComponentKind, componentRuns } from './collector.js';
import { type EnvReference, NIL_ZEROES_FROM } from './collector-env.js';
import { optionDefault, optionKind, type ShapeKind } from './component-options.js';
import { requiredOptionFailures } from './required-options.js';
import { atLeast } from './versions.js';

/**
 * What the collector makes of a component when one `${env:NAME}` reference in it expands to nothing (collector-env.ts
 * says when that happens and how each version treats it), and whether its required options then fail.
 */

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
    const value = String(get(config, rel) ?? '')
      .split(ref.token)
      .join('');
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
