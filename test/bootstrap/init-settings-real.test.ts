// The user settings `init` merges in (LOCAL_SETTINGS: gRPC to the stack's published 4317), run by real Claude Code
// on the oldest supported and the newest known version against a loopback gRPC sink: the file as init wrote it,
// with the stack's localhost:4317 moved to the sink's port. Metrics and logs must arrive, and the doctor must find
// nothing wrong in it for that version.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_PORTS } from '../../src/bootstrap/pins.js';
import { NEWEST_KNOWN_CLAUDE, OLDEST_SUPPORTED_CLAUDE } from '../../src/model/versions.js';
import { describeWithComponents } from '../helpers/real-components.js';
import { claudeBinary } from '../harness/claude-path.js';
import { observeTelemetry } from '../harness/run-claude.js';
import { observedArrivals } from '../conformance/arrivals.js';
import { newMachine, type Machine } from './machine.js';

let m: Machine;
let written = '';
beforeAll(async () => {
  m = newMachine();
  const r = await m.init(['--no-start']);
  if (r.exitCode !== 0) throw new Error(`init failed:\n${r.stdout}${r.stderr}`);
  written = readFileSync(m.settings, 'utf8');
});
afterAll(() => m.cleanup());

for (const version of [OLDEST_SUPPORTED_CLAUDE, NEWEST_KNOWN_CLAUDE]) {
  const missing = claudeBinary(version) ? undefined : `Claude Code ${version} is not provisioned (node scripts/provision-claude.mjs ${version})`;
  describeWithComponents(`init's user settings on real Claude Code ${version}`, missing, () => {
    it('send metrics and logs over gRPC, and the doctor finds nothing in them', async () => {
      const stackEndpoint = `http://localhost:${DEFAULT_PORTS.grpc}`;
      expect(written).toContain(stackEndpoint);
      let port = 0;
      const observed = await observeTelemetry((s) => {
        port = s.grpcPort;
        return { home: { '.claude/settings.json': written.replace(stackEndpoint, s.grpcUrl) }, claudeVersion: version };
      });
      expect(observed.exitCode, observed.stderr).toBe(0);
      expect(observedArrivals(observed)).toEqual([
        `logs grpc :${port}/opentelemetry.proto.collector.logs.v1.LogsService/Export headers=[]`,
        `metrics grpc :${port}/opentelemetry.proto.collector.metrics.v1.MetricsService/Export headers=[] delta`,
      ]);
      const check = await m.cli([
        'check',
        '--format',
        'json',
        '--home',
        m.home,
        '--project',
        m.project,
        '--managed-dir',
        m.managed,
        '--no-shell-env',
        '--claude-version',
        version,
      ]);
      const report = JSON.parse(check.stdout);
      expect(report.effective[0].prediction.telemetryEnabled, 'the doctor read the written settings').toBe(true);
      expect(report.findings.filter((f: { ruleId: string }) => f.ruleId.startsWith('settings/'))).toEqual([]);
    }, 60_000);
  });
}
