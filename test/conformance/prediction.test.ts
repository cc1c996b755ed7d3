// The oracle for the prediction and for every settings rule that changes what is exported:
// each case runs through real Claude Code (mock Anthropic API, local OTLP sinks) and through
// `claude-otel-doctor check --format json --claude-version <same version>`; what arrives must equal what the doctor
// predicts, and the doctor may report nothing the case does not expect (false findings). An export sent to a sink of
// the other transport cannot arrive: a finding must say so. Every case runs on the oldest supported and the newest
// known version; the cases tagged with a version gate also run on that gate's boundary pair (CLAUDE_GATES).
// CLAUDE_CONFORMANCE_VERSIONS=2.1.332,… runs only those.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/rules/index.js';
import type { Prediction } from '../../src/model/prediction.js';
import { CLAUDE_GATES, compareVersions, NEWEST_KNOWN_CLAUDE, OLDEST_SUPPORTED_CLAUDE } from '../../src/model/versions.js';
import * as versionsModule from '../../src/model/versions.js';
import { CLAUDE_MATRIX, claudeBinary } from '../harness/claude-path.js';
import { canUnshareMount, observeTelemetry } from '../harness/run-claude.js';
import { runCli } from '../helpers/cli.js';
import { CASES, type ConformanceCase } from './cases.js';
import {
  doctorArgs,
  falseFindings,
  fill,
  fillAll,
  observedArrivals,
  observedResource,
  predictedArrivals,
  predictedResource,
  predictionAtSinkPorts,
  sentToTheOtherTransport,
  STANDARD_PORTS,
  writeCaseFiles,
  type DoctorFinding,
  type Ports,
} from './arrivals.js';

const inCI = process.env.CI === 'true';
const namespaces = canUnshareMount();

/** Which cases run on which version: all on the ends of the supported range, a gate's cases on its boundary pair. */
function conformanceMatrix(): Map<string, ConformanceCase[]> {
  const matrix = new Map<string, Set<ConformanceCase>>();
  const add = (v: string, cases: ConformanceCase[]) => matrix.set(v, new Set([...(matrix.get(v) ?? []), ...cases]));
  add(OLDEST_SUPPORTED_CLAUDE, CASES);
  add(NEWEST_KNOWN_CLAUDE, CASES);
  for (const g of CLAUDE_GATES) {
    const tagged = CASES.filter((c) => c.gates?.includes(g.name as never));
    add(g.lastBefore, tagged);
    add(g.from, tagged);
  }
  return new Map([...matrix].sort(([a], [b]) => compareVersions(a, b)).map(([v, cs]) => [v, [...cs]]));
}

const only = process.env.CLAUDE_CONFORMANCE_VERSIONS?.split(',')
  .map((v) => v.trim())
  .filter(Boolean);

/**
 * Runs the doctor on the same files Claude Code gets and returns its prediction (at the sinks' ports) and findings.
 * A standardPorts case shows the doctor the sinks at 4318 / 4317.
 */
function doctorPrediction(c: ConformanceCase, ports: Ports, version: string): { prediction: Prediction; findings: DoctorFinding[] } {
  const root = mkdtempSync(join(tmpdir(), 'cod-predict-'));
  const p = { ...(c.standardPorts ? STANDARD_PORTS : ports), home: join(root, 'home') };
  try {
    writeCaseFiles(root, c, p);
    const res = runCli(doctorArgs(root, c, p, version), { CLAUDE_CONFIG_DIR: undefined });
    expect(res.stderr, c.name).toBe('');
    const report = JSON.parse(res.stdout);
    const prediction: Prediction = report.effective[0].prediction;
    return { prediction: c.standardPorts ? predictionAtSinkPorts(prediction, ports) : prediction, findings: report.findings };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The rules whose findings say an export cannot reach a receiver of the other transport. */
const SAYS_WRONG_TRANSPORT = new Set(['settings/protocol-port-mismatch', 'settings/missing-protocol']);

const matrix = conformanceMatrix();
// A version outside the matrix (the next release: `npm run conformance -- --claude-version <v>`) runs every case.
const runs: [string, ConformanceCase[]][] = only ? only.map((v) => [v, matrix.get(v) ?? CASES]) : [...matrix];
for (const [version, cases] of runs) {
  const available = claudeBinary(version) !== undefined;
  if (!available && !inCI)
    console.warn(`\n*** SKIPPING prediction conformance on ${version}: not provisioned (node scripts/provision-claude.mjs ${version}). ***\n`);
  const suite = available || inCI ? describe : describe.skip;
  suite(`prediction conformance with real Claude Code ${version}`, () => {
    for (const c of cases) {
      const needsNamespace = c.managed !== undefined;
      const run = needsNamespace && !namespaces && !inCI ? it.skip : it;
      run(
        c.name,
        async () => {
          let ports: Ports = { http: 0, grpc: 0, home: '' };
          const debugDir = mkdtempSync(join(tmpdir(), 'cod-debug-'));
          const debugFile = join(debugDir, 'debug.txt');
          const observed = await observeTelemetry((s) => {
            ports = { http: s.httpPort, grpc: s.grpcPort, home: s.home };
            const etc = c.managed && Object.fromEntries(Object.entries(fillAll(c.managed, ports)!).map(([k, v]) => [`claude-code/${k}`, v]));
            const shellEnv = Object.fromEntries(
              Object.entries(c.shell ?? {})
                .filter(([, v]) => v !== undefined)
                .map(([k, v]) => [k, fill(String(v), ports)]),
            );
            const extraArgs = c.extra ? ['--debug-file', debugFile] : undefined;
            return {
              home: fillAll(c.home, ports),
              project: fillAll(c.project, ports),
              etc,
              shellEnv,
              settingsArg: c.settingsArg && fill(c.settingsArg, ports),
              extraArgs,
              claudeVersion: version,
            };
          });
          expect(observed.exitCode, `${c.name}: claude exited non-zero`).toBe(0);
          const { prediction, findings } = doctorPrediction(c, ports, version);
          const ruleIds = findings.map((f) => f.ruleId);
          const arrived = observedArrivals(observed);
          if (process.env.CONFORMANCE_DEBUG) console.log(c.name, arrived);
          expect(arrived, `${c.name}: what arrived differs from the prediction`).toEqual(predictedArrivals(prediction, ports));
          const rulesApply = !c.rulesUntil || compareVersions(version, c.rulesUntil) < 0;
          for (const r of c.rules) {
            if (rulesApply) expect(ruleIds, `${c.name}: ${r} should fire on ${version}`).toContain(r);
            else expect(ruleIds, `${c.name}: ${r} should not fire on ${version}`).not.toContain(r);
          }
          expect(falseFindings(findings, c, rulesApply), `${c.name}: false findings on ${version}`).toEqual([]);
          // An export the sinks cannot receive (wrong transport) is left out of the predicted arrivals; the doctor must say so.
          for (const s of sentToTheOtherTransport(prediction, ports)) {
            const said = findings.some((f) => SAYS_WRONG_TRANSPORT.has(f.ruleId) && f.message.includes(s.signal));
            expect(
              said,
              `${c.name}: the doctor predicts ${s.signal} ${s.protocol} to :${s.port}, a receiver of the other transport, and no finding says it fails`,
            ).toBe(true);
          }
          const resource = observedResource(observed);
          if (resource) expect(resource, `${c.name}: resource attributes differ from the prediction`).toEqual(predictedResource(prediction));
          try {
            if (c.extra) c.extra(observed, prediction, existsSync(debugFile) ? readFileSync(debugFile, 'utf8') : '', version);
          } finally {
            rmSync(debugDir, { recursive: true, force: true });
          }
          // A case without a defect must show data really flowing, or it proves nothing.
          if (c.nothingArrives) expect(arrived, `${c.name}: something arrived`).toEqual([]);
          else if (c.rules.length === 0 || !rulesApply) expect(arrived.length, `${c.name}: nothing arrived`).toBeGreaterThan(0);
        },
        60_000,
      );
    }
  });
}

describe('conformance coverage', () => {
  it('every rule whose findings change what is exported has a failing case here', () => {
    const needed = RULES.filter((r) => r.oracle === 'claude-code').map((r) => r.id);
    const inCases = new Set(CASES.flatMap((c) => c.rules));
    expect(needed.filter((id) => !inCases.has(id))).toEqual([]);
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });
});

describe('version matrix coverage', () => {
  const NOT_GATES = new Set([
    'NEWEST_KNOWN_CLAUDE',
    'OLDEST_SUPPORTED_CLAUDE',
    'NEWEST_KNOWN_COLLECTOR',
    'NEWEST_KNOWN_PROMETHEUS',
    'BEFORE_EVERY_COLLECTOR_GATE',
  ]);
  it('every version gate in versions.ts is in CLAUDE_GATES with its measured boundary pair', () => {
    const constants: string[] = [];
    for (const [name, value] of Object.entries(versionsModule)) {
      if (NOT_GATES.has(name)) continue;
      if (typeof value === 'string') constants.push(name);
      else if (value && typeof value === 'object' && !Array.isArray(value)) for (const field of Object.keys(value)) constants.push(`${name}.${field}`);
    }
    expect(constants.sort()).toEqual(CLAUDE_GATES.map((g) => g.name).sort());
    for (const g of CLAUDE_GATES) {
      const [name, field] = g.name.split('.');
      const value = (versionsModule as Record<string, unknown>)[name];
      expect(field ? (value as Record<string, string>)[field] : value, g.name).toBe(g.from);
      expect(compareVersions(g.lastBefore, g.from), `${g.name}: lastBefore must be older`).toBeLessThan(0);
    }
  });
  it('every gate has a case that runs on both sides of its boundary, and every version is provisioned by the script', () => {
    const matrix = conformanceMatrix();
    for (const g of CLAUDE_GATES) {
      const tagged = CASES.filter((c) => c.gates?.includes(g.name as never));
      expect(tagged.length, `${g.name} has no conformance case`).toBeGreaterThan(0);
      for (const v of [g.lastBefore, g.from]) for (const c of tagged) expect(matrix.get(v), `${c.name} on ${v}`).toContain(c);
    }
    for (const c of CASES)
      for (const g of c.gates ?? [])
        expect(
          CLAUDE_GATES.map((x) => x.name),
          c.name,
        ).toContain(g);
    expect([...matrix.keys()].filter((v) => !CLAUDE_MATRIX.versions.includes(v))).toEqual([]);
    expect(CLAUDE_MATRIX.oldest).toBe(OLDEST_SUPPORTED_CLAUDE);
    expect(CLAUDE_MATRIX.newest).toBe(NEWEST_KNOWN_CLAUDE);
    expect(matrix.get(NEWEST_KNOWN_CLAUDE)).toHaveLength(CASES.length);
    expect(matrix.get(OLDEST_SUPPORTED_CLAUDE)).toHaveLength(CASES.length);
  });
});
