// Shared machinery of the differential suites (differential.test.ts, differential-prometheus.test.ts):
// corpus discovery, the real components' verdicts, and the doctor's verdict on the same file.
//
// The corpus is discovered, not listed: every collector config / prometheus.yml under
// fixtures/*/files/** (by the doctor's own classifier), plus test/oracles/corpus/{collector,prometheus}.
// Rules and fixtures that land later are therefore compared automatically.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { classify, type FileKind } from '../../src/discover/classify.js';
import { packageRoot } from '../../src/util/paths.js';
import { runCli } from '../helpers/cli.js';
import { describeWithComponents } from '../helpers/real-components.js';

/**
 * describe() for a suite that needs a real component: runs when the binary exists; otherwise fails
 * in CI (one failing test naming the provisioning command) or is skipped with a loud warning.
 */
export function oracleDescribe(name: string, binary: string | undefined, command: string, body: (bin: string) => void): void {
  describeWithComponents(name, binary ? undefined : `${name} is not provisioned; run \`${command}\``, () => body(binary ?? ''));
}

// ---------------------------------------------------------------------------------------------
// Corpus discovery

export interface CorpusFile {
  /** Path relative to the package root: the name used in test titles and failure messages. */
  name: string;
  path: string;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : d.isFile() ? [join(dir, d.name)] : []));
}

/** Every fixtures/<case>/files/** file the doctor classifies as `kind`, plus test/oracles/corpus/<corpusDir>/*.<ext>. */
export function discoverCorpus(kind: FileKind, corpusDir: string, ext: RegExp): CorpusFile[] {
  const fixturesDir = join(packageRoot, 'fixtures');
  const fromFixtures = existsSync(fixturesDir)
    ? readdirSync(fixturesDir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .flatMap((d) => walk(join(fixturesDir, d.name, 'files')))
        .filter((p) => {
          try {
            return classify(p, readFileSync(p, 'utf8')) === kind;
          } catch {
            return false;
          }
        })
    : [];
  const own = join(packageRoot, 'test/oracles/corpus', corpusDir);
  const fromCorpus = existsSync(own)
    ? readdirSync(own)
        .filter((n) => ext.test(n))
        .map((n) => join(own, n))
    : [];
  return [...fromFixtures, ...fromCorpus].sort().map((path) => ({ name: relative(packageRoot, path), path }));
}

// ---------------------------------------------------------------------------------------------
// The doctor's verdict

export interface DoctorFinding {
  ruleId: string;
  severity: string;
  message: string;
  file?: string;
  range?: { start: { line: number; column: number } };
  fatal?: boolean;
}

export interface DoctorVerdict {
  /** Findings in the checked file. */
  findings: DoctorFinding[];
}

/**
 * Runs `check` (in-process) on a temp folder holding only a copy of `file` named `asName`, with
 * `extraArgs` (versions, manifest). Fixture configs are judged alone too: only the config is copied.
 */
export function doctorFindings(file: string, asName: string, extraArgs: string[]): DoctorVerdict {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'cod-diff-')));
  try {
    const copy = join(dir, asName);
    copyFileSync(file, copy);
    const args = ['check', dir, '--format', 'json', '--no-shell-env', '--claude-version', '2.1.197', ...extraArgs];
    const res = runCli(args, { CLAUDE_CONFIG_DIR: undefined });
    let report: { findings: DoctorFinding[] };
    try {
      report = JSON.parse(res.stdout);
    } catch {
      throw new Error(`doctor did not print a JSON report for ${file} (exit ${res.exitCode}):\n${res.stderr}${res.stdout}`);
    }
    return { findings: report.findings.filter((f) => f.file === copy) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function describeFindings(findings: DoctorFinding[]): string {
  if (findings.length === 0) return '(none)';
  return findings
    .map((f) => `${f.ruleId}${f.range ? `@${f.range.start.line}:${f.range.start.column}` : ''}${f.fatal ? ' [fatal]' : ''}: ${f.message}`)
    .join('\n    ');
}

// ---------------------------------------------------------------------------------------------
// The real collector's verdict

export interface RealVerdict {
  refused: boolean;
  /** Where it was decided: `validate` failed, the started collector exited by itself, or it ran. */
  stage: 'validate' | 'start' | 'running';
  /** Exit status of the started collector when it exited by itself (stage `start`). */
  exitCode?: number | null;
  /** The collector's error lines (first few), for messages. */
  error: string;
  /** Everything it printed. */
  output: string;
  ms: number;
}

/** How long a started collector gets to fail (the issue's definition of "refuses"). */
export const START_WINDOW_MS = 5_000;
const READY = 'Everything is ready';
/**
 * "Everything is ready" is not yet acceptance: up to v0.110 the internal telemetry servers (the `address`,
 * default :8888, and each pull reader) bind their ports in goroutines (service/internal/proctelemetry/config.go
 * at v0.105.0: ListenAndServe, the error sent to the async error channel), so a port shared with a component
 * fails after that line, later still on a loaded machine. Every other listener binds inside Start, before it.
 * So a run is accepted early only on a positive signal: every telemetry server the config may open answers
 * with the collector's own metrics (otelcol_*). The list errs on the side of too many (the default :8888 with
 * readers too, which v0.111.0 and later drop): a server that never answers only means waiting out the
 * bound, START_WINDOW_MS, as does telemetry that is off or on a host this machine cannot reach.
 */
export function telemetryUrls(configText: string): string[] | undefined {
  let metrics: { level?: unknown; address?: unknown; readers?: unknown } | undefined;
  try {
    metrics = (parseYaml(configText) as { service?: { telemetry?: { metrics?: typeof metrics } } } | null)?.service?.telemetry?.metrics ?? undefined;
  } catch {
    return undefined;
  }
  if (metrics?.level === 'none') return undefined;
  const local = (host: string) => (['', '0.0.0.0', '::', '[::]', 'localhost', '127.0.0.1'].includes(host) ? '127.0.0.1' : undefined);
  const addresses: string[] = [];
  const address = typeof metrics?.address === 'string' ? metrics.address : ':8888';
  addresses.push(address);
  for (const r of Array.isArray(metrics?.readers) ? metrics.readers : []) {
    const prom = (r as { pull?: { exporter?: { prometheus?: { host?: unknown; port?: unknown } } } })?.pull?.exporter?.prometheus;
    if (prom) addresses.push(`${typeof prom.host === 'string' ? prom.host : 'localhost'}:${String(prom.port)}`);
  }
  const urls: string[] = [];
  for (const a of addresses) {
    const m = /^(.*):(\d+)$/.exec(a);
    const host = m && local(m[1]);
    if (!host) return undefined;
    urls.push(`http://${host}:${m[2]}/metrics`);
  }
  return urls;
}
/**
 * The telemetry URLs whose answers accept a run early, or undefined for none. Two telemetry servers on one port give
 * no signal: the one that binds first answers for both, and the other's bind error comes later (a goroutine, up to
 * v0.110), so such a run waits for the exit or the window (a flake seen under load: it was accepted early).
 */
export function acceptanceUrls(configText: string): string[] | undefined {
  const urls = telemetryUrls(configText);
  return urls && new Set(urls).size === urls.length ? urls : undefined;
}
const TELEMETRY_POLL_MS = 100;

/** Whether a telemetry server of the collector answers at `url` (its metrics are named otelcol_*). */
async function telemetryServes(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return res.ok && /^otelcol_/m.test(await res.text());
  } catch {
    return false;
  }
}

/** Environment for the collector: nothing but PATH, so `${env:X}` references expand empty. */
const COLLECTOR_ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

let envFile: string | undefined;
/**
 * COLLECTOR_ENV as a KEY=value file, for the doctor's --collector-env-file: the doctor is told the
 * environment the real collector runs with, as it is told its version and manifest.
 */
export function collectorEnvFile(): string {
  if (!envFile) {
    const dir = mkdtempSync(join(tmpdir(), 'cod-collector-env-'));
    envFile = join(dir, 'collector.env');
    writeFileSync(
      envFile,
      Object.entries(COLLECTOR_ENV)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );
  }
  return envFile;
}

/**
 * Ports a config may open locally, plus the defaults: `<local host>:<port>` (0.0.0.0, localhost,
 * 127.0.0.1, [::] or none), and `port: <n>` (telemetry readers). Remote targets such as
 * `http://loki:3100` are not ours to check.
 */
export function portsOf(text: string): number[] {
  const ports = new Set([4317, 4318, 8888, 8889, 13133]);
  for (const m of text.matchAll(/(?:0\.0\.0\.0|localhost|127\.0\.0\.1|\[::\]|endpoint:\s*["']?):(\d{2,5})\b|\bport:\s*(\d{2,5})\b/g)) {
    const p = Number(m[1] ?? m[2]);
    if (p > 0 && p < 65536) ports.add(p);
  }
  return [...ports].sort((a, b) => a - b);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    // No host: Node listens on :: (dual stack), which collides with 0.0.0.0, :: and 127.0.0.1 binds.
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Waits until every port is bindable: the previous collector is gone and nothing else squats on a
 * port the config uses (which would make the real verdict a lie). Throws after `timeoutMs`.
 */
export async function waitForPorts(ports: number[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const busy: number[] = [];
    for (const p of ports) if (!(await portFree(p))) busy.push(p);
    if (busy.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`port(s) ${busy.join(', ')} stay in use by another process; the real collector's verdict would be meaningless (free them and rerun)`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A lock (an atomically created folder in the temp dir) held while a collector is started and stopped:
 * test runs in other processes (a second vitest run, another worker) then take turns on the fixed ports
 * 4317/4318/8888/... instead of making each other's collectors fail with "address already in use".
 * A lock whose owner process is gone is taken over.
 */
const START_LOCK = join(tmpdir(), 'claude-otel-doctor-collector-start.lock');

function lockIsStale(): boolean {
  try {
    const pid = Number(readFileSync(join(START_LOCK, 'pid'), 'utf8'));
    if (!pid) return false;
    try {
      process.kill(pid, 0); // existence check only, no signal is delivered
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch {
    // no pid yet: stale only if the folder is old (its creator died before writing the pid)
    try {
      return Date.now() - statSync(START_LOCK).mtimeMs > 30_000;
    } catch {
      return false;
    }
  }
}

export async function withStartLock<T>(fn: () => Promise<T>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(START_LOCK);
      writeFileSync(join(START_LOCK, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (lockIsStale()) {
        rmSync(START_LOCK, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${START_LOCK} stays held by another process; is another differential run stuck?`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(START_LOCK, { recursive: true, force: true });
  }
}

/** Collectors started by this process that may still run (killed by killAll). */
const live = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // its own process group (detached): the collector and anything it spawned
  } catch {
    // already gone
  }
}

/** Stops every collector this process started (afterAll safety net). */
export async function killAll(): Promise<void> {
  await Promise.all([...live].map((c) => stop(c)));
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      live.delete(child);
      resolve();
      return;
    }
    const hard = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(hard);
      live.delete(child);
      resolve();
    });
    killGroup(child, 'SIGTERM');
  });
}

/**
 * Why the collector stopped: its `Error: ...` block (the line and its continuation lines, up to the
 * "collector server run finished" log line), else its error-level log lines, else its last lines.
 */
export function errorLines(output: string, max = 6): string {
  const lines = output.split('\n').map((l) => l.trimEnd());
  const start = lines.findIndex((l) => l.startsWith('Error:'));
  let picked: string[];
  if (start >= 0) {
    const end = lines.findIndex((l, i) => i > start && /collector server run finished with error/.test(l));
    picked = lines.slice(start, end < 0 ? undefined : end).filter(Boolean);
  } else {
    const errors = lines.filter((l) => /\terror\t/.test(l));
    picked = errors.length ? errors : lines.filter(Boolean).slice(-max);
  }
  return picked.slice(0, max).join('\n      ');
}

/**
 * The real collector's verdict: `validate --config` fails, or (validate passing) the started collector
 * exits by itself within START_WINDOW_MS (non-zero, or zero after an asynchronous error: see startVerdict).
 * Accepts early once ready and its telemetry servers answer (see telemetryUrls).
 * Waits for the ports the config uses to be free before starting, and for the process to be gone after.
 */
export function collectorVerdict(bin: string, file: string): Promise<RealVerdict> {
  // Many fixtures share a config byte for byte: run each distinct text once per build (in memory only).
  const text = readFileSync(file, 'utf8');
  const key = `${bin}\0${createHash('sha256').update(text).digest('hex')}`;
  let verdict = verdicts.get(key);
  if (!verdict) {
    verdict = computeCollectorVerdict(bin, file, text);
    verdicts.set(key, verdict);
    verdict.catch(() => verdicts.delete(key)); // an infrastructure failure (busy port) is not a verdict
  }
  return verdict;
}

const verdicts = new Map<string, Promise<RealVerdict>>();

async function computeCollectorVerdict(bin: string, file: string, text: string): Promise<RealVerdict> {
  const t0 = Date.now();
  const v = spawnSync(bin, ['validate', `--config=${file}`], { encoding: 'utf8', env: COLLECTOR_ENV, timeout: 30_000 });
  const vout = `${v.stdout ?? ''}${v.stderr ?? ''}`;
  if (v.status !== 0) {
    return { refused: true, stage: 'validate', error: errorLines(vout) || `exit ${v.status} ${v.signal ?? ''}`, output: vout, ms: Date.now() - t0 };
  }
  return withStartLock(() => startVerdict(bin, file, text, portsOf(text), t0));
}

/** Starts the collector (validate passed) and decides within START_WINDOW_MS; see collectorVerdict. */
async function startVerdict(bin: string, file: string, text: string, ports: number[], t0: number): Promise<RealVerdict> {
  await waitForPorts(ports);
  const child = spawn(bin, [`--config=${file}`], { detached: true, env: COLLECTOR_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let output = '';
  const result = await new Promise<{ code: number | null; ran: boolean }>((resolve) => {
    let settled = false;
    const settle = (r: { code: number | null; ran: boolean }) => {
      if (settled) return;
      settled = true;
      clearTimeout(window);
      resolve(r);
    };
    const window = setTimeout(() => settle({ code: null, ran: true }), START_WINDOW_MS);
    const urls = acceptanceUrls(text);
    let polling = false;
    const poll = async (list: string[]) => {
      // Bounded by the window: settle() ends the loop, at the latest when START_WINDOW_MS is over.
      while (!settled) {
        if ((await Promise.all(list.map(telemetryServes))).every(Boolean)) return settle({ code: null, ran: true });
        await new Promise((r) => setTimeout(r, TELEMETRY_POLL_MS));
      }
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (!polling && urls && output.includes(READY)) {
        polling = true;
        void poll(urls);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (err) => {
      output += `\n${err.message}`;
      settle({ code: 127, ran: false });
    });
    child.once('close', (code, signal) => {
      settle({ code: code ?? (signal ? 128 : 1), ran: false });
    });
  });
  await stop(child);
  await waitForPorts(ports);
  const ms = Date.now() - t0;
  // A collector is a server: exiting by itself at all means it is not running. The status alone is not
  // enough: 0.105.0 logs "Asynchronous error received, terminating process" (e.g. two listeners on :8888)
  // and then exits with status 0.
  if (!result.ran) return { refused: true, stage: 'start', exitCode: result.code, error: errorLines(output), output, ms };
  return { refused: false, stage: 'running', error: '', output, ms };
}

// ---------------------------------------------------------------------------------------------
// Prometheus config checkers

export interface PromVerdict {
  refused: boolean;
  error: string;
}

/** `promtool check config --syntax-only` (2.x): exit 0 valid, 1 invalid. */
export function promtoolVerdict(bin: string, file: string): PromVerdict {
  const r = spawnSync(bin, ['check', 'config', '--syntax-only', file], { encoding: 'utf8', timeout: 30_000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.status !== 0 && r.status !== 1) throw new Error(`promtool exited ${r.status} (${r.signal ?? ''}) on ${file}:\n${out}`);
  // On failure: "Checking <file>" on stdout, then "  FAILED: <message>" (possibly several lines) on stderr.
  const failed = out.indexOf('FAILED:');
  return {
    refused: r.status !== 0,
    error:
      r.status !== 0
        ? (failed >= 0 ? out.slice(failed) : out)
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean)
            .join('\n      ')
        : '',
  };
}

/** prom3-check (Prometheus 3 config loader): exit 0 valid, 1 invalid with the loader's message on stderr. */
export function prom3Verdict(bin: string, file: string): PromVerdict {
  const r = spawnSync(bin, [file], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`prom3-check exited ${r.status} (${r.signal ?? ''}) on ${file}:\n${r.stderr}`);
  return { refused: r.status !== 0, error: (r.stderr ?? '').trim() };
}

/**
 * The Prometheus release a prometheus Go module version belongs to: Prometheus 3.x publishes its Go
 * module as v0.3MM.P for release v3.MM.P (v0.300.0 = 3.0.0), so v0.316.0 is Prometheus 3.16.0.
 */
export function prometheusReleaseOfModule(moduleVersion: string): string {
  const m = /^v?0\.3(\d\d)\.(\d+)/.exec(moduleVersion);
  if (!m) throw new Error(`unexpected prometheus module version ${moduleVersion} (expected v0.3MM.P)`);
  return `3.${Number(m[1])}.${m[2]}`;
}
