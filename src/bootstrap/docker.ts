import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

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

/** `docker compose -f <file> up -d`; its output (pulls, container states) goes to `err`: the CLI's stderr. */
export function composeUp(docker: string, composeFile: string, err: (text: string) => void): { ok: boolean; error?: string } {
  const r = spawnSync(docker, ['compose', '-f', composeFile, 'up', '-d'], { encoding: 'utf8', timeout: 15 * 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  err(`${r.stdout ?? ''}${r.stderr ?? ''}`);
  if (r.error) return { ok: false, error: (r.error as NodeJS.ErrnoException).code ?? r.error.message };
  if (r.status !== 0) {
    const lines = `${r.stderr ?? ''}`
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    return { ok: false, error: lines[lines.length - 1] ?? `exit ${r.status}` };
  }
  return { ok: true };
}
