// Where each real collector build binds its internal telemetry by default, against the collector model
// (model/collector.ts collectorListeners), which prometheus/collector-telemetry-loopback relies on: a loopback bind
// cannot be scraped from another container. Each build runs in a private network namespace (`unshare -n`, root as in
// CI), so its default :8888 clashes with nothing else, and `ss` lists what it listens on.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { collectorListeners, loadCollector } from '../../src/model/collector.js';
import { parseYaml } from '../../src/load/yaml.js';
import { textSource } from '../../src/load/read.js';
import { oracleDescribe } from './differential-support.js';
import { collectorBinary, PROVISION_COLLECTOR, versions, type CollectorRole } from './paths.js';

const work = mkdtempSync(join(tmpdir(), 'cod-telemetry-bind-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CONFIG =
  'receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:4318\nexporters:\n  debug: {}\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [debug]\n';

/** The addresses the collector listens on for port 8888, inside its own network namespace. */
function listensOn8888(bin: string): string[] {
  const config = join(work, 'config.yaml');
  writeFileSync(config, CONFIG);
  const script = `ip link set lo up; "$0" --config="$1" >/dev/null 2>&1 & pid=$!; for i in $(seq 50); do ss -ltnH | grep -q ':8888 ' && break; sleep 0.1; done; sleep 0.3; ss -ltnH; kill $pid; wait $pid 2>/dev/null; true`;
  const r = spawnSync('unshare', ['-n', 'sh', '-c', script, bin, config], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`unshare -n failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[3])
    .filter((a): a is string => !!a && a.endsWith(':8888'))
    .map((a) => a.slice(0, a.lastIndexOf(':')));
}

function modelHost(version: string): string | undefined {
  const r = textSource('/config.yaml', CONFIG, 'yaml');
  if (!r.ok) throw new Error('config');
  const c = loadCollector(parseYaml(r.source));
  return collectorListeners(c, version).find((l) => l.owner.startsWith('service.telemetry') && l.port === 8888)?.host;
}

for (const role of ['old', 'current'] as CollectorRole[]) {
  const version = versions.collector[role];
  oracleDescribe(`collector ${version}: its default telemetry bind`, collectorBinary(role), PROVISION_COLLECTOR, (bin) => {
    it('is where the collector model says it is (loopback only from v0.111.0)', () => {
      const hosts = listensOn8888(bin);
      expect(hosts.length, 'the collector listened on 8888').toBeGreaterThan(0);
      const loopbackOnly = hosts.every((h) => h === '127.0.0.1' || h === '[::1]');
      const host = modelHost(version);
      expect(host, 'the model has a default telemetry listener on 8888').toBeDefined();
      expect(host === 'localhost' || host === '127.0.0.1', `model ${host}, real ${hosts.join(' ')}`).toBe(loopbackOnly);
    });
  });
}
