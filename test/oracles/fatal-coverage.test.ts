// Every rule whose fatal verdicts the real collector or promtool judge (metadata `oracle` with `fatalIn`) fires
// fatally on at least one file of the differential corpus, at a version the differential suites run. Otherwise
// its `fatalIn` is compared with the real tool on no file at all, and could claim anything.
// Static: the doctor runs in-process on the corpus; no real component is needed (the differential suites then
// hold each of these verdicts against the real tool).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { RULES } from '../../src/rules/index.js';
import { packageRoot } from '../../src/util/paths.js';
import { collectorEnvFile, discoverCorpus, doctorFindings, prometheusReleaseOfModule, type DoctorFinding } from './differential-support.js';
import { versions } from './paths.js';

/** Rules with real-tool fatal verdicts, by the oracle that judges them. */
const claims = RULES.filter((r) => r.fatalIn && (r.oracle === 'collector' || r.oracle === 'promtool'));

/**
 * Fatal findings per rule over the corpus: the files where it is fatal, and those where it alone decides the
 * verdict (every other fatal finding there is at a spot where this rule is fatal too: one defect that two rules
 * name, as an unknown option and the release that lacks it).
 */
function fatalByRule(runs: { file: string; findings: DoctorFinding[] }[]): Map<string, { files: string[]; decisive: string[] }> {
  const at = (f: DoctorFinding) => `${f.range?.start.line}:${f.range?.start.column}`;
  const out = new Map<string, { files: string[]; decisive: string[] }>();
  for (const { file, findings } of runs) {
    const fatal = findings.filter((f) => f.fatal);
    for (const rule of new Set(fatal.map((f) => f.ruleId))) {
      const spots = new Set(fatal.filter((f) => f.ruleId === rule).map(at));
      const entry = out.get(rule) ?? { files: [], decisive: [] };
      entry.files.push(file);
      if (fatal.every((f) => spots.has(at(f)))) entry.decisive.push(file);
      out.set(rule, entry);
    }
  }
  return out;
}

describe('every rule that claims fatality has a corpus file where it is fatal', () => {
  const collectorRuns = (['old', 'current'] as const).flatMap((role) => {
    const version = versions.collector[role];
    const manifest = join(packageRoot, 'test/oracles/manifests', `otelcol-${version}.yaml`);
    return discoverCorpus('collector', 'collector', /\.ya?ml$/).map((c) => ({
      file: `${c.name} @ ${version}`,
      findings: doctorFindings(c.path, 'otel-collector-config.yml', [
        '--collector-version',
        version,
        '--collector-manifest',
        manifest,
        '--collector-env-file',
        collectorEnvFile(),
      ]).findings,
    }));
  });
  const prom3 = prometheusReleaseOfModule(versions.prometheusGo);
  const prometheusRuns = discoverCorpus('prometheus', 'prometheus', /\.ya?ml$/).map((c) => ({
    file: `${c.name} @ ${prom3}`,
    findings: doctorFindings(c.path, 'prometheus.yml', ['--prometheus-version', prom3]).findings,
  }));
  const fatal = fatalByRule([...collectorRuns, ...prometheusRuns]);

  it('the claims are the collector and promtool rules', () => {
    expect(claims.map((r) => r.id)).toContain('collector/logging-exporter');
    expect(claims.map((r) => r.id)).toContain('prometheus/invalid-config');
  });

  for (const rule of claims) {
    it(`${rule.id} (${rule.oracle}) alone decides the verdict on at least one corpus file`, () => {
      const seen = fatal.get(rule.id);
      expect(
        seen?.files ?? [],
        `${rule.id}: no corpus file where it is fatal; add one to test/oracles/corpus/${rule.oracle === 'promtool' ? 'prometheus' : 'collector'}`,
      ).not.toEqual([]);
      // There the real tool's refusal of the file is this rule's verdict, not another rule's.
      expect(seen!.decisive, `${rule.id} is fatal only beside other fatal findings in: ${seen!.files.join(', ')}`).not.toEqual([]);
    });
  }
});
