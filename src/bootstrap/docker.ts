import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Waiting } from '../types.js';
import { clip, escapeControl } from '../util/escape.js';
import { redact } from '../util/secrets.js';

/** Starting the local stack: only where a Docker engine answers; otherwise the command to run later. */

export function startCommand(composeFile: string): string {
  return `docker compose -f ${shellQuote(composeFile)} up -d`;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function dockerOnPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, 'docker'), constants.X_OK);
      return join(dir, 'docker');
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The first line of what a failed command printed, for one-line messages. */
function firstLine(out: string | undefined): string {
  return (
    (out ?? '')
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? ''
  );
}

export type DockerState = { ok: true; docker: string } | { ok: false; reason: string };

/** A docker CLI on PATH whose `docker info` succeeds (an engine answers). */
export function dockerState(): DockerState {
  const docker = dockerOnPath();
  if (!docker) return { ok: false, reason: 'no docker command on PATH' };
  const r = spawnSync(docker, ['info'], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) return { ok: false, reason: `docker info failed (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})` };
  if (r.status !== 0) return { ok: false, reason: `docker info: ${firstLine(r.stderr) || firstLine(r.stdout) || `exit ${r.status}`}` };
  return { ok: true, docker };
}

/** Where `composeUp` tells what compose prints and how long it has been running. */
export interface ComposeIO {
  /** Each line compose prints (stdout and stderr, as they come), masked and escaped, with its newline. */
  line(text: string): void;
  /** Values to mask in what compose prints (credentials in the files it reads). */
  secrets: ReadonlySet<string>;
  wait?(w: Waiting): void;
}

const COMPOSE_TIMEOUT_MS = 15 * 60_000;
/** Longest line kept whole: a longer run without a newline is passed on in parts. */
const MAX_LINE = 64 * 1024;

/** `docker compose -f <file> up -d`, its output (pulls, container states) streamed line by line to `io.line`. */
export function composeUp(docker: string, composeFile: string, io: ComposeIO): Promise<{ ok: boolean; error?: string }> {
  const what = 'docker compose up';
  const start = Date.now();
  io.wait?.({ what, elapsedMs: 0, timeoutMs: COMPOSE_TIMEOUT_MS });
  // Compose output is not ours: masked, cut and escaped before it reaches a terminal.
  const shown = (line: string) => escapeControl(clip(redact(line, new Set(io.secrets))));
  return new Promise((resolveUp) => {
    let lastError = '';
    let timedOut = false;
    const child = spawn(docker, ['compose', '-f', composeFile, 'up', '-d'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, COMPOSE_TIMEOUT_MS);
    const emit = (line: string, fromStderr: boolean) => {
      if (!line.trim()) return;
      if (fromStderr) lastError = line.trim();
      io.line(`${shown(line)}\n`);
    };
    for (const [stream, fromStderr] of [
      [child.stdout, false],
      [child.stderr, true],
    ] as const) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const parts = (rest + chunk).split(/\r\n|\r|\n/);
        rest = parts.pop() ?? '';
        if (rest.length > MAX_LINE) {
          parts.push(rest);
          rest = '';
        }
        for (const l of parts) emit(l, fromStderr);
      });
      stream.on('end', () => emit(rest, fromStderr));
    }
    const done = (r: { ok: boolean; error?: string }) => {
      clearTimeout(timer);
      io.wait?.({ what, elapsedMs: Date.now() - start, timeoutMs: COMPOSE_TIMEOUT_MS, done: true });
      resolveUp(r);
    };
    child.on('error', (err: NodeJS.ErrnoException) => done({ ok: false, error: err.code ?? err.message }));
    child.on('close', (code) => {
      if (timedOut) done({ ok: false, error: 'ETIMEDOUT' });
      else if (code !== 0) done({ ok: false, error: lastError ? shown(lastError) : `exit ${code}` });
      else done({ ok: true });
    });
  });
}
