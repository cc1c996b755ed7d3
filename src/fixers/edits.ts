import * as jsonc from 'jsonc-parser';
import type { EnvOrigin } from '../model/claude-env.js';
import type { SettingsFile } from '../model/claude-settings.js';
import type { SourceFile } from '../load/source.js';
import type { Fix, FixSafety, TextEdit } from '../types.js';

/** Edits live in rules as plain data; this module only builds them. Applying them is fixers/apply.ts's job. */

function formatting(source: SourceFile): jsonc.FormattingOptions {
  const indent = /\n([ \t]+)\S/.exec(source.text)?.[1] ?? '  ';
  return {
    insertSpaces: !indent.startsWith('\t'),
    tabSize: indent.startsWith('\t') ? 1 : indent.length,
    eol: source.text.includes('\r\n') ? '\r\n' : '\n',
  };
}

/** Set (or remove, with undefined) a JSON value at a path, keeping the rest of the file byte-identical. */
export function setJson(file: SettingsFile, path: (string | number)[], value: unknown): TextEdit[] {
  if (file.inline) return [];
  const edits = jsonc.modify(file.doc.source.text, path, value, { formattingOptions: formatting(file.doc.source) });
  return edits.map((e) => ({ file: file.path, offset: e.offset, length: e.length, text: e.content }));
}

/** Replace the value of an env entry where it is defined (settings file or env file). */
export function replaceEnvValue(origin: EnvOrigin, name: string, value: string): TextEdit[] {
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

export function fix(safety: FixSafety, description: string, edits: TextEdit[]): Fix | undefined {
  return edits.length > 0 ? { safety, description, edits } : undefined;
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
    const prefix = text.length === 0 || text.endsWith('\n') ? '' : eol;
    const exported = /^\s*export\s/m.test(text) ? 'export ' : '';
    return [{ file: origin.source.path, offset: text.length, length: 0, text: `${prefix}${exported}${name}=${value}${eol}` }];
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
    const start = src.lineStarts[line - 1];
    const end = src.lineStarts[line] ?? src.text.length;
    return [{ file: src.path, offset: start, length: end - start, text: '' }];
  }
  return [];
}
