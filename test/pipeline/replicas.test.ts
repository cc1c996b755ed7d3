// What a collector with several replicas shows in Prometheus. Real Claude Code (scripted mock API, one long session:
// three API calls, a Bash sleep, one more) → a pass-through that keeps what each replica accepted (the truth) and
// hands each OTLP/HTTP request to the next of TWO real collectors 0.165 (prometheus exporter), as a load-balancing
// Service or Ingress does → Debian's Prometheus scraping every second, twice: job `pods` scrapes each replica (one
// target per pod, as a PodMonitor/ServiceMonitor does), job `service` scrapes one load-balanced name (a round-robin
// proxy: each scrape lands on the next replica, as a compose service name with `deploy.replicas` does).
// Backs docs/counters.md ("Several collector replicas") and the rules prometheus/replicas-behind-one-target and
// settings/cumulative-into-replicas.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { stepGrowth } from '../../src/bootstrap/enterprise.js';
import { startPrometheus } from '../harness/prometheus-server.js';
import { describeWithComponents as suite } from '../helpers/real-components.js';
import { collectorBinary, prometheusServerBinary } from '../oracles/paths.js';
import { METRICS, missing, sleep } from './counter-pipeline.js';
import { startOtlpRecorder } from './otlp-recorder.js';
import { freePort, runClaudeAgent, startCollector, type RunningCollector } from './pipeline.js';

const dir = mkdtempSync(join(tmpdir(), 'cod-replicas-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TOKENS = METRICS[0];

interface Replica {
  otlp: string;
  metrics: string;
  process: RunningCollector;
}

async function startReplica(processors: string): Promise<Replica> {
  const otlp = await freePort();
  const port = await freePort();
  const metrics = `http://127.0.0.1:${port}/metrics`;
  const config = `receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:${otlp}\n${processors ? `processors:\n  ${processors}: {}\n` : ''}exporters:\n  prometheus:\n    endpoint: 127.0.0.1:${port}\nservice:\n  telemetry:\n    metrics:\n      level: none\n  pipelines:\n    metrics:\n      receivers: [otlp]\n${processors ? `      processors: [${processors}]\n` : ''}      exporters: [prometheus]\n`;
  return { otlp: `http://127.0.0.1:${otlp}`, metrics, process: await startCollector(collectorBinary('current')!, config, metrics, dir) };
}

/** One /metrics for all replicas: each request goes to the next one (a load-balanced name). */
async function startRoundRobin(replicas: Replica[]) {
  let next = 0;
  const server = createServer((_req, res) => {
    const to = replicas[next++ % replicas.length];
    fetch(to.metrics)
      .then(async (r) => {
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/plain', connection: 'close' });
        res.end(await r.text());
      })
      .catch(() => {
        res.writeHead(503);
        res.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    target: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A replica's exported tokens: per series (labels), and their sum. */
async function exported(replica: Replica): Promise<Map<string, number>> {
  const text = await (await fetch(replica.metrics)).text();
  return new Map([...text.matchAll(new RegExp(`^${TOKENS.prom}(\\{.*\\}) (\\S+)$`, 'gm'))].map((m) => [m[1], Number(m[2])]));
}
const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/** Two replicas, the recorder alternating between them per request, Prometheus scraping them per pod and through one name. */
async function startReplicas(processors = '') {
  const replicas = [await startReplica(processors), await startReplica(processors)];
  let n = 0;
  const recorder = await startOtlpRecorder(() => replicas[n++ % 2].otlp);
  const service = await startRoundRobin(replicas);
  const pods = replicas.map((r) => `'${new URL(r.metrics).host}'`).join(', ');
  const prom = await startPrometheus(
    prometheusServerBinary()!,
    `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: pods\n    static_configs:\n      - targets: [${pods}]\n  - job_name: service\n    static_configs:\n      - targets: ['${service.target}']\n`,
  );
  const query = async (expr: string, time: number): Promise<number> => {
    const res = await fetch(`${prom.url}/api/v1/query?time=${time}&query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; error?: string; data: { result: { value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
    return body.data.result.reduce((s, r) => s + Number(r.value[1]), 0);
  };
  // Claude Code must not export before Prometheus scrapes all three targets (counter-pipeline.ts: firstScrape).
  for (let i = 0; (await query('count(up == 1)', Date.now() / 1000)) !== 3; i++) {
    if (i > 80) throw new Error('Prometheus never scraped the replicas');
    await sleep(250);
  }
  return {
    replicas,
    /** Sends the next request to replica `i` (the round robin goes on from there). */
    nextTo: (i: number) => {
      n = i;
    },
    recorder,
    query,
    env: {
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: recorder.url,
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
    },
    stop: async () => {
      await prom.stop();
      await service.close();
      await recorder.close();
      for (const r of replicas) await r.process.stop();
    },
  };
}
type Replicas = Awaited<ReturnType<typeof startReplicas>>;

/** Runs the long session, waits until both replicas hold still for 2 s and Prometheus has scraped them since, then measures. */
async function session(p: Replicas, temporality: 'delta' | 'cumulative') {
  const start = Math.floor(Date.now() / 1000);
  const env = temporality === 'cumulative' ? { ...p.env, OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'cumulative' } : p.env;
  const run = runClaudeAgent({ env, sleepSeconds: 8 });
  // Which request carries the last call's tokens depends on timing (other exports come between): once the first
  // calls' tokens have settled on one replica, the round robin goes on at the other, so the session is split.
  let first = -1;
  for (let i = 0, stable = 0, last = ''; i < 120 && stable < 4; i++) {
    await sleep(250);
    const now = (await Promise.all(p.replicas.map(exported))).map(total);
    first = now.findIndex((v) => v > 0);
    stable = first >= 0 && JSON.stringify(now) === last ? stable + 1 : 0;
    last = JSON.stringify(now);
  }
  if (first < 0) throw new Error('the session never exported its tokens');
  p.nextTo(1 - first);
  expect((await run).exitCode).toBe(0);
  const both = async () => JSON.stringify(await Promise.all(p.replicas.map(exported).map(async (m) => [...(await m)])));
  let last = await both();
  for (let stable = 0; stable < 8; ) {
    await sleep(250);
    const now = await both();
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  const end = Math.ceil(Date.now() / 1000) + 3;
  while (Date.now() / 1000 < end + 1) await sleep(250);
  const [a, b] = await Promise.all(p.replicas.map(exported));
  const truth = temporality === 'cumulative' ? total(p.recorder.latest(TOKENS.otel)) : total(p.recorder.sent(TOKENS.otel));
  const received = p.replicas.map((r) =>
    total(temporality === 'cumulative' ? p.recorder.latest(TOKENS.otel, undefined, r.otlp) : p.recorder.sent(TOKENS.otel, 0, undefined, r.otlp)),
  );
  const r = `${end - start}s`;
  const x = (job: string) => `${TOKENS.prom}{job="${job}"}`;
  const q = (expr: string) => p.query(expr, end);
  const figures = {
    truth,
    received,
    /** What the prometheus exporter's own accumulation makes of the delta points each replica received. */
    accumulated: p.replicas.map((r) => accumulate(p.recorder.points(TOKENS.otel).filter((x) => x.target === r.otlp))),
    exported: [total(a), total(b)],
    /** Per series, the larger of the two replicas' values: what one replica at a time shows at best. */
    largerReplica: [...new Set([...a.keys(), ...b.keys()])].reduce((s, k) => s + Math.max(a.get(k) ?? 0, b.get(k) ?? 0), 0),
    /** Some series holds different values on the two replicas: one target for both then flaps. */
    differ: [...new Set([...a.keys(), ...b.keys()])].some((k) => a.get(k) !== b.get(k)),
    pods: {
      sumMaxOverTime: await q(`sum(max_over_time(${x('pods')}[${r}]))`),
      sum: await q(`sum(${x('pods')})`),
      maxAcrossReplicas: await q(`sum(max without (instance) (${x('pods')}))`),
      stepTotal: await q(`sum_over_time(sum(${stepGrowth(x('pods'), '1s', '10s')})[${r}:1s])`),
    },
    service: {
      sumMaxOverTime: await q(`sum(max_over_time(${x('service')}[${r}]))`),
      sum: await q(`sum(${x('service')})`),
      resets: await q(`sum(resets(${x('service')}[${r}]))`),
      stepTotal: await q(`sum_over_time(sum(${stepGrowth(x('service'), '1s', '10s')})[${r}:1s])`),
    },
    temporalities: [...p.recorder.temporalities()],
  };
  if (process.env.COD_DEBUG) console.log(temporality, JSON.stringify(figures)); // the figures of docs/counters.md
  return figures;
}
type Figures = Awaited<ReturnType<typeof session>>;

/** `expect` that shows all the figures when one fails. */
const expectFor = (f: Figures) => (value: unknown) => expect(value, JSON.stringify(f));

/**
 * The prometheus exporter's accumulation of delta points, per series (exporter/prometheusexporter/accumulator.go,
 * "Delta-to-Cumulative"): a point whose start is the previous point's time is added; any other replaces the sum.
 * One replica sees a series' deltas with gaps wherever the others received one: it keeps only what came after.
 */
function accumulate(points: { series: string; start: string; time: string; value: number }[]): number {
  const last = new Map<string, { time: bigint; value: number }>();
  for (const x of points) {
    const before = last.get(x.series);
    const [start, time] = [BigInt(x.start), BigInt(x.time)];
    if (before && time < before.time) continue; // only the latest point is kept
    last.set(x.series, { time, value: before && start === before.time ? before.value + x.value : x.value });
  }
  return [...last.values()].reduce((n, v) => n + v.value, 0);
}

/**
 * Delta into each replica. `own`: the prometheus exporter adds the deltas up itself (a replica keeps only what came
 * after a gap); else a deltatocumulative processor does (it adds across gaps: each replica holds its whole part).
 */
function expectDeltaFacts(f: Figures, own: boolean): void {
  const expect = expectFor(f);
  expect(f.temporalities).toEqual([1]);
  expect(f.received[0] + f.received[1]).toBe(f.truth);
  // The session's exports landed on both replicas: its series are split in two parts.
  expect(f.received[0]).toBeGreaterThan(0);
  expect(f.received[1]).toBeGreaterThan(0);
  expect(f.exported).toEqual(own ? f.accumulated : f.received);
  const kept = f.exported[0] + f.exported[1];
  const lost = kept < f.truth;
  expect(kept).toBeLessThanOrEqual(f.truth);
  // One target per replica: every part is its own series (instance label); summed across replicas, exact unless a
  // replica replaced its sum (then max_over_time still has the part it held before, step growth counts the drop as new).
  expect(f.pods.sum).toBe(kept);
  expect(f.pods.sumMaxOverTime).toBeGreaterThanOrEqual(kept);
  expect(f.pods.sumMaxOverTime).toBeLessThanOrEqual(f.truth);
  expect(f.pods.stepTotal).toBeLessThanOrEqual(f.truth);
  if (!lost) {
    expect(f.pods.sumMaxOverTime).toBe(f.truth);
    expect(f.pods.stepTotal).toBe(f.truth);
  }
  // The larger part only: what max across replicas, and one load-balanced target, show.
  expect(f.pods.maxAcrossReplicas).toBe(f.largerReplica);
  expect(f.largerReplica).toBeLessThan(f.truth);
  // One target for both: one series whose samples alternate between the parts. Its largest value falls short; where the
  // parts differ, Prometheus sees a counter reset at nearly every scrape, and a form that counts a drop as a new start
  // over-counts.
  expect(f.service.sumMaxOverTime).toBeGreaterThanOrEqual(f.largerReplica);
  expect(f.service.sumMaxOverTime).toBeLessThan(f.truth);
  if (f.differ) {
    expect(f.service.resets).toBeGreaterThan(0);
    expect(f.service.stepTotal).toBeGreaterThan(f.truth);
  }
}

suite('a collector with two replicas behind one load-balanced OTLP endpoint (real components)', missing, () => {
  it("Claude Code's default delta: each replica holds part of a session; sum across replicas is exact, one scrape target is not", async () => {
    const p = await startReplicas();
    try {
      expectDeltaFacts(await session(p, 'delta'), true);
    } finally {
      await p.stop();
    }
  }, 120_000);

  it('delta into a deltatocumulative processor in front of the prometheus exporter: the same parts', async () => {
    const p = await startReplicas('deltatocumulative');
    try {
      expectDeltaFacts(await session(p, 'delta'), false);
    } finally {
      await p.stop();
    }
  }, 120_000);

  it('cumulative temporality: each replica holds the latest total it received; sum across replicas over-counts', async () => {
    const p = await startReplicas();
    try {
      const f = await session(p, 'cumulative');
      const expect = expectFor(f);
      expect(f.temporalities).toEqual([2]);
      expect(f.exported).toEqual(f.received);
      // Both replicas hold (nearly) the whole session: every total it received is the session's so far.
      expect(f.received[0]).toBeGreaterThan(0);
      expect(f.received[1]).toBeGreaterThan(0);
      expect(Math.max(...f.received)).toBeLessThanOrEqual(f.truth);
      // Summed across replicas: more than the truth, at most twice it (×replicas).
      expect(f.pods.sum).toBe(f.received[0] + f.received[1]);
      expect(f.pods.sumMaxOverTime).toBe(f.pods.sum);
      expect(f.pods.sum).toBeGreaterThan(f.truth);
      expect(f.pods.sum).toBeLessThanOrEqual(2 * f.truth);
      // The largest value across replicas is the latest total: exact.
      expect(f.pods.maxAcrossReplicas).toBe(f.truth);
      expect(f.largerReplica).toBe(f.truth);
      // One load-balanced target: its largest value is the latest total; exact for max_over_time.
      expect(f.service.sumMaxOverTime).toBe(f.truth);
    } finally {
      await p.stop();
    }
  }, 120_000);
});
