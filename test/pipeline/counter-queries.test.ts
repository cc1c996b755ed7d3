// What PromQL gives the true totals of Claude Code's counters, asked of the real thing: real Claude Code (scripted
// mock API: a Write and a `git commit`) → real collector (prometheus exporter) → Debian's real Prometheus server
// scraping it every second. Three sessions; the third runs alone inside the queried range. Backs the advice of
// dashboard/counter-without-rate: increase() misses what a series' first sample holds (a session that arrives whole
// in its first export counts 0), sum(max_over_time(x[R])) adds each session's latest total, and subtracting each
// series' last value before the range gives the usage inside it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeWithComponents as suite } from '../helpers/real-components.js';
import { startPrometheus } from '../harness/prometheus-server.js';
import { collectorBinary, prometheusServerBinary } from '../oracles/paths.js';
import { missing } from './counter-pipeline.js';
import { freePort, runClaudeAgent, startCollector } from './pipeline.js';

const dir = mkdtempSync(join(tmpdir(), 'cod-counters-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const TOKENS = 'claude_code_token_usage_tokens_total';
const LINES = 'claude_code_lines_of_code_count_total';

/** The collector's own /metrics: each series' cumulative value, the session's true total so far. */
async function exported(url: string, metric: string): Promise<{ session: string; value: number }[]> {
  const text = await (await fetch(url)).text();
  return [...text.matchAll(new RegExp(`^${metric}\\{(.*)\\} (\\S+)$`, 'gm'))].map((m) => ({
    session: /session_id="([^"]*)"/.exec(m[1])?.[1] ?? '',
    value: Number(m[2]),
  }));
}

const collector = collectorBinary('current');
const prometheus = prometheusServerBinary();

suite('counter queries on real Claude Code series in real Prometheus', missing, () => {
  it('increase() undercounts; max_over_time per series gives the sessions totals, minus the value before the range the usage inside it', async () => {
    const otlp = await freePort();
    const port = await freePort();
    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    const config = `receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:${otlp}\nexporters:\n  prometheus:\n    endpoint: 127.0.0.1:${port}\nservice:\n  telemetry:\n    metrics:\n      level: none\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n`;
    const col = await startCollector(collector!, config, metricsUrl, dir);
    const prom = await startPrometheus(
      prometheus!,
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: otel-collector\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`,
    );
    const env = {
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlp}`,
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
    };
    try {
      for (let i = 0; i < 2; i++) {
        expect((await runClaudeAgent({ env })).exitCode).toBe(0);
        await sleep(4000);
      }
      const before = new Set((await exported(metricsUrl, TOKENS)).map((s) => s.session));
      await sleep(3000);
      const rangeStart = Date.now();
      expect((await runClaudeAgent({ env })).exitCode).toBe(0);
      await sleep(5000);
      const now = Date.now() / 1000;
      const R = `${Math.ceil(now - rangeStart / 1000)}s`;
      const query = async (expr: string): Promise<number[]> => {
        const res = await fetch(`${prom.url}/api/v1/query?time=${now}&query=${encodeURIComponent(expr)}`);
        const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
        return body.data.result.map((r) => Number(r.value[1]));
      };
      const total = async (expr: string) => (await query(expr))[0] ?? 0;

      for (const metric of [TOKENS, LINES]) {
        const series = await exported(metricsUrl, metric);
        expect(new Set(series.map((s) => s.session)).size, metric).toBe(3);
        const all = series.reduce((n, s) => n + s.value, 0);
        const inside = series.filter((s) => !before.has(s.session)).reduce((n, s) => n + s.value, 0);
        expect(all).toBeGreaterThan(0);
        // Each session's latest value, added: every session still exported, with all it used.
        expect(await total(`sum(max_over_time(${metric}[10m]))`)).toBeCloseTo(all, 6);
        expect(await total(`sum(max_over_time(${metric}[${R}]))`)).toBeCloseTo(all, 6);
        // Minus each series' last value before the range (0 for a series new in it): the third session only.
        const windowed = `sum(max_over_time(${metric}[${R}]) - (last_over_time(${metric}[10m] offset ${R}) or max_over_time(${metric}[${R}]) * 0))`;
        expect(await total(windowed)).toBeCloseTo(inside, 6);
        // increase() counts only growth between samples: it misses each series' first value.
        expect(await total(`sum(increase(${metric}[10m]))`)).toBeLessThan(all);
        // A series whose whole value came in its first sample counts 0.
        const whole = await query(`increase(${metric}[10m]) and (min_over_time(${metric}[10m]) == max_over_time(${metric}[10m]) > 0)`);
        expect(whole.length, `${metric}: some series arrived whole in its first export`).toBeGreaterThan(0);
        expect(whole.every((v) => v === 0)).toBe(true);
      }
    } finally {
      await prom.stop();
      await col.stop();
    }
  }, 180_000);
});
