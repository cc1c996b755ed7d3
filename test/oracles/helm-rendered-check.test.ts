// Precision on what teams deploy: the doctor's check of every object the real `helm template` renders from the
// collector chart's own ci/*-values.yaml (as manifests in a repo), and of those values files themselves (as chart
// values). Neither may hold an error: the chart's CI renders and runs them. The only warnings are memory_limiter
// placed after the k8s_attributes and resource-detection processors the presets add, which is true of the rendering
// (the chart inserts its presets' processors first).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../helpers/cli.js';
import { oracleDescribe } from './differential-support.js';
import { CHART_DIR, HelmError, renderChart } from './helm-support.js';
import { helmBinary, k8sCheckBinary, PROVISION_HELM, PROVISION_K8S } from './paths.js';

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

// The values the chart passes into its objects as written (the container's `resources`) are decoded by kubectl, not
// by the chart's schema: a quantity it cannot parse renders, then the apply is refused. The doctor's verdict on the
// values file must be the real decoder's on the rendered Deployment.
oracleDescribe('resources in chart values against the real decoding of the rendering', k8sCheckBinary(), PROVISION_K8S, (k8sCheck) => {
  // What happened to each: helm's schema refused it, or it rendered and the decoder accepted or refused the Deployment.
  const cases: [string, Record<string, unknown>, 'schema' | 'accepted' | 'refused'][] = [
    ['valid limits and requests', { limits: { cpu: '250m', memory: '512Mi' }, requests: { cpu: '100m', memory: '1Gi' } }, 'accepted'],
    ['numbers', { limits: { cpu: 1, memory: 536870912 } }, 'schema'],
    ['exponent', { limits: { memory: '1e9' } }, 'accepted'],
    ['binary suffix without M', { limits: { memory: '512i' } }, 'refused'],
    ['unknown suffix', { limits: { memory: '512MB' } }, 'refused'],
    ['words', { requests: { cpu: 'half' } }, 'refused'],
    ['two dots', { limits: { cpu: '1.5.0' } }, 'refused'],
  ];
  it.each(cases)('%s: the doctor errs on the values exactly when the decoder refuses the rendered Deployment', (_, resources, outcome) => {
    if (!helmBinary()) throw new Error(`helm is not provisioned; run \`${PROVISION_HELM}\``);
    const repo = mkdtempSync(join(dir, 'resources-'));
    const values = join(repo, 'values.yaml');
    writeFileSync(values, stringify({ mode: 'deployment', image: { repository: 'otel/opentelemetry-collector-contrib' }, resources }));
    const rendered = join(repo, 'rendered', 'all.yaml');
    let objects: ReturnType<typeof renderChart>;
    try {
      objects = renderChart([values]);
    } catch (e) {
      // The chart's schema refused them first: that is the doctor's helm-values-refused, and nothing else.
      if (!(e instanceof HelmError)) throw e;
      const f = findings(repo).filter((x) => x.severity === 'error');
      expect(f.map((x) => x.ruleId)).toEqual(['kubernetes/helm-values-refused']);
      expect(outcome).toBe('schema');
      return;
    }
    mkdirSync(join(repo, 'rendered'));
    writeFileSync(rendered, objects.map((o) => stringify(o)).join('---\n'));
    const decoded = JSON.parse(spawnSync(k8sCheck, ['decode', rendered], { encoding: 'utf8', timeout: 60_000 }).stdout) as { kind: string; errors: string[] }[];
    const refused = decoded.some((d) => d.kind === 'Deployment' && d.errors.length > 0);
    rmSync(join(repo, 'rendered'), { recursive: true });
    const errs = findings(repo).filter((f) => f.ruleId === 'kubernetes/unknown-field' && f.severity === 'error');
    expect(errs.length > 0).toBe(refused);
    expect(outcome).toBe(refused ? 'refused' : 'accepted');
  });
});
