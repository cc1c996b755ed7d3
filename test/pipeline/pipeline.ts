// The real pipeline for the naming oracle: real Claude Code (scripted mock API) → real collector built from
// Go modules → the prometheus exporter's /metrics, scraped for real; or Claude Code's own prometheus exporter,
// scraped while Claude Code still runs. Everything listens on 127.0.0.1 only, on free ports.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claudeBinary } from '../harness/claude-path.js';
import { startServer, type ServerProcess } from '../harness/server-process.js';
import { startMockAgent } from './mock-agent.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** One series as scraped: name and label names (values kept for the few checks that need them). */
export interface ScrapedSeries {
  name: string;
  labels: Record<string, string>;
}

/** Parses the Prometheus text exposition (what both exporters serve): sample lines only, comments skipped. */
export function parseExposition(text: string): ScrapedSeries[] {
  const out: ScrapedSeries[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(\{(.*)\})?\s/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    const body = m[3] ?? '';
    for (const l of body.matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels });
  }
  return out;
}

export async function scrape(url: string): Promise<ScrapedSeries[]> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return parseExposition(await res.text());
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type RunningCollector = ServerProcess;

/** Starts a collector with a config and waits until `readyUrl` answers. */
export async function startCollector(binary: string, config: string, readyUrl: string, dir: string): Promise<RunningCollector> {
  const file = join(dir, `collector-${Date.now()}-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, config);
  return startServer('collector', binary, [`--config=${file}`], readyUrl, 20_000);
}

export interface ClaudeRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  toolCalls: string[];
  durationMs: number;
}

export interface ClaudeRunOptions {
  env: Record<string, string>;
  /** Seconds the scripted agent sleeps in a Bash call at the end (to scrape the built-in exporter). */
  sleepSeconds?: number;
  /** Called while Claude Code runs (e.g. to scrape it); Claude Code is killed when this resolves if still running. */
  during?: () => Promise<void>;
  timeoutMs?: number;
}

/**
 * Runs real Claude Code in a throwaway home and git repository: the scripted agent writes hello.py and
 * commits it (tools allowed by --allowedTools, no permission prompts in -p).
 */
export async function runClaudeAgent(opts: ClaudeRunOptions): Promise<ClaudeRun> {
  const binary = claudeBinary();
  if (!binary) throw new Error('Claude Code binary not provisioned; run `node scripts/provision-claude.mjs`');
  const root = mkdtempSync(join(tmpdir(), 'cod-pipe-'));
  const home = join(root, 'home');
  const project = join(root, 'project');
  mkdirSync(home);
  mkdirSync(project);
  const git = (...args: string[]) => spawnSync('git', args, { cwd: project, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'oracle@example.invalid');
  git('config', 'user.name', 'Naming Oracle');
  git('config', 'commit.gpgsign', 'false');
  const agent = await startMockAgent({ sleepSeconds: opts.sleepSeconds });
  const started = Date.now();
  try {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: home,
      TERM: 'dumb',
      ANTHROPIC_BASE_URL: agent.url,
      ANTHROPIC_API_KEY: 'sk-ant-test',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      ...opts.env,
    };
    const args = ['-p', 'Write hello.py and commit it.', '--allowedTools', 'Write', 'Bash'];
    const child = spawn(binary, args, { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const exit = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    let exited = false;
    void exit.then(() => (exited = true));
    if (opts.during) {
      await opts.during();
      // Done looking: no need to wait for the rest of the script (a long sleep).
      if (!exited) child.kill('SIGTERM');
    }
    const exitCode = await exit;
    clearTimeout(timer);
    return { exitCode, stdout, stderr, toolCalls: [...agent.toolCalls], durationMs: Date.now() - started };
  } finally {
    await agent.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Polls `url` until `done(series)` holds or `timeoutMs` passes; returns the last scrape. */
export async function scrapeUntil(url: string, done: (s: ScrapedSeries[]) => boolean, timeoutMs: number): Promise<ScrapedSeries[]> {
  const deadline = Date.now() + timeoutMs;
  let last: ScrapedSeries[] = [];
  while (Date.now() < deadline) {
    try {
      last = await scrape(url);
      if (done(last)) return last;
    } catch {
      // not up yet
    }
    await sleep(250);
  }
  return last;
}
