// The doctor's own scrape jobs for ServiceMonitors and PodMonitors (src/model/kubernetes-scrape.ts) against the
// Prometheus Operator's ConfigGenerator (test/oracles/operator-scrape): for every monitor set of
// test/oracles/operator-scrape/testdata, every field the doctor models must equal the operator's, 100%. The doctor's
// rendered prometheus.yml loads in the real Prometheus 3 loader, and Debian's promtool refuses it only for the
// kubernetes_sd_configs it lacks, as it does the operator's.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SourceFile } from '../../src/load/source.js';
import { parseYaml as parseDoc, parseYamlDocuments } from '../../src/load/yaml.js';
import { loadKubernetes } from '../../src/model/kubernetes.js';
import { generateJobs, operatorPrometheuses, operatorScrapeConfigs, type GeneratedJob } from '../../src/model/kubernetes-scrape.js';
import { packageRoot } from '../../src/util/paths.js';
import { oracleDescribe, prom3Verdict } from './differential-support.js';
import { type OperatorJob, operatorGenerate } from './operator-scrape-support.js';
import { operatorScrapeBinary, PROVISION_OPERATOR, prom3CheckBinary, promtoolBinary } from './paths.js';

const testdata = join(packageRoot, 'test/oracles/operator-scrape/testdata');
const corpus = readdirSync(testdata).filter((f) => f.endsWith('.yaml'));

/** The fields the doctor models, from the operator's job: the keep relabelings other than sharding's (`__tmp_*`). */
function operatorFields(j: OperatorJob) {
  return {
    job_name: j.job_name,
    honor_labels: j.honor_labels ?? false,
    scrape_interval: j.scrape_interval,
    scrape_timeout: j.scrape_timeout,
    metrics_path: j.metrics_path,
    scheme: j.scheme,
    // Its role and namespaces (attach_metadata and the rest are not modelled).
    kubernetes_sd_configs: j.kubernetes_sd_configs.map((c) => ({ role: c.role, ...(c.namespaces ? { namespaces: c.namespaces } : {}) })),
    keeps: j.relabel_configs
      .filter((r) => r.action === 'keep' && !r.source_labels?.some((l) => l.startsWith('__tmp')))
      .map((r) => ({ source_labels: r.source_labels, regex: String(r.regex) })),
  };
}

function doctorFields(j: GeneratedJob) {
  return {
    job_name: j.name,
    honor_labels: j.honorLabels,
    scrape_interval: j.interval,
    scrape_timeout: j.timeout,
    metrics_path: j.path,
    scheme: j.scheme,
    kubernetes_sd_configs: [{ role: j.role, ...(j.namespaces ? { namespaces: { names: j.namespaces } } : {}) }],
    keeps: j.keeps.map((k) => ({ source_labels: k.sourceLabels, regex: k.regex })),
  };
}

const model = (file: string) => {
  const source = new SourceFile(file, readFileSync(file, 'utf8'));
  return loadKubernetes(parseYamlDocuments(source).map((d) => parseDoc(source, d)));
};

oracleDescribe('operator-scrape differential: the doctor generates the jobs the operator does', operatorScrapeBinary(), PROVISION_OPERATOR, (bin) => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cod-operator-diff-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const operator = (file: string) => operatorGenerate(bin, file);

  it('the corpus has monitor sets', () => expect(corpus.length).toBe(6));

  let total = 0;
  for (const name of corpus) {
    it(`${name}: every job, field by field`, () => {
      const file = join(testdata, name);
      const want = operator(file);
      const k = model(file);
      const [p] = operatorPrometheuses(k);
      const got = generateJobs(k, p);
      expect(got.jobs.map(doctorFields)).toEqual(want.jobs.map(operatorFields));
      // Rejected monitors: the operator logs each it skips.
      const skipped = [...want.stderr.matchAll(/skipping object.*? object=([\w.-]+\/[\w.-]+)/g)].map((m) => m[1]);
      expect(got.rejected.map((r) => `${r.monitor.object.namespace}/${r.monitor.object.name}`).sort()).toEqual(skipped.sort());
      total += want.jobs.length;
    });
  }
  it('compared jobs in all', () => expect(total).toBe(19));

  // The doctor's rendered prometheus.yml against the real loaders, wherever the operator's output passes them.
  it("the doctor's rendered config loads in Prometheus 3 as the operator's does", () => {
    const prom3 = prom3CheckBinary();
    expect(prom3, 'prom3-check (node scripts/provision-prometheus.mjs)').toBeDefined();
    for (const name of corpus) {
      const file = join(testdata, name);
      const theirs = join(dir, `operator-${name}`);
      writeFileSync(theirs, operator(file).text);
      const operatorVerdict = prom3Verdict(prom3 as string, theirs);
      for (const c of operatorScrapeConfigs(model(file))) {
        const ours = join(dir, `doctor-${name}-${c.jobs.length}.yml`);
        writeFileSync(ours, c.source.text);
        expect(prom3Verdict(prom3 as string, ours), `${name}:\n${c.source.text}`).toEqual(operatorVerdict);
      }
    }
  });

  const complaints = (file: string) => {
    const r = spawnSync(promtoolBinary() as string, ['check', 'config', file], { encoding: 'utf8', timeout: 30_000 });
    return {
      ok: r.status === 0,
      other: `${r.stdout}${r.stderr}`
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /^line \d+:/.test(l) && !/^line \d+: field kubernetes_sd_configs not found in type config\.ScrapeConfig$/.test(l)),
    };
  };
  it("the real promtool: the doctor's config passes wherever the operator's does, and refuses nothing else", () => {
    expect(promtoolBinary(), 'promtool').toBeDefined();
    for (const name of corpus) {
      const file = join(testdata, name);
      const theirs = join(dir, `operator-promtool-${name}`);
      writeFileSync(theirs, operator(file).text);
      const operatorVerdict = complaints(theirs);
      for (const c of operatorScrapeConfigs(model(file))) {
        const ours = join(dir, `doctor-promtool-${name}-${c.jobs.length}.yml`);
        writeFileSync(ours, c.source.text);
        const verdict = complaints(ours);
        expect(verdict.other, `${name}:\n${c.source.text}`).toEqual([]);
        if (operatorVerdict.ok) expect(verdict.ok).toBe(true);
      }
    }
  });
});
