// Patches as kustomize applies them: strategic merge (kyaml's merge2, with the merge keys of the built-in kinds'
// schema and, for kinds it has no schema of, lists of items that all have a `name` merged by name) and JSON 6902.
import type { YamlValue } from '../../load/yaml-value.js';
import { isJsonMap, type Json, type JsonMap, type Origins } from './json.js';

/** Raised for what kustomize refuses (a JSON patch's path that is not there…) or what is not modelled. */
export class PatchError extends Error {
  constructor(
    message: string,
    readonly notModelled = false,
  ) {
    super(message);
  }
}

/** Kinds whose schema kyaml has (the built-in API): their lists merge only where the schema says so. */
const SCHEMA_KINDS = new Set([
  'Pod',
  'Deployment',
  'DaemonSet',
  'StatefulSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Service',
  'ConfigMap',
  'Secret',
  'Ingress',
  'ServiceAccount',
  'Namespace',
  'HorizontalPodAutoscaler',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'PodDisruptionBudget',
  'NetworkPolicy',
  'PersistentVolumeClaim',
]);

/** A list's merge key by its field name (and, for `ports`, whether it is a Service's), per the built-in schema. */
function schemaMergeKey(kind: string, path: string[]): string | undefined {
  const field = path[path.length - 1];
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'volumes':
    case 'env':
    case 'imagePullSecrets':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'hostAliases':
      return 'ip';
    case 'ports':
      return kind === 'Service' && path.length === 2 ? 'port' : 'containerPort';
    default:
      return undefined;
  }
}

const DIRECTIVE = '$patch';

/**
 * A strategic merge patch applied to an object in place. `path` is the field path from the object's root (for the
 * merge keys); what the patch writes takes the patch's origins.
 */
export function strategicMerge(kind: string, target: JsonMap, patch: JsonMap, origins: Origins): void {
  mergeMap(kind, target, patch, [], origins);
}

function mergeMap(kind: string, target: JsonMap, patch: JsonMap, path: string[], origins: Origins): void {
  for (const [k, pv] of Object.entries(patch)) {
    if (k === DIRECTIVE) continue;
    if (k.startsWith('$')) throw new PatchError(`the strategic merge directive ${k}`, true);
    if (pv === null) {
      delete target[k];
      continue;
    }
    const tv = target[k];
    if (isJsonMap(pv)) {
      const directive = pv[DIRECTIVE];
      if (directive === 'delete') {
        delete target[k];
        continue;
      }
      if (directive === 'replace' || !isJsonMap(tv)) {
        target[k] = withoutDirectives(pv, origins);
        origins.set(target, k, origins.of(patch, k));
        continue;
      }
      if (directive !== undefined) throw new PatchError(`$patch: ${String(directive)}`, true);
      mergeMap(kind, tv, pv, [...path, k], origins);
      continue;
    }
    if (Array.isArray(pv)) {
      target[k] = mergeList(kind, Array.isArray(tv) ? tv : undefined, pv, [...path, k], origins);
      origins.set(target, k, Array.isArray(tv) ? (origins.of(target, k) ?? origins.of(patch, k)) : origins.of(patch, k));
      continue;
    }
    target[k] = pv;
    origins.set(target, k, origins.of(patch, k));
  }
}

function withoutDirectives(v: JsonMap, origins: Origins): JsonMap {
  const out: JsonMap = {};
  const own = origins.ofContainer(v);
  if (own) origins.setContainer(out, own);
  for (const [k, x] of Object.entries(v)) {
    if (k === DIRECTIVE) continue;
    out[k] = x;
    origins.set(out, k, origins.of(v, k));
  }
  return out;
}

function mergeList(kind: string, target: Json[] | undefined, patch: Json[], path: string[], origins: Origins): Json[] {
  const replace = patch.some((p) => isJsonMap(p) && p[DIRECTIVE] === 'replace');
  const items = patch.filter((p) => !(isJsonMap(p) && p[DIRECTIVE] === 'replace'));
  // Without a schema (custom resources) kustomize merges no list: the patch's replaces it.
  const key = SCHEMA_KINDS.has(kind) ? schemaMergeKey(kind, path) : undefined;
  if (!key || !target || replace) {
    if (!key && items.some((p) => isJsonMap(p) && DIRECTIVE in p)) throw new PatchError('$patch in a list without a merge key', true);
    const out = items.map((p) => (isJsonMap(p) ? withoutDirectives(p, origins) : p));
    origins.reindex(
      out,
      items.map((_, i) => origins.of(patch, patch.indexOf(items[i]))),
    );
    return out;
  }
  // The patch's items first, in its order (merged into the target's of the same key), then the target's others.
  const rest = [...target];
  const restOrigins = origins.listOrigins(target);
  const out: Json[] = [];
  const before: (YamlValue | undefined)[] = [];
  for (const [i, p] of patch.entries()) {
    if (!isJsonMap(p)) throw new PatchError(`a list merged by ${key} with an item that is not a map`, true);
    const at = rest.findIndex((t) => isJsonMap(t) && t[key] === p[key]);
    const [found] = at >= 0 ? rest.splice(at, 1) : [];
    const [foundOrigin] = at >= 0 ? restOrigins.splice(at, 1) : [];
    if (p[DIRECTIVE] === 'delete') continue;
    if (isJsonMap(found)) {
      mergeMap(kind, found, p, path, origins);
      out.push(found);
      before.push(foundOrigin);
    } else {
      out.push(withoutDirectives(p, origins));
      before.push(origins.of(patch, i));
    }
  }
  out.push(...rest);
  before.push(...restOrigins);
  origins.reindex(out, before);
  return out;
}

export interface JsonOp {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

/** JSON 6902 operations applied to an object in place (kustomize's evanphx/json-patch). */
export function jsonPatch(target: JsonMap, ops: JsonOp[], origins: Origins, originOf: (i: number) => YamlValue | undefined): void {
  ops.forEach((o, i) => {
    const at = originOf(i);
    const path = pointer(o.path);
    switch (o.op) {
      case 'add':
      case 'replace': {
        const { parent, key } = locate(target, path, o.op === 'add' || o.op === 'replace');
        const k = Array.isArray(parent) ? index(parent, key, o.op === 'add') : key;
        const value = structuredClone(o.value ?? null);
        put(parent, key, value, o.op, origins);
        origins.mark(value, at);
        origins.set(parent, k, at);
        break;
      }
      case 'remove': {
        const { parent, key } = locate(target, path, false);
        remove(parent, key, origins);
        break;
      }
      case 'test': {
        const { parent, key } = locate(target, path, false);
        const v = Array.isArray(parent) ? parent[index(parent, key, false)] : parent[key];
        if (JSON.stringify(v) !== JSON.stringify(o.value)) throw new PatchError(`testing value ${o.path} failed`);
        break;
      }
      default:
        throw new PatchError(`the JSON patch operation ${o.op}`, true);
    }
  });
}

function pointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new PatchError(`JSON pointer ${p} does not start with /`);
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function index(list: Json[], key: string, adding: boolean): number {
  if (key === '-' && adding) return list.length;
  if (!/^(0|[1-9][0-9]*)$/.test(key)) throw new PatchError(`invalid list index ${key}`);
  const n = Number(key);
  if (n > list.length || (!adding && n === list.length)) throw new PatchError(`list index ${n} out of range`);
  return n;
}

function locate(root: JsonMap, path: string[], adding: boolean): { parent: JsonMap | Json[]; key: string } {
  if (path.length === 0) throw new PatchError('a JSON patch of the whole object', true);
  let cur: Json = root;
  for (const step of path.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[index(cur, step, false)];
    else if (isJsonMap(cur) && step in cur) cur = cur[step];
    else throw new PatchError(`the path ${path.join('/')} is not there`);
    if (typeof cur !== 'object' || cur === null) throw new PatchError(`the path ${path.join('/')} is not there`);
  }
  const key = path[path.length - 1];
  if (!adding && isJsonMap(cur) && !(key in cur)) throw new PatchError(`the path ${path.join('/')} is not there`);
  return { parent: cur as JsonMap | Json[], key };
}

function put(parent: JsonMap | Json[], key: string, value: Json, op: string, origins: Origins): void {
  if (Array.isArray(parent)) {
    const i = index(parent, key, op === 'add');
    const before = origins.listOrigins(parent);
    if (op === 'add') {
      parent.splice(i, 0, value);
      before.splice(i, 0, undefined);
    } else {
      parent[i] = value;
    }
    origins.reindex(parent, before);
  } else {
    parent[key] = value;
  }
}

function remove(parent: JsonMap | Json[], key: string, origins: Origins): void {
  if (Array.isArray(parent)) {
    const i = index(parent, key, false);
    const before = origins.listOrigins(parent);
    parent.splice(i, 1);
    before.splice(i, 1);
    origins.reindex(parent, before);
  } else {
    delete parent[key];
  }
}
