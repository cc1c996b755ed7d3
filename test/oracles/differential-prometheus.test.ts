// Differential test: the doctor's `prometheus/invalid-config` against two real Prometheus config
// checkers (a separate file from the collector suite, so vitest runs it in parallel: nothing here binds
// ports).
//
// Corpus (discovered, see differential-support.ts): every prometheus.yml in fixtures/*/files/** plus
// test/oracles/corpus/prometheus/*.yml. For each file and Prometheus line:
// - 2.x: `promtool check config --syntax-only <file>` (Debian's promtool 2.42) with the doctor told
//   --prometheus-version 2.42.0;
// - 3.x: prom3-check (the config loader of github.com/prometheus/prometheus v0.316.0, versions.json) with
//   the doctor told the release that module version is: Prometheus publishes release v3.MM.P as Go
//   module v0.3MM.P, so v0.316.0 is Prometheus 3.16.0 (prometheusReleaseOfModule).
// The doctor REFUSES the file when it reports a `prometheus/invalid-config` finding with `fatal: true` on
// it (the engine sets `fatal` from the rule's fatalIn metadata). It must agree with the checker for every
// (file, version).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeFindings,
  discoverCorpus,
  doctorFindings,
  oracleDescribe,
  prom3Verdict,
  prometheusReleaseOfModule,
  promtoolVerdict,
  type PromVerdict,
} from './differential-support.js';
import { PROVISION_PROMETHEUS, prom3CheckBinary, promtoolBinary, versions } from './paths.js';

const RULE = 'prometheus/invalid-config';
const corpus = discoverCorpus('prometheus', 'prometheus', /\.ya?ml$/);

describe('prometheus differential corpus', () => {
  it('has at least 15 prometheus.yml files', () => {
    expect(corpus.length, corpus.map((c) => c.name).join('\n')).toBeGreaterThanOrEqual(15);
  });
});

/** The promtool's own version ("promtool, version 2.42.0 (...)"), so the doctor is told what really ran. */
function promtoolVersion(bin: string): string {
  const out = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  const m = /version (\d+\.\d+\.\d+)/.exec(`${out.stdout}${out.stderr}`);
  if (!m) throw new Error(`cannot read promtool's version from: ${out.stdout}${out.stderr}`);
  return m[1];
}

/**
 * Service discoveries Debian's prometheus 2.42 package is built without (the official 2.42 has them): the
 * Debian promtool calls them unknown fields, so files using them are compared on 3.x only. The test below
 * keeps that claim true.
 */
const DEBIAN_STRIPPED_SD = ['kubernetes', 'consul', 'kuma', 'linode', 'nomad'];
const usesStrippedSd = (text: string) => new RegExp(`\\b(${DEBIAN_STRIPPED_SD.join('|')})_sd_configs\\s*:`).test(text);

oracleDescribe("Debian's promtool 2.x", promtoolBinary(), PROVISION_PROMETHEUS, (bin) => {
  it(`lacks ${DEBIAN_STRIPPED_SD.join(', ')} service discovery (so those files are compared on 3.x only)`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'cod-sd-'));
    try {
      for (const sd of DEBIAN_STRIPPED_SD) {
        const file = join(dir, `${sd}.yml`);
        writeFileSync(file, `scrape_configs:\n  - job_name: x\n    ${sd}_sd_configs:\n      - {}\n`);
        expect(promtoolVerdict(bin, file).error, sd).toContain(`field ${sd}_sd_configs not found in type config.ScrapeConfig`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('has corpus files that only the 3.x loader judges', () => {
    const stripped = corpus.filter((c) => usesStrippedSd(readFileSync(c.path, 'utf8')));
    expect(stripped.length, 'the corpus has kubernetes_sd files for the 3.x loader').toBeGreaterThan(0);
  });
});

interface Checker {
  label: string;
  binary: string | undefined;
  version: (bin: string) => string;
  verdict: (bin: string, file: string) => PromVerdict;
  /** Files this checker cannot judge. */
  skips?: (text: string) => boolean;
}

const checkers: Checker[] = [
  { label: 'promtool check config --syntax-only (2.x)', binary: promtoolBinary(), version: promtoolVersion, verdict: promtoolVerdict, skips: usesStrippedSd },
  {
    label: `prom3-check (prometheus module ${versions.prometheusGo})`,
    binary: prom3CheckBinary(),
    version: () => prometheusReleaseOfModule(versions.prometheusGo),
    verdict: prom3Verdict,
  },
];

for (const checker of checkers) {
  oracleDescribe(`${checker.label} vs doctor`, checker.binary, PROVISION_PROMETHEUS, (bin) => {
    let version = '';
    for (const file of corpus.filter((c) => !checker.skips?.(readFileSync(c.path, 'utf8')))) {
      it(`${file.name} @ prometheus ${checker.label}`, () => {
        version ||= checker.version(bin);
        const real = checker.verdict(bin, file.path);
        const doctor = doctorFindings(file.path, 'prometheus.yml', ['--prometheus-version', version]);
        const invalid = doctor.findings.filter((f) => f.ruleId === RULE);
        const fatal = invalid.filter((f) => f.fatal);
        const message = [
          `${file.name} on Prometheus ${version} (${checker.label}):`,
          `  real checker ${real.refused ? `REFUSES it:\n      ${real.error}` : 'ACCEPTS it'}`,
          `  doctor ${fatal.length ? `REFUSES it (fatal ${RULE}):` : `ACCEPTS it (no fatal ${RULE}); its findings in the file:`}`,
          `    ${describeFindings(fatal.length ? fatal : doctor.findings)}`,
        ].join('\n');
        expect(fatal.length > 0, message).toBe(real.refused);
      });
    }
  });
}
