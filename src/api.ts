import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { emptyConfig, findConfigFile, loadConfig, UNEXAMINED_REASON, type DoctorConfig } from './config/doctor-config.js';
import { isUnexamined, runRules, type RuleRuns } from './engine.js';
import type { FixScope, AppliedFix, FileChange, NotApplied } from './fixers/apply.js';
import { runFix, type FixOutcome } from './fixers/command.js';
import { diskReader, leavesResultIncomplete, type ReadProblem, type Reader } from './load/read.js';
import { readCollectorEnvironment } from './model/collector-env.js';
import { readManifest } from './model/manifest.js';
import type { StackOptions } from './model/stack.js';
import type { Workspace } from './model/workspace.js';
import type { ProbeFlags } from './probes/plan.js';
import { PROBES, runProbes, type ProbeHooks } from './probes/index.js';
import { colorEnabled } from './util/color.js';
import { formatReport, type OutputOptions, type RunReport } from './report/output.js';
import { RULES, RULES_BY_ID } from './rules/index.js';
import { SEVERITY_ORDER, type Finding, type ProgressEvent, type Severity, type Stage } from './types.js';
import type { ProbeResult } from './probes/define.js';
import { didYouMean } from './util/distance.js';
import { UsageError } from './util/errors.js';
import { escapeControl } from './util/escape.js';
import { collectSecrets, redact } from './util/secrets.js';
import { TOOL_VERSION } from './version.js';
import { fileWorkspaces, machineWorkspace } from './workspaces.js';
import type { InitFlags, InitResult } from './bootstrap/index.js';

/**
 * The library API: the doctor, `check`, `probe`, `--fix` and `init` as functions that take options and return
 * results. Nothing here writes to stdout or stderr, reads process.argv or exits; the CLI (cli.ts) maps its flags to
 * these options and the results to output. Bad options throw a UsageError (the CLI's exit code 2).
 */

/** Which setup to examine, and how to judge it. */
export interface SetupOptions {
  /** Files and folders to examine (CI mode: only these, no home, shell or /etc unless `machine`). Ignored by `doctor`. */
  paths?: string[];
  /** Home folder of the Claude Code user settings (default: your home, on this machine). */
  home?: string;
  /** Project folder whose .claude/ settings apply (default: `cwd`, on this machine). */
  project?: string;
  /** Folder of managed-settings.json (default: /etc/claude-code on Linux, on this machine). */
  managedDir?: string;
  /** The --settings value Claude Code is started with: a file or inline JSON. */
  settings?: string;
  /** Shell variables from a KEY=value file. */
  envFile?: string;
  /** Read the shell's variables (`env`); default true on this machine, false in CI mode unless `machine`. */
  shellEnv?: boolean;
  /** With paths: read this machine's home, project, managed settings and shell too. */
  machine?: boolean;
  /** The doctor config: a file, or one already loaded (`loadDoctorConfig`); default the nearest one upward from `cwd`. */
  config?: string | DoctorConfig;
  /** Rule ids or areas (`settings/`) to run; all when empty. */
  select?: string[];
  ignore?: string[];
  /** Lowest severity that makes the exit code 1 (default error). */
  failOn?: Severity;
  claudeVersion?: string;
  collectorVersion?: string;
  /** Builder manifest of a custom collector build. */
  collectorManifest?: string;
  /** The collector's environment as KEY=value lines. */
  collectorEnvFile?: string;
  prometheusVersion?: string;
  /** Folder relative paths and the config lookup start from (default process.cwd()). */
  cwd?: string;
  /** The environment (default process.env): the shell variables and GRAFANA_TOKEN. */
  env?: Record<string, string | undefined>;
}

/** Where and how the live probes look (see probes/plan.ts). */
export interface ProbeOptions extends SetupOptions {
  prometheusUrl?: string;
  grafanaUrl?: string;
  lokiUrl?: string;
  /** A Grafana token; default GRAFANA_TOKEN from `env` (in CI mode only with `machine` or `grafanaUrl`). */
  grafanaToken?: string;
  /** Treat the project's settings as your own: run their otelHeadersHelper, send your credentials to their endpoint. */
  trustProject?: boolean;
  /** Hard timeout of each request, in ms (default 5000). */
  timeoutMs?: number;
  /** How long the end-to-end check waits for its data, in ms (default: twice the scrape interval + 5 s). */
  flowTimeoutMs?: number;
  /** Send probe telemetry (default true; false skips the end-to-end check). */
  send?: boolean;
  /** Told as the run goes: the static result first, then each stage's probe results as they end, and the waits. */
  onProgress?: (event: Progress) => void;
}

/** What the doctor, `probe` and `init` report while they run (see ProgressEvent). */
export type Progress = ProgressEvent<CheckResult, ProbeResult>;

export interface DoctorOptions extends ProbeOptions {
  /** Static rules only, no live probe. */
  offline?: boolean;
}

export interface FixOptions extends SetupOptions {
  /** Apply unsafe fixes too. */
  unsafe?: boolean;
  /** Plan the fixes and write nothing: `diff` holds them as a unified diff. */
  dryRun?: boolean;
  /** List each fix applied in `notes`. */
  showFixes?: boolean;
  /** Where a variable that is set nowhere goes on this machine (default user). */
  scope?: FixScope;
}

/** What a run found: findings (rules' and probes'), the workspaces read, read problems, and the exit code. */
export interface CheckResult extends RunReport {
  /** 0 nothing at or above failOn, 1 findings, 2 part of the input went unexamined. */
  exitCode: number;
}

export interface FixResult {
  /** Set when the run ends here: a dry run (1 if there is something to fix, else 0), a failed write or input left unexamined (2). Else check the fixed setup. */
  exitCode?: number;
  /** The changes planned (written unless dryRun or exitCode 2). */
  changes: FileChange[];
  applied: AppliedFix[];
  notApplied: NotApplied[];
  unsafeSkipped: number;
  /** The files written and their backup folder (undo with `claude-otel-doctor restore`). */
  written?: { written: string[]; backupDir: string };
  /** Files that could not be examined (with a dry run they make the exit code 2). */
  unexamined: ReadProblem[];
  /** The text of the run, credentials masked: the diff of a dry run, the notes, and an error line. */
  diff: string;
  notes: string;
  error: string;
}

export type InitOptions = InitFlags & {
  /** Receives init's progress text as it goes (what the CLI prints); it is in the result's `output` too. */
  onOutput?: (text: string) => void;
  /** Receives what `docker compose up` prints, line by line as it comes (masked and escaped), unless onProgress does. */
  onErrorOutput?: (text: string) => void;
  /** Told the waits (compose up, the services, the probes) and, as `output` events, what compose prints. */
  onProgress?: (event: Progress) => void;
};
export type { InitResult };

// ---------------------------------------------------------------------------------------------------------------
// Options

/** The doctor config: the file given, else the nearest `.claude-otel-doctor.json` upward from cwd, else none. */
export function loadDoctorConfig(file: string | undefined, cwd = process.cwd()): DoctorConfig {
  const known = new Set(RULES.map((r) => r.id));
  const fixed = new Set(RULES.filter((r) => r.unexamined).map((r) => r.id));
  const path = file ?? findConfigFile(cwd);
  return path ? loadConfig(resolve(cwd, path), known, fixed) : emptyConfig(cwd);
}

/** Refuses ids that name no rule, probe or area; `label` names the option in the message (`--select`). */
export function checkRuleList(ids: readonly string[], label: string): void {
  const all = [...RULES, ...PROBES].map((r) => r.id);
  for (const id of ids) {
    if (!all.includes(id) && !all.some((r) => r.startsWith(id.endsWith('/') ? id : `${id}/`))) {
      const areas = [...new Set(all.map((r) => `${r.slice(0, r.indexOf('/'))}/`))];
      throw new UsageError(`${label}: unknown rule or area "${id}"${didYouMean(id, [...all, ...areas])} (see claude-otel-doctor rules)`);
    }
    // Ignoring it would hide the reason for exit 2, not the incomplete result (an area such as doctor/ keeps it).
    if (label.endsWith('ignore') && RULES_BY_ID.get(id)?.unexamined) throw new UsageError(`${label}: ${id} cannot be ignored: ${UNEXAMINED_REASON}`);
  }
}

type Command = 'doctor' | 'check' | 'probe';

/** Options made whole: defaults applied, the config loaded, the files to read worked out. */
interface Setup {
  command: Command;
  paths: string[];
  config: DoctorConfig;
  select: string[];
  ignore: string[];
  failOn: Severity;
  cwd: string;
  env: Record<string, string | undefined>;
  /** CI mode: paths given (never for the doctor). */
  filesMode: boolean;
  /** Whether this machine is read too (always outside CI mode; in CI mode when a flag names part of it). */
  readsMachine: boolean;
  home?: string;
  project?: string;
  options: SetupOptions;
}

function setup(command: Command, o: SetupOptions): Setup {
  const failOn = o.failOn ?? 'error';
  if (!(failOn in SEVERITY_ORDER)) throw new UsageError(`failOn must be error, warning or info, not "${failOn}"`);
  const select = o.select ?? [];
  const ignore = o.ignore ?? [];
  checkRuleList(select, 'select');
  checkRuleList(ignore, 'ignore');
  const cwd = o.cwd ?? process.cwd();
  const config = typeof o.config === 'object' ? o.config : loadDoctorConfig(o.config, cwd);
  const paths = command === 'doctor' ? [] : (o.paths ?? []);
  // CI mode (paths given) reads no real HOME, /etc or shell unless an option asks for them.
  const filesMode = paths.length > 0;
  const readMachine = !filesMode || o.machine === true;
  const explicitMachine = o.machine === true || [o.home, o.project, o.settings, o.envFile, o.managedDir].some((v) => v !== undefined);
  return {
    command,
    paths,
    config,
    select,
    ignore,
    failOn,
    cwd,
    env: o.env ?? process.env,
    filesMode,
    readsMachine: !filesMode || explicitMachine,
    home: o.home ? resolve(cwd, o.home) : readMachine ? homedir() : undefined,
    project: o.project ? resolve(cwd, o.project) : readMachine ? cwd : undefined,
    options: o,
  };
}

function stackOptions(s: Setup): StackOptions {
  const o = s.options;
  return {
    collectorVersion: o.collectorVersion,
    prometheusVersion: o.prometheusVersion,
    manifestComponents: o.collectorManifest ? readManifest(resolve(s.cwd, o.collectorManifest)) : undefined,
    collectorEnvironment: o.collectorEnvFile ? readCollectorEnvironment(resolve(s.cwd, o.collectorEnvFile)) : undefined,
  };
}

interface Loaded {
  workspaces: Workspace[];
  problems: ReadProblem[];
}

/** Reads the setup through `reader`: the paths (CI mode) and, unless CI mode alone, this machine. */
function load(s: Setup, reader: Reader): Loaded {
  const o = s.options;
  const workspaces: Workspace[] = [];
  const problems: ReadProblem[] = [];
  const stack = stackOptions(s);
  if (s.filesMode) {
    const r = fileWorkspaces(s.paths, s.config, o.claudeVersion, stack, reader);
    workspaces.push(...r.workspaces);
    problems.push(...r.problems);
  }
  if (s.readsMachine) {
    // In CI mode only what an option names is read; the doctor and a bare `check` read this machine.
    const readMachine = !s.filesMode || o.machine === true;
    const shellAllowed = o.shellEnv !== false && (!s.filesMode || o.machine === true);
    const ws = machineWorkspace(
      {
        home: s.home,
        project: s.project,
        managedDir: o.managedDir ? resolve(s.cwd, o.managedDir) : readMachine ? undefined : '',
        settingsArg: o.settings,
        envFile: o.envFile ? resolve(s.cwd, o.envFile) : undefined,
        processEnv: shellAllowed ? s.env : undefined,
        claudeVersion: o.claudeVersion,
        stack,
        reader,
      },
      s.config,
    );
    workspaces.push(ws);
    problems.push(...ws.problems);
  }
  return { workspaces, problems };
}

function analyze(s: Setup, reader: Reader, reuse?: RuleRuns): Loaded & { findings: Finding[] } {
  const loaded = load(s, reader);
  return { ...loaded, findings: runRules(loaded.workspaces, { config: s.config, select: s.select, ignore: s.ignore, reuse }, loaded.problems) };
}

function exitCode(s: Setup, findings: Finding[], problems: ReadProblem[]): number {
  // A file that was not read, or a rule that failed: the result is incomplete, whatever else was found.
  if (problems.some(leavesResultIncomplete) || findings.some(isUnexamined)) return 2;
  return findings.some((f) => SEVERITY_ORDER[f.severity] >= SEVERITY_ORDER[s.failOn]) ? 1 : 0;
}

function result(s: Setup, loaded: Loaded, findings: Finding[], extraSecrets: Iterable<string> = []): CheckResult {
  const secrets = collectSecrets(loaded.workspaces);
  for (const x of extraSecrets) secrets.add(x);
  return { findings, workspaces: loaded.workspaces, problems: loaded.problems, secrets, exitCode: exitCode(s, findings, loaded.problems) };
}

/**
 * The one line that reports a thrown error (bad usage, or a bug: "internal error"), masked and escaped like every
 * other output line, since messages quote flags and file contents.
 */
export function errorLine(err: unknown): string {
  const line = (text: string) => escapeControl(redact(text, new Set()));
  if (err instanceof UsageError || (err as Error)?.name === 'CACError') return `claude-otel-doctor: ${line((err as Error).message)}\n`;
  return `claude-otel-doctor: internal error: ${line((err as Error)?.message ?? String(err))}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// The commands

/** Static rules only, no network: `claude-otel-doctor check [paths]`. */
export function check(options: SetupOptions = {}): CheckResult {
  const s = setup('check', options);
  const a = analyze(s, diskReader);
  return result(s, a, a.findings);
}

/** The probe settings of these options, checked. */
function probeFlags(s: Setup, o: ProbeOptions): ProbeFlags {
  for (const [name, url] of [
    ['prometheusUrl', o.prometheusUrl],
    ['grafanaUrl', o.grafanaUrl],
    ['lokiUrl', o.lokiUrl],
  ] as const) {
    if (url !== undefined && !isHttpUrl(url)) throw new UsageError(`${name} must be an http:// or https:// URL`);
  }
  for (const [name, ms] of [
    ['timeoutMs', o.timeoutMs],
    ['flowTimeoutMs', o.flowTimeoutMs],
  ] as const) {
    if (ms !== undefined && !(Number.isFinite(ms) && ms > 0 && ms <= 600_000)) throw new UsageError(`${name} must be between 0 and 600000 ms`);
  }
  return {
    prometheusUrl: o.prometheusUrl,
    grafanaUrl: o.grafanaUrl,
    lokiUrl: o.lokiUrl,
    // CI mode reads no shell variable: GRAFANA_TOKEN only with `machine` or a Grafana named by grafanaUrl.
    grafanaToken: o.grafanaToken ?? (s.filesMode && !o.machine && !o.grafanaUrl ? undefined : s.env.GRAFANA_TOKEN || undefined),
    trustProject: o.trustProject === true,
    timeoutMs: o.timeoutMs ?? 5000,
    flowTimeoutMs: o.flowTimeoutMs,
    send: o.send !== false,
  };
}

function isHttpUrl(url: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

function matchesRule(id: string, pattern: string): boolean {
  return id === pattern || id.startsWith(pattern.endsWith('/') ? pattern : `${pattern}/`);
}

/** User and password written into a URL option: never printed. */
function urlCredentials(url: string | undefined): string[] {
  try {
    const u = url ? new URL(url) : undefined;
    return u ? [decodeURIComponent(u.password), u.password].filter((x) => x.length >= 3) : [];
  } catch {
    return [];
  }
}

/** Loads the setup, runs the probes of every workspace, and adds their findings to the static ones (if any). */
async function probed(s: Setup, o: ProbeOptions, withRules: boolean): Promise<CheckResult> {
  const flags = probeFlags(s, o);
  const loaded = withRules ? analyze(s, diskReader) : { ...load(s, diskReader), findings: [] };
  const selected = (id: string) => (s.select.length === 0 || s.select.some((p) => matchesRule(id, p))) && !s.ignore.some((p) => matchesRule(id, p));
  const flagSecrets = [flags.grafanaToken ?? '', ...[flags.grafanaUrl, flags.prometheusUrl, flags.lokiUrl].flatMap(urlCredentials)].filter(Boolean);
  const hooks = o.onProgress ? stageProgress(o.onProgress, result(s, loaded, loaded.findings, flagSecrets), loaded.workspaces.length, selected) : () => ({});
  const runs = await Promise.all(loaded.workspaces.map((ws, i) => runProbes(ws, flags, selected, hooks(i))));
  const probes = runs.flatMap((r) => r.results);
  const findings = [...loaded.findings, ...probes.flatMap((r) => (r.finding ? [r.finding] : []))];
  const secrets = [...flagSecrets, ...runs.flatMap((r) => [...r.secrets])];
  return { ...result(s, loaded, findings, secrets), probes };
}

/**
 * Tells `progress` the static result, then each stage as every probe of it has ended in every workspace (stages
 * end in any order; a report puts them in its own), and the probes' waits. The hooks of workspace `i`.
 */
function stageProgress(
  progress: (e: Progress) => void,
  statics: CheckResult,
  workspaces: number,
  selected: (id: string) => boolean,
): (i: number) => ProbeHooks {
  const left = new Map<Stage, number>();
  for (const p of PROBES.filter((p) => selected(p.id) && workspaces > 0)) left.set(p.stage, (left.get(p.stage) ?? 0) + workspaces);
  progress({ type: 'static', report: statics, probing: [...left.keys()] });
  // A stage's results in the order of the final result: by workspace, then by probe.
  const ended: { at: number; stage: Stage; results: ProbeResult[] }[] = [];
  const secrets = new Set(statics.secrets);
  return (i) => ({
    onWait: (w) => progress({ type: 'waiting', ...w }),
    onProbe: (probe, results, helperValues) => {
      for (const x of helperValues) secrets.add(x);
      ended.push({ at: i * PROBES.length + PROBES.indexOf(probe), stage: probe.stage, results });
      const n = (left.get(probe.stage) ?? 1) - 1;
      left.set(probe.stage, n);
      if (n > 0) return;
      const stageResults = ended
        .filter((e) => e.stage === probe.stage)
        .sort((a, b) => a.at - b.at)
        .flatMap((e) => e.results);
      progress({ type: 'stage-finished', stage: probe.stage, results: stageResults, secrets: [...secrets] });
    },
  });
}

/** Live probes only: `claude-otel-doctor probe [paths]`. */
export function probe(options: ProbeOptions = {}): Promise<CheckResult> {
  const s = setup('probe', options);
  return probed(s, options, false);
}

/** The doctor: this machine's setup, static rules and (unless offline) the live probes. */
export async function doctor(options: DoctorOptions = {}): Promise<CheckResult> {
  const s = setup('doctor', options);
  if (options.offline) {
    const a = analyze(s, diskReader);
    return result(s, a, a.findings);
  }
  return probed(s, options, true);
}

/**
 * `--fix`: plans the fixes the rules offer, re-running the rules on the fixed contents, and writes them (with a
 * backup) unless dryRun. Check the setup again afterwards for its findings.
 */
export function fix(options: FixOptions = {}): FixResult {
  const s = setup(options.paths?.length ? 'check' : 'doctor', options);
  let unexamined: ReadProblem[] = [];
  const text = { diff: '', notes: '', error: '' };
  const outcome: FixOutcome = runFix({
    flags: { fix: !options.dryRun, dryRun: options.dryRun, unsafeFixes: options.unsafe, showFixes: options.showFixes, scope: options.scope },
    analyze: (reader, reuse) => {
      const a = analyze(s, reader, reuse);
      unexamined = a.problems.filter(leavesResultIncomplete);
      return a;
    },
    machine: { home: s.home, project: s.project },
    roots: s.filesMode ? s.paths : undefined,
    tool: TOOL_VERSION,
    cwd: s.cwd,
    output: { diff: (t) => (text.diff += t), notes: (t) => (text.notes += t), error: (t) => (text.error += t) },
  });
  const r = outcome.result;
  // A dry run prints no report, and its 0 or 1 says whether there is something to fix: a file that could not be
  // examined makes it 2.
  const code = outcome.exitCode !== undefined && unexamined.length > 0 ? 2 : outcome.exitCode;
  return {
    exitCode: code,
    changes: r?.changes ?? [],
    applied: r?.applied ?? [],
    notApplied: r?.notApplied ?? [],
    unsafeSkipped: r?.unsafeSkipped ?? 0,
    written: outcome.written,
    unexamined,
    ...text,
  };
}

/**
 * `init`: writes a local stack (or with `enterprise`, settings for a central endpoint), checks it with the rules,
 * starts it where Docker runs and probes it (through `probe`, in process).
 */
export async function init(options: InitOptions = {}): Promise<InitResult> {
  const { runInit } = await import('./bootstrap/index.js'); // loaded only for init
  const { onOutput, onErrorOutput, onProgress, ...flags } = options;
  return runInit(flags, {
    out: (text) => onOutput?.(text),
    err: (text) => (onProgress ? onProgress({ type: 'output', line: text.replace(/\n$/, '') }) : onErrorOutput?.(text)),
    wait: (w) => onProgress?.({ type: 'waiting', ...w }),
    // The live checks of the stack just started: this machine's probes, reported as `probe` prints them. A probe run
    // that cannot start (a bad config file here) is one line and exit code 2, as `claude-otel-doctor probe` says it.
    probe: async (home) => {
      try {
        const r = await probe({ home, onProgress });
        return {
          exitCode: r.exitCode,
          text: formatReport(r, initProbeReport(flags.color)),
        };
      } catch (err) {
        onErrorOutput?.(errorLine(err));
        return { exitCode: 2, text: '' };
      }
    },
  });
}

/**
 * How `init` reports the live checks of the stack it started: as `probe` prints them (plain with --no-color, as
 * init's own lines), for a terminal to stream too.
 */
export function initProbeReport(color?: boolean): OutputOptions {
  return { command: 'probe', format: 'pretty', failOn: 'error', color: color === false ? false : colorEnabled(), cwd: process.cwd(), stackStarted: true };
}

export { formatReport, FORMATS, type Format, type OutputOptions, type RunReport } from './report/output.js';
export type { Finding, Severity } from './types.js';
export type { DoctorConfig } from './config/doctor-config.js';
export type { ProbeResult } from './probes/define.js';
export type { Workspace } from './model/workspace.js';
export type { ReadProblem } from './load/read.js';
export { UsageError } from './util/errors.js';
