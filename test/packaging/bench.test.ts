// The benchmark script runs (`--quick`: one run each, the 10- and 100-file corpora) and reports every figure.
// No assertion is made on any time or size: speed and memory are measured by the script, never by a test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/paths.js';

const work = mkdtempSync(join(tmpdir(), 'cod-bench-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Measurement {
  name: string;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  peakRssMiB: number | null;
  files: number | null;
  filesPerSec: number | null;
}
interface Corpus {
  name: string;
  files: number;
  bytes: number;
  findings: { total: number; error: number; warning: number; rules: number };
}

const EXPECTED = [
  'startup (--version)',
  'rules',
  'check: 1 settings file',
  'check: 10 files',
  'check: 100 files',
  'check --format json: 100 files',
  'check --format sarif: 100 files',
  'check --dry-run: 100 files',
  'doctor --offline (throwaway home)',
  'probe (closed ports, --timeout 1)',
];

describe('scripts/bench.mjs', () => {
  it('--quick --json: every measurement with positive figures, and corpora that produce findings', () => {
    const out = join(work, 'bench.json');
    const r = spawnSync(process.execPath, [join(packageRoot, 'scripts/bench.mjs'), '--quick', '--json', out], { cwd: packageRoot, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8')) as {
      quick: boolean;
      rssMethod: string;
      machine: { node: string; cpu: string; cores: number; commit: string };
      corpora: Corpus[];
      measurements: Measurement[];
      failures: string[];
    };
    expect(result.quick).toBe(true);
    expect(result.failures).toEqual([]);
    expect(result.rssMethod).toMatch(/time|maxRSS/);
    expect(result.machine.node).toBe(process.version);
    expect(result.machine.cores).toBeGreaterThan(0);
    expect(result.machine.cpu.length).toBeGreaterThan(0);

    expect(result.measurements.map((m) => m.name)).toEqual(EXPECTED);
    for (const m of result.measurements) {
      expect(m.runs, m.name).toBe(1);
      for (const v of [m.medianMs, m.minMs, m.maxMs, m.peakRssMiB]) expect(v, m.name).toBeGreaterThan(0);
      if (m.files !== null) expect(m.filesPerSec, m.name).toBeGreaterThan(0);
    }
    expect(result.measurements.filter((m) => m.files !== null).map((m) => m.files)).toEqual([1, 10, 100, 100, 100, 100]);

    expect(result.corpora.map((c) => c.files)).toEqual([10, 100]);
    for (const c of result.corpora) {
      expect(c.bytes, c.name).toBeGreaterThan(0);
      expect(c.findings.total, c.name).toBeGreaterThan(0);
      expect(c.findings.error, c.name).toBeGreaterThan(0);
      expect(c.findings.rules, c.name).toBeGreaterThan(1);
    }

    // The table on stdout names every measurement and the machine.
    for (const name of EXPECTED) expect(r.stdout).toContain(name);
    expect(r.stdout).toContain(`node ${process.version}`);
  }, 120_000);
});
