import { basename } from 'node:path';
import type { EnvOrigin, EnvSetting } from './claude-env.js';
import type { SettingsFile } from './claude-settings.js';
import { jsonPointer, type JsonNode } from '../load/json.js';
import type { Location } from '../types.js';
import type { SourceFile } from '../load/source.js';

/** Where a finding about an env value points: the value in its file, or nothing for the process environment. */
export function atValue(origin: EnvOrigin, name?: string): Location {
  return {
    file: origin.file,
    range: origin.valueRange ?? origin.keyRange,
    path: origin.settings && name ? jsonPointer(['env', name]) : undefined,
  };
}

export function atKey(origin: EnvOrigin, name?: string): Location {
  return {
    file: origin.file,
    range: origin.keyRange ?? origin.valueRange,
    path: origin.settings && name ? jsonPointer(['env', name]) : undefined,
  };
}

export function atNode(file: SettingsFile, node: JsonNode | undefined, path?: (string | number)[]): Location {
  return atJsonNode(file.path, file.doc.source, node, path);
}

/** A node of any settings file's JSON, read by Claude Code or not. */
export function atJsonNode(file: string, source: SourceFile, node: JsonNode | undefined, path?: (string | number)[]): Location {
  return {
    file,
    range: node ? source.range(node.offset, node.length) : undefined,
    path: path ? jsonPointer(path) : undefined,
  };
}

/** A span of a settings file's text, such as a syntax problem. */
export function atSpan(file: SettingsFile, offset: number, length: number): Location {
  return { file: file.path, range: file.doc.source.range(offset, length) };
}

const SCOPE_WORD: Record<string, string> = { managed: 'managed', flag: '--settings', local: 'project', project: 'project', user: 'user', global: 'global' };

/**
 * Where a value was set, for messages: "in user settings.json", "in project settings.local.json",
 * "in the shell environment". Short, because the finding's location already carries the full path.
 */
export function where(origin: EnvOrigin): string {
  if (origin.scope === 'shell') return origin.file ? `in ${basename(origin.file)}` : 'in the shell environment';
  if (origin.settings?.inline) return 'in --settings';
  return `in ${SCOPE_WORD[origin.scope]} ${origin.file ? basename(origin.file) : 'settings'}`;
}

/** Settings that Claude Code applies (not in a dropped file, not overridden by version rules). */
export function applied(settings: EnvSetting[]): EnvSetting[] {
  return settings.filter((s) => !s.ignored);
}
