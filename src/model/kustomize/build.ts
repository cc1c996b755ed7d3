// `kustomize build <dir>` for the subset of kustomizations real config repos write (docs/architecture.md,
// "Kustomize builds"): resources (files, and folders with their own kustomization), namespace, namePrefix/Suffix,
// commonLabels/labels, commonAnnotations, patches of both kinds, images, replicas and the ConfigMap/Secret
// generators, with kustomize's hash suffixes and name-reference updates. Anything else is recognised and makes the
// build "not modelled" (the doctor then reads the files as written); what kustomize refuses is refused.
import { posix } from 'node:path';
import { YamlValue } from '../../load/yaml-value.js';
import { EmbeddedSource, SourceFile } from '../../load/source.js';
import { parseYaml, parseYamlDocuments, type YamlDocument } from '../../load/yaml.js';
import { embeddedSource } from '../kubernetes-embedded.js';
import { nameHash } from './hash.js';
import { cloneWithOrigins, fromYaml, isJsonMap, type Json, type JsonMap, Origins } from './json.js';
import { jsonPatch, type JsonOp, PatchError, strategicMerge } from './patch.js';
import { CLUSTER_SCOPED, COMMON_ANNOTATIONS, COMMON_LABELS, type FieldSpec, modelledKind, NAME_REFERENCES, REPLICA_KINDS, TEMPLATE_LABELS } from './specs.js';

/** The files a build reads. */
export interface KustomizeReader {
  /** A YAML file's documents, or undefined when there is no such file. */
  documents(path: string): YamlDocument[] | undefined;
  /** A file's text (a generator's files and env files), or undefined. */
  text(path: string): string | undefined;
  isDir(path: string): boolean;
}

export interface BuiltObject {
  value: JsonMap;
  kind: string;
  name: string;
  namespace?: string;
}

export type KustomizeBuild =
  | { root: string; kustomization: string; objects: BuiltObject[]; origins: Origins; read: Set<string> }
  | { root: string; kustomization?: string; refused: string; read: Set<string> }
  | { root: string; kustomization?: string; notModelled: string; read: Set<string> };

export const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** What a reader throws for a file it will not read (outside the scanned folders, unreadable): the build is not modelled. */
export class NotRead extends Error {}

/** Builds (a kustomization with its bases) one build may make: bases included in many overlays of overlays multiply. */
const MAX_LEVELS = 500;

class BuildError extends Error {
  constructor(
    message: string,
    readonly notModelled = false,
  ) {
    super(message);
  }
}

const notModelled = (what: string) => new BuildError(what, true);

const FIELDS = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'resources',
  'bases',
  'namespace',
  'namePrefix',
  'nameSuffix',
  'commonLabels',
  'labels',
  'commonAnnotations',
  'patches',
  'patchesStrategicMerge',
  'patchesJson6902',
  'images',
  'replicas',
  'configMapGenerator',
  'secretGenerator',
  'generatorOptions',
  'components',
]);

interface Res {
  obj: JsonMap;
  /** Every name and namespace it had, the current one last (name references match any of them). */
  ids: { name: string; namespace?: string }[];
  /** The prefixes and suffixes its name was given, level by level (name references prefer an object renamed alike). */
  prefixes: string[];
  suffixes: string[];
  generated?: { hash: boolean };
}

interface Level {
  dir: string;
  file: string;
  root: YamlValue;
}

/** A path a kustomization names, from its folder: normalised, without a trailing `/` (`resources: [otel-collector/]`). */
function resolved(dir: string, ref: string): string {
  const path = posix.normalize(posix.join(dir, ref));
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** `kustomize build dir`, with the root-only load restrictor (files in or below each kustomization's folder). */
export function kustomizeBuild(dir: string, reader: KustomizeReader): KustomizeBuild {
  const read = new Set<string>();
  const origins = new Origins();
  const root = posix.normalize(dir);
  const budget = { levels: MAX_LEVELS };
  try {
    const { resources, file } = accumulate(root, reader, origins, read, [], budget);
    for (const r of resources) {
      if (r.generated?.hash) rename(r, `${current(r).name}-${nameHash(r.obj)}`);
    }
    fixReferences(resources);
    return {
      root,
      kustomization: file,
      origins,
      read,
      objects: resources.map((r) => ({ value: r.obj, kind: String(r.obj.kind), name: current(r).name, namespace: current(r).namespace })),
    };
  } catch (err) {
    const kustomization = KUSTOMIZATION_NAMES.map((n) => `${root}/${n}`).find((p) => read.has(p));
    if ((err instanceof BuildError || err instanceof PatchError) && !err.notModelled) return { root, kustomization, refused: err.message, read };
    // Anything else the model did not foresee is not modelled, never a guess (nor a crash of the whole scan).
    const why =
      err instanceof BuildError || err instanceof PatchError || err instanceof NotRead ? err.message : `an input the model does not handle (${String(err)})`;
    return { root, kustomization, notModelled: why, read };
  }
}

const current = (r: Res) => r.ids[r.ids.length - 1];

function rename(r: Res, name: string, namespace = current(r).namespace): void {
  const meta = r.obj.metadata as JsonMap;
  meta.name = name;
  if (namespace !== undefined) meta.namespace = namespace;
  r.ids.push({ name, namespace });
}

/**
 * A kustomization's objects: its resources (a folder's built by its own kustomization), its generators', then its
 * components' and its own transformations. A component (`into`: the objects of the kustomization naming it) adds to
 * and transforms the objects it is given, after their generators and before their transformations, as kustomize does.
 */
function accumulate(
  dir: string,
  reader: KustomizeReader,
  origins: Origins,
  read: Set<string>,
  stack: string[],
  budget: { levels: number },
  into?: Res[],
): { resources: Res[]; file: string } {
  if (stack.includes(dir)) throw new BuildError(`cycle detected: ${[...stack, dir].join(' -> ')}`);
  if (--budget.levels < 0) throw notModelled(`more than ${MAX_LEVELS} kustomizations in one build`);
  const file = KUSTOMIZATION_NAMES.map((n) => `${dir}/${n}`).find((p) => reader.documents(p) !== undefined);
  if (!file) throw new BuildError(`unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '${dir}'`);
  read.add(file);
  const docs = reader.documents(file)!;
  if (docs.some((d) => d.problems.length > 0)) throw notModelled(`${file} does not parse`);
  if (docs.length !== 1) throw new BuildError(`${file} is not one YAML document`);
  const root = YamlValue.root(docs[0]);
  if (!root.isMap()) throw new BuildError(`${file} is not a map`);
  for (const k of root.keys()) if (!FIELDS.has(k)) throw notModelled(`${posix.basename(file)} uses \`${k}\``);
  const isComponent = root.get('kind')?.string() === 'Component';
  // A component applies to what names it; a folder among resources must be a kustomization (the root may be either).
  if (into && !isComponent) throw new BuildError(`expected kind 'Component' for path '${dir}'`);
  if (!into && isComponent && stack.length > 0) throw new BuildError(`expected kind != 'Component' for path '${dir}'`);
  const level: Level = { dir, file, root };
  const resources: Res[] = into ?? [];
  const add = (r: Res) => {
    const id = key(r);
    if (resources.some((x) => key(x) === id)) throw new BuildError(`may not add resource with an already registered id: ${id}`);
    resources.push(r);
  };
  for (const entry of [...(root.get('resources')?.items() ?? []), ...(root.get('bases')?.items() ?? [])]) {
    const ref = entry.string();
    if (!ref) throw new BuildError('a resource that is not a string');
    if (/^[a-z]+:\/\/|^git@|^github\.com\/|\?ref=|\/\/.*\?/.test(ref)) throw notModelled(`the remote resource ${ref}`);
    const path = resolved(dir, ref);
    if (reader.isDir(path)) {
      for (const r of accumulate(path, reader, origins, read, [...stack, dir], budget).resources) add(r);
      continue;
    }
    inRoot(level, path);
    for (const r of loadObjects(path, reader, origins, read)) add(r);
  }
  for (const r of generate(level, reader, origins, read, resources)) add(r);
  for (const entry of root.get('components')?.items() ?? []) {
    const ref = entry.string();
    if (!ref) throw new BuildError('a component that is not a string');
    if (/^[a-z]+:\/\/|^git@|^github\.com\/|\?ref=|\/\/.*\?/.test(ref)) throw notModelled(`the remote component ${ref}`);
    const path = resolved(dir, ref);
    if (!reader.isDir(path)) throw new BuildError(`component '${ref}' is not a folder`);
    accumulate(path, reader, origins, read, [...stack, dir], budget, resources);
  }
  transform(level, resources, reader, origins, read);
  return { resources, file };
}

const key = (r: Res) => `${r.obj.apiVersion}/${r.obj.kind}/${current(r).namespace ?? 'default'}/${current(r).name}`;

/** The root-only load restrictor: a file must be in or below the kustomization's folder. */
function inRoot(level: Level, path: string): void {
  if (path !== level.dir && !path.startsWith(`${level.dir}/`)) throw new BuildError(`security; file '${path}' is not in or below '${level.dir}'`);
}

function loadObjects(path: string, reader: KustomizeReader, origins: Origins, read: Set<string>): Res[] {
  const docs = reader.documents(path);
  if (!docs) throw new BuildError(`accumulating resources: '${path}' does not exist`);
  read.add(path);
  const out: Res[] = [];
  for (const d of docs) {
    if (d.problems.length > 0) throw notModelled(`${path} does not parse`);
    const v = YamlValue.root(d);
    if (v.isNull()) continue;
    const items = /List$/.test(v.get('kind')?.string() ?? '') && v.get('items')?.isList() ? v.get('items')!.items() : [v];
    for (const item of items) out.push(resource(fromYaml(item, origins), path));
  }
  return out;
}

function resource(obj: Json, path: string): Res {
  if (!isJsonMap(obj)) throw new BuildError(`${path}: an object that is not a map`);
  const kind = obj.kind;
  const meta = obj.metadata;
  if (typeof kind !== 'string' || typeof obj.apiVersion !== 'string') throw new BuildError(`${path}: missing Resource metadata (apiVersion or kind)`);
  if (!isJsonMap(meta) || typeof meta.name !== 'string') throw new BuildError(`${path}: missing metadata.name in object ${kind}`);
  if (!modelledKind(obj.apiVersion, kind)) throw notModelled(`kind ${kind} (the fields kustomize rewrites in it are not modelled)`);
  return { obj, ids: [{ name: meta.name, namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined }], prefixes: [], suffixes: [] };
}

// --- generators -----------------------------------------------------------------------------------------------

/**
 * The level's generated ConfigMaps and Secrets. One with `behavior: merge` or `replace` changes the object of that
 * name its bases generated (in place: its name, history and labels kept, its data merged or replaced) and is not
 * returned.
 */
function generate(level: Level, reader: KustomizeReader, origins: Origins, read: Set<string>, existing: Res[]): Res[] {
  const options = level.root.get('generatorOptions');
  const out: Res[] = [];
  for (const kind of ['ConfigMap', 'Secret'] as const) {
    for (const entry of level.root.get(kind === 'ConfigMap' ? 'configMapGenerator' : 'secretGenerator')?.items() ?? []) {
      for (const k of entry.keys())
        if (!['name', 'namespace', 'behavior', 'files', 'literals', 'envs', 'env', 'options', 'type'].includes(k))
          throw notModelled(`the generator field ${k}`);
      const behavior = entry.get('behavior')?.string() ?? 'create';
      if (!['create', 'merge', 'replace'].includes(behavior)) throw new BuildError(`unknown generator behavior: ${behavior}`);
      const name = entry.get('name')?.string();
      if (!name) throw new BuildError(`a ${kind} generator without a name`);
      const data: JsonMap = {};
      const dataOrigins = new Map<string, YamlValue>();
      const put = (k: string, v: string, at: YamlValue) => {
        if (k in data) throw new BuildError(`cannot add key ${k}, another key by that name already exists`);
        data[k] = v;
        dataOrigins.set(k, at);
      };
      for (const env of [...(entry.get('envs')?.items() ?? []), ...(entry.has('env') ? [entry.get('env')!] : [])]) {
        const path = posix.normalize(posix.join(level.dir, env.string() ?? ''));
        inRoot(level, path);
        const text = reader.text(path);
        if (text === undefined) throw new BuildError(`env source file ${path} does not exist`);
        read.add(path);
        for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
          const t = line.trimStart();
          if (t === '' || t.startsWith('#')) continue;
          const eq = t.indexOf('=');
          // The line itself is not quoted: in a Secret's env file it may be the secret.
          if (eq < 0) throw notModelled(`a line of env file ${path} without "=" (kustomize reads its value from its own environment)`);
          put(t.slice(0, eq), t.slice(eq + 1), env);
        }
      }
      for (const lit of entry.get('literals')?.items() ?? []) {
        const t = lit.text() ?? '';
        const eq = t.indexOf('=');
        if (eq <= 0) throw new BuildError(`invalid literal source ${kind === 'Secret' ? '(a Secret literal, not shown)' : t}, expected key=value`);
        put(t.slice(0, eq), unquote(t.slice(eq + 1)), lit);
      }
      for (const f of entry.get('files')?.items() ?? []) {
        const t = f.text() ?? '';
        const eq = t.indexOf('=');
        const ref = eq >= 0 ? t.slice(eq + 1) : t;
        const path = resolved(level.dir, ref);
        inRoot(level, path);
        const text = reader.text(path);
        if (text === undefined) throw new BuildError(`file ${path} does not exist`);
        read.add(path);
        // A YAML file read whole: its own root is the origin, so a config found in the ConfigMap points into it.
        const docs = reader.documents(path);
        const whole = docs?.length === 1 && docs[0].problems.length === 0 && docs[0].source.text === text ? YamlValue.root(docs[0]) : f;
        put(eq >= 0 ? t.slice(0, eq) : posix.basename(ref), text, whole);
      }
      const own = entry.get('options');
      const opt = (k: string) => own?.get(k) ?? options?.get(k);
      const meta: JsonMap = { name };
      const namespace = entry.get('namespace')?.string();
      if (namespace) meta.namespace = namespace;
      const labels = { ...mapOf(options?.get('labels')), ...mapOf(own?.get('labels')) };
      const annotations = { ...mapOf(options?.get('annotations')), ...mapOf(own?.get('annotations')) };
      if (Object.keys(annotations).length) meta.annotations = annotations;
      if (Object.keys(labels).length) meta.labels = labels;
      const obj: JsonMap = { apiVersion: 'v1', kind, metadata: meta };
      if (kind === 'Secret') obj.type = entry.get('type')?.string() ?? 'Opaque';
      const encoded: JsonMap = {};
      for (const [k, v] of Object.entries(data)) encoded[k] = kind === 'Secret' ? Buffer.from(String(v), 'utf8').toString('base64') : v;
      if (Object.keys(encoded).length) obj.data = encoded;
      if (opt('immutable')?.boolean()) obj.immutable = true;
      origins.mark(obj, entry);
      for (const [k, at] of dataOrigins) origins.set(encoded, k, at);
      origins.set(meta, 'name', entry.get('name'));
      const generated = { hash: opt('disableNameSuffixHash')?.boolean() !== true };
      if (behavior === 'create') {
        out.push({ obj, ids: [{ name, namespace }], prefixes: [], suffixes: [], generated });
        continue;
      }
      const same = existing.filter(
        (r) => r.obj.kind === kind && r.ids.some((id) => id.name === name && (id.namespace ?? 'default') === (namespace ?? 'default')),
      );
      if (same.length !== 1) throw new BuildError(`${kind} ${name} ${same.length ? 'matches several objects' : 'does not exist'}; cannot ${behavior} it`);
      mergeGenerated(same[0], obj, behavior === 'merge', origins);
      same[0].generated = generated;
    }
  }
  return out;
}

/** kustomize's appendReplaceOrMerge: the new object takes the old one's place, name and namespace, labels and annotations merged under its own; with merge, its data too. */
function mergeGenerated(old: Res, obj: JsonMap, mergeData: boolean, origins: Origins): void {
  const was = old.obj;
  const wasMeta = was.metadata as JsonMap;
  const meta = obj.metadata as JsonMap;
  for (const field of ['labels', 'annotations', ...(mergeData ? ['data'] : [])]) {
    const holder = field === 'data' ? [was, obj] : [wasMeta, meta];
    const before = holder[0][field];
    if (!isJsonMap(before)) continue;
    const after = isJsonMap(holder[1][field]) ? (holder[1][field] as JsonMap) : {};
    const merged: JsonMap = {};
    for (const [k, v] of Object.entries(before)) {
      merged[k] = v;
      origins.set(merged, k, origins.of(before, k));
    }
    for (const [k, v] of Object.entries(after)) {
      merged[k] = v;
      origins.set(merged, k, origins.of(after, k));
    }
    holder[1][field] = merged;
  }
  meta.name = wasMeta.name;
  origins.set(meta, 'name', origins.of(wasMeta, 'name'));
  if (wasMeta.namespace !== undefined) {
    meta.namespace = wasMeta.namespace;
    origins.set(meta, 'namespace', origins.of(wasMeta, 'namespace'));
  } else delete meta.namespace;
  old.obj = obj;
}

/** A literal's value without the quotes around it, as kustomize reads `key="value"`. */
function unquote(v: string): string {
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) return v.slice(1, -1);
  return v;
}

function mapOf(v: YamlValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, e] of v?.entries() ?? []) out[k] = e.text() ?? '';
  return out;
}

// --- transformers ---------------------------------------------------------------------------------------------

function transform(level: Level, resources: Res[], reader: KustomizeReader, origins: Origins, read: Set<string>): void {
  const { root } = level;
  for (const p of root.get('patchesStrategicMerge')?.items() ?? []) {
    for (const patch of patchDocuments(level, p, reader, origins, read)) applySmp(resources, patch, undefined, origins);
  }
  for (const p of root.get('patches')?.items() ?? []) {
    if (p.has('options')) throw notModelled('patch options');
    const target = p.get('target');
    const path = p.get('path')?.string();
    const inline = p.get('patch');
    if (!path === !inline) throw new BuildError('a patch must specify one of patch and path');
    const docs = patchSource(level, p, reader, read);
    const list = docs.length === 1 && YamlValue.root(docs[0]).isList();
    if (list) {
      if (!target) throw new BuildError('must specify a target for JSON patch');
      applyJson(selectTargets(resources, target), docs[0], origins);
      continue;
    }
    const patches = docs.map((d) => YamlValue.root(d)).filter((v) => !v.isNull());
    if (target && patches.length > 1)
      throw new BuildError('Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field');
    for (const v of patches) applySmp(resources, patchObject(v, origins), target, origins);
  }
  const namespace = root.get('namespace')?.string();
  if (namespace) {
    for (const r of resources) {
      const meta = r.obj.metadata as JsonMap;
      if (r.obj.kind === 'Namespace') {
        // kustomize's namespace field spec for a Namespace is its name.
        rename(r, namespace);
        origins.set(meta, 'name', root.get('namespace'));
        continue;
      }
      if (CLUSTER_SCOPED.has(String(r.obj.kind))) continue;
      meta.namespace = namespace;
      origins.set(meta, 'namespace', root.get('namespace'));
      r.ids.push({ name: current(r).name, namespace });
    }
  }
  const prefix = root.get('namePrefix')?.text() ?? '';
  const suffix = root.get('nameSuffix')?.text() ?? '';
  if (prefix || suffix)
    for (const r of resources) {
      if (r.obj.kind === 'Namespace') continue;
      rename(r, `${prefix}${current(r).name}${suffix}`);
      if (prefix) r.prefixes.push(prefix);
      if (suffix) r.suffixes.push(suffix);
    }
  for (const l of root.get('labels')?.items() ?? []) {
    for (const k of l.keys()) if (!['pairs', 'includeSelectors', 'includeTemplates'].includes(k)) throw notModelled(`labels.${k}`);
    const specs = l.get('includeSelectors')?.boolean() ? COMMON_LABELS : l.get('includeTemplates')?.boolean() ? TEMPLATE_LABELS : TEMPLATE_LABELS.slice(0, 1);
    setMaps(resources, specs, l.get('pairs'), origins);
  }
  setMaps(resources, COMMON_LABELS, root.get('commonLabels'), origins);
  setMaps(resources, COMMON_ANNOTATIONS, root.get('commonAnnotations'), origins);
  for (const p of root.get('patchesJson6902')?.items() ?? []) {
    const target = p.get('target');
    if (!target) throw new BuildError('must specify a target for JSON patch');
    const docs = patchSource(level, p, reader, read);
    if (docs.length !== 1) throw new BuildError('a JSON patch must be one document');
    applyJson(selectTargets(resources, target), docs[0], origins);
  }
  for (const rep of root.get('replicas')?.items() ?? []) {
    const name = rep.get('name')?.text();
    const count = rep.get('count')?.number();
    if (!name || count === undefined) throw new BuildError('a replicas entry without name or count');
    const matched = resources.filter((r) => REPLICA_KINDS.has(String(r.obj.kind)) && r.ids.some((id) => id.name === name));
    if (matched.length === 0) throw new BuildError(`resource with name ${name} does not match a config with the kinds replicas set`);
    for (const r of matched) {
      if (!isJsonMap(r.obj.spec)) r.obj.spec = {};
      const spec = r.obj.spec as JsonMap;
      spec.replicas = count;
      origins.set(spec, 'replicas', rep.get('count'));
    }
  }
  for (const img of root.get('images')?.items() ?? []) {
    for (const k of img.keys()) if (!['name', 'newName', 'newTag', 'digest'].includes(k)) throw notModelled(`images.${k}`);
    for (const r of resources) setImages(r.obj, img, origins);
  }
}

function patchSource(level: Level, p: YamlValue, reader: KustomizeReader, read: Set<string>): YamlDocument[] {
  const inline = p.get('patch');
  if (inline) {
    const text = inline.string();
    if (text === undefined) throw new BuildError('an inline patch that is not a string');
    return inlineDocuments(inline, text);
  }
  const path = posix.normalize(posix.join(level.dir, p.get('path')?.string() ?? ''));
  inRoot(level, path);
  const docs = reader.documents(path);
  if (!docs) throw new BuildError(`failed to get the patch file from path(${path})`);
  read.add(path);
  if (docs.some((d) => d.problems.length > 0)) throw notModelled(`${path} does not parse`);
  return docs;
}

/**
 * An inline patch (`patch: |`) is YAML inside the kustomization, read as a source of its own whose positions land
 * in the kustomization (line by line for a literal block, at the key otherwise).
 */
function inlineDocuments(at: YamlValue, text: string): YamlDocument[] {
  // kustomize trims the patch text (a block's last line break too).
  const trimmed = text.trim();
  const path = `${at.file}#${at.path.join('.')}`;
  const block = text.startsWith(trimmed) ? embeddedSource(at, path) : undefined;
  const source = block ? new EmbeddedSource(path, trimmed, block.host, block.block) : new SourceFile(path, trimmed);
  const docs = parseYamlDocuments(source).map((d) => parseYaml(source, d));
  if (docs.some((d) => d.problems.length > 0)) throw notModelled(`the inline patch at ${at.path.join('.')} does not parse`);
  return docs;
}

function patchDocuments(level: Level, p: YamlValue, reader: KustomizeReader, origins: Origins, read: Set<string>): JsonMap[] {
  const ref = p.string();
  if (ref === undefined) throw new BuildError('a patchesStrategicMerge entry that is not a string');
  // An entry with a line break is the patch itself, written inline.
  if (ref.includes('\n'))
    return inlineDocuments(p, ref)
      .map((d) => YamlValue.root(d))
      .filter((v) => !v.isNull())
      .map((v) => patchObject(v, origins));
  const path = resolved(level.dir, ref);
  inRoot(level, path);
  const docs = reader.documents(path);
  if (!docs) throw new BuildError(`failed to get the patch file from path(${path})`);
  read.add(path);
  return docs
    .map((d) => YamlValue.root(d))
    .filter((v) => !v.isNull())
    .map((v) => patchObject(v, origins));
}

function patchObject(v: YamlValue, origins: Origins): JsonMap {
  const obj = fromYaml(v, origins);
  if (!isJsonMap(obj)) throw new BuildError('a strategic merge patch that is not a map');
  return obj;
}

function applySmp(resources: Res[], patch: JsonMap, target: YamlValue | undefined, origins: Origins): void {
  const meta = isJsonMap(patch.metadata) ? patch.metadata : {};
  const targets = target
    ? selectTargets(resources, target)
    : resources.filter(
        (r) =>
          r.obj.kind === patch.kind &&
          r.obj.apiVersion === patch.apiVersion &&
          r.ids.some((id) => id.name === meta.name && (id.namespace ?? 'default') === ((meta.namespace as string | undefined) ?? 'default')),
      );
  if (!target && targets.length !== 1)
    throw new BuildError(`no resource matches strategic merge patch "${patch.kind}.${patch.apiVersion}/${String(meta.name)}"`);
  // `$patch: delete` at the top deletes the objects it patches.
  const directive = patch.$patch;
  if (directive === 'delete') {
    for (const r of targets) resources.splice(resources.indexOf(r), 1);
    return;
  }
  if (directive !== undefined) throw notModelled(`a patch with $patch: ${String(directive)} at its top`);
  for (const r of targets) {
    const own = cloneWithOrigins(patch, origins);
    if (target) {
      // A targeted patch keeps the target's name and kind.
      delete own.metadata;
      const m = { ...meta };
      delete m.name;
      delete m.namespace;
      if (Object.keys(m).length) own.metadata = m;
      origins.set(own, 'metadata', origins.of(patch, 'metadata'));
    }
    strategicMerge(String(r.obj.kind), r.obj, own, origins);
    if ((r.obj.metadata as JsonMap).name !== current(r).name) throw notModelled('a patch that renames its target');
  }
}

function selectTargets(resources: Res[], target: YamlValue): Res[] {
  for (const k of target.keys())
    if (!['group', 'version', 'kind', 'name', 'namespace', 'labelSelector', 'annotationSelector'].includes(k)) throw notModelled(`target.${k}`);
  if (target.has('labelSelector') || target.has('annotationSelector')) throw notModelled('a patch target selected by labels or annotations');
  const want = (k: string) => target.get(k)?.text();
  const matches = (pattern: string | undefined, value: string) => pattern === undefined || new RegExp(`^(?:${pattern})$`).test(value);
  return resources.filter((r) => {
    const [group, version] = String(r.obj.apiVersion).includes('/') ? String(r.obj.apiVersion).split('/') : ['', String(r.obj.apiVersion)];
    return (
      matches(want('group'), group) &&
      matches(want('version'), version) &&
      matches(want('kind'), String(r.obj.kind)) &&
      r.ids.some((id) => matches(want('name'), id.name)) &&
      matches(want('namespace'), current(r).namespace ?? '')
    );
  });
}

function applyJson(targets: Res[], doc: YamlDocument, origins: Origins): void {
  const opsValue = YamlValue.root(doc);
  const ops = opsValue.items();
  const parsed: JsonOp[] = ops.map((o) => {
    const js = o.js;
    if (!isJsonMap(js as Json) || typeof (js as JsonMap).op !== 'string' || typeof (js as JsonMap).path !== 'string')
      throw new BuildError('a JSON patch operation without op or path');
    return js as unknown as JsonOp;
  });
  for (const r of targets) jsonPatch(r.obj, parsed, origins, (i) => ops[i].get('value') ?? ops[i]);
}

/** Writes a map's entries into every field a spec names in the resources (labels, annotations). */
function setMaps(resources: Res[], specs: FieldSpec[], entries: YamlValue | undefined, origins: Origins): void {
  const pairs = entries?.entries() ?? [];
  if (pairs.length === 0) return;
  for (const r of resources) {
    for (const s of specs) {
      if (s.kinds && !s.kinds.includes(String(r.obj.kind))) continue;
      for (const m of fieldMaps(r.obj, s.path, s.create)) {
        for (const [k, v] of pairs) {
          m[k] = v.text() ?? '';
          origins.set(m, k, v);
        }
      }
    }
  }
}

/** The maps at a path (lists on the way fanned out), created where missing when `create`. */
function fieldMaps(obj: JsonMap, path: string[], create: boolean): JsonMap[] {
  let level: Json[] = [obj];
  path.forEach((step) => {
    const next: Json[] = [];
    for (const v of level) {
      const maps = Array.isArray(v) ? v : [v];
      for (const m of maps) {
        if (!isJsonMap(m)) continue;
        const list = step.endsWith('[]');
        const field = list ? step.slice(0, -2) : step;
        if (m[field] === undefined || m[field] === null) {
          if (!create || list) continue;
          m[field] = {};
        }
        next.push(m[field]);
      }
    }
    level = next;
  });
  return level.flatMap((v) => (Array.isArray(v) ? v.filter(isJsonMap) : isJsonMap(v) ? [v] : []));
}

function setImages(obj: Json, img: YamlValue, origins: Origins): void {
  if (Array.isArray(obj)) {
    for (const x of obj) setImages(x, img, origins);
    return;
  }
  if (!isJsonMap(obj)) return;
  for (const [k, v] of Object.entries(obj)) {
    if ((k === 'containers' || k === 'initContainers') && Array.isArray(v)) {
      for (const c of v) {
        if (!isJsonMap(c) || typeof c.image !== 'string') continue;
        const next = newImage(c.image, img);
        if (next !== undefined) {
          c.image = next;
          origins.set(c, 'image', img);
        }
      }
    }
    setImages(v, img, origins);
  }
}

/** An image reference as the `images` entry rewrites it, or undefined when the entry does not name it. */
function newImage(image: string, img: YamlValue): string | undefined {
  const at = image.indexOf('@');
  let name = at >= 0 ? image.slice(0, at) : image;
  let rest = at >= 0 ? image.slice(at) : '';
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    rest = name.slice(colon) + rest;
    name = name.slice(0, colon);
  }
  if (name !== img.get('name')?.text()) return undefined;
  const newName = img.get('newName')?.text() ?? name;
  const tag = img.get('newTag')?.text();
  const digest = img.get('digest')?.text();
  if (digest !== undefined) rest = tag !== undefined ? `:${tag}@${digest}` : `@${digest}`;
  else if (tag !== undefined) rest = `:${tag}`;
  return newName + rest;
}

/**
 * kustomize's back-reference fix (filters/nameref): a field naming an object by a name it had before (a prefix, a
 * suffix, a hash suffix, a namespace) names it as it is now. Among several such objects: the one in the referrer's
 * namespace (any ServiceAccount), then the one whose prefixes and suffixes end like the referrer's; kustomize refuses
 * what stays ambiguous.
 */
function fixReferences(resources: Res[]): void {
  for (const [kind, specs] of Object.entries(NAME_REFERENCES)) {
    const ofKind = resources.filter((r) => r.obj.kind === kind);
    if (ofKind.length === 0) continue;
    for (const referrer of resources) {
      for (const s of specs) {
        if (s.kinds && !s.kinds.includes(String(referrer.obj.kind))) continue;
        for (const { parent, key } of fieldValues(referrer.obj, s.path)) {
          const value = parent[key];
          if (typeof value !== 'string') continue;
          // A roleRef names a Role or a ClusterRole as its `kind` says.
          const roleRef = s.path[0] === 'roleRef' ? (referrer.obj.roleRef as JsonMap | undefined)?.kind : kind;
          const found = roleRef === kind ? referral(referrer, value, ofKind) : undefined;
          if (found) parent[key] = current(found).name;
        }
      }
    }
  }
  // A binding's subjects name ServiceAccounts by name and namespace (nameref's setMapping).
  const accounts = resources.filter((r) => r.obj.kind === 'ServiceAccount');
  for (const binding of resources.filter((r) => r.obj.kind === 'RoleBinding' || r.obj.kind === 'ClusterRoleBinding')) {
    const subjects = binding.obj.subjects;
    for (const subject of Array.isArray(subjects) ? subjects.filter(isJsonMap) : []) {
      if (typeof subject.name !== 'string') continue;
      const ns = typeof subject.namespace === 'string' ? subject.namespace : undefined;
      const byOriginal = accounts.filter((a) => (a.ids[0].namespace ?? 'default') === ns);
      const candidates = ns === undefined ? accounts : byOriginal.length > 0 ? byOriginal : accounts.filter((a) => (current(a).namespace ?? 'default') === ns);
      const found = referral(binding, subject.name, candidates, (c) => `${current(c).name}/${current(c).namespace ?? ''}`);
      if (!found || (current(found).name === subject.name && current(found).namespace === undefined)) continue;
      subject.name = current(found).name;
      if (current(found).namespace !== undefined) subject.namespace = current(found).namespace!;
    }
  }
}

function referral(referrer: Res, name: string, ofKind: Res[], identity = (c: Res) => current(c).name): Res | undefined {
  const ns = (r: Res) => current(r).namespace ?? 'default';
  const scoped = (r: Res) => CLUSTER_SCOPED.has(String(r.obj.kind));
  let candidates = ofKind.filter(
    (c) => c.ids.slice(0, -1).some((id) => id.name === name) && (scoped(referrer) || scoped(c) || c.obj.kind === 'ServiceAccount' || ns(c) === ns(referrer)),
  );
  if (candidates.length === 1) return candidates[0];
  candidates = candidates.filter((c) => renamedAlike(c, referrer, true));
  if (candidates.length > 1) candidates = candidates.filter((c) => renamedAlike(c, referrer, false));
  if (candidates.length <= 1 || candidates.every((c) => identity(c) === identity(candidates[0]))) return candidates[0];
  throw new BuildError(`found multiple possible referrals for ${String(referrer.obj.kind)} ${current(referrer).name}'s reference to ${name}`);
}

/** kustomize's PrefixesSuffixesEquals: the two lists of prefixes (and of suffixes) end alike, or (allowEmpty) one is empty. */
function renamedAlike(a: Res, b: Res, allowEmpty: boolean): boolean {
  const alike = (x: string[], y: string[]) => {
    if (allowEmpty && (x.length === 0 || y.length === 0)) return true;
    const [short, long] = x.length <= y.length ? [x, y] : [y, x];
    if (short.length === 0) return long.length === 0;
    return short.every((p, i) => long[i + long.length - short.length] === p);
  };
  return alike(a.prefixes, b.prefixes) && alike(a.suffixes, b.suffixes);
}

/** The scalar fields at a path (lists fanned out): their map and key. */
function fieldValues(obj: JsonMap, path: string[]): { parent: JsonMap; key: string }[] {
  const parents = fieldMaps(obj, path.slice(0, -1), false);
  const last = path[path.length - 1];
  return parents.filter((p) => last in p).map((parent) => ({ parent, key: last }));
}

/**
 * The kustomizations that are deployment units: those no other kustomization among them names as a resource, base
 * or component (a base is built by its overlays, not alone).
 */
export function kustomizeRoots(kustomizations: YamlDocument[]): YamlDocument[] {
  const named = new Set<string>();
  for (const k of kustomizations) {
    const dir = posix.dirname(k.source.path);
    const root = YamlValue.root(k);
    for (const field of ['resources', 'bases', 'components'])
      for (const e of root.get(field)?.items() ?? []) {
        const ref = e.string();
        if (ref) named.add(resolved(dir, ref));
      }
  }
  // A component no kustomization names is deployed by none: it is no unit.
  return kustomizations.filter((k) => !named.has(posix.dirname(k.source.path)) && YamlValue.root(k).get('kind')?.string() !== 'Component');
}
