import { spawn } from 'node:child_process';
import type { OtlpTarget } from './plan.js';

export type HelperHeaders = { ok: true; headers: Record<string, string> } | { ok: false; error: string };

const runs = new WeakMap<OtlpTarget, Promise<HelperHeaders>>();

/**
 * The headers Claude Code would send to an HTTP target: its static headers, overridden by what otelHeadersHelper
 * prints (a JSON object of strings), as Claude Code merges them. The helper runs once per target and probe run,
 * through the shell like Claude Code runs it, with a hard timeout. Its output is a credential: never returned in
 * an error. gRPC targets never get the helper's headers (Claude Code ignores it there).
 */
export function headersFor(t: OtlpTarget, timeoutMs: number, cwd: string): Promise<HelperHeaders> {
  if (!t.headersHelper || t.protocol === 'grpc') return Promise.resolve({ ok: true, headers: t.headers });
  let run = runs.get(t);
  if (!run) {
    run = runHelper(t.headersHelper.command, timeoutMs, cwd).then((h) => (h.ok ? { ok: true as const, headers: { ...t.headers, ...lowerKeys(h.headers) } } : h));
    runs.set(t, run);
  }
  return run;
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function runHelper(command: string, timeoutMs: number, cwd: string): Promise<HelperHeaders> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ ok: false, error: `it did not finish within ${Math.round(timeoutMs / 1000)} s` });
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, error: `it could not be started: ${err.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      // stderr is the helper's own diagnostics (e.g. "no token: set …"): its first line helps; stdout may hold the token.
      const said = stderr.trim().split('\n')[0]?.slice(0, 200);
      if (code !== 0) return resolve({ ok: false, error: `it exited with status ${code}${said ? `: ${said}` : ''}` });
      let value: unknown;
      try {
        value = JSON.parse(stdout);
      } catch {
        return resolve({ ok: false, error: 'its output is not JSON' });
      }
      if (!value || typeof value !== 'object' || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) {
        return resolve({ ok: false, error: 'its output is not a JSON object of strings' });
      }
      resolve({ ok: true, headers: value as Record<string, string> });
    });
  });
}
