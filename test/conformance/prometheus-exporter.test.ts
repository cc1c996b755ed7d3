// Where Claude Code's own Prometheus exporter (OTEL_METRICS_EXPORTER=prometheus) listens: the host and port
// rule compose/claude-exporter-loopback relies on. Claude Code runs against an API that accepts the request
// and never answers, so it stays alive while its listening sockets are read from /proc.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAUDE_MATRIX, claudeBinary } from '../harness/claude-path.js';

const VERSIONS = [CLAUDE_MATRIX.oldest, CLAUDE_MATRIX.newest];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** "address:port" of each TCP socket in LISTEN state that process `pid` holds. */
function listening(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // the fd closed meanwhile
    }
  }
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9])) continue;
      const [hex, port] = f[1].split(':');
      out.push(`${hexAddress(hex)}:${Number.parseInt(port, 16)}`);
    }
  }
  return out.sort();
}

/** /proc/net/tcp{,6} addresses are 32-bit words in host (little-endian) order. */
function hexAddress(hex: string): string {
  const bytes = (hex.match(/../g) ?? []).map((b) => Number.parseInt(b, 16));
  const words: number[][] = [];
  for (let i = 0; i < bytes.length; i += 4) words.push(bytes.slice(i, i + 4).reverse());
  const flat = words.flat();
  if (flat.length === 4) return flat.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((flat[i] << 8) | flat[i + 1]).toString(16));
  const text = groups.join(':');
  return text === '0:0:0:0:0:0:0:0' ? '[::]' : text === '0:0:0:0:0:0:0:1' ? '[::1]' : `[${text}]`;
}

/** Runs Claude Code with `env` until its exporter listens (or 15 s pass); returns the listening sockets. */
async function exporterSockets(version: string, env: Record<string, string>): Promise<string[]> {
  const binary = claudeBinary(version)!;
  // An API that never answers: Claude Code waits, with its exporter up.
  const api: Server = createServer(() => {});
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  const root = mkdtempSync(join(tmpdir(), 'cod-prom-'));
  const child = spawn(binary, ['-p', 'say hi'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: root,
      TERM: 'dumb',
      ANTHROPIC_BASE_URL: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
      ANTHROPIC_API_KEY: 'sk-ant-test',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OTEL_METRICS_EXPORTER: 'prometheus',
      ...env,
    },
    stdio: 'ignore',
  });
  try {
    let last: string[] = [];
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(250)) {
      last = listening(child.pid!);
      if (last.length > 0) {
        await sleep(500); // let every listener of this start-up appear
        return listening(child.pid!);
      }
    }
    return last;
  } finally {
    child.kill('SIGKILL');
    api.closeAllConnections();
    api.close();
    rmSync(root, { recursive: true, force: true });
  }
}

// Measured (2026-12-07): on 2.1.197 and 2.1.332 alike, no host → [::]:9464 (every interface, dual stack);
// 127.0.0.1 and localhost → 127.0.0.1:9464 (loopback only: unreachable from another container);
// 0.0.0.0 with port 9465 → 0.0.0.0:9465. So the host variable is honoured and only an explicit loopback host is
// a problem.
for (const version of VERSIONS) {
  describe.skipIf(!claudeBinary(version))(`Claude Code ${version}: where its prometheus exporter listens`, () => {
    it('without OTEL_EXPORTER_PROMETHEUS_HOST/PORT: every interface, port 9464', async () => {
      expect(await exporterSockets(version, {})).toEqual(['[::]:9464']);
    }, 30_000);
    it('OTEL_EXPORTER_PROMETHEUS_HOST=127.0.0.1 or localhost: loopback only', async () => {
      expect(await exporterSockets(version, { OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1' })).toEqual(['127.0.0.1:9464']);
      expect(await exporterSockets(version, { OTEL_EXPORTER_PROMETHEUS_HOST: 'localhost' })).toEqual(['127.0.0.1:9464']);
    }, 30_000);
    it('OTEL_EXPORTER_PROMETHEUS_HOST=0.0.0.0 and PORT=9465: honoured', async () => {
      expect(await exporterSockets(version, { OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0', OTEL_EXPORTER_PROMETHEUS_PORT: '9465' })).toEqual(['0.0.0.0:9465']);
    }, 30_000);
  });
}
