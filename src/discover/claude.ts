import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnvFile } from '../load/env-file.js';
import { fileExists, realOrResolved, realPathOutside, textSource, type ReadProblem, type Reader } from '../load/read.js';
import type { Range } from '../types.js';
import type { SourceFile } from '../load/source.js';

/** Where to look for one Claude Code setup. Every field is optional so CI mode can leave out the machine. */
export interface ClaudeLocations {
  home?: string;
  project?: string;
  /** Folder holding managed-settings.json and managed-settings.d/ (e.g. /etc/claude-code). */
  managedDir?: string;
  /** `--settings` value: a file path or inline JSON, as Claude Code accepts. */
  settingsArg?: string;
  /** Shell variables: a dotenv-style file and/or the process environment. */
  envFile?: string;
  processEnv?: Record<string, string | undefined>;
}

/** Where a settings file applies (model/scopes.ts, without the shell). */
export type SettingsScope = 'managed' | 'flag' | 'local' | 'project' | 'user' | 'global';

/** A variable of the shell (the process environment or --env-file), with where it is written. */
export interface ShellVariable {
  name: string;
  value: string;
  origin: { scope: 'shell'; file?: string; source?: SourceFile; keyRange?: Range; valueRange?: Range };
}

/** A file Claude Code never reads although it looks like settings. */
export interface UnreadFile {
  path: string;
  source: SourceFile;
  reason: string;
}

/**
 * The Claude Code files of one setup; each settings file as `load` made it (the model's loader, see workspaces.ts).
 * The model reads the shell variables as its own settings type (model/workspace.ts `ClaudeFiles`).
 */
export interface FoundClaudeFiles<S, V = ShellVariable> {
  settings: S[];
  shell: V[];
  unread: UnreadFile[];
  problems: ReadProblem[];
}

/** Turns one settings file's text into what the caller keeps (undefined: left out, with a problem said). */
export type SettingsLoader<S> = (source: SourceFile, scope: SettingsScope, problems: ReadProblem[], inline: boolean) => S | undefined;

export function defaultManagedDir(platform = process.platform): string {
  if (platform === 'darwin') return '/Library/Application Support/ClaudeCode';
  if (platform === 'win32') return 'C:\\Program Files\\ClaudeCode';
  return '/etc/claude-code';
}

/** The user config folder: $CLAUDE_CONFIG_DIR, else ~/.claude. */
export function userConfigDir(loc: ClaudeLocations, shellVars: Map<string, string>): string | undefined {
  const configured = shellVars.get('CLAUDE_CONFIG_DIR');
  if (configured) return resolve(configured);
  return loc.home ? join(loc.home, '.claude') : undefined;
}

/**
 * Finds and reads the settings files of every scope and the shell variables. Files are read through `reader` (the
 * disk, or the contents a fix would write); each settings file is handed to `load` in precedence order, lowest first.
 */
export function discoverClaude<S>(loc: ClaudeLocations, reader: Reader, load: SettingsLoader<S>): FoundClaudeFiles<S> {
  const out: FoundClaudeFiles<S> = { settings: [], shell: [], unread: [], problems: [] };
  out.shell = readShell(loc, out.problems, reader);
  const shellVars = new Map(out.shell.map((s) => [s.name, s.value]));

  // Project and local settings are the project's content: read only while they stay inside the project.
  const projectRoot = loc.project && realOrResolved(loc.project);
  const outsideProject = (path: string, scope: SettingsScope) => {
    const real = projectRoot && (scope === 'project' || scope === 'local') ? realPathOutside(path, [projectRoot]) : undefined;
    // A link to a FIFO or device is left to the reader, which refuses it unopened as the broken input it is.
    if (real && !isFileOrFolder(real)) return false;
    if (real) out.problems.push({ path, reason: `is a symlink to ${real}, outside the project`, kind: 'outside' });
    return real !== undefined;
  };
  // A file the flag names is read even when missing (to say so); the usual places only when something is there.
  const read = (path: string, scope: SettingsScope, named = false) => {
    if (!named && !pathExists(path, reader)) return;
    if (outsideProject(path, scope)) return;
    const r = reader.text(path, 'json');
    if (!r.ok) out.problems.push(settingsProblem(r.problem));
    else addSettings(r.source, scope);
  };
  const addSettings = (source: SourceFile, scope: SettingsScope, inline = false) => {
    const file = load(source, scope, out.problems, inline);
    if (file) out.settings.push(file);
  };

  // Lowest precedence first; within managed, the base file then drop-ins alphabetically (later wins).
  const configDir = userConfigDir(loc, shellVars);
  if (configDir) {
    const globalConfig = shellVars.get('CLAUDE_CONFIG_DIR') ? join(configDir, '.claude.json') : loc.home && join(loc.home, '.claude.json');
    if (globalConfig) read(globalConfig, 'global');
    read(join(configDir, 'settings.json'), 'user');
    noteUnread(
      out,
      reader,
      join(configDir, 'settings.local.json'),
      'Claude Code reads settings.local.json only in a project .claude/ folder, never in the user folder',
    );
    noteUnread(out, reader, join(configDir, 'settings.jsonc'), 'Claude Code reads settings.json, never settings.jsonc');
  }
  if (loc.project) {
    const dir = join(loc.project, '.claude');
    read(join(dir, 'settings.json'), 'project');
    read(join(dir, 'settings.local.json'), 'local');
    for (const [name, reason] of [
      ['settings.jsonc', 'Claude Code reads settings.json, never settings.jsonc'],
      ['settings.local.jsonc', 'Claude Code reads settings.local.json, never settings.local.jsonc'],
    ]) {
      if (!outsideProject(join(dir, name), 'project')) noteUnread(out, reader, join(dir, name), reason);
    }
  }
  if (loc.settingsArg !== undefined) {
    const arg = loc.settingsArg.trim();
    if (arg.startsWith('{')) {
      const r = textSource('--settings', arg, 'json');
      if (!r.ok) out.problems.push(r.problem);
      else addSettings(r.source, 'flag', true);
    } else read(resolve(arg), 'flag', true);
  }
  if (loc.managedDir) {
    read(join(loc.managedDir, 'managed-settings.json'), 'managed');
    const dropIns = join(loc.managedDir, 'managed-settings.d');
    const names = listDir(dropIns)
      .filter((n) => n.endsWith('.json'))
      .sort();
    for (const n of names) read(join(dropIns, n), 'managed');
    noteUnread(out, reader, join(loc.managedDir, 'managed-settings.jsonc'), 'Claude Code reads managed-settings.json, never managed-settings.jsonc');
    for (const n of listDir(dropIns)
      .filter((n) => n.endsWith('.jsonc'))
      .sort()) {
      noteUnread(out, reader, join(dropIns, n), 'Claude Code reads only *.json drop-ins from managed-settings.d, never *.jsonc');
    }
  }
  return out;
}

/** Claude Code reads settings as UTF-8 text: a file in another encoding is ignored by it, not only by the doctor. */
export function settingsProblem(p: ReadProblem): ReadProblem {
  return p.kind === 'encoding' ? { ...p, reason: `${p.reason}; Claude Code does not read it either (settings files are UTF-8 JSON)` } : p;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return []; // no such folder
  }
}

function noteUnread(out: FoundClaudeFiles<unknown>, reader: Reader, path: string, reason: string): void {
  if (!fileExists(path, reader)) return;
  const r = reader.text(path, 'json');
  if (r.ok) out.unread.push({ path, source: r.source, reason });
  else out.problems.push(r.problem);
}

/** True for anything at the path, even a broken symlink, so that it is reported rather than passed over. */
function pathExists(path: string, reader: Reader): boolean {
  if (reader.pending(path) !== undefined) return true; // a file the fixer is about to create
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Relevant shell variables: from --env-file (with positions) and, unless turned off, the process environment. */
function readShell(loc: ClaudeLocations, problems: ReadProblem[], reader: Reader): ShellVariable[] {
  const settings: ShellVariable[] = [];
  if (loc.processEnv) {
    for (const [name, value] of Object.entries(loc.processEnv)) {
      if (value !== undefined && isTelemetryRelevant(name)) settings.push({ name, value, origin: { scope: 'shell' } });
    }
  }
  if (loc.envFile) {
    const r = reader.text(loc.envFile);
    if (!r.ok) problems.push(r.problem);
    else {
      for (const e of parseEnvFile(r.source)) {
        settings.push({
          name: e.name,
          value: e.value,
          origin: {
            scope: 'shell',
            file: r.source.path,
            source: r.source,
            keyRange: r.source.range(e.keyOffset, e.name.length),
            valueRange: r.source.range(e.valueOffset, e.valueLength),
          },
        });
      }
    }
  }
  return settings;
}

/** The process environment is large; only names the doctor reasons about are kept. */
export function isTelemetryRelevant(name: string): boolean {
  return /^(OTEL_|OLTP_|CLAUDE_CODE_|CLAUDE_CONFIG_DIR$|ENABLE_ENHANCED_TELEMETRY_BETA$|ENABLE_BETA_TRACING|BETA_TRACING_ENDPOINT$|DISABLE_TELEMETRY$|DO_NOT_TRACK$)/.test(
    name,
  );
}

function isFileOrFolder(path: string): boolean {
  try {
    const st = statSync(path);
    return st.isFile() || st.isDirectory();
  } catch {
    return false;
  }
}
