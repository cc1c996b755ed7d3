// Live progress of the doctor on a real pseudo-terminal (util-linux `script`), against endpoints that hang: the
// static findings are on the screen while the probes still wait, a status line is drawn with \r + erase line, and
// what the terminal ends up showing is the report a pipe gets. Piped, there is no control character at all. And the
// doctor's own progress events, replayed into the renderer in any order, add up to exactly the final report.
import { spawn } from 'node:child_process';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctor, formatReport, probe, type OutputOptions, type Progress } from '../../src/api.js';
import { ERASE_LINE, liveProgress } from '../../src/report/live.js';
import { packageRoot } from '../../src/util/paths.js';
import { freePort } from '../pipeline/pipeline.js';
import { machine, MINIMAL_COLLECTOR_CONFIG, telemetrySettings, type Machine } from './live-stack.js';

const made: Machine[] = [];
const httpServers: HttpServer[] = [];
afterAll(() => {
  made.forEach((m) => m.remove());
  httpServers.forEach((s) => s.close());
});

/** A port that accepts connections and never answers: every probe of it waits for its timeout. */
let hanging: Server;
const sockets: Socket[] = [];
let hangPort = 0;
beforeAll(async () => {
  hanging = createServer((s) => sockets.push(s));
  await new Promise<void>((res) => hanging.listen(0, '127.0.0.1', () => res()));
  hangPort = (hanging.address() as { port: number }).port;
});
afterAll(() => {
  for (const s of sockets) s.destroy();
  hanging.close();
});

interface Timed {
  /** Everything the process wrote, with the time (ms since start) each chunk arrived. */
  chunks: { at: number; text: string }[];
  endedAt: number;
  exitCode: number | null;
}

function run(command: string, args: string[], env: Record<string, string | undefined>): Promise<Timed> {
  const start = Date.now();
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, CI: undefined, ...env })) if (v !== undefined) childEnv[k] = v;
  const child = spawn(command, args, { cwd: packageRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Timed['chunks'] = [];
  child.stdout.setEncoding('utf8').on('data', (text: string) => chunks.push({ at: Date.now() - start, text }));
  return new Promise((res) => child.on('close', (code) => res({ chunks, endedAt: Date.now() - start, exitCode: code })));
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const cli = ['--import', 'tsx', join(packageRoot, 'src/cli.ts')];

/** The CLI on a pseudo-terminal of 300 columns (no report line is that long: nothing wraps, as on a pipe). */
function onTerminal(args: string[]): Promise<Timed> {
  const line = ['stty cols 300 rows 50;', 'exec', quote(process.execPath), ...[...cli, ...args].map(quote)].join(' ');
  return run('script', ['-qfec', line, '/dev/null'], { TERM: 'xterm-256color' });
}

/** What the terminal ends up showing: the pty's \r\n as \n, each status line removed by its erase. */
function screen(raw: string): string {
  return raw.replace(/\r\n/g, '\n').replace(/[^\n]*\r\x1b\[2K/g, '');
}

describe('the doctor on a terminal', () => {
  let m: Machine;
  beforeAll(() => {
    // Telemetry to a port that hangs, and no logs exporter: a static warning in the first stage.
    const { OTEL_LOGS_EXPORTER: _, ...settings } = telemetrySettings('http/protobuf', `http://127.0.0.1:${hangPort}`);
    m = machine(settings, {});
    made.push(m);
  });
  const args = () => [...m.args, '--timeout', '3', '--prometheus-url', `http://127.0.0.1:${hangPort}`];

  it('shows the static findings before the probes end, and a status line while they wait; the screen is the piped report', async () => {
    const [tty, piped] = await Promise.all([onTerminal(args()), run(process.execPath, [...cli, ...args()], {})]);
    const raw = tty.chunks.map((c) => c.text).join('');
    expect(tty.exitCode, raw).toBe(1);
    // The first stage and its static finding arrive at once, seconds before the probes (3 s timeouts) end.
    const first = tty.chunks.find((c) => c.text.includes('OTEL_LOGS_EXPORTER'));
    expect(first, raw).toBeDefined();
    expect(tty.endedAt - first!.at).toBeGreaterThan(2000);
    // One status line while waiting, drawn with \r + erase line, and erased: the screen holds the report alone.
    expect(raw).toContain(`${ERASE_LINE}waiting for answers: OTLP endpoint`);
    const pipedText = piped.chunks.map((c) => c.text).join('');
    expect(screen(raw)).toBe(pipedText);
    // Piped: no status line, no control character.
    expect(pipedText).not.toMatch(/[\r\x1b]/);
    expect(pipedText).toContain('claude-otel-doctor\n');
  }, 60_000);

  it('Ctrl-C while waiting: the status line is erased before the doctor exits (130)', async () => {
    const line = ['stty cols 300 rows 50;', 'exec', quote(process.execPath), ...[...cli, ...args()].map(quote)].join(' ');
    const childEnv = Object.fromEntries(Object.entries({ ...process.env, NO_COLOR: '1', TERM: 'xterm-256color' }).filter(([k]) => k !== 'CI'));
    const child = spawn('script', ['-qfec', line, '/dev/null'], { cwd: packageRoot, env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let raw = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      // The terminal's Ctrl-C, typed once the status line shows.
      if (!raw.includes(ERASE_LINE) && text.includes(ERASE_LINE)) child.stdin.write('\x03');
      raw += text;
    });
    const code = await new Promise((res) => child.on('close', res));
    expect(raw).toContain(`${ERASE_LINE}waiting for answers`);
    expect(screen(raw)).not.toContain('waiting for');
    expect(raw).not.toContain('start here');
    expect(code).toBe(130);
  }, 60_000);

  it('CI=true, TERM=dumb, another format or --output-file: no status line and no control character on the terminal either', async () => {
    const runs = await Promise.all([
      run('script', ['-qfec', ['exec', quote(process.execPath), ...[...cli, ...args()].map(quote)].join(' '), '/dev/null'], { CI: 'true' }),
      run('script', ['-qfec', ['exec', quote(process.execPath), ...[...cli, ...args()].map(quote)].join(' '), '/dev/null'], { TERM: 'dumb' }),
      onTerminal([...args(), '--format', 'concise']),
      onTerminal([...args(), '--output-file', join(m.root, 'report.txt')]),
    ]);
    for (const r of runs) expect(r.chunks.map((c) => c.text).join('')).not.toMatch(/\x1b|\r(?!\n)/);
    expect(runs[3].chunks.map((c) => c.text).join('')).toBe('');
    expect(readFileSync(join(m.root, 'report.txt'), 'utf8')).toMatch(/^claude-otel-doctor\n/);
  }, 60_000);
});

describe("the doctor's progress events add up to its report", () => {
  it('a stopped compose stack (refusals folded into one line): the stages printed as they end equal the final report, in any order', async () => {
    const [grpc, health, prom, loki, grafana] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const compose = `services:
  otel-collector:
    image: otel/opentelemetry-collector-contrib:0.159.0
    volumes:
      - ./otel-collector-config.yaml:/etc/otelcol-contrib/config.yaml
    ports:
      - "127.0.0.1:${grpc}:4317"
      - "127.0.0.1:${health}:13133"
  prometheus:
    image: prom/prometheus:v3.14.0
    ports:
      - "127.0.0.1:${prom}:9090"
  loki:
    image: grafana/loki:3.5.0
    ports:
      - "127.0.0.1:${loki}:3100"
  grafana:
    image: grafana/grafana:12.0.0
    ports:
      - "127.0.0.1:${grafana}:3000"
`;
    const m = machine(telemetrySettings('grpc', `http://localhost:${grpc}`), {
      'docker-compose.yml': compose,
      'otel-collector-config.yaml': MINIMAL_COLLECTOR_CONFIG,
    });
    made.push(m);
    const root = m.root;
    const events: Progress[] = [];
    const result = await doctor({
      home: join(root, 'home'),
      project: join(root, 'project'),
      managedDir: join(root, 'managed'),
      shellEnv: false,
      claudeVersion: '2.1.197',
      timeoutMs: 2000,
      send: false,
      onProgress: (e) => events.push(e),
    });
    const options: OutputOptions = { command: 'doctor', format: 'pretty', failOn: 'error', color: false, cwd: root, width: 100 };
    const final = formatReport(result, options);
    expect(final).toMatch(/^✗ connection refused: /m); // the refusals are folded: stages wait for each other
    expect(events[0].type).toBe('static');
    const finished = events.filter((e) => e.type === 'stage-finished');
    expect(finished.length).toBeGreaterThan(3);
    for (const order of [finished, [...finished].reverse()]) {
      const chunks: string[] = [];
      const live = liveProgress({ isTTY: true, columns: 100, write: (t: string) => chunks.push(t) }, { report: options });
      live.progress(events[0]);
      for (const e of order) live.progress(e);
      const rest = live.finish(final);
      expect(screen(chunks.join('')) + rest).toBe(final);
    }
  }, 60_000);
});

describe('the probes that wait say so', () => {
  /**
   * One stand-in for an OTLP/HTTP endpoint (accepts every export) and a Prometheus (its documented /-/ready,
   * /api/v1/targets and /api/v1/query): the collector's target is `unknown` and the probe counter absent for the
   * first 1.5 s, then up and present.
   */
  async function slowStack(): Promise<string> {
    const started = Date.now();
    const server = createHttpServer((req, res) => {
      const later = Date.now() - started >= 1500;
      const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.method === 'POST') return res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      if (req.url === '/-/ready') return res.writeHead(200).end('Prometheus Server is Ready.\n');
      if (req.url?.startsWith('/api/v1/targets'))
        return json({
          status: 'success',
          data: {
            activeTargets: [
              { labels: { job: 'otel-collector' }, scrapeUrl: 'http://otel-collector:8889/metrics', health: later ? 'up' : 'unknown', lastError: '' },
            ],
          },
        });
      if (req.url?.startsWith('/api/v1/query'))
        return json({
          status: 'success',
          data: { resultType: 'vector', result: later ? [{ metric: { __name__: 'claude_otel_doctor_probe_total' }, value: [0, '1'] }] : [] },
        });
      res.writeHead(404).end();
    });
    httpServers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  it('the first scrape of the collector and the probe counter reaching Prometheus: waiting events, each ended', async () => {
    const url = await slowStack();
    const prometheus = `scrape_configs:\n  - job_name: otel-collector\n    scrape_interval: 2s\n    static_configs:\n      - targets: ['otel-collector:8889']\n`;
    const m = machine(telemetrySettings('http/protobuf', url), { 'otel-collector-config.yaml': MINIMAL_COLLECTOR_CONFIG, 'prometheus.yml': prometheus });
    made.push(m);
    const waits: Progress[] = [];
    const r = await probe({
      home: join(m.root, 'home'),
      project: join(m.root, 'project'),
      managedDir: join(m.root, 'managed'),
      shellEnv: false,
      claudeVersion: '2.1.197',
      prometheusUrl: url,
      select: ['probe/prometheus', 'probe/data-flow'],
      timeoutMs: 2000,
      flowTimeoutMs: 10_000,
      onProgress: (e) => e.type === 'waiting' && waits.push(e),
    });
    expect(r.probes?.filter((p) => p.status === 'ok').map((p) => p.summary)).toEqual([
      'Prometheus is ready',
      'scrapes http://otel-collector:8889/metrics (job otel-collector): up',
      expect.stringMatching(/^metrics flow: the probe counter reached Prometheus/),
    ]);
    const said = (what: string) => waits.filter((w) => w.type === 'waiting' && w.what === what) as Extract<Progress, { type: 'waiting' }>[];
    for (const [what, timeoutMs] of [
      ['Prometheus to scrape the collector', 3000],
      ['the probe counter to reach Prometheus', 10_000],
    ] as const) {
      const told = said(what);
      expect(told.length, what).toBeGreaterThan(1);
      expect(told[0].done).toBeFalsy();
      expect(Math.abs(told[0].timeoutMs - timeoutMs)).toBeLessThan(100);
      expect(told.at(-1)?.done).toBe(true);
    }
  }, 30_000);
});
