// --fix through real Claude Code, on the oldest supported and the newest known version (CLAUDE_CONFORMANCE_VERSIONS
// chooses others): broken settings cases are fixed by `claude-otel-doctor --fix --claude-version <v>`, then real
// Claude Code <v> runs on the fixed files (mock Anthropic API, local OTLP sinks). What arrives must equal the
// doctor's prediction re-run on the fixed files, data must really flow, and the fixed rules must be silent.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../src/load/env-file.js';
import { SourceFile } from '../../src/load/source.js';
import type { Prediction } from '../../src/model/prediction.js';
import { compareVersions, DEFAULT_PROTOCOL_FROM, NEWEST_KNOWN_CLAUDE, OLDEST_SUPPORTED_CLAUDE } from '../../src/model/versions.js';
import { claudeBinary } from '../harness/claude-path.js';
import { observeTelemetry, type Observed } from '../harness/run-claude.js';
import { runCli } from '../helpers/cli.js';
import {
  atSinkPorts,
  doctorArgs,
  fill,
  observedArrivals,
  observedPointAttributes,
  observedResource,
  predictedArrivals,
  predictedResource,
  predictionAtSinkPorts,
  STANDARD_PORTS,
  writeCaseFiles,
  type Ports,
} from './arrivals.js';
import { CASES, type ConformanceCase } from './cases.js';

const inCI = process.env.CI === 'true';
const only = process.env.CLAUDE_CONFORMANCE_VERSIONS?.split(',')
  .map((v) => v.trim())
  .filter(Boolean);
const VERSIONS = only ?? [OLDEST_SUPPORTED_CLAUDE, NEWEST_KNOWN_CLAUDE];

/** The fixed interval is 10 s, predicted and as Claude Code logs it. */
const interval10s = (_o: Observed, p: Prediction, log: string) => {
  const logged = Number(/getOtlpReaders:.*?interval=(\d+)/.exec(log)?.[1]);
  expect([p.signals[0].intervalMs, logged]).toEqual([10000, 10000]);
};

/**
 * Broken cases of the prediction suite whose safe fix changes what is exported (each rule named is fixed).
 * `changed`: how the fix shows in what Claude Code does, when the arrival lines cannot show it (an interval,
 * resource attributes); by default the arrivals must differ from the broken setup's.
 * `sameArrivalsFrom`: from this version the broken setup already exports what the fixed one does (the finding is
 * advice there), so the fix must leave the arrivals as they were. From the case's `rulesUntil` the rules do not fire
 * at all: --fix must change no file, and what arrives must still be what the doctor predicts.
 */
const FIXED: { name: string; fixes: string[]; changed?: (o: Observed, prediction: Prediction, debugLog: string) => void; sameArrivalsFrom?: string }[] = [
  { name: 'invalid-json: a // comment drops the user file (nothing else configured)', fixes: ['settings/invalid-json'] },
  { name: 'invalid-json: a trailing comma drops the user file, the shell config applies', fixes: ['settings/invalid-json'] },
  { name: 'telemetry-disabled: switch unset', fixes: ['settings/telemetry-disabled'] },
  { name: 'telemetry-disabled: switch "0" in settings beats "1" in the shell', fixes: ['settings/telemetry-disabled'] },
  { name: 'missing-metrics-exporter: logs only', fixes: ['settings/missing-metrics-exporter'] },
  { name: 'missing-logs-exporter: metrics only', fixes: ['settings/missing-logs-exporter'] },
  // The fix reads the protocol off the standard port: http/protobuf for 4318 (the default from 2.1.323, so then it
  // only makes the setting explicit), grpc for 4317 (from 2.1.323 the default http/protobuf cannot reach it).
  { name: 'missing-protocol: otlp without protocol', fixes: ['settings/missing-protocol'], sameArrivalsFrom: DEFAULT_PROTOCOL_FROM },
  { name: 'missing-protocol: otlp without protocol to the gRPC port', fixes: ['settings/missing-protocol'] },
  { name: 'invalid-exporter: otlphttp kills every signal', fixes: ['settings/invalid-exporter'] },
  { name: 'invalid-exporter: OTLP in capitals from the shell', fixes: ['settings/invalid-exporter'] },
  { name: 'invalid-protocol: http', fixes: ['settings/invalid-protocol'] },
  { name: 'invalid-protocol: HTTP/JSON per signal kills metrics too', fixes: ['settings/invalid-protocol'] },
  { name: 'invalid-endpoint: generic endpoint ending in /v1/metrics doubles the path', fixes: ['settings/invalid-endpoint'] },
  { name: 'invalid-endpoint: per-signal endpoint without its path posts to /', fixes: ['settings/invalid-endpoint'] },
  { name: 'invalid-endpoint: no scheme over http falls back to localhost:4318', fixes: ['settings/invalid-endpoint'] },
  { name: 'invalid-headers: literal quotes make every export fail', fixes: ['settings/invalid-headers'] },
  { name: 'invalid-headers: the colon form', fixes: ['settings/invalid-headers'] },
  { name: 'invalid-interval: 10s is read as 10 ms', fixes: ['settings/invalid-interval'], changed: interval10s },
  // From 2.1.211 "1e4" is read as 10000: the rule is silent and --fix must leave the files alone (the case's rulesUntil).
  { name: 'invalid-interval: "1e4" is read as 1 ms before 2.1.211, as 10000 from it', fixes: ['settings/invalid-interval'], changed: interval10s },
  {
    name: 'invalid-resource-attributes: a space inside a value drops every attribute (before 2.1.251)',
    fixes: ['settings/invalid-resource-attributes'],
    // Before 2.1.251 the broken value drops the variable; from it the resource keeps it and only datapoints and
    // events lose org.name: after the fix it is on all three, on every version.
    changed: (o) => {
      const wanted = { 'team.id': 'platform', 'org.name': 'My Company' };
      const { datapoint, event } = observedPointAttributes(o);
      expect([observedResource(o), datapoint, event]).toMatchObject([wanted, wanted, wanted]);
    },
  },
  { name: 'unknown-variable: OTEL_METRIC_EXPORTER is not OTEL_METRICS_EXPORTER', fixes: ['settings/unknown-variable', 'settings/missing-metrics-exporter'] },
  { name: 'unknown-variable: OLTP_ exporters from the shell', fixes: ['settings/unknown-variable'] },
];

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const path = join(d, n);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** The files the doctor reads and --fix may edit, as one comparable string. */
function caseFiles(root: string): string {
  return JSON.stringify([
    readTree(join(root, 'home')),
    readTree(join(root, 'project')),
    readTree(join(root, 'managed')),
    readFileSync(join(root, 'shell.env'), 'utf8'),
  ]);
}

interface Doctor {
  ruleIds: string[];
  /** At the sinks' real ports. */
  prediction: Prediction;
}

/** The doctor on the files under `root`, which it sees at `seen` ports (the standard ones for a standardPorts case). */
function check(root: string, c: ConformanceCase, seen: Ports, sinks: Ports, version: string): Doctor {
  const res = runCli(doctorArgs(root, c, seen, version), { CLAUDE_CONFIG_DIR: undefined });
  expect(res.stderr).toBe('');
  const report = JSON.parse(res.stdout);
  return {
    ruleIds: report.findings.map((f: { ruleId: string }) => f.ruleId),
    prediction: c.standardPorts ? predictionAtSinkPorts(report.effective[0].prediction, sinks) : report.effective[0].prediction,
  };
}

describe('--fix conformance cases', () => {
  it('cover at least ten cases, each a case of the prediction suite', () => {
    expect(FIXED.length).toBeGreaterThanOrEqual(10);
    for (const f of FIXED) expect(CASES.map((c) => c.name)).toContain(f.name);
  });
});

for (const version of VERSIONS) {
  const available = claudeBinary(version) !== undefined;
  if (!available && !inCI)
    console.warn(`\n*** SKIPPING --fix conformance on ${version}: not provisioned (node scripts/provision-claude.mjs ${version}). ***\n`);
  const suite = available || inCI ? describe : describe.skip;
  suite(`--fix conformance with real Claude Code ${version}`, () => {
    for (const { name, fixes, changed, sameArrivalsFrom } of FIXED) {
      const c = CASES.find((x) => x.name === name)!;
      it(name, async () => {
        const root = mkdtempSync(join(tmpdir(), 'cod-fixconf-'));
        let sinks: Ports = { http: 0, grpc: 0, home: '' };
        let seen: Ports = sinks;
        let before: Doctor | undefined;
        let untouched = '';
        const rulesApply = !c.rulesUntil || compareVersions(version, c.rulesUntil) < 0;
        try {
          const observed = await observeTelemetry((s) => {
            sinks = { http: s.httpPort, grpc: s.grpcPort, home: join(root, 'home') };
            seen = c.standardPorts ? { ...STANDARD_PORTS, home: sinks.home } : sinks;
            // The broken setup, as the doctor sees it; then --fix; then real Claude Code gets the fixed files.
            writeCaseFiles(root, c, seen);
            before = check(root, c, seen, sinks, version);
            untouched = caseFiles(root);
            const fixed = runCli([...doctorArgs(root, c, seen, version), '--fix'], { CLAUDE_CONFIG_DIR: undefined, XDG_STATE_HOME: join(root, 'state') });
            expect(fixed.stderr).not.toMatch(/claude-otel-doctor:/);
            const toSinks = (text: string) => (c.standardPorts ? atSinkPorts(text, sinks) : text);
            const envFile = new SourceFile(join(root, 'shell.env'), readFileSync(join(root, 'shell.env'), 'utf8'));
            const shellEnv = Object.fromEntries(parseEnvFile(envFile).map((e) => [e.name, toSinks(e.value)]));
            const extraArgs = changed ? ['--debug-file', join(root, 'debug.txt')] : undefined;
            const tree = (dir: string) => Object.fromEntries(Object.entries(readTree(join(root, dir))).map(([k, v]) => [k, toSinks(v)]));
            return {
              home: tree('home'),
              project: tree('project'),
              shellEnv,
              settingsArg: c.settingsArg && fill(c.settingsArg, sinks),
              extraArgs,
              claudeVersion: version,
            };
          });
          for (const r of fixes) {
            if (rulesApply) expect(before!.ruleIds, `${name}: ${r} should fire before the fix on ${version}`).toContain(r);
            else expect(before!.ruleIds, `${name}: ${r} should not fire on ${version}`).not.toContain(r);
          }
          if (!rulesApply) expect(caseFiles(root), `${name}: --fix changed files on ${version}, where nothing is wrong`).toBe(untouched);
          expect(observed.exitCode, `${name}: claude exited non-zero`).toBe(0);
          // The prediction re-run on the fixed files, for the same version.
          const after = check(root, c, seen, sinks, version);
          for (const r of fixes) expect(after.ruleIds, `${name}: ${r} still fires after --fix on ${version}`).not.toContain(r);
          expect(
            after.ruleIds.filter((r) => !before!.ruleIds.includes(r)),
            `${name}: findings --fix brought in on ${version}`,
          ).toEqual([]);
          const arrived = observedArrivals(observed);
          expect(arrived, `${name}: what arrived after --fix differs from the prediction for the fixed files`).toEqual(
            predictedArrivals(after.prediction, sinks),
          );
          expect(arrived.length, `${name}: nothing arrived after --fix`).toBeGreaterThan(0);
          const beforeArrivals = predictedArrivals(before!.prediction, sinks);
          if (changed) changed(observed, after.prediction, existsSync(join(root, 'debug.txt')) ? readFileSync(join(root, 'debug.txt'), 'utf8') : '');
          else if (!rulesApply || (sameArrivalsFrom && compareVersions(version, sameArrivalsFrom) >= 0))
            expect(arrived, `${name}: on ${version} the fix should change nothing that arrives`).toEqual(beforeArrivals);
          else expect(arrived, `${name}: --fix did not change what arrives`).not.toEqual(beforeArrivals);
          const resource = observedResource(observed);
          if (resource) expect(resource, `${name}: resource attributes differ from the prediction`).toEqual(predictedResource(after.prediction));
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      }, 60_000);
    }
  });
}
