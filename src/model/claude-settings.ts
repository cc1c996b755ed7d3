import type { ErrorObject } from 'ajv';
import { describeSchemaError } from '../load/schema-errors.js';
import { parseJson, findNode, jsonPointer, propertyNode, type JsonDocument, type JsonNode } from '../load/json.js';
import type { SourceFile } from '../load/source.js';
import type { Range } from '../types.js';
import type { Scope } from './scopes.js';
import { schemaValidator } from '../load/schemas.js';

export interface SchemaProblem {
  /** `<at> <error>`, e.g. `/model must be string`. */
  message: string;
  /** Where the value is, written as code would reach it (`permissions.allow`), or `(top level)`. */
  at: string;
  /** What the schema says is wrong with it. */
  error: string;
  /** JSON pointer of the offending value. */
  pointer: string;
  node: JsonNode | undefined;
}

/** One env entry as written in a settings file. */
export interface EnvEntry {
  name: string;
  /** The value Claude Code applies: strings as they are, numbers and booleans stringified; undefined when ignored (null, objects). */
  value: string | undefined;
  raw: unknown;
  keyNode: JsonNode;
  valueNode: JsonNode;
}

export interface SettingsFile {
  scope: Exclude<Scope, 'shell'>;
  /** File path, or a label for inline `--settings '{…}'` JSON. */
  path: string;
  inline: boolean;
  doc: JsonDocument;
  schemaProblems: SchemaProblem[];
  /** Claude Code ignores the whole file when it fails to parse or to validate. */
  dropped: boolean;
  env: EnvEntry[];
}

function validateSettings(value: unknown): ErrorObject[] {
  const validator = schemaValidator('claude-settings.schema.json');
  return validator(value) ? [] : (validator.errors ?? []);
}

export function loadSettingsFile(source: SourceFile, scope: SettingsFile['scope'], inline = false): SettingsFile {
  const doc = parseJson(source);
  const schemaProblems: SchemaProblem[] = [];
  if (doc.problems.length === 0) {
    for (const err of validateSettings(doc.value)) {
      const e = describeSchemaError(err, doc.value);
      const pointer = jsonPointer(e.path);
      schemaProblems.push({ message: `${e.at} ${e.error}`, at: e.at, error: e.error, pointer, node: findNode(doc.root, e.path) ?? doc.root });
    }
  }
  const dropped = doc.problems.length > 0 || schemaProblems.length > 0;
  return { scope, path: source.path, inline, doc, schemaProblems, dropped, env: readEnv(doc) };
}

function readEnv(doc: JsonDocument): EnvEntry[] {
  const envNode = findNode(doc.root, ['env']);
  if (envNode?.type !== 'object') return [];
  const entries: EnvEntry[] = [];
  for (const prop of envNode.children ?? []) {
    const [keyNode, valueNode] = prop.children ?? [];
    if (!keyNode || !valueNode) continue;
    const raw = valueNode.type === 'object' || valueNode.type === 'array' ? undefined : valueNode.value;
    entries.push({ name: String(keyNode.value), value: stringifyEnvValue(raw), raw, keyNode, valueNode });
  }
  return entries;
}

/** Claude Code honours JSON numbers and booleans in env by stringifying them; null and objects are skipped. */
export function stringifyEnvValue(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return undefined;
}

/** A top-level string setting such as otelHeadersHelper, with its node. */
export function topLevelString(file: SettingsFile, key: string): { value: string; node: JsonNode } | undefined {
  const node = findNode(file.doc.root, [key]);
  return node && typeof node.value === 'string' ? { value: node.value, node } : undefined;
}

/** A top-level key's property node (`"telemetry": {…}`), when the file has one. */
export function topLevelProperty(file: SettingsFile, key: string): JsonNode | undefined {
  const prop = propertyNode(file.doc.root, [key]);
  return prop && prop.parent === file.doc.root ? prop : undefined;
}

export function nodeRange(source: SourceFile, node: JsonNode | undefined): Range | undefined {
  return node ? source.range(node.offset, node.length) : undefined;
}

/** What a settings file that Claude Code does not read holds, for the finding that says so. */
export interface HeldSettings {
  /** Names in its `env` object (empty when it has none). */
  envNames: string[];
  topKeys: string[];
  /** The key a finding points at: `env` when there is one, else the first key. */
  keyNode: JsonNode;
  keyPath: string[];
}

/** The settings an unread file holds; undefined when it is not a JSON object with keys. */
export function heldSettings(source: SourceFile): HeldSettings | undefined {
  const root = parseJson(source).root;
  if (root?.type !== 'object' || !root.children?.length) return undefined;
  const envNode = findNode(root, ['env']);
  const envNames = envNode?.type === 'object' ? (envNode.children ?? []).map((p) => String(p.children?.[0]?.value)) : [];
  const topKeys = root.children.map((p) => String(p.children?.[0]?.value));
  const envKey = envNode?.parent?.children?.[0];
  const firstKey = root.children[0].children?.[0] ?? root.children[0];
  return { envNames, topKeys, keyNode: envKey ?? firstKey, keyPath: envKey ? ['env'] : [topKeys[0]] };
}
