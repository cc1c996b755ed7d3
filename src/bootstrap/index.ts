import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { FileChange } from '../fixers/apply.js';
import { formatDiffs } from '../fixers/diff.js';
import { httpRequest } from '../probes/http.js';
import { readEnvFileValues } from '../load/env-file.js';
import { formatFinding } from '../report/pretty.js';
import { RULES } from '../rules/index.js';
import { SEVERITY_ORDER, type Finding, type Waiting } from '../types.js';
import { colorEnabled } from '../util/color.js';
import { displayPath } from '../util/display.js';
import { UsageError } from '../util/errors.js';
import { collectSecrets, redact } from '../util/secrets.js';
import { displayUrl } from '../model/credentials.js';
import { TOOL_VERSION } from '../version.js';
import { composeUp, dockerState, startCommand } from './docker.js';
import { enterpriseFiles, parseEnterprise, type EnterpriseFlags } from './enterprise.js';
import { changesOf, examine, refuseDiffering, writeAll, type ExaminedFile, type PlannedFile } from './files.js';
import { kubernetesFiles, kubernetesGuide, parseKubernetes, type KubernetesFlags } from './kubernetes.js';
import { ENV_FILE, localStackFiles, PASSWORD_VARIABLE } from './local-stack.js';
import { DEFAULT_PORTS, LOCAL_SETTINGS } from './pins.js';
import { mergeUserSettings, userSettingsPath, type SettingsMerge } from './user-settings.js';
import { verifyLocal, verifyManaged, type Verification } from './verify.js';

/**
 * `claude-otel-doctor init`: a correct local stack (Mode 1) or settings for a central endpoint (Mode 2,
 * `--enterprise`), checked by the doctor's own rules. Loaded lazily by the library API (api.ts `init`), which
 * passes the probe API in: init sits below the API and imports nothing above it. Exit codes: 0 done, 1 written
 * but the doctor finds errors in it or the stack did not start; bad usage or a refusal throws a UsageError
 * (exit code 2, nothing written).
 */

export interface InitFlags extends EnterpriseFlags, KubernetesFlags {
  enterprise?: boolean;
  /** The cluster side too (implies enterprise): collector chart values, Grafana ConfigMaps. */
  kubernetes?: boolean;
  dir?: string;
  out?: string;
  home?: string;
  force?: boolean;
  dryRun?: boolean;
  /** false with --no-start. */
  start?: boolean;
  /** Seconds to wait for the started stack before probing it (default 90). */
  wait?: string | number;
  color?: boolean;
}

/** Where init's text goes, and how it probes the stack it started. */
export interface InitIO {
  /** init's own report, as it goes. */
  out(text: string): void;
  /** What `docker compose up` prints, line by line as it comes (masked and escaped). */
  err(text: string): void;
  /** Told while init waits (compose up, the services to answer), for a live status line. */
  wait?(w: Waiting): void;
  /** The live probes of this machine with that home, and their report as `claude-otel-doctor probe` prints it. */
  probe(home: string): Promise<{ exitCode: number; text: string }>;
}

export interface InitResult {
  /** 0 done; 1 written, but the rules find errors in it, the stack did not start or the live checks fail. */
  exitCode: number;
  /** Everything init reported (what the CLI prints on stdout), credentials masked. */
  output: string;
  /** The files written (or, with dryRun, that would be). */
  changed: string[];
  /** Where the backup of what init replaced is (undo with `claude-otel-doctor restore`). */
  backupDir?: string;
  /** What the doctor's rules find in what init wrote. */
  findings: Finding[];
  /** The exit code of the live checks, when the stack was started and probed. */
  probeExitCode?: number;
}

/** What a run found out, filled as it goes; `output` is the text given to `out`. */
type Run = Omit<InitResult, 'exitCode'> & { io: InitIO };

const LOCAL_ONLY = [
  ['--dir', 'dir'],
  ['--home', 'home'],
  ['--no-start', 'start'],
  ['--wait', 'wait'],
] as const;
const ENTERPRISE_ONLY = [
  ['--endpoint', 'endpoint'],
  ['--protocol', 'protocol'],
  ['--team', 'team'],
  ['--department', 'department'],
  ['--cost-center', 'costCenter'],
  ['--headers-helper', 'headersHelper'],
  ['--header', 'header'],
  ['--out', 'out'],
] as const;
const KUBERNETES_ONLY = [
  ['--namespace', 'namespace'],
  ['--prometheus-release', 'prometheusRelease'],
  ['--prometheus-url', 'prometheusUrl'],
  ['--loki-url', 'lokiUrl'],
  ['--ingress-class', 'ingressClass'],
] as const;

export async function runInit(flags: InitFlags, io: InitIO): Promise<InitResult> {
  const f = normalize(flags);
  const out = (text: string) => {
    run.output += text;
    io.out(text);
  };
  const run: Run = { output: '', changed: [], findings: [], io: { ...io, out } };
  if (!f.kubernetes) for (const [flag, key] of KUBERNETES_ONLY) if (f[key] !== undefined) throw new UsageError(`${flag} works with --kubernetes`);
  if (f.enterprise || f.kubernetes) {
    const mode = f.kubernetes ? '--kubernetes' : '--enterprise';
    for (const [flag, key] of LOCAL_ONLY) if (f[key] !== undefined) throw new UsageError(`${flag} is for the local stack; init ${mode} writes to --out`);
    return { ...result(run), exitCode: runEnterprise(f, run) };
  }
  for (const [flag, key] of ENTERPRISE_ONLY) if (f[key] !== undefined) throw new UsageError(`${flag} works with --enterprise`);
  const exitCode = await runLocal(f, run);
  return { ...result(run), exitCode };
}

function result(run: Run): Omit<InitResult, 'exitCode'> {
  const { io: _io, ...rest } = run;
  return rest;
}

/** --no-start as `start: false`; --header always as a list (given once it is a string). */
function normalize(flags: InitFlags): InitFlags {
  return { ...flags, start: flags.start === false ? false : undefined, header: flags.header === undefined ? undefined : [flags.header].flat().map(String) };
}

const STATUS_WORD: Record<ExaminedFile['status'], string> = { create: 'create', unchanged: 'same', kept: 'keep', differs: 'DIFFERS' };

function planLines(files: ExaminedFile[], base: string, force: boolean, note: (f: ExaminedFile) => string = () => ''): string {
  return files
    .map((f) => {
      const word = f.status === 'differs' && force ? 'replace' : STATUS_WORD[f.status];
      return `  ${word.padEnd(8)} ${f.path.slice(base.length + 1)}${note(f)}\n`;
    })
    .join('');
}

function findingsText(v: Verification, color: boolean): string {
  if (v.findings.length === 0 && v.problems.length === 0) return `✓ the doctor's ${RULES.length} rules find nothing to report in what init wrote\n`;
  const input = { findings: v.findings, workspaces: v.workspaces, problems: v.problems, cwd: process.cwd(), color, command: 'check' as const };
  const problems = v.problems.map((p) => `${displayPath(p.path)}: ${p.reason}\n`).join('');
  return `the doctor's rules report:\n${problems}${v.findings.map((x) => `${formatFinding(x, input, '  ')}\n`).join('')}`;
}

function written(result: { backupDir: string } | undefined): string {
  return result ? `backup in ${displayPath(result.backupDir)} (undo everything init wrote: claude-otel-doctor restore ${basename(result.backupDir)})\n` : '';
}

// ---------------------------------------------------------------------------------------------------------------
// Mode 1: the local stack

function existingPassword(envPath: string): string | undefined {
  return readEnvFileValues(envPath).get(PASSWORD_VARIABLE) || undefined;
}

function isFolderOrMissing(path: string, flag: string): void {
  try {
    if (!statSync(path).isDirectory()) throw new UsageError(`${flag} ${displayPath(path)} is a file, not a folder`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
  }
}

async function runLocal(f: InitFlags, run: Run): Promise<number> {
  const out = run.io.out;
  const waitSec = waitSeconds(f.wait); // a bad flag is refused before anything is written
  const home = resolve(f.home ?? homedir());
  const dir = resolve(f.dir ?? join(home, '.claude', 'telemetry'));
  isFolderOrMissing(dir, '--dir');
  const envPath = join(dir, ENV_FILE);
  // An existing .env keeps its password: Grafana only reads it on its first start, and a second run changes nothing.
  const password = existingPassword(envPath) ?? randomBytes(24).toString('base64url');
  const planned: PlannedFile[] = localStackFiles(password).map((g) => ({
    path: join(dir, g.rel),
    text: g.text,
    mode: g.mode,
    keep: g.rel === ENV_FILE ? () => existingPassword(envPath) !== undefined : undefined,
  }));
  const settings = mergeUserSettings(userSettingsPath(home), LOCAL_SETTINGS);
  const files = examine(planned);
  const force = f.force === true;
  const changes: FileChange[] = [...changesOf(files), ...(settings.change ? [settings.change] : [])];
  const color = f.color === false ? false : colorEnabled();
  run.changed = changes.map((c) => c.path);

  const note = (x: ExaminedFile) => (x.path === envPath ? ` (Grafana's admin password${x.status === 'kept' ? ', kept' : ''}; mode 0600, never printed)` : '');
  let text = `${f.dryRun ? 'init would write' : 'init:'} a local telemetry stack in ${displayPath(dir)}\n${planLines(files, dir, force, note)}${settingsLine(settings)}`;

  if (f.dryRun) {
    // Context lines of an existing settings file may hold a credential: masked, as --dry-run does.
    const pending = new Map(settings.change ? [[settings.path, settings.change.after]] : []);
    const secrets = new Set([...collectSecrets(verifyLocal(home, dir, pending).workspaces), ...urlSecrets(settings)]);
    out(redact(text, secrets));
    if (settings.change) out(formatDiffs([settings.change], secrets).text);
    refuseDiffering(files, force);
    out(changes.length ? 'nothing written (--dry-run)\n' : 'nothing to write: the stack and settings are in place\n');
    return 0;
  }
  refuseDiffering(files, force);
  const folders = [...new Set(changes.filter((c) => c.path.startsWith(dir + sep)).map((c) => dirname(c.path)))];
  const result = changes.length ? writeAll(changes, folders, TOOL_VERSION) : undefined;
  run.backupDir = result?.backupDir;
  text += result ? written(result) : 'nothing to write: the stack and settings are in place\n';
  text += `Grafana: http://localhost:3000, user admin, password stored in ${displayPath(envPath)}\n`;
  const v = verifyLocal(home, dir);
  run.findings = v.findings;
  text += findingsText(v, color);
  // Config files from an older setup in the same folder are read by the doctor as part of this stack.
  const ours = new Set(planned.map((p) => p.path));
  const others = (v.workspaces[0]?.stackFiles ?? [])
    .filter((s) => s.kind !== 'other-tool') // another tool's config is recognised, not read
    .map((s) => s.source.path)
    .filter((p) => !ours.has(p));
  if (others.length) {
    text += `note: ${displayPath(dir)} also holds ${others.map((p) => p.slice(dir.length + 1)).join(', ')}, which init did not write; the doctor reads them as part of this stack (move them away if they are from an older setup)\n`;
  }
  if (f.dir !== undefined && dir !== join(home, '.claude', 'telemetry')) {
    text += `note: on this machine the doctor reads the stack in ${displayPath(join(home, '.claude', 'telemetry'))}; for this folder run claude-otel-doctor check ${displayPath(dir)}\n`;
  }
  // Findings quote source lines, and the user's settings may hold credentials: masked as in every report.
  const secrets = new Set([...collectSecrets(v.workspaces), ...urlSecrets(settings)]);
  out(redact(text, secrets));
  let failed = v.findings.some((x) => SEVERITY_ORDER[x.severity] >= SEVERITY_ORDER.error);

  const compose = join(dir, 'docker-compose.yml');
  if (f.start === false) {
    out(`not started (--no-start); start it with:\n  ${startCommand(compose)}\n`);
  } else {
    const docker = dockerState();
    if (!docker.ok) {
      out(`Docker is not available (${docker.reason}), so the stack was not started. Start it later with:\n  ${startCommand(compose)}\n`);
    } else {
      out(`starting the stack: ${startCommand(compose)}\n`);
      const up = await composeUp(docker.docker, compose, { line: run.io.err, secrets, wait: run.io.wait });
      if (up.ok) return verifyStarted(run, home, dir === join(home, '.claude', 'telemetry'), waitSec, failed);
      out(`docker compose up failed: ${up.error}\n`);
      failed = true;
    }
  }
  out(NEXT);
  return failed ? 1 : 0;
}

const NEXT =
  'next: restart Claude Code (it reads telemetry settings at start), use it, then run claude-otel-doctor to follow the data end to end (claude-otel-doctor probe: the live checks only)\n';

function waitSeconds(value: string | number | undefined): number {
  if (value === undefined) return 90;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 600) throw new UsageError(`--wait must be a number of seconds between 0 and 600, not "${value}"`);
  return n;
}

/** What each service answers once it is up, on the ports the generated compose file publishes. */
const READY = [
  ['collector', `http://127.0.0.1:${DEFAULT_PORTS.health}/`],
  ['Prometheus', 'http://127.0.0.1:9090/-/ready'],
  ['Loki', 'http://127.0.0.1:3100/ready'],
  ['Grafana', 'http://127.0.0.1:3000/api/health'],
] as const;

/**
 * After `docker compose up -d`: wait until every service answers (images may still be starting; Loki takes about
 * 15 s), then run the live probes in-process, the end-to-end data check included, so init ends with proof
 * rather than a promise. Waiting out the time is not a failure by itself: the probes then say what is missing.
 */
async function verifyStarted(run: Run, home: string, defaultDir: boolean, waitSec: number, failed: boolean): Promise<number> {
  const out = run.io.out;
  out(`the stack is starting; waiting up to ${waitSec} s for its services to answer\n`);
  const start = Date.now();
  const deadline = start + waitSec * 1000;
  const pending = new Set<string>(READY.map(([name]) => name));
  // The status line names the services still waited for.
  let waiting = '';
  const tell = (what: string, done?: boolean) => run.io.wait?.({ what, elapsedMs: Date.now() - start, timeoutMs: waitSec * 1000, done });
  while (pending.size > 0 && Date.now() < deadline) {
    const what = `${[...pending].join(', ')} to answer`;
    if (what !== waiting) {
      if (waiting) tell(waiting, true);
      waiting = what;
      tell(waiting);
    }
    for (const [name, url] of READY) if (pending.has(name) && (await answers(url))) pending.delete(name);
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 1000));
  }
  if (waiting) tell(waiting, true);
  out(
    pending.size === 0
      ? 'every service answers; the live checks:\n'
      : `not answering after ${waitSec} s: ${[...pending].join(', ')} (docker compose ps and docker compose logs show why); the live checks as things stand:\n`,
  );
  if (!defaultDir) {
    out(`(the doctor reads the stack in ${displayPath(join(home, '.claude', 'telemetry'))}; for this folder run claude-otel-doctor probe with its path)\n`);
    return failed ? 1 : 0;
  }
  const probed = await run.io.probe(home);
  run.probeExitCode = probed.exitCode;
  out(probed.text);
  out(NEXT);
  return failed || probed.exitCode !== 0 ? 1 : 0;
}

async function answers(url: string): Promise<boolean> {
  const r = await httpRequest(url, { timeoutMs: 2000 });
  return r.ok && r.status >= 200 && r.status < 300;
}

/** A replaced endpoint may carry a credential (user info, a query token): shown without it. */
function shownValue(value: string): string {
  return /^https?:\/\//i.test(value) ? displayUrl(value, 'without-user-info').replace(/\?.*$/, '?…') : value;
}

/** Passwords in the URLs a merge replaces, for masking the settings diff. */
function urlSecrets(s: SettingsMerge): string[] {
  return s.set.flatMap((x) => {
    try {
      const u = new URL(x.from ?? '');
      return [u.password, decodeURIComponent(u.password), ...u.searchParams.values()].filter((v) => v.length >= 3);
    } catch {
      return [];
    }
  });
}

function settingsLine(s: SettingsMerge): string {
  if (!s.change) return `  same     ${displayPath(s.path)} (telemetry settings already in place)\n`;
  const what = s.set.map((x) => `${x.name}=${x.to}${x.from !== undefined ? ` (was ${shownValue(x.from)})` : ''}`).join(', ');
  return `  ${(s.change.before ? 'update' : 'create').padEnd(8)} ${displayPath(s.path)}: ${what}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// Mode 2: settings for a central endpoint

function runEnterprise(f: InitFlags, run: Run): number {
  const out = run.io.out;
  const input = parseEnterprise(f);
  const cluster = f.kubernetes ? parseKubernetes(f, input) : undefined;
  const mode = cluster ? '--kubernetes' : '--enterprise';
  const dir = resolve(f.out ?? 'claude-telemetry-rollout');
  isFolderOrMissing(dir, '--out');
  const generated = enterpriseFiles(input).map((g) => (cluster && g.rel === 'ROLLOUT.md' ? { ...g, text: g.text + kubernetesGuide(cluster) } : g));
  const planned: PlannedFile[] = [...generated, ...(cluster ? kubernetesFiles(cluster) : [])].map((g) => ({
    path: join(dir, g.rel),
    text: g.text,
    mode: g.mode,
  }));
  const managed = planned[0];

  // The doctor's rules on the managed settings before anything is written: a combination they flag is refused.
  const v = verifyManaged(dir, new Map([[managed.path, managed.text]]));
  if (v.findings.length || v.problems.length) {
    const why = [...v.problems.map((p) => p.reason), ...v.findings.map((x) => `${x.message} [${x.ruleId}]`)].join('; ');
    throw new UsageError(
      `the doctor's rules find problems in the managed settings these options make, so nothing was written: ${redact(why, collectSecrets(v.workspaces))}`,
    );
  }
  const files = examine(planned);
  const force = f.force === true;
  const changes = changesOf(files);
  run.changed = changes.map((c) => c.path);
  run.findings = v.findings;
  let text = `${f.dryRun ? `init ${mode} would write` : `init ${mode}:`} rollout files in ${displayPath(dir)}\n${planLines(files, dir, force)}`;
  if (f.dryRun) {
    out(text);
    const change = changes.find((c) => c.path === managed.path);
    if (change) out(formatDiffs([change], new Set()).text);
    refuseDiffering(files, force);
    out(changes.length ? 'nothing written (--dry-run)\n' : 'nothing to write: the files are in place\n');
    return 0;
  }
  refuseDiffering(files, force);
  const folders = [...new Set(changes.map((c) => dirname(c.path)))];
  const result = changes.length ? writeAll(changes, folders, TOOL_VERSION) : undefined;
  run.backupDir = result?.backupDir;
  text += result ? written(result) : 'nothing to write: the files are in place\n';
  text += findingsText(v, f.color === false ? false : colorEnabled()).replace('what init wrote', 'managed-settings.json');
  text += `next: read ${displayPath(join(dir, 'ROLLOUT.md'))}: where managed-settings.json goes on each OS, the headers helper, and how to verify with claude-otel-doctor\n`;
  out(text);
  return 0;
}
