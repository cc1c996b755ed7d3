// What `init` writes, judged by the real components: the collector config by the real current collector build
// (validate, then started for real with Claude Code sending through it), prometheus.yml by promtool and the
// Prometheus 3 config loader. The dashboard's series names must be exactly what that real pipeline exposes.
// A missing component fails with CI=true; elsewhere its suite is skipped loudly.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { collectorConfig } from '../../src/bootstrap/local-stack.js';
import { LOCAL_SETTINGS } from '../../src/bootstrap/pins.js';
import { describeWithComponents as suite } from '../helpers/real-components.js';
import { claudeBinary } from '../harness/claude-path.js';
import { collectorBinary, prom3CheckBinary, promtoolBinary, PROVISION_COLLECTOR, PROVISION_PROMETHEUS, versions } from '../oracles/paths.js';
import { freePort, runClaudeAgent, scrapeUntil, startCollector } from '../pipeline/pipeline.js';
import { newMachine, type Machine } from './machine.js';

let m: Machine;
const work = mkdtempSync(join(tmpdir(), 'cod-init-real-'));
beforeAll(async () => {
  m = newMachine();
  const r = await m.init(['--no-start']);
  if (r.exitCode !== 0) throw new Error(`init failed:\n${r.stdout}${r.stderr}`);
});
afterAll(() => {
  m.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const stackFile = (rel: string) => join(m.stack, rel);

/** The claude_code_ series names the generated dashboard queries. */
function dashboardNames(): Set<string> {
  const json = JSON.parse(readFileSync(stackFile('grafana/dashboards/claude-code.json'), 'utf8')) as { panels: { targets: { expr: string }[] }[] };
  return new Set(json.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/claude_code_\w+/g) ?? [])));
}

const collector = collectorBinary('current');
suite(
  `init's collector config on the real collector ${versions.collector.current}`,
  collector ? undefined : `collector ${versions.collector.current} is not provisioned; run \`${PROVISION_COLLECTOR}\``,
  () => {
    it('passes `validate --config` as written', () => {
      const r = spawnSync(collector!, ['validate', `--config=${stackFile('otel-collector-config.yaml')}`], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
        timeout: 30_000,
      });
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    });
  },
);

const promtool = promtoolBinary();
suite("init's prometheus.yml on promtool", promtool ? undefined : `promtool is not on PATH; run \`${PROVISION_PROMETHEUS}\``, () => {
  it('passes `promtool check config --syntax-only`', () => {
    const r = spawnSync(promtool!, ['check', 'config', '--syntax-only', stackFile('prometheus.yml')], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
  });
});

const prom3 = prom3CheckBinary();
suite(
  "init's prometheus.yml on the Prometheus 3 config loader",
  prom3 ? undefined : `the Prometheus 3 config loader is not provisioned; run \`${PROVISION_PROMETHEUS}\``,
  () => {
    it('loads', () => {
      const r = spawnSync(prom3!, [stackFile('prometheus.yml')], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(0);
    });
  },
);

const missingPipeline = !collector
  ? `collector ${versions.collector.current} is not provisioned; run \`${PROVISION_COLLECTOR}\``
  : !claudeBinary()
    ? 'Claude Code is not provisioned; run `node scripts/provision-claude.mjs`'
    : undefined;
suite(`real Claude Code ${versions.claudeCode} → init's collector config (collector ${versions.collector.current}) → /metrics`, missingPipeline, () => {
  it('exposes exactly the series names the dashboard queries', async () => {
    // The generated config with free ports (4317 and friends may be taken here), and no internal metrics
    // listener (:8888 is shared with other suites); everything else as written.
    const ports = { grpc: await freePort(), http: await freePort(), prometheus: await freePort(), health: await freePort() };
    const doc = parseDocument(collectorConfig(ports));
    doc.setIn(['service', 'telemetry', 'metrics', 'level'], 'none');
    const col = await startCollector(collector!, doc.toString(), `http://127.0.0.1:${ports.health}/`, work);
    const queried = dashboardNames();
    // A scripted run writes a file and commits it: every counter but pull requests is produced.
    const expected = [...queried].filter((n) => !n.includes('pull_request'));
    expect(expected.length).toBe(7);
    try {
      const run = await runClaudeAgent({
        env: { ...LOCAL_SETTINGS, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${ports.grpc}`, OTEL_METRIC_EXPORT_INTERVAL: '1000' },
      });
      expect(run.exitCode, run.stderr).toBe(0);
      const url = `http://127.0.0.1:${ports.prometheus}/metrics`;
      const scraped = await scrapeUntil(url, (s) => expected.every((n) => s.some((x) => x.name === n)), 15_000);
      const names = new Set(scraped.map((s) => s.name).filter((n) => n.startsWith('claude_code_')));
      expect([...names].sort(), col.output()).toEqual(expected.sort());
    } finally {
      await col.stop();
    }
  }, 180_000);
});
