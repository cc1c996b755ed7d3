// The pipeline the counter tests measure on: real Claude Code (scripted mock API, http/json through a pass-through
// that keeps what the collector accepted: the truth) → real collector (prometheus exporter) → Debian's Prometheus
// scraping it every second; plus the session helpers they share.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { claudeBinary } from '../harness/claude-path.js';
import { startPrometheus, type RunningPrometheus } from '../harness/prometheus-server.js';
import { collectorBinary, PROVISION_COLLECTOR, PROVISION_PROMETHEUS, prometheusServerBinary } from '../oracles/paths.js';
import { startOtlpRecorder, type OtlpRecorder } from './otlp-recorder.js';
import { freePort, runClaudeAgent, startCollector, type RunningCollector } from './pipeline.js';

const dir = mkdtempSync(join(tmpdir(), 'cod-counters-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const METRICS = [
  { otel: 'claude_code.token.usage', prom: 'claude_code_token_usage_tokens_total' },
  { otel: 'claude_code.lines_of_code.count', prom: 'claude_code_lines_of_code_count_total' },
];

const collector = collectorBinary('current');
const prometheus = prometheusServerBinary();
export const missing = !collector
  ? `the collector is not provisioned; run \`${PROVISION_COLLECTOR}\``
  : !prometheus
    ? `the Prometheus server is not provisioned; run \`${PROVISION_PROMETHEUS}\``
    : !claudeBinary()
      ? 'Claude Code is not provisioned; run `node scripts/provision-claude.mjs`'
      : undefined;

/** A collector (prometheus exporter) behind the recorder, and Prometheus scraping it every second. */
export async function startPipeline(expiration: string, extraEnv: Record<string, string> = {}) {
  const otlp = await freePort();
  const port = await freePort();
  const metricsUrl = `http://127.0.0.1:${port}/metrics`;
  const config = `receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:${otlp}\nexporters:\n  prometheus:\n    endpoint: 127.0.0.1:${port}\n    metric_expiration: ${expiration}\nservice:\n  telemetry:\n    metrics:\n      level: none\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n`;
  let col: RunningCollector = await startCollector(collector!, config, metricsUrl, dir);
  const recorder: OtlpRecorder = await startOtlpRecorder(() => `http://127.0.0.1:${otlp}`);
  const prom: RunningPrometheus = await startPrometheus(
    prometheus!,
    `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: otel-collector\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`,
  );
  // Prometheus hands static targets to its scrape loop only after its discovery manager's first update (up to 5 s
  // after start): Claude Code must not export, and the collector must not restart, before the first scrape, or
  // Prometheus never sees what the collector held until then.
  await firstScrape(prom.url);
  const env = {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_ENDPOINT: recorder.url,
    OTEL_METRIC_EXPORT_INTERVAL: '1000',
    ...extraEnv,
  };
  const exportedSessions = async (metric: string) => {
    const text = await (await fetch(metricsUrl)).text();
    return [...text.matchAll(new RegExp(`^${metric}\\{.*session_id="([^"]*)".*\\} (\\S+)$`, 'gm'))].map((m) => ({ session: m[1], value: Number(m[2]) }));
  };
  const query = async (expr: string, time: number): Promise<number> => {
    const res = await fetch(`${prom.url}/api/v1/query?time=${time}&query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; error?: string; data: { result: { value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
    return body.data.result.reduce((n, r) => n + Number(r.value[1]), 0);
  };
  /** A graph's bars: the expression evaluated every `step` seconds over (start, end], added up. */
  const rangeSum = async (expr: string, start: number, end: number, step: number): Promise<number> => {
    const url = `${prom.url}/api/v1/query_range?start=${start + step}&end=${end}&step=${step}&query=${encodeURIComponent(expr)}`;
    const body = (await (await fetch(url)).json()) as { status: string; error?: string; data: { result: { values: [number, string][] }[] } };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
    return body.data.result.reduce((n, r) => n + r.values.reduce((m, v) => m + Number(v[1]), 0), 0);
  };
  return {
    prometheusUrl: prom.url,
    env,
    recorder,
    exportedSessions,
    query,
    rangeSum,
    restartCollector: async () => {
      await col.stop();
      col = await startCollector(collector!, config, metricsUrl, dir);
    },
    stop: async () => {
      await prom.stop();
      await col.stop();
      await recorder.close();
    },
  };
}

/** Waits (up to 20 s) until Prometheus has scraped its target once: `up` is 1. */
async function firstScrape(prometheusUrl: string): Promise<void> {
  for (let i = 0; i < 80; i++) {
    const body = (await (await fetch(`${prometheusUrl}/api/v1/query?query=up`)).json()) as { data?: { result?: { value: [number, string] }[] } };
    if (body.data?.result?.some((r) => r.value[1] === '1')) return;
    await sleep(250);
  }
  throw new Error('Prometheus never scraped the collector');
}

/** Growth of `x` in each step of `s` seconds; a series with nothing in the step before counts whole, and so does one that dropped (its exporter started it again). */
export type Pipeline = Awaited<ReturnType<typeof startPipeline>>;

/** Runs a session with a Bash `sleep`; once its Write has been exported (a new session's lines), `during(session)` runs. */
export async function longSession(p: Pipeline, sleepSeconds: number, during: (session: string) => Promise<void>): Promise<string> {
  const before = new Set((await p.exportedSessions(METRICS[1].prom)).map((s) => s.session));
  const run = runClaudeAgent({ env: p.env, sleepSeconds });
  let session: string | undefined;
  for (let i = 0; i < 80 && !session; i++) {
    session = (await p.exportedSessions(METRICS[1].prom)).find((s) => !before.has(s.session))?.session;
    if (!session) await sleep(250);
  }
  if (!session) throw new Error('the long session never exported its Write');
  await during(session);
  expect((await run).exitCode).toBe(0);
  return session;
}

/** A session's exported tokens (all its series: one per type and model), 0 when the collector holds none. */
export async function sessionTokens(p: Pipeline, session: string): Promise<number> {
  return (await p.exportedSessions(METRICS[0].prom)).filter((s) => s.session === session).reduce((n, s) => n + s.value, 0);
}

/** The session's exported token total once it has not changed for 2 s (its calls before the Bash sleep are in). */
export async function settledTokens(p: Pipeline, session: string): Promise<number> {
  const value = () => sessionTokens(p, session);
  let last = await value();
  for (let stable = 0; stable < 8; ) {
    await sleep(250);
    const now = await value();
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  return last;
}
