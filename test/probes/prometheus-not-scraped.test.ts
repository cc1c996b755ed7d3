// A Prometheus target right after start: its health is `unknown` until the first scrape. The probe waits one
// scrape interval (here 2 s) before judging, and a target still unknown then is "not scraped yet", not an error.
// Prometheus is a stand-in answering its documented API (/-/ready, /api/v1/targets, label values): the real one
// leaves a target unknown for a random offset within its interval, which a test cannot pin.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { machine, MINIMAL_COLLECTOR_CONFIG, telemetrySettings, type Machine } from './live-stack.js';

const made: Machine[] = [];
const servers: Server[] = [];
afterAll(() => {
  made.forEach((m) => m.remove());
  servers.forEach((s) => s.close());
});

/** A Prometheus whose one target reads `unknown` until `upAfterMs` (never when undefined), then `up`. */
async function fakePrometheus(upAfterMs: number | undefined): Promise<string> {
  const started = Date.now();
  const server = createServer((req, res) => {
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/-/ready') return res.writeHead(200).end('Prometheus Server is Ready.\n');
    if (req.url?.startsWith('/api/v1/targets')) {
      const health = upAfterMs !== undefined && Date.now() - started >= upAfterMs ? 'up' : 'unknown';
      return json({
        status: 'success',
        data: { activeTargets: [{ labels: { job: 'otel-collector' }, scrapeUrl: 'http://otel-collector:8889/metrics', health, lastError: '' }] },
      });
    }
    if (req.url?.startsWith('/api/v1/label/__name__/values')) return json({ status: 'success', data: ['claude_code_session_count_total'] });
    res.writeHead(404).end();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function probePrometheus(upAfterMs: number | undefined) {
  const url = await fakePrometheus(upAfterMs);
  const prometheus = `scrape_configs:\n  - job_name: otel-collector\n    scrape_interval: 2s\n    static_configs:\n      - targets: ['otel-collector:8889']\n`;
  const m = machine(telemetrySettings('grpc', 'http://localhost:4317'), {
    'otel-collector-config.yaml': MINIMAL_COLLECTOR_CONFIG,
    'prometheus.yml': prometheus,
  });
  made.push(m);
  const r = await runCliAsync(['probe', ...m.args, '--prometheus-url', url, '--select', 'probe/prometheus', '--format', 'json', '--timeout', '2'], {
    NO_COLOR: '1',
  });
  const report = JSON.parse(r.stdout) as { probes: { probeId: string; status: string; summary: string }[]; findings: { ruleId: string }[] };
  return { ...r, rows: report.probes.filter((p) => p.probeId === 'probe/prometheus'), findings: report.findings };
}

describe('a Prometheus target not scraped yet', () => {
  it('unknown at first, up within one scrape interval: the probe waits and sees it up', async () => {
    const r = await probePrometheus(1200);
    expect(r.rows.map((p) => `${p.status}: ${p.summary}`)).toContain('ok: scrapes http://otel-collector:8889/metrics (job otel-collector): up');
    expect(r.findings.filter((f) => f.ruleId === 'probe/prometheus')).toEqual([]);
  }, 20_000);

  it('still unknown after one scrape interval: "not scraped yet", not an error', async () => {
    const started = Date.now();
    const r = await probePrometheus(undefined);
    expect(r.rows.map((p) => `${p.status}: ${p.summary}`)).toContain(
      'skipped: http://otel-collector:8889/metrics (job otel-collector) not scraped yet (health unknown after 3 s)',
    );
    expect(r.findings.filter((f) => f.ruleId === 'probe/prometheus')).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000); // it did wait the interval (2 s) and a second
  }, 20_000);
});
