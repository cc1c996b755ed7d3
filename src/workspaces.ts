import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { classifySource, looksLikeConfigName } from './discover/classify.js';
import { defaultManagedDir, discoverClaude, settingsProblem, type ClaudeLocations } from './discover/claude.js';
import { walk } from './discover/walk.js';
import { diskReader, internalProblem, type ReadProblem, type Reader } from './load/read.js';
import type { SourceFile } from './load/source.js';
import { loadSettingsFile, type SettingsFile } from './model/claude-settings.js';
import { atLeast, NEWEST_KNOWN_CLAUDE, parseVersion, PROJECT_TELEMETRY_IGNORED_FROM } from './model/versions.js';
import { buildClaudeSetup, type ClaudeFiles, type VersionFact, type Workspace } from './model/workspace.js';
import { buildStack, emptyStack, type Stack, type StackFile, type StackOptions } from './model/stack.js';
import type { DoctorConfig } from './config/doctor-config.js';
import { matchesGlob } from './util/glob.js';
import { Facts } from './model/facts.js';
import { kindsByMount } from './model/other-tools.js';
import { composeReferences } from './model/compose.js';

export interface MachineOptions extends ClaudeLocations {
  claudeVersion?: string;
  stack?: StackOptions;
  /** The stack folder (default `~/.claude/telemetry`); `init --dir` checks the folder it wrote. */
  telemetryDir?: string;
  /** How files are read (default: the disk); the fix loop passes the contents it would write. */
  reader?: Reader;
}

/**
 * The doctor's view of this machine: home, project, managed settings, shell, and the stack in the
 * telemetry folder (`~/.claude/telemetry`, where local setups keep their compose and collector files).
 */
export function machineWorkspace(opts: MachineOptions, config: DoctorConfig): Workspace {
  const reader = opts.reader ?? diskReader;
  const files = discoverClaude({ ...opts, managedDir: opts.managedDir ?? defaultManagedDir() }, reader, loadSettings);
  const version = claudeVersion(opts.claudeVersion, config, true);
  const ws = makeWorkspace(opts.project ?? process.cwd(), 'machine', files, version, 'machine');
  const telemetryDir = opts.telemetryDir ?? (opts.home ? join(opts.home, '.claude', 'telemetry') : undefined);
  if (telemetryDir && isDir(telemetryDir)) {
    const stackFiles = classifiedFiles([telemetryDir], () => false, ws.problems, reader).filter((f) => f.kind !== 'claude-settings');
    attachStack(ws, stackFiles, { ...opts.stack, configVersions: config.versions, reader });
  }
  return ws;
}

function attachStack(ws: Workspace, files: StackFile[], opts: StackOptions): void {
  for (const f of files) ws.sources.set(f.source.path, f.source);
  const { kinds, composeStack } = correctedKinds(files, opts);
  ws.stackFiles = kinds;
  ws.stack = safeStack(kinds, opts, ws.problems, ws.root, composeStack);
  ws.facts = new Facts(); // what was computed from the empty stack no longer holds
}

/**
 * The files with the kinds their compose mounts give them (a file mounted into Promtail is Promtail's, whatever its
 * keys), and the stack of the compose files alone that says so. A compose file that cannot be modelled (a bug)
 * changes nothing here: building the stack reports it.
 */
function correctedKinds(files: StackFile[], opts: StackOptions): { kinds: StackFile[]; composeStack?: Stack } {
  try {
    const composeStack = buildStack(
      files.filter((f) => f.kind === 'compose'),
      opts,
    );
    return { kinds: kindsByMount(files, composeStack), composeStack };
  } catch {
    return { kinds: files };
  }
}

/** Every file under the paths that is a config file of a known kind. */
function classifiedFiles(paths: string[], ignored: (p: string) => boolean, problems: ReadProblem[], reader: Reader): StackFile[] {
  const out: StackFile[] = [];
  const given = new Set(paths.map((p) => resolve(p)));
  for (const path of walk(paths, ignored, problems)) {
    const r = reader.text(path);
    if (!r.ok) {
      // Unreadable files matter only when they would have been config files, or were named on the command line.
      if (given.has(path) || looksLikeConfigName(path))
        problems.push(/settings|^\.claude\.json$/.test(basename(path)) ? settingsProblem(r.problem) : r.problem);
      continue;
    }
    try {
      const classified = classifySource(r.source);
      if (classified) out.push({ ...classified, source: r.source });
    } catch (err) {
      problems.push(internalProblem(path, err));
    }
  }
  return out;
}

/**
 * One settings file as the model reads it; a throw there (a bug) becomes one line for that file, and the other
 * files are still read.
 */
function loadSettings(source: SourceFile, scope: SettingsFile['scope'], problems: ReadProblem[], inline = false): SettingsFile | undefined {
  try {
    return loadSettingsFile(source, scope, inline);
  } catch (err) {
    problems.push(internalProblem(source.path, err));
    return undefined;
  }
}

/**
 * The stack of these files. Should building it throw (a bug), each file is tried alone: those that fail are
 * reported and left out, and the stack is built from the rest.
 */
function safeStack(files: StackFile[], opts: StackOptions, problems: ReadProblem[], root: string, composeStack?: Stack): Stack {
  try {
    // The compose files' stack has parsed and loaded them already: what it made is taken, not made again.
    return buildStack(files, opts, composeStack);
  } catch {
    const good = files.filter((f) => {
      try {
        buildStack([f], opts);
        return true;
      } catch (err) {
        problems.push(internalProblem(f.source.path, err));
        return false;
      }
    });
    try {
      return buildStack(good, opts);
    } catch (err) {
      problems.push(internalProblem(root, err));
      return emptyStack();
    }
  }
}

/**
 * CI mode: only the given files and folders. Each folder holding a `.claude/` folder or a stack is
 * its own workspace; a loose settings file (a template such as settings.json.local) stands for user settings.
 */
export function fileWorkspaces(
  paths: string[],
  config: DoctorConfig,
  versionFlag?: string,
  stackOptions: StackOptions = {},
  reader: Reader = diskReader,
): { workspaces: Workspace[]; problems: ReadProblem[] } {
  const problems: ReadProblem[] = [];
  const ignored = (p: string) => config.ignorePaths.some((g) => matchesGlob(config.base, p, g));
  const roots = paths.map((p) => resolve(p));
  const scanRoot = commonFolder(roots);
  const version = claudeVersion(versionFlag, config, false);

  const groups = new Map<string, StackFile[]>();
  const rootOfFolder = new Map<string, string>(); // the files of one folder share their workspace root
  for (const file of classifiedFiles(paths, ignored, problems, reader)) {
    const folder = dirname(file.source.path);
    const root = rootOfFolder.get(folder) ?? workspaceRoot(file.source.path, scanRoot);
    rootOfFolder.set(folder, root);
    const list = groups.get(root) ?? [];
    list.push(file);
    groups.set(root, list);
  }
  // Included compose folders first: a stack assembled from them is then one stack that dashboards beside it join.
  joinIncludedFolders(groups);
  pairDashboardsWithStack(groups);

  const workspaces: Workspace[] = [];
  for (const [root, files] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const name = relative(scanRoot, root) || '.';
    const settings = files.filter((f) => f.kind === 'claude-settings');
    const load = (f: StackFile, scope: SettingsFile['scope']) => loadSettings(f.source, scope, problems);
    const scoped = settings.filter((f) => scopeOf(f.source.path, root) !== 'user').flatMap((f) => load(f, scopeOf(f.source.path, root)) ?? []);
    const loose = settings.filter((f) => scopeOf(f.source.path, root) === 'user').flatMap((f) => load(f, 'user') ?? []);
    const variants: (SettingsFile | undefined)[] = loose.length > 0 ? loose : [undefined];
    for (const userFile of variants) {
      const claudeFiles: ClaudeFiles = { settings: [...(userFile ? [userFile] : []), ...scoped].sort(byScope), shell: [], unread: [], problems: [] };
      const rel = userFile && relative(root, userFile.path);
      const label = variants.length > 1 && rel ? (name === '.' ? rel : `${name} (${rel})`) : name;
      const ws = makeWorkspace(root, label, claudeFiles, version, 'files');
      for (const f of files) ws.sources.set(f.source.path, f.source);
      attachStack(
        ws,
        files.filter((f) => f.kind !== 'claude-settings'),
        { ...stackOptions, configVersions: config.versions, reader },
      );
      problems.push(...ws.problems);
      workspaces.push(ws);
    }
  }
  return { workspaces, problems };
}

const STACK_KINDS = new Set<StackFile['kind']>(['compose', 'collector', 'prometheus', 'loki']);
const GRAFANA_KINDS = new Set<StackFile['kind']>(['dashboard', 'grafana-dashboards', 'grafana-datasources']);

/**
 * Dashboards kept beside a stack folder rather than inside it (`dashboards/` next to `docker/docker-compose.yml`)
 * are judged against that stack, as their user pairs them: a group of nothing but dashboards and Grafana
 * provisioning joins the one stack group in a folder beside it (under the same parent, or under its own folder when
 * that is where the group sits). Where several stacks could claim it, nothing says which: it stays on its own.
 */
function pairDashboardsWithStack(groups: Map<string, StackFile[]>): void {
  const isStack = (files: StackFile[]) => files.some((f) => STACK_KINDS.has(f.kind));
  const inside = (dir: string, parent: string) => dir !== parent && dir.startsWith(parent.endsWith('/') ? parent : `${parent}/`);
  for (const [root, files] of [...groups]) {
    if (!files.some((f) => f.kind === 'dashboard') || !files.every((f) => GRAFANA_KINDS.has(f.kind))) continue;
    const stacks = [...groups].filter(([r, f]) => r !== root && isStack(f));
    const below = stacks.filter(([r]) => inside(r, root));
    const beside = below.length > 0 ? below : stacks.filter(([r]) => inside(r, dirname(root)));
    if (beside.length !== 1) continue;
    beside[0][1].push(...files);
    groups.delete(root);
  }
}

const SCOPE_ORDER = ['global', 'user', 'project', 'local', 'flag', 'managed'];
function byScope(a: SettingsFile, b: SettingsFile): number {
  return SCOPE_ORDER.indexOf(a.scope) - SCOPE_ORDER.indexOf(b.scope) || a.path.localeCompare(b.path);
}

function scopeOf(path: string, root: string): SettingsFile['scope'] {
  const rel = relative(root, path).split('\\').join('/');
  if (rel === '.claude/settings.json') return 'project';
  if (rel === '.claude/settings.local.json') return 'local';
  if (basename(path) === 'managed-settings.json' || basename(dirname(path)) === 'managed-settings.d') return 'managed';
  if (basename(path) === '.claude.json') return 'global';
  return 'user';
}

/**
 * A subfolder whose compose file another workspace's compose file includes or extends (`include: [otel/compose.yaml]`)
 * is part of that project, not a workspace of its own: its files join the including workspace (the folder above).
 */
function joinIncludedFolders(groups: Map<string, StackFile[]>): void {
  // Each file's references, read once: the loop starts over after every join.
  const references = new Map<StackFile, string[]>();
  const referencesOf = (f: StackFile) => references.get(f) ?? references.set(f, composeReferences(plainYaml(f), f.source.path)).get(f)!;
  for (let changed = true; changed; ) {
    changed = false;
    for (const [root, files] of groups) {
      const named = files.filter((f) => f.kind === 'compose').flatMap(referencesOf);
      if (named.length === 0) continue;
      const sub = [...groups.keys()].find((r) => r !== root && r.startsWith(`${root}${sep}`) && groups.get(r)!.some((f) => named.includes(f.source.path)));
      if (!sub) continue;
      groups.set(root, [...files, ...groups.get(sub)!]);
      groups.delete(sub);
      changed = true;
      break;
    }
  }
}

/** A YAML file's plain value (its aliases bounded, as loading bounds them); undefined when it cannot be had. */
function plainYaml(f: StackFile): unknown {
  try {
    return f.yamlDoc?.toJS({ maxAliasCount: 1000 });
  } catch {
    return undefined;
  }
}

/** The nearest folder at or above the file (within the scan root) that holds `.claude/` or a compose file. */
function workspaceRoot(path: string, scanRoot: string): string {
  let dir = dirname(path);
  if (basename(dir) === '.claude') dir = dirname(dir);
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, '.claude')) && isDir(join(d, '.claude'))) return d;
    if (['docker-compose.yml', 'docker-compose.yaml', 'compose.yml', 'compose.yaml'].some((n) => existsSync(join(d, n)))) return d;
    if (d === scanRoot || dirname(d) === d || !d.startsWith(scanRoot)) return scanRoot;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function commonFolder(paths: string[]): string {
  const dirs = paths.map((p) => (isDir(p) ? p : dirname(p)));
  let common = dirs[0] ?? process.cwd();
  for (const d of dirs) while (!`${d}/`.startsWith(common.endsWith('/') ? common : `${common}/`)) common = dirname(common);
  return common;
}

function makeWorkspace(root: string, name: string, files: ClaudeFiles, version: VersionFact, mode: Workspace['mode']): Workspace {
  let claude: ReturnType<typeof buildClaudeSetup>;
  try {
    claude = buildClaudeSetup(files, version);
  } catch (err) {
    // A bug in the settings model: said once, and the stack is still examined.
    files.problems.push(internalProblem(root, err));
    claude = buildClaudeSetup({ ...files, settings: [], shell: [], unread: [] }, version);
  }
  const sources = new Map<string, SourceFile>();
  for (const f of files.settings) sources.set(f.path, f.doc.source);
  for (const u of files.unread) sources.set(u.path, u.source);
  for (const s of files.shell) if (s.origin.source) sources.set(s.origin.source.path, s.origin.source);
  return { root, name, claude, problems: files.problems, sources, mode, stackFiles: [], stack: emptyStack(), facts: new Facts() };
}

/**
 * --claude-version, else the config's, else the installed `claude` (machine mode only), else the newest known.
 * On this machine a config file (perhaps a repo's) may not lower the version below the one from which Claude Code
 * ignores project settings for telemetry: that would let project settings pick where the user's data and
 * credentials go. Only the flag or `claude --version` can say an older version runs here.
 */
export function claudeVersion(flag: string | undefined, config: DoctorConfig, onThisMachine: boolean): VersionFact {
  if (flag) return { version: flag, source: 'flag' };
  const pinned = config.versions.claudeCode;
  if (pinned && (!onThisMachine || atLeast(pinned, PROJECT_TELEMETRY_IGNORED_FROM))) return { version: pinned, source: 'config' };
  if (onThisMachine) {
    try {
      const out = execFileSync('claude', ['--version'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
      const v = parseVersion(out);
      if (v) return { version: v.join('.'), source: 'installed' };
    } catch {
      // no claude on PATH
    }
  }
  return { version: NEWEST_KNOWN_CLAUDE, source: 'newest known' };
}
