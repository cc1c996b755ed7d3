// Kustomize builds as stack inputs: each root kustomization of the scan is a deployment unit whose built objects
// stand in for the files it reads. A built object is read as YAML text of its own (`<kustomization>#<kind>/<name>`)
// whose every offset maps to the file that wrote that part of it (the base resource, the patch, the overlay's
// kustomization), so findings about it land in a file that exists.
import { stringify } from 'yaml';
import type { Node } from 'yaml';
import { EmbeddedSource, type HostOffset, type SourceFile } from '../../load/source.js';
import { YamlValue } from '../../load/yaml-value.js';
import { nodeAtOffset, type OffsetNode, parseYaml, type YamlDocument, type YamlPath } from '../../load/yaml.js';
import { embeddedSource } from '../kubernetes-embedded.js';
import { type KustomizeBuild, type KustomizeReader, kustomizeBuild, kustomizeRoots } from './build.js';
import type { Json, JsonMap, Origins } from './json.js';

export interface KustomizeUnit {
  /** The root kustomization's path: the unit's name. */
  kustomization: string;
  build: KustomizeBuild;
  /** The built objects, one document each (none when the build is refused or not modelled). */
  documents: YamlDocument[];
}

export function kustomizeUnits(kustomizations: YamlDocument[], reader: KustomizeReader): KustomizeUnit[] {
  return kustomizeRoots(kustomizations).map((k) => {
    const path = k.source.path;
    const build = kustomizeBuild(path.slice(0, path.lastIndexOf('/')), reader);
    const documents = 'objects' in build ? build.objects.map((o) => builtDocument(path, k.source, o.value, build.origins)) : [];
    return { kustomization: path, build, documents };
  });
}

function builtDocument(kustomization: string, host: SourceFile, obj: JsonMap, origins: Origins): YamlDocument {
  const meta = obj.metadata as JsonMap;
  const text = stringify(withoutSecretValues(obj), { aliasDuplicateObjects: false, lineWidth: 0 });
  const name = `${kustomization}#${String(obj.kind)}/${meta.namespace ? `${String(meta.namespace)}/` : ''}${String(meta.name)}`;
  let derived: YamlDocument | undefined;
  const fallback = origins.ofContainer(obj);
  const locate = (offset: number): HostOffset => {
    const at = derived ? nodeAtOffset(derived.doc.contents as Node | null, offset, []) : undefined;
    return (at && originOffset(obj, origins, at, derived!)) ?? (fallback ? valueOffset(fallback, 'key', 0) : { source: host, offset: 0 });
  };
  const source = new EmbeddedSource(name, text, host, { locate });
  derived = parseYaml(source);
  return derived;
}

/** A Secret's values never enter the model (kubernetes.ts reads its keys only): its built text holds its keys, valued "". */
function withoutSecretValues(obj: JsonMap): JsonMap {
  if (obj.kind !== 'Secret') return obj;
  const out: JsonMap = { ...obj };
  for (const k of ['data', 'stringData']) {
    const m = obj[k];
    if (m && typeof m === 'object' && !Array.isArray(m)) out[k] = Object.fromEntries(Object.keys(m).map((key) => [key, '']));
  }
  return out;
}

/** Where a node of the built object came from: the same place in the value that wrote it, or its nearest written ancestor. */
function originOffset(obj: JsonMap, origins: Origins, at: OffsetNode, derived: YamlDocument): HostOffset | undefined {
  // Walk to the node, remembering the deepest origin on the way.
  let container: Json = obj;
  let found: { origin: YamlValue; exact: boolean } | undefined;
  for (const [i, step] of at.path.entries()) {
    if (typeof container !== 'object' || container === null) break;
    const origin = origins.of(container, step);
    if (origin) found = { origin, exact: i === at.path.length - 1 };
    container = (container as Record<string | number, Json>)[step];
  }
  if (!found) return undefined;
  if (!found.exact) return valueOffset(found.origin, 'key', 0);
  if (at.part === 'value' && typeof container === 'string' && found.origin.string() === container) {
    const line = blockLine(found.origin, derived, at);
    if (line) return line;
  }
  // A whole file read by a generator: offsets into the value are offsets into that file.
  if (at.part === 'value' && typeof container === 'string' && found.origin.path.length === 0 && found.origin.doc.source.text === container) {
    const inner = innerOffset(derived, at);
    if (inner !== undefined) return real(found.origin.doc.source, inner);
  }
  return valueOffset(found.origin, at.part, at.delta);
}

/** A string written as a literal block in both texts: line i, column c of one is line i, column c of the other. */
function blockLine(origin: YamlValue, derived: YamlDocument, at: OffsetNode): HostOffset | undefined {
  const mine = derivedValue(derived, at.path);
  const a = mine && embeddedSource(mine, 'built');
  const b = embeddedSource(origin, 'origin');
  if (!a || !b || !('firstLine' in a.block) || !('firstLine' in b.block)) return undefined;
  const node = mine!.node as Node;
  const offset = node.range![0] + at.delta;
  const pos = derived.source.position(offset);
  const line = pos.line - a.block.firstLine;
  if (line < 0) return undefined;
  const column = Math.max(0, pos.column - 1 - a.block.indent);
  return real(b.host, b.host.offset({ line: b.block.firstLine + line, column: b.block.indent + column + 1 }));
}

/** The offset into a string value's content (a literal block's header and indentation left out), when it maps. */
function innerOffset(derived: YamlDocument, at: OffsetNode): number | undefined {
  const mine = derivedValue(derived, at.path);
  const src = mine && embeddedSource(mine, 'built');
  if (!src || !('firstLine' in src.block)) return undefined;
  const pos = derived.source.position((mine!.node as Node).range![0] + at.delta);
  const line = pos.line - src.block.firstLine;
  if (line < 0) return undefined;
  return src.offset({ line: line + 1, column: Math.max(1, pos.column - src.block.indent) });
}

function derivedValue(derived: YamlDocument, path: YamlPath): YamlValue | undefined {
  let v: YamlValue | undefined = YamlValue.root(derived);
  for (const step of path) v = typeof step === 'number' ? v?.items()[step] : v?.get(step);
  return v;
}

/** A value's key or value start, `delta` into it (kept inside it), in the file it is written in. */
function valueOffset(v: YamlValue, part: 'key' | 'value', delta: number): HostOffset {
  const key = v.pair?.key as Node | undefined;
  const node = part === 'key' && key?.range ? key : ((v.alias ?? v.node ?? key) as Node | null);
  const range = node?.range;
  const offset = range ? range[0] + Math.min(delta, range[1] - range[0]) : 0;
  return real(v.doc.source, offset);
}

/** An offset in a source as an offset in the file it is written in (an inline patch is text inside a kustomization). */
function real(source: SourceFile, offset: number): HostOffset {
  if (source instanceof EmbeddedSource) return { source: source.host, offset: source.host.offset(source.position(offset)) };
  return { source, offset };
}
