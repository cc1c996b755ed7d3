// A real server the tests start (the collector, the prometheus server): spawned, its output kept for failure
// messages, ready when a URL answers 2xx, stopped with SIGTERM (SIGKILL after 5 s).
import { spawn, type ChildProcess } from 'node:child_process';

export interface ServerProcess {
  process: ChildProcess;
  /** What it printed so far. */
  output(): string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `binary args…` and waits until `readyUrl` answers; `what` names it in errors ("collector exited at start"). */
export async function startServer(what: string, binary: string, args: string[], readyUrl: string, timeoutMs: number): Promise<ServerProcess> {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString('utf8')));
  let exited = false;
  child.on('exit', () => (exited = true));
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    for (let i = 0; i < 50 && !exited; i++) await sleep(100);
    if (!exited) child.kill('SIGKILL');
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${what} exited at start:\n${output}`);
    try {
      if ((await fetch(readyUrl)).ok) return { process: child, output: () => output, stop };
    } catch {
      // not listening yet
    }
    await sleep(150);
  }
  await stop();
  throw new Error(`${what} did not become ready at ${readyUrl}:\n${output}`);
}
