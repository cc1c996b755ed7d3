// --fix through real Claude Code 2.1.197: broken settings cases are fixed by `claude-otel-doctor --fix`, then
// real Claude Code runs on the fixed files (mock Anthropic API, local OTLP sinks). What arrives must equal the
// doctor's prediction for the fixed files, data must really flow, and the fixed rule must be silent.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../src/load/env-file.js';
import { SourceFile } from '../../src/load/source.js';
import type { Prediction } from '../../src/model/prediction.js';
import { CLAUDE_VERSION, claudeBinary } from '../harness/claude-path.js';
import { observeTelemetry, type Observed } from '../harness/run-claude.js';
import { runCli } from '../helpers/cli.js';
import { fill, fillAll, observedArrivals, observedResource, predictedArrivals, predictedResource, writeTree, type Ports } from './arrivals.js';
import { CASES, type ConformanceCase } from './cases.js';

const inCI = process.env.CI === 'true';
const available = claudeBinary() !== undefined;
if (!available && !inCI) console.warn(`\n*** SKIPPING --fix conformance: Claude Code ${CLAUDE_VERSION} not provisioned (node scripts/provision-claude.mjs). ***\n`);
const suite = available || inCI ? describe : describe.skip;

/** Broken cases of the prediction suite whose safe fix changes what is exported (each rule named is fixed). */
/**
 * `changed`: how the fix shows in what Claude Code does, when the arrival lines cannot show it (an interval,
 * resource attributes); by default the arrivals must differ from the broken setup's.
 */
const FIXED: { name: string; fixes: string[]; changed?: (o: Observed, prediction: Prediction, debugLog: string) => void }[] = [
  { name: 'invalid-json: a // comment drops the user file (nothing else configured)', fixes: ['settings/invalid-json'] },
  { name: 'invalid-json: a trailing comma drops the user file, the shell config applies', fixes: ['settings/invalid-json'] },
  { name: 'telemetry-disabled: switch unset', fixes: ['settings/telemetry-disabled'] },
  { name: 'telemetry-disabled: switch "0" in settings beats "1" in the shell', fixes: ['settings/telemetry-disabled'] },
  { name: 'missing-metrics-exporter: logs only', fixes: ['settings/missing-metrics-exporter'] },
  { name: 'missing-logs-exporter: metrics only', fixes: ['settings/missing-logs-exporter'] },
  { name: 'invalid-exporter: otlphttp kills every signal', fixes: ['settings/invalid-exporter'] },
  { name: 'invalid-exporter: OTLP in capitals from the shell', fixes: ['settings/invalid-exporter'] },
  { name: 'invalid-protocol: http', fixes: ['settings/invalid-protocol'] },
  { name: 'invalid-protocol: HTTP/JSON per signal kills metrics too', fixes: ['settings/invalid-protocol'] },
  { name: 'invalid-endpoint: generic endpoint ending in /v1/metrics doubles the path', fixes: ['settings/invalid-endpoint'] },
  { name: 'invalid-endpoint: per-signal endpoint without its path posts to /', fixes: ['settings/invalid-endpoint'] },
  { name: 'invalid-endpoint: no scheme over http falls back to localhost:4318', fixes: ['settings/invalid-endpoint'] },
  { name: 'invalid-headers: literal quotes make every export fail', fixes: ['settings/invalid-headers'] },
  { name: 'invalid-headers: the colon form', fixes: ['settings/invalid-headers'] },
  {
    name: 'invalid-interval: 10s is read as 10 ms',
    fixes: ['settings/invalid-interval'],
    changed: (_o, p, log) => {
      const logged = Number(/getOtlpReaders:.*?interval=(\d+)/.exec(log)?.[1]);
      expect([p.signals[0].intervalMs, logged]).toEqual([10000, 10000]);
    },
  },
  {
    name: 'invalid-resource-attributes: a space inside a value drops every attribute',
    fixes: ['settings/invalid-resource-attributes'],
    changed: (o) => expect(observedResource(o)).toMatchObject({ 'team.id': 'platform', 'org.name': 'My Company' }),
  },
  { name: 'unknown-variable: OTEL_METRIC_EXPORTER is not OTEL_METRICS_EXPORTER', fixes: ['settings/unknown-variable', 'settings/missing-metrics-exporter'] },
  { name: 'unknown-variable: OLTP_ exporters from the shell', fixes: ['settings/unknown-variable'] },
];

function doctorArgs(root: string, c: ConformanceCase, p: Ports): string[] {
  const args = ['check', '--format', 'json', '--no-shell-env', '--claude-version', CLAUDE_VERSION];
  args.push('--home', join(root, 'home'), '--project', join(root, 'project'), '--managed-dir', join(root, 'managed'), '--env-file', join(root, 'shell.env'));
  if (c.settingsArg) args.push('--settings', fill(c.settingsArg, p));
  return args;
}

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

interface Doctor {
  ruleIds: string[];
  prediction: Prediction;
}

function check(root: string, c: ConformanceCase, p: Ports): Doctor {
  const res = runCli(doctorArgs(root, c, p), { CLAUDE_CONFIG_DIR: undefined });
  expect(res.stderr).toBe('');
  const report = JSON.parse(res.stdout);
  return { ruleIds: report.findings.map((f: { ruleId: string }) => f.ruleId), prediction: report.effective[0].prediction };
}

suite(`--fix conformance with real Claude Code ${CLAUDE_VERSION}`, () => {
  it('covers at least eight cases, each a case of the prediction suite', () => {
    expect(FIXED.length).toBeGreaterThanOrEqual(8);
    for (const f of FIXED) expect(CASES.map((c) => c.name)).toContain(f.name);
  });

  for (const { name, fixes, changed } of FIXED) {
    const c = CASES.find((x) => x.name === name)!;
    it(name, async () => {
      const root = mkdtempSync(join(tmpdir(), 'cod-fixconf-'));
      let ports: Ports = { http: 0, grpc: 0, home: '' };
      let before: Doctor | undefined;
      try {
        const observed = await observeTelemetry((s) => {
          ports = { http: s.httpPort, grpc: s.grpcPort, home: join(root, 'home') };
          // The broken setup, as the doctor sees it; then --fix; then real Claude Code gets the fixed files.
          writeTree(join(root, 'home'), fillAll(c.home, ports));
          writeTree(join(root, 'project'), fillAll(c.project, ports));
          mkdirSync(join(root, 'managed'), { recursive: true });
          const shell = Object.entries(c.shell ?? {}).filter(([, v]) => v !== undefined);
          writeFileSync(join(root, 'shell.env'), shell.map(([k, v]) => `export ${k}='${fill(String(v), ports)}'`).join('\n') + '\n');
          before = check(root, c, ports);
          const fixed = runCli([...doctorArgs(root, c, ports), '--fix'], { CLAUDE_CONFIG_DIR: undefined, XDG_STATE_HOME: join(root, 'state') });
          expect(fixed.stderr).not.toMatch(/claude-otel-doctor:/);
          const envFile = new SourceFile(join(root, 'shell.env'), readFileSync(join(root, 'shell.env'), 'utf8'));
          const shellEnv = Object.fromEntries(parseEnvFile(envFile).map((e) => [e.name, e.value]));
          const extraArgs = changed ? ['--debug-file', join(root, 'debug.txt')] : undefined;
          return { home: readTree(join(root, 'home')), project: readTree(join(root, 'project')), shellEnv, settingsArg: c.settingsArg && fill(c.settingsArg, ports), extraArgs };
        });
        for (const r of fixes) expect(before!.ruleIds, `${name}: ${r} should fire before the fix`).toContain(r);
        expect(observed.exitCode, `${name}: claude exited non-zero`).toBe(0);
        const after = check(root, c, ports);
        for (const r of fixes) expect(after.ruleIds, `${name}: ${r} still fires after --fix`).not.toContain(r);
        const arrived = observedArrivals(observed);
        expect(arrived, `${name}: what arrived after --fix differs from the prediction`).toEqual(predictedArrivals(after.prediction, ports));
        expect(arrived.length, `${name}: nothing arrived after --fix`).toBeGreaterThan(0);
        if (changed) changed(observed, after.prediction, existsSync(join(root, 'debug.txt')) ? readFileSync(join(root, 'debug.txt'), 'utf8') : '');
        else expect(arrived, `${name}: --fix did not change what arrives`).not.toEqual(predictedArrivals(before!.prediction, ports));
        const resource = observedResource(observed);
        if (resource) expect(resource, `${name}: resource attributes differ from the prediction`).toEqual(predictedResource(after.prediction));
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }, 60_000);
  }
});
