import { spawn } from 'node:child_process';
import type { OtlpTarget } from './plan.js';
import { headerValueSecrets } from '../util/secrets.js';

export type HelperHeaders = { ok: true; headers: Record<string, string> } | { ok: false; error: string };

/** More than any header set needs: a helper that prints more is broken or hostile, and is stopped. */
export const MAX_HELPER_OUTPUT_BYTES = 64 * 1024;

/**
 * The helper run of each target (it runs once per target and probe run) and the header values it printed. Keyed by
 * the plan's own target objects, so the entries live as long as that plan and nothing carries over to another run.
 */
const runs = new WeakMap<OtlpTarget, Promise<HelperHeaders>>();
const printed = new WeakMap<OtlpTarget, string[]>();

/** The header values the helpers of these targets printed: secrets no file holds, masked in every report. */
export function helperSecrets(targets: readonly OtlpTarget[]): Set<string> {
  return new Set(targets.flatMap((t) => printed.get(t) ?? []));
}

/**
 * The headers Claude Code would send to an HTTP target: its static headers, overridden by what otelHeadersHelper
 * prints (a JSON object of strings), as Claude Code merges them. The helper runs once per target and probe run,
 * through the shell like Claude Code runs it, with a hard timeout. Its output is a credential: never returned in
 * an error. gRPC targets never get the helper's headers (Claude Code ignores it there). A target the plan
 * withheld (an untrusted helper, or credentials for a host untrusted content chose) gets nothing and runs nothing.
 */
export function headersFor(t: OtlpTarget, timeoutMs: number, cwd: string): Promise<HelperHeaders> {
  if (t.withheld) return Promise.resolve({ ok: false, error: t.withheld.reason });
  if (!t.headersHelper || t.protocol === 'grpc') return Promise.resolve({ ok: true, headers: t.headers });
  let run = runs.get(t);
  if (!run) {
    run = runHelper(t.headersHelper.command, timeoutMs, cwd).then((h) => {
      if (!h.ok) return h;
      printed.set(t, Object.values(h.headers).flatMap(headerValueSecrets));
      return { ok: true as const, headers: { ...t.headers, ...lowerKeys(h.headers) } };
    });
    runs.set(t, run);
  }
  return run;
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/**
 * Runs the helper in its own process group (detached), so that a timeout or an output flood ends everything it
 * started (`sleep 100 &` included), not just the shell; whatever is left of the group when it ends is killed too.
 * stdout and stderr are each kept to MAX_HELPER_OUTPUT_BYTES.
 */
export function runHelper(command: string, timeoutMs: number, cwd: string): Promise<HelperHeaders> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    if (child.pid !== undefined) liveGroups.add(child.pid);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const size = { stdout: 0, stderr: 0 };
    let settled = false;
    const finish = (result: HelperHeaders) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      killGroup(child.pid);
      if (child.pid !== undefined) liveGroups.delete(child.pid);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve(result);
    };
    const collect = (stream: 'stdout' | 'stderr', chunks: Buffer[]) => (d: Buffer) => {
      size[stream] += d.length;
      if (size[stream] > MAX_HELPER_OUTPUT_BYTES)
        finish({ ok: false, error: `its output is too large (more than ${MAX_HELPER_OUTPUT_BYTES / 1024} KiB on ${stream}); it was stopped` });
      else chunks.push(d);
    };
    child.stdout.on('data', collect('stdout', stdout));
    child.stderr.on('data', collect('stderr', stderr));
    const timer = setTimeout(
      () => finish({ ok: false, error: `it timed out after ${Math.round(timeoutMs / 100) / 10} s; it was stopped with everything it started` }),
      timeoutMs,
    );
    child.on('error', (err) => finish({ ok: false, error: `it could not be started: ${err.message}` }));
    child.on('close', (code, signal) => {
      // stderr is the helper's own diagnostics (e.g. "no token: set …"): its first line helps; stdout may hold the token.
      const said = Buffer.concat(stderr).toString('utf8').trim().split('\n')[0]?.slice(0, 200);
      if (code !== 0) return finish({ ok: false, error: `it exited with ${code === null ? `signal ${signal}` : `status ${code}`}${said ? `: ${said}` : ''}` });
      let value: unknown;
      try {
        value = JSON.parse(Buffer.concat(stdout).toString('utf8'));
      } catch {
        return finish({ ok: false, error: 'its output is not JSON' });
      }
      if (!value || typeof value !== 'object' || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) {
        return finish({ ok: false, error: 'its output is not a JSON object of strings' });
      }
      finish({ ok: true, headers: value as Record<string, string> });
    });
  });
}

/**
 * Process groups of helpers still running: their own sessions, so a Ctrl-C at the terminal does not reach them.
 * Process-wide on purpose: a signal ends the whole process, whichever probe run (or library call) started a helper,
 * and the handler that ends them (the CLI's SIGINT/SIGTERM handler) knows no run.
 */
const liveGroups = new Set<number>();

/** Ends every helper still running with all it started; the CLI calls it when it is interrupted. */
export function stopHelpers(): void {
  for (const pid of liveGroups) killGroup(pid);
  liveGroups.clear();
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}
