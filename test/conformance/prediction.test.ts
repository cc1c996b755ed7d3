// The oracle for the prediction and for every settings rule that changes what is exported:
// each case runs through real Claude Code 2.1.197 (mock Anthropic API, local OTLP sinks) and
// through `claude-otel-doctor check --format json`; what arrives must equal what the doctor predicts.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/rules/index.js';
import type { Prediction } from '../../src/model/prediction.js';
import { CLAUDE_VERSION, claudeBinary } from '../harness/claude-path.js';
import { canUnshareMount, observeTelemetry } from '../harness/run-claude.js';
import { runCli } from '../helpers/cli.js';
import { CASES, type ConformanceCase } from './cases.js';
import { fillAll, fill, observedArrivals, observedResource, predictedArrivals, predictedResource, writeTree, type Ports } from './arrivals.js';

const inCI = process.env.CI === 'true';
const available = claudeBinary() !== undefined;
if (!available && !inCI) console.warn(`\n*** SKIPPING prediction conformance: Claude Code ${CLAUDE_VERSION} not provisioned (node scripts/provision-claude.mjs). ***\n`);
const suite = available || inCI ? describe : describe.skip;
const namespaces = canUnshareMount();

/** Runs the doctor on the same files Claude Code gets and returns its prediction. */
function doctorPrediction(c: ConformanceCase, ports: Ports): { prediction: Prediction; ruleIds: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'cod-predict-'));
  const p = { ...ports, home: join(root, 'home') };
  try {
    writeTree(join(root, 'home'), fillAll(c.home, p));
    writeTree(join(root, 'project'), fillAll(c.project, p));
    writeTree(join(root, 'managed'), fillAll(c.managed, p));
    const shell = Object.entries(c.shell ?? {}).filter(([, v]) => v !== undefined);
    writeFileSync(join(root, 'shell.env'), shell.map(([k, v]) => `export ${k}='${fill(String(v), p)}'`).join('\n') + '\n');
    const args = ['check', '--format', 'json', '--no-shell-env', '--claude-version', CLAUDE_VERSION];
    args.push('--home', join(root, 'home'), '--project', join(root, 'project'), '--managed-dir', join(root, 'managed'), '--env-file', join(root, 'shell.env'));
    if (c.settingsArg) args.push('--settings', fill(c.settingsArg, p));
    const res = runCli(args, { CLAUDE_CONFIG_DIR: undefined });
    expect(res.stderr, c.name).toBe('');
    const report = JSON.parse(res.stdout);
    return { prediction: report.effective[0].prediction, ruleIds: report.findings.map((f: { ruleId: string }) => f.ruleId) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

suite(`prediction conformance with real Claude Code ${CLAUDE_VERSION}`, () => {
  for (const c of CASES) {
    const needsNamespace = c.managed !== undefined;
    const run = needsNamespace && !namespaces && !inCI ? it.skip : it;
    run(c.name, async () => {
      let ports: Ports = { http: 0, grpc: 0, home: '' };
      const debugDir = mkdtempSync(join(tmpdir(), 'cod-debug-'));
      const debugFile = join(debugDir, 'debug.txt');
      const observed = await observeTelemetry((s) => {
        ports = { http: s.httpPort, grpc: s.grpcPort, home: s.home };
        const etc = c.managed && Object.fromEntries(Object.entries(fillAll(c.managed, ports)!).map(([k, v]) => [`claude-code/${k}`, v]));
        const shellEnv = Object.fromEntries(Object.entries(c.shell ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => [k, fill(String(v), ports)]));
        const extraArgs = c.extra ? ['--debug-file', debugFile] : undefined;
        return { home: fillAll(c.home, ports), project: fillAll(c.project, ports), etc, shellEnv, settingsArg: c.settingsArg && fill(c.settingsArg, ports), extraArgs };
      });
      expect(observed.exitCode, `${c.name}: claude exited non-zero`).toBe(0);
      const { prediction, ruleIds } = doctorPrediction(c, ports);
      const arrived = observedArrivals(observed);
      if (process.env.CONFORMANCE_DEBUG) console.log(c.name, arrived);
      expect(arrived, `${c.name}: what arrived differs from the prediction`).toEqual(predictedArrivals(prediction, ports));
      for (const r of c.rules) expect(ruleIds, `${c.name}: ${r} should fire`).toContain(r);
      const resource = observedResource(observed);
      if (resource) expect(resource, `${c.name}: resource attributes differ from the prediction`).toEqual(predictedResource(prediction));
      try {
        if (c.extra) c.extra(observed, prediction, existsSync(debugFile) ? readFileSync(debugFile, 'utf8') : '');
      } finally {
        rmSync(debugDir, { recursive: true, force: true });
      }
      // A case without a defect must show data really flowing, or it proves nothing.
      if (c.rules.length === 0) expect(arrived.length, `${c.name}: nothing arrived`)[c.nothingArrives ? 'toBe' : 'toBeGreaterThan'](0);
    }, 60_000);
  }
});

describe('conformance coverage', () => {
  it('every rule whose findings change what is exported has a failing case here', () => {
    const needed = RULES.filter((r) => r.oracle === 'claude-code').map((r) => r.id);
    const inCases = new Set(CASES.flatMap((c) => c.rules));
    expect(needed.filter((id) => !inCases.has(id))).toEqual([]);
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });
});
