// Precision on what teams deploy: the doctor's check of every object the real `helm template` renders from the
// collector chart's own ci/*-values.yaml (as manifests in a repo), and of those values files themselves (as chart
// values). Neither may hold an error: the chart's CI renders and runs them. The only warnings are memory_limiter
// placed after the k8s_attributes and resource-detection processors the presets add, which is true of the rendering
// (the chart inserts its presets' processors first).
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../helpers/cli.js';
import { oracleDescribe } from './differential-support.js';
import { CHART_DIR, renderChart } from './helm-support.js';
import { helmBinary, PROVISION_HELM } from './paths.js';

const dir = mkdtempSync(join(tmpdir(), 'cod-rendered-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ci = join(CHART_DIR, 'ci');
const valuesFiles = readdirSync(ci).filter((n) => n.endsWith('-values.yaml'));

interface Report {
  findings: { ruleId: string; severity: string; relativeFile?: string; file?: string }[];
}
const findings = (root: string) => (JSON.parse(runCli(['check', root, '--format', 'json']).stdout) as Report).findings;
const TRUE_WARNINGS = new Set(['collector/memory-limiter']);

oracleDescribe('check of what the collector chart renders (real helm)', helmBinary(), PROVISION_HELM, () => {
  it('the manifests rendered from every ci values file: no error, only the true memory_limiter warnings', () => {
    const repo = join(dir, 'manifests');
    for (const name of valuesFiles) {
      const out = join(repo, name.replace(/-values\.yaml$/, ''));
      mkdirSync(out, { recursive: true });
      writeFileSync(
        join(out, 'rendered.yaml'),
        renderChart([join(ci, name)])
          .map((o) => stringify(o))
          .join('---\n'),
      );
    }
    const f = findings(repo);
    expect(f.filter((x) => x.severity === 'error')).toEqual([]);
    expect([...new Set(f.map((x) => x.ruleId))].filter((id) => !TRUE_WARNINGS.has(id))).toEqual([]);
    expect(f.length).toBeGreaterThan(0); // the presets' processor order is reported, so the configs were read
  }, 180_000);

  it('the ci values files themselves, read as chart values: the same verdict', () => {
    const repo = join(dir, 'values');
    cpSync(ci, repo, { recursive: true });
    const f = findings(repo);
    expect(f.filter((x) => x.severity === 'error')).toEqual([]);
    expect([...new Set(f.map((x) => x.ruleId))].filter((id) => !TRUE_WARNINGS.has(id))).toEqual([]);
    expect(f.length).toBeGreaterThan(0);
  }, 180_000);
});
