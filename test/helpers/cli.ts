import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';
import { main } from '../../src/cli.js';
import { redirectOutput } from '../../src/util/stdio.js';

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in-process (same code as the bin), capturing what it writes. For commands that finish at once
 * (everything but the probing ones: the doctor without --offline, and `probe`; use runCliAsync for those).
 */
export function runCli(args: string[], env: Record<string, string | undefined> = {}): CliResult {
  const r = capture(env, () => {
    const code = main(args);
    if (typeof code !== 'number') throw new Error(`runCli: ${args.join(' ')} probes; use runCliAsync (or --offline)`);
    return code;
  });
  return r as CliResult;
}

/** The CLI in-process for commands that probe; output is captured until they finish. */
export async function runCliAsync(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return capture(env, () => main(args)) as Promise<CliResult>;
}

function capture(env: Record<string, string | undefined>, call: () => number | Promise<number>): CliResult | Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  // The CLI writes through util/stdio.ts; a live status line (a terminal) through the streams.
  redirectOutput((fd, text) => {
    if (fd === 1) stdout += text;
    else stderr += text;
  });
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  const restore = () => {
    redirectOutput(undefined);
    process.stdout.write = out;
    process.stderr.write = err;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  let code: number | Promise<number>;
  try {
    code = call();
  } catch (e) {
    restore();
    throw e;
  }
  if (typeof code === 'number') {
    restore();
    return { exitCode: code, stdout, stderr };
  }
  return code.then(
    (exitCode) => {
      restore();
      return { exitCode, stdout, stderr };
    },
    (e) => {
      restore();
      throw e;
    },
  );
}

/** Runs the CLI as a real process (for what only a process shows: cac's help, exit codes, stdio). */
export function runCliProcess(args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(packageRoot, 'src/cli.ts'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  return { exitCode: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
