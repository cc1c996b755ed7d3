// Runs the real Claude Code CLI offline (mock Anthropic API, clean environment) and
// observes which OTLP exports actually arrive. See reference sections 9 and 10.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { claudeBinary } from './claude-path.js';
import { startMockAnthropic, type MockScript } from './mock-anthropic.js';
import { type HeaderValues, type Signal, type SinkRecord, type Temporality, metricsTemporality, signalOf, startGrpcSink, startHttpSink } from './otlp-sinks.js';

const execFileAsync = promisify(execFile);

export interface RunClaudeOptions {
  home: string;
  project: string;
  /** Extra variables; applied last, so they may also override the base ones. */
  shellEnv?: Record<string, string>;
  /** Passed as `--settings <value>` (a file path or inline JSON). */
  settingsArg?: string;
  /** A folder whose contents (e.g. claude-code/managed-settings.json) appear under /etc, in a private mount namespace. */
  managedEtc?: string;
  extraArgs?: string[];
  timeoutMs?: number;
  prompt?: string;
  /** Use this Anthropic API base URL instead of starting a mock for this run. */
  anthropicUrl?: string;
  /** Mock behaviour when the run starts its own mock. */
  script?: MockScript;
  /** Which provisioned Claude Code runs (default: the oldest supported, claude-path.ts). */
  claudeVersion?: string;
}

export interface RunResult {
  /** Process exit code; -1 when killed (timeout) or not started. */
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

/** True when this process may create a mount namespace and bind-mount in it (root or CAP_SYS_ADMIN). */
export function canUnshareMount(): boolean {
  return spawnSync('unshare', ['-m', 'true'], { stdio: 'ignore' }).status === 0;
}

export async function runClaude(opts: RunClaudeOptions): Promise<RunResult> {
  const binary = claudeBinary(opts.claudeVersion);
  if (!binary) throw new Error(`Claude Code ${opts.claudeVersion ?? ''} binary not provisioned; run \`node scripts/provision-claude.mjs\``);
  const mock = opts.anthropicUrl ? undefined : await startMockAnthropic({ script: opts.script });
  let etcRoot: string | undefined;
  try {
    if (opts.managedEtc) etcRoot = await prepareEtc(opts.managedEtc);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: opts.home,
      TERM: 'dumb',
      ANTHROPIC_BASE_URL: opts.anthropicUrl ?? mock!.url,
      ANTHROPIC_API_KEY: 'sk-ant-test',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      ...opts.shellEnv,
    };
    const args = ['-p', opts.prompt ?? 'say hi', ...(opts.settingsArg !== undefined ? ['--settings', opts.settingsArg] : []), ...(opts.extraArgs ?? [])];
    // unshare(1) makes mounts private by default, so the bind mount never leaks to the host.
    const [cmd, argv] = etcRoot
      ? ['unshare', ['-m', 'sh', '-c', 'mount --bind "$0" /etc && exec "$@"', join(etcRoot, 'etc'), binary, ...args]]
      : [binary, args];
    return await spawnCollect(cmd, argv, opts.project, env, opts.timeoutMs ?? 60_000);
  } finally {
    await mock?.close();
    if (etcRoot) rmSync(etcRoot, { recursive: true, force: true });
  }
}

/**
 * A copy of the real /etc with managedEtc's contents laid over it. Bind-mounting just
 * a claude-code/ folder would need /etc/claude-code to exist on the host, and the real
 * /etc must never be written.
 */
async function prepareEtc(managedEtc: string): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'cod-etc-'));
  try {
    await execFileAsync('cp', ['-a', '/etc', join(root, 'etc')]);
    await execFileAsync('cp', ['-a', `${managedEtc}/.`, join(root, 'etc')]);
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  return root;
}

function spawnCollect(cmd: string, args: string[], cwd: string, env: Record<string, string>, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const finish = (exitCode: number) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr, durationMs: Date.now() - started, timedOut });
    };
    child.on('error', (err) => {
      stderr += `${err.message}\n`;
      finish(-1);
    });
    child.on('close', (code) => finish(code ?? -1));
  });
}

// ---------------------------------------------------------------------------
// observeTelemetry

export interface SinkAddresses {
  /** http://127.0.0.1:PORT of the HTTP/1.1 sink (no path). */
  httpUrl: string;
  /** http://127.0.0.1:PORT of the h2c gRPC sink (no path). */
  grpcUrl: string;
  httpPort: number;
  grpcPort: number;
  /** Absolute paths of the throwaway HOME and project folder, e.g. for a --settings file. */
  home: string;
  project: string;
}

/** Files are maps of relative path → content. */
export interface TelemetrySetup {
  /** Under HOME, e.g. '.claude/settings.json', '.claude.json'. */
  home?: Record<string, string>;
  /** Under the project (cwd), e.g. '.claude/settings.local.json'. */
  project?: Record<string, string>;
  /** Under /etc in a private mount namespace, e.g. 'claude-code/managed-settings.json'. */
  etc?: Record<string, string>;
  shellEnv?: Record<string, string>;
  settingsArg?: string;
  extraArgs?: string[];
  script?: MockScript;
  timeoutMs?: number;
  /** Which provisioned Claude Code runs (default: the oldest supported). */
  claudeVersion?: string;
}

export interface ObservedSignal {
  signal: Signal;
  transport: 'http' | 'grpc';
  path: string;
  contentType?: string;
  protocol: 'grpc' | 'http/json' | 'http/protobuf';
  port: number;
  /** Lowercased names of non-transport headers (authorization, x-scope-orgid, ...). */
  headerNames: string[];
  /** Header values of the first request of this group. Do not print: may hold credentials. */
  headerValues: HeaderValues;
  /** Distinct temporalities of sum metrics (metrics only). */
  temporality?: Temporality[];
  /** How many requests were merged into this entry. */
  requests: number;
}

export interface Observed {
  signals: ObservedSignal[];
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** Every request the sinks received, in arrival order. */
  records: SinkRecord[];
}

/** Starts both sinks, lets `build` describe the setup, runs Claude once and reports what arrived. */
export async function observeTelemetry(build: (sinks: SinkAddresses) => TelemetrySetup): Promise<Observed> {
  const [http, grpc] = await Promise.all([startHttpSink(), startGrpcSink()]);
  const root = mkdtempSync(join(tmpdir(), 'cod-run-'));
  try {
    const home = join(root, 'home');
    const project = join(root, 'project');
    mkdirSync(home);
    mkdirSync(project);
    const setup = build({ httpUrl: http.url, grpcUrl: grpc.url, httpPort: http.port, grpcPort: grpc.port, home, project });
    writeFiles(home, setup.home);
    writeFiles(project, setup.project);
    let managedEtc: string | undefined;
    if (setup.etc) {
      managedEtc = join(root, 'etc');
      mkdirSync(managedEtc);
      writeFiles(managedEtc, setup.etc);
    }
    const result = await runClaude({
      home,
      project,
      managedEtc,
      shellEnv: setup.shellEnv,
      settingsArg: setup.settingsArg,
      extraArgs: setup.extraArgs,
      script: setup.script,
      timeoutMs: setup.timeoutMs,
      claudeVersion: setup.claudeVersion,
    });
    await settle(() => http.openConnections() + grpc.openConnections());
    const records = [...http.records, ...grpc.records];
    return {
      signals: summarize(records),
      exitCode: result.exitCode,
      stdout: result.stdout,
      stderr: result.stderr,
      durationMs: result.durationMs,
      records,
    };
  } finally {
    await Promise.all([http.close(), grpc.close()]);
    rmSync(root, { recursive: true, force: true });
  }
}

function writeFiles(base: string, files: Record<string, string> | undefined): void {
  for (const [rel, content] of Object.entries(files ?? {})) {
    const clean = normalize(rel);
    if (isAbsolute(clean) || clean.startsWith('..')) throw new Error(`file path must stay inside its folder: ${rel}`);
    const target = join(base, clean);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}

/**
 * Waits for a positive signal that nothing more can arrive: Claude has exited, and the sinks have seen every
 * connection it opened close (a request on a socket is recorded before the socket's close). Bounded at 5 s, a
 * documented bound for a socket the kernel has not yet reported closed; no quiet period that load could outlast.
 */
async function settle(openConnections: () => number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (openConnections() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setImmediate(r)); // a request's end event queued behind its socket's close
}

const TRANSPORT_HEADERS = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'user-agent',
  'host',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'te',
]);

function isTransportHeader(name: string): boolean {
  return TRANSPORT_HEADERS.has(name) || name.startsWith(':') || name.startsWith('grpc-') || name.startsWith('accept');
}

function protocolOf(record: SinkRecord): ObservedSignal['protocol'] {
  if (record.transport === 'grpc') return 'grpc';
  return (record.contentType ?? '').includes('json') ? 'http/json' : 'http/protobuf';
}

/** One entry per (signal, transport, path, port); records whose signal cannot be told are left out of it. */
function summarize(records: SinkRecord[]): ObservedSignal[] {
  const groups = new Map<string, ObservedSignal>();
  for (const record of records) {
    const signal = signalOf(record);
    if (!signal) continue;
    const key = `${signal} ${record.transport} ${record.path} ${record.port}`;
    let entry = groups.get(key);
    if (!entry) {
      entry = {
        signal,
        transport: record.transport,
        path: record.path,
        contentType: record.contentType,
        protocol: protocolOf(record),
        port: record.port,
        headerNames: [],
        headerValues: record.headers,
        requests: 0,
      };
      groups.set(key, entry);
    }
    entry.requests += 1;
    const names = new Set([...entry.headerNames, ...record.headerNames.filter((n) => !isTransportHeader(n))]);
    entry.headerNames = [...names].sort();
    if (signal === 'metrics') {
      const seen = new Set([...(entry.temporality ?? []), ...metricsTemporality(record)]);
      entry.temporality = [...seen].sort();
    }
  }
  return [...groups.values()];
}
