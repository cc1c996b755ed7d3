import * as jsonc from 'jsonc-parser';
import { join } from 'node:path';
import { userConfigDir } from '../discover/claude.js';
import { readBoundedBytes } from '../load/read.js';
import { SourceFile } from '../load/source.js';
import { loadSettingsFile } from '../model/claude-settings.js';
import type { FileChange } from '../fixers/apply.js';
import { jsonFormatting } from '../model/edits.js';
import { UsageError } from '../util/errors.js';
import { displayPath } from '../util/display.js';

/**
 * Merging telemetry variables into Claude Code's user settings the way `--fix` edits files: jsonc-parser's
 * `modify` on the text, so key order, indentation, line endings and every other key stay as they are; written
 * later with a backup (fixers/write.ts), so `restore` undoes it.
 *
 * A file Claude Code drops whole (a comment, a trailing comma, a key of the wrong type) is refused, not
 * repaired: nothing added to it would take effect, and repairing is `--fix`'s job (with its own backup).
 */

export interface SettingsMerge {
  path: string;
  /** Undefined when every variable already has its value. */
  change?: FileChange;
  /** Variables set, with their previous value when there was one. */
  set: { name: string; from?: string; to: string }[];
}

/** `$CLAUDE_CONFIG_DIR/settings.json`, else `<home>/.claude/settings.json`, as Claude Code reads it. */
export function userSettingsPath(home: string, env: NodeJS.ProcessEnv = process.env): string {
  const shell = new Map<string, string>(env.CLAUDE_CONFIG_DIR ? [['CLAUDE_CONFIG_DIR', env.CLAUDE_CONFIG_DIR]] : []);
  return join(userConfigDir({ home }, shell)!, 'settings.json');
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function mergeUserSettings(path: string, wanted: Record<string, string>): SettingsMerge {
  const read = readBoundedBytes(path);
  if (!read.ok && !read.missing) throw new UsageError(`${displayPath(path)} ${read.reason}; nothing was written`);
  const before = read.ok ? read.bytes : undefined;
  if (before === undefined || before.toString('utf8').trim() === '') {
    const after = `${JSON.stringify({ env: wanted }, null, 2)}\n`;
    return { path, change: { path, before, after }, set: Object.entries(wanted).map(([name, to]) => ({ name, to })) };
  }

  const bom = before[0] === 0xef && before[1] === 0xbb && before[2] === 0xbf;
  let text: string;
  try {
    text = UTF8.decode(bom ? before.subarray(3) : before);
  } catch {
    throw new UsageError(`${displayPath(path)} is not valid UTF-8: Claude Code cannot read it; nothing was written`);
  }
  const source = new SourceFile(path, text);
  const file = loadSettingsFile(source, 'user');
  const dropped = 'Claude Code ignores this whole file (its env too), so init adds nothing to it; nothing was written';
  const problem = file.doc.problems[0];
  if (problem) {
    const at = source.position(problem.offset);
    const repair = problem.kind === 'syntax' ? 'repair it' : 'run `claude-otel-doctor --fix` (it removes it, keeping a backup)';
    throw new UsageError(
      `${displayPath(path)}:${at.line}:${at.column}: ${problem.message}: ${dropped}. ${repair[0].toUpperCase()}${repair.slice(1)}, then run init again`,
    );
  }
  const schema = file.schemaProblems[0];
  if (schema) {
    const at = source.position(schema.node?.offset ?? 0);
    throw new UsageError(`${displayPath(path)}:${at.line}:${at.column}: ${schema.message}: ${dropped}. Correct it, then run init again`);
  }

  const set: SettingsMerge['set'] = [];
  let after = text;
  for (const [name, to] of Object.entries(wanted)) {
    const current = file.env.find((e) => e.name === name)?.value;
    if (current === to) continue;
    const edits = jsonc.modify(after, ['env', name], to, { formattingOptions: jsonFormatting(after) });
    after = jsonc.applyEdits(after, edits);
    set.push({ name, from: current, to });
  }
  if (set.length === 0) return { path, set };
  return { path, change: { path, before, after: (bom ? '\uFEFF' : '') + after }, set };
}
