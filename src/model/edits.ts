import * as jsonc from 'jsonc-parser';
import type { EnvOrigin } from './claude-env.js';
import type { SettingsFile } from './claude-settings.js';
import { isMap, isPair, isScalar, isSeq, nodeAt, pairAt, type YamlDocument, type YamlPath } from '../load/yaml.js';
import type { Node, Scalar, YAMLMap } from 'yaml';
import type { Workspace } from './workspace.js';
import type { EnvAddition, Fix, FixSafety, TextEdit } from '../types.js';

/** Edits live in rules as plain data; this module only builds them. Applying them is fixers/apply.ts's job. */

/** jsonc-parser formatting that matches a file: its indentation and its line ending (CRLF stays CRLF). */
export function jsonFormatting(text: string): jsonc.FormattingOptions {
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
  return {
    insertSpaces: !indent.startsWith('\t'),
    tabSize: indent.startsWith('\t') ? 1 : indent.length,
    eol: text.includes('\r\n') ? '\r\n' : '\n',
  };
}

/** Set (or remove, with undefined) a JSON value at a path, keeping the rest of the file byte-identical. */
export function setJson(file: SettingsFile, path: (string | number)[], value: unknown): TextEdit[] {
  if (file.inline) return [];
  const edits = jsonc.modify(file.doc.source.text, path, value, { formattingOptions: jsonFormatting(file.doc.source.text) });
  return edits.map((e) => ({ file: file.path, offset: e.offset, length: e.length, text: e.content }));
}

/**
 * Set (or remove, with undefined) a value at a path in any JSON file (a dashboard, say), keeping the rest
 * byte-identical; `insert` adds into an array at that index instead of replacing the item there.
 */
export function setJsonIn(source: { path: string; text: string }, path: (string | number)[], value: unknown, insert = false): TextEdit[] {
  const edits = jsonc.modify(source.text, path, value, { formattingOptions: jsonFormatting(source.text), isArrayInsertion: insert });
  return edits.map((e) => ({ file: source.path, offset: e.offset, length: e.length, text: e.content }));
}

/** Replace the value of an env entry where it is defined (settings file or env file). */
export function replaceEnvValue(origin: EnvOrigin, name: string, value: string): TextEdit[] {
  if (origin.scope === 'managed') return []; // never written by --fix: the finding's hint says what to do
  if (origin.settings) return setJson(origin.settings, ['env', name], value);
  if (origin.source && origin.valueRange) {
    const src = origin.source;
    const start = src.lineStarts[origin.valueRange.start.line - 1] + origin.valueRange.start.column - 1;
    const end = src.lineStarts[origin.valueRange.end.line - 1] + origin.valueRange.end.column - 1;
    return [{ file: src.path, offset: start, length: end - start, text: shellValue(value, src.text, start, end) }];
  }
  return [];
}

/** A value for an env file: quoted when it was unquoted and the new text has spaces or shell specials. */
function shellValue(value: string, text: string, start: number, end: number): string {
  const quote = text[start - 1];
  const quoted = (quote === '"' || quote === "'") && text[end] === quote;
  if (quoted || !/[\s"'`$\\#;&|<>()*?]/.test(value)) return value;
  return value.includes("'") ? `"${value.replace(/["$`\\]/g, '\\$&')}"` : `'${value}'`;
}

/** Rename an env key where it is defined, keeping its value. */
export function renameEnvKey(origin: EnvOrigin, newName: string): TextEdit[] {
  if (origin.scope === 'managed') return [];
  if (origin.keyNode && origin.settings && !origin.settings.inline) {
    return [{ file: origin.settings.path, offset: origin.keyNode.offset, length: origin.keyNode.length, text: JSON.stringify(newName) }];
  }
  if (origin.source && origin.keyRange) {
    const src = origin.source;
    const start = src.lineStarts[origin.keyRange.start.line - 1] + origin.keyRange.start.column - 1;
    const end = src.lineStarts[origin.keyRange.end.line - 1] + origin.keyRange.end.column - 1;
    return [{ file: src.path, offset: start, length: end - start, text: newName }];
  }
  return [];
}

/** A fix, or undefined when it has nothing to change. Additions bring their own edits (where the rule placed them). */
export function fix(safety: FixSafety, description: string, edits: TextEdit[], additions: (EnvAddition | undefined)[] = []): Fix | undefined {
  const addEnv = additions.filter((a): a is EnvAddition => a !== undefined);
  const all = [...edits, ...addEnv.flatMap((a) => a.edits)];
  if (all.length === 0 && addEnv.length === 0) return undefined;
  return addEnv.length > 0 ? { safety, description, edits: all, addEnv } : { safety, description, edits: all };
}

/**
 * A variable that is set nowhere, to be added. The rule places it next to a related variable; in machine mode
 * the applier moves it into the `--scope` file (user settings by default), so there it can always be added.
 */
export function addition(ws: Pick<Workspace, 'mode'>, near: EnvOrigin, name: string, value: string): EnvAddition | undefined {
  const edits = addEnvNear(near, name, value);
  return edits.length > 0 || ws.mode === 'machine' ? { name, value, edits } : undefined;
}

/**
 * Add a variable next to another one: in the same settings file's env, or at the end of the same env file.
 * Managed files and the process environment are never edited (the finding's hint says what to do).
 */
export function addEnvNear(origin: EnvOrigin, name: string, value: string): TextEdit[] {
  if (origin.scope === 'managed') return [];
  if (origin.settings) return setJson(origin.settings, ['env', name], value);
  if (origin.source) {
    const text = origin.source.text;
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const exported = /^\s*export\s/m.test(text) ? 'export ' : '';
    const line = `${exported}${name}=${value}`;
    // A file without a final line break keeps having none.
    const added = text.length === 0 || text.endsWith('\n') ? `${line}${eol}` : `${eol}${line}`;
    return [{ file: origin.source.path, offset: text.length, length: 0, text: added }];
  }
  return [];
}

/**
 * Remove an env entry where it is defined: the key from a settings file's env, or the whole line from an env file.
 * Managed files, inline --settings and the process environment are never edited.
 */
export function removeEnvEntry(origin: EnvOrigin, name: string): TextEdit[] {
  if (origin.scope === 'managed') return [];
  if (origin.settings) return setJson(origin.settings, ['env', name], undefined);
  if (origin.source && origin.keyRange) {
    const src = origin.source;
    const line = origin.keyRange.start.line;
    let start = src.lineStarts[line - 1];
    const end = src.lineStarts[line] ?? src.text.length;
    // The last line without a line break: take the break before it, so the file still ends without one.
    if (src.lineStarts[line] === undefined && start > 0) start -= src.text.slice(0, start).endsWith('\r\n') ? 2 : 1;
    return [{ file: src.path, offset: start, length: end - start, text: '' }];
  }
  return [];
}

/** Replace a YAML scalar (key or value) in place, keeping everything around it byte-identical. */
export function yamlReplaceScalar(y: YamlDocument, path: YamlPath, part: 'key' | 'value', text: string): TextEdit[] {
  const node = part === 'key' ? pairAt(y, path)?.key : nodeAt(y, path);
  if (!isScalar(node) || !node.range) return [];
  return [{ file: y.source.path, offset: node.range[0], length: node.range[1] - node.range[0], text }];
}

/** Every scalar in a sequence or flow list that equals `from`, replaced by `to` (e.g. a pipeline's exporter list). */
export function yamlReplaceInList(y: YamlDocument, path: YamlPath, from: string, to: string): TextEdit[] {
  const list = nodeAt(y, path);
  if (!isSeq(list)) return [];
  return list.items.flatMap((item) =>
    isScalar(item) && item.value === from && item.range
      ? [{ file: y.source.path, offset: item.range[0], length: item.range[1] - item.range[0], text: to }]
      : [],
  );
}

/** Line ending of a file (CRLF stays CRLF). */
function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Offset just past the line break of the line holding `offset` (or the end of the text). */
function afterLineEnd(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/**
 * Reorder a list of scalars (block or flow) in place: position i gets the item that was at `order[i]`.
 * Only the items' own text moves; dashes, commas, comments and quoting stay byte-identical.
 */
export function yamlReorderList(y: YamlDocument, path: YamlPath, order: number[]): TextEdit[] {
  const list = nodeAt(y, path);
  if (!isSeq(list) || order.length !== list.items.length) return [];
  const text = y.source.text;
  // In a block list an item's trailing `# comment` belongs to it, so it moves with the item.
  const withComment = (r: [number, number, number]): [number, number] => {
    if (list.flow) return [r[0], r[1]];
    const eol = text.indexOf('\n', r[1]);
    const end = eol < 0 ? text.length : text[eol - 1] === '\r' ? eol - 1 : eol;
    return /^[ \t]*(#.*)?$/.test(text.slice(r[1], end)) ? [r[0], end] : [r[0], r[1]];
  };
  const ranges = list.items.map((item) => (isScalar(item) && item.range ? withComment(item.range) : undefined));
  if (ranges.some((r) => r === undefined)) return [];
  return ranges.flatMap((r, i) => {
    const from = ranges[order[i]]!;
    return order[i] === i ? [] : [{ file: y.source.path, offset: r![0], length: r![1] - r![0], text: text.slice(from[0], from[1]) }];
  });
}

/**
 * Add an entry to the mapping at `path` (block or flow), after its last entry and indented like its
 * siblings. `value` is a scalar's YAML text (`true`, `[a, b]`), or the lines of a nested block mapping
 * (`['insecure: true']`), indented one step deeper than the new key (the file's own step). A block
 * mapping that is empty or not a mapping gets no edit.
 */
export function yamlInsertMapEntry(y: YamlDocument, path: YamlPath, key: string, value: string | string[]): TextEdit[] {
  const map = path.length === 0 ? y.doc.contents : nodeAt(y, path);
  if (!isMap(map) || !map.range) return [];
  const text = y.source.text;
  const eol = eolOf(text);
  if (map.flow) {
    const close = text.lastIndexOf('}', map.range[1]);
    if (close < map.range[0]) return [];
    const inline = Array.isArray(value) ? `{ ${value.join(', ')} }` : value;
    return [{ file: y.source.path, offset: close, length: 0, text: `${map.items.length ? ', ' : ''}${key}: ${inline}` }];
  }
  const pairs = map.items.filter((p) => isPair(p) && isScalar(p.key) && p.key.range);
  if (pairs.length === 0) return [];
  const keyStart = (pairs[0].key as Scalar).range![0];
  const lead0 = text.slice(lineStartOf(text, keyStart), keyStart);
  // A mapping that is a list item (`- target: 9090`): its keys line up after the dash.
  if (!/^[ ]*(-[ ]+)?$/.test(lead0)) return [];
  const indent = ' '.repeat(lead0.length);
  const last = pairs[pairs.length - 1];
  const lastEnd = (last.value as Node | null)?.range?.[1] ?? (last.key as Scalar).range![1];
  const at = afterLineEnd(text, lastEnd);
  const lead = at === text.length && text.length > 0 && !text.endsWith('\n') ? eol : '';
  const step = ' '.repeat(indentStep(y, map) ?? 2);
  const body = Array.isArray(value) ? `${indent}${key}:${eol}${value.map((l) => `${indent}${step}${l}${eol}`).join('')}` : `${indent}${key}: ${value}${eol}`;
  // A file without a final line break keeps having none.
  return [{ file: y.source.path, offset: at, length: 0, text: lead ? lead + body.slice(0, -eol.length) : body }];
}

/** The file's indentation step: from the first block mapping nested in another (undefined when none). */
function indentStep(y: YamlDocument, map: YAMLMap): number | undefined {
  const text = y.source.text;
  const col = (n: unknown) => {
    const r = (n as Node | null | undefined)?.range;
    return r ? r[0] - lineStartOf(text, r[0]) : undefined;
  };
  const search = (m: YAMLMap): number | undefined => {
    for (const p of m.items) {
      if (!isPair(p) || !isMap(p.value) || p.value.flow || p.value.items.length === 0) continue;
      const outer = col(p.key);
      const inner = col(p.value.items[0].key);
      if (outer !== undefined && inner !== undefined && inner > outer) return inner - outer;
      const deeper = search(p.value);
      if (deeper !== undefined) return deeper;
    }
    return undefined;
  };
  return search(map) ?? (isMap(y.doc.contents) ? search(y.doc.contents) : undefined);
}

/**
 * Remove a block mapping entry: its lines from the key's line to the end of the line where its value
 * ends (comments after it stay). Flow mappings, and an entry that is its mapping's only one, get no edit.
 */
export function yamlDeleteMapEntry(y: YamlDocument, path: YamlPath): TextEdit[] {
  const parent = path.length === 1 ? y.doc.contents : nodeAt(y, path.slice(0, -1));
  const pair = pairAt(y, path);
  if (!isMap(parent) || parent.flow || parent.items.length < 2 || !pair || !isScalar(pair.key) || !pair.key.range) return [];
  const text = y.source.text;
  const start = lineStartOf(text, pair.key.range[0]);
  if (text.slice(start, pair.key.range[0]).trim() !== '') return [];
  const end = afterLineEnd(text, (pair.value as Node | null)?.range?.[1] ?? pair.key.range[1]);
  return [{ file: y.source.path, offset: start, length: end - start, text: '' }];
}

/** Append a scalar to a list (`[a]` → `[a, b]`; a block list gets a `- b` line like its last item). */
export function yamlAppendToList(y: YamlDocument, path: YamlPath, item: string): TextEdit[] {
  const list = nodeAt(y, path);
  if (!isSeq(list) || !list.range) return [];
  const text = y.source.text;
  if (list.flow) {
    const close = text.lastIndexOf(']', list.range[1]);
    if (close < list.range[0]) return [];
    return [{ file: y.source.path, offset: close, length: 0, text: list.items.length ? `, ${item}` : item }];
  }
  const last = list.items[list.items.length - 1] as Node | undefined;
  if (!last?.range) return [];
  const dash = text.lastIndexOf('-', last.range[0]);
  const lineStart = lineStartOf(text, dash);
  const prefix = text.slice(lineStart, last.range[0]);
  if (!/^[ ]*-[ ]+$/.test(prefix)) return [];
  const at = afterLineEnd(text, last.range[1]);
  const lead = at === text.length && !text.endsWith('\n') ? eolOf(text) : '';
  return [{ file: y.source.path, offset: at, length: 0, text: lead ? `${lead}${prefix}${item}` : `${prefix}${item}${eolOf(text)}` }];
}

/**
 * Replace the first occurrence of `from` inside a scalar's source text (e.g. the host in `localhost:8889`, the
 * target in `./a.yml:/etc/a.yml:ro`), keeping its quotes and everything else byte-identical. No edit when the
 * text does not occur verbatim (an escaped string, say).
 */
export function yamlReplaceInScalar(y: YamlDocument, path: YamlPath, from: string, to: string): TextEdit[] {
  const node = nodeAt(y, path);
  if (!isScalar(node) || !node.range || from === '') return [];
  const slice = y.source.text.slice(node.range[0], node.range[1]);
  const at = slice.indexOf(from);
  if (at < 0) return [];
  return [{ file: y.source.path, offset: node.range[0] + at, length: from.length, text: to }];
}

/**
 * Give a key without a value (`grpc:` followed by nothing, or only a comment) a nested block mapping: `lines`
 * go under the key, one indentation step deeper (the file's step, else 2). A key with any value gets no edit.
 */
export function yamlFillEmptyKey(y: YamlDocument, path: YamlPath, lines: string[]): TextEdit[] {
  const pair = pairAt(y, path);
  if (!pair || !isScalar(pair.key) || !pair.key.range || lines.length === 0) return [];
  const value = pair.value as Node | null;
  if (value !== null && !(isScalar(value) && value.value === null && value.range && value.range[0] === value.range[1])) return [];
  const text = y.source.text;
  const keyStart = pair.key.range[0];
  const lineStart = lineStartOf(text, keyStart);
  const keyIndent = text.slice(lineStart, keyStart);
  if (!/^[ ]*$/.test(keyIndent)) return [];
  const eol = eolOf(text);
  const parent = path.length === 1 ? y.doc.contents : nodeAt(y, path.slice(0, -1));
  const step = ' '.repeat((isMap(parent) && indentStep(y, parent)) || fileIndentStep(text) || 2);
  const at = afterLineEnd(text, pair.key.range[1]);
  const body = lines.map((l) => `${keyIndent}${step}${l}${eol}`).join('');
  const lead = at === text.length && text.length > 0 && !text.endsWith('\n') ? eol : '';
  return [{ file: y.source.path, offset: at, length: 0, text: lead ? lead + body.slice(0, -eol.length) : body }];
}

/** The smallest indentation of any indented line (a file's indentation step), or undefined. */
function fileIndentStep(text: string): number | undefined {
  let min: number | undefined;
  for (const m of text.matchAll(/^( +)\S/gm)) if (min === undefined || m[1].length < min) min = m[1].length;
  return min;
}

/**
 * Replace a block mapping entry, from its key's line to the end of the line where its value ends, with another
 * entry at the same indentation: `value` is a scalar's YAML text, or the lines of a nested block, written with a
 * two-space step and re-indented to the file's own step (one step deeper than the key). Works when the entry is
 * its mapping's only one; flow mappings get no edit.
 */
export function yamlReplaceMapEntry(y: YamlDocument, path: YamlPath, key: string, value: string | string[]): TextEdit[] {
  const parent = path.length === 1 ? y.doc.contents : nodeAt(y, path.slice(0, -1));
  const pair = pairAt(y, path);
  if (!isMap(parent) || parent.flow || !pair || !isScalar(pair.key) || !pair.key.range) return [];
  const text = y.source.text;
  const start = lineStartOf(text, pair.key.range[0]);
  const indent = text.slice(start, pair.key.range[0]);
  if (!/^[ ]*$/.test(indent)) return [];
  const end = afterLineEnd(text, (pair.value as Node | null)?.range?.[1] ?? pair.key.range[1]);
  const eol = eolOf(text);
  const step = ' '.repeat(indentStep(y, parent) || fileIndentStep(text) || 2);
  const reindent = (l: string) => step.repeat(Math.floor((l.length - l.trimStart().length) / 2)) + l.trimStart();
  const body = Array.isArray(value)
    ? `${indent}${key}:${eol}${value.map((l) => `${indent}${step}${reindent(l)}${eol}`).join('')}`
    : `${indent}${key}: ${value}${eol}`;
  // The last line without a line break keeps having none.
  const trimmed = end === text.length && !text.endsWith('\n') ? body.slice(0, -eol.length) : body;
  return [{ file: y.source.path, offset: start, length: end - start, text: trimmed }];
}

/**
 * Remove every scalar equal to `value` from a list: a flow list loses the item and one separating comma
 * (`[a, b]` → `[a]`), a block list the item's whole `- value` line. A list that would become empty gets no edit.
 */
export function yamlDeleteFromList(y: YamlDocument, path: YamlPath, value: string): TextEdit[] {
  const list = nodeAt(y, path);
  if (!isSeq(list) || !list.range) return [];
  const text = y.source.text;
  const hits = list.items.map((item, i) => ({ item, i })).filter(({ item }) => isScalar(item) && item.value === value && item.range);
  if (hits.length === 0 || hits.length === list.items.length) return [];
  return hits.flatMap(({ item, i }): TextEdit[] => {
    const [start, end] = (item as Scalar).range!;
    if (list.flow) {
      const next = list.items[i + 1] as Node | undefined;
      const prev = list.items[i - 1] as Node | undefined;
      // Take the comma after the item (and the space up to the next item), or for the last item the one before it.
      if (next?.range && !hits.some((h) => h.i === i + 1)) return [{ file: y.source.path, offset: start, length: next.range[0] - start, text: '' }];
      if (prev?.range) return [{ file: y.source.path, offset: prev.range[1], length: end - prev.range[1], text: '' }];
      return [];
    }
    const lineStart = lineStartOf(text, start);
    if (!/^[ ]*-[ ]+$/.test(text.slice(lineStart, start))) return [];
    const lineEnd = afterLineEnd(text, end);
    if (text.slice(end, lineEnd).trim() !== '' && !text.slice(end, lineEnd).trim().startsWith('#')) return [];
    return [{ file: y.source.path, offset: lineStart, length: lineEnd - lineStart, text: '' }];
  });
}

/**
 * Append a block item (a mapping, say) to a block list: `lines[0]` follows the new `- `, later lines are indented
 * like the item's first line, written with a two-space step and re-indented to the list's own layout. The list's
 * last item must start a `- ` line; flow lists and empty lists get no edit.
 */
export function yamlAppendBlockItem(y: YamlDocument, path: YamlPath, lines: string[]): TextEdit[] {
  const list = nodeAt(y, path);
  if (!isSeq(list) || list.flow || !list.range || lines.length === 0) return [];
  const last = list.items[list.items.length - 1] as Node | undefined;
  if (!last?.range) return [];
  const text = y.source.text;
  const dash = text.lastIndexOf('-', last.range[0]);
  const lineStart = lineStartOf(text, dash);
  const prefix = text.slice(lineStart, last.range[0]);
  if (!/^[ ]*-[ ]+$/.test(prefix)) return [];
  const eol = eolOf(text);
  const step = ' '.repeat(fileIndentStep(text) || 2);
  const reindent = (l: string) => step.repeat(Math.floor((l.length - l.trimStart().length) / 2)) + l.trimStart();
  const pad = ' '.repeat(prefix.length);
  const body = [`${prefix}${lines[0]}`, ...lines.slice(1).map((l) => `${pad}${reindent(l)}`)].map((l) => `${l}${eol}`).join('');
  // After the last item's value, and after comment lines that follow it indented deeper than its dash.
  let at = afterLineEnd(text, Math.max(contentEnd(last) - 1, last.range[0]));
  for (
    let m = /^([ ]*)#[^\n]*(\n|$)/.exec(text.slice(at));
    m && m[0] !== '' && m[1].length > dash - lineStart;
    m = /^([ ]*)#[^\n]*(\n|$)/.exec(text.slice(at))
  ) {
    at += m[0].length;
  }
  const lead = at === text.length && text.length > 0 && !text.endsWith('\n') ? eol : '';
  return [{ file: y.source.path, offset: at, length: 0, text: lead ? lead + body.slice(0, -eol.length) : body }];
}

/** Where a node's own text ends: a block collection's range also covers the comments after it. */
function contentEnd(node: Node): number {
  if ((isMap(node) || isSeq(node)) && !node.flow && node.items.length > 0) {
    const last = node.items[node.items.length - 1] as unknown;
    const inner = isPair(last) ? ((last.value as Node | null) ?? (last.key as Node)) : (last as Node);
    if (inner?.range) return contentEnd(inner);
  }
  return node.range?.[1] ?? 0;
}
