// What the trust tests share: a loopback listener that records every request (and answers as an OTLP/HTTP receiver
// and a healthy Grafana would, so the probes go on to the requests that carry credentials), and a check that a
// process is gone.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll } from 'vitest';
import { machine, type Machine } from '../probes/live-stack.js';

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface Recorder {
  url: string;
  port: number;
  requests: Recorded[];
  /** Every header value of every request, one string: what a credential would show up in. */
  seen(): string;
  close(): Promise<void>;
}

export async function startRecorder(): Promise<Recorder> {
  const requests: Recorded[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      const body = path === '/api/health' ? '{"database":"ok","version":"11.3.0"}' : path.startsWith('/api/') ? '[]' : '';
      res.writeHead(200, { 'content-type': body ? 'application/json' : 'application/x-protobuf' });
      res.end(body);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    seen: () => JSON.stringify(requests.map((r) => r.headers)),
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((res) => server.close(() => res()));
    },
  };
}

/** Whether a process is gone (a zombie nobody has reaped yet counts as gone: it runs nothing). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Waits (bounded) until the process is gone; false if it is still there after `ms`. */
export async function waitGone(pid: number, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (processGone(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return processGone(pid);
}

/**
 * What a trust test file starts and must stop: recorders and throwaway machines, undone after the file (last first),
 * and `cleanup` for anything else a test leaves (a sleeper it started).
 */
export function trustTestKit() {
  const cleanup: (() => unknown)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });
  return {
    cleanup,
    recorder: async (): Promise<Recorder> => {
      const r = await startRecorder();
      cleanup.push(() => r.close());
      return r;
    },
    newMachine: (settings: Record<string, string>, telemetryFiles: Record<string, string> = {}, topLevel: Record<string, unknown> = {}): Machine => {
      const m = machine(settings, telemetryFiles, topLevel);
      cleanup.push(() => m.remove());
      return m;
    },
  };
}
