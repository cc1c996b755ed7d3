// Differential test: the doctor against two real OpenTelemetry Collector builds (versions.json:
// old 0.105.0, current 0.165.0).
//
// Corpus (discovered, see differential-support.ts): every collector config in fixtures/*/files/**
// plus test/oracles/corpus/collector/*.yaml. For each config and build:
// - the real verdict: the collector REFUSES the config when `validate --config` fails, or when, validate
//   passing, the started collector exits within 5 s (port conflicts, signal mismatches before v0.124).
//   Any exit counts, not only non-zero ones: 0.105.0 exits with status 0 after "Asynchronous error
//   received, terminating process" (a second listener on :8888), and a collector that stops by itself is
//   not running. "Everything is ready" (plus a short grace for such asynchronous errors) accepts early.
//   Runs are sequential; each waits for the ports it uses to be free and for its collector to be gone.
// - the doctor's verdict: `check` on a temp folder holding only that config (as
//   otel-collector-config.yml) with --collector-version <build> --collector-manifest <build manifest>;
//   it REFUSES the config when some finding in that file has `fatal: true`. `fatal` comes from each
//   rule's `fatalIn(version, finding)` metadata, so this test holds no list of "fatal" rules.
// The two must agree for every (file, build). Real verdicts are cached in memory only.
// No environment variables are given to the collector (unset `${env:X}` expand empty).
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';
import {
  collectorVerdict,
  describeFindings,
  discoverCorpus,
  doctorFindings,
  killAll,
  oracleDescribe,
  type RealVerdict,
} from './differential-support.js';
import { collectorBinary, type CollectorRole, PROVISION_COLLECTOR, versions } from './paths.js';

/**
 * Configs the real collector refuses but no rule detects yet, by `<file> @ <version>`, with the check
 * that is missing. A ratchet, not a skip: the test asserts the doctor STILL disagrees, so the day a rule
 * closes a gap this test fails and the entry must go. Every other (file, build) must agree.
 */
const KNOWN_GAPS: Record<string, string> = {
  'test/oracles/corpus/collector/defect-dollar-braces-unset-endpoint.yaml @ 0.105.0': 'an unset ${env:X} expands empty; whether the doctor should assume variables unset is undecided',
  'test/oracles/corpus/collector/defect-dollar-braces-unset-endpoint.yaml @ 0.165.0': 'an unset ${env:X} expands empty; whether the doctor should assume variables unset is undecided',
  'test/oracles/corpus/collector/env-braces-without-scheme.yaml @ 0.105.0': 'an unset ${X} expands empty; whether the doctor should assume variables unset is undecided',
  'test/oracles/corpus/collector/env-braces-without-scheme.yaml @ 0.165.0': 'an unset ${X} expands empty; whether the doctor should assume variables unset is undecided',
};

const corpus = discoverCorpus('collector', 'collector', /\.ya?ml$/);
const started = Date.now();

afterAll(async () => {
  await killAll();
  console.log(`differential (collector): ${corpus.length} configs × 2 builds in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe('collector differential corpus', () => {
  it('lists only known gaps that exist in the corpus', () => {
    const names = new Set(corpus.flatMap((c) => Object.values(versions.collector).map((v) => `${c.name} @ ${v}`)));
    expect(Object.keys(KNOWN_GAPS).filter((k) => !names.has(k))).toEqual([]);
  });
  it('has at least 40 collector configs', () => {
    expect(corpus.length, corpus.map((c) => c.name).join('\n')).toBeGreaterThanOrEqual(40);
  });
});

function realText(r: RealVerdict): string {
  if (!r.refused) return 'ACCEPTS it (validate passes and it starts)';
  return `REFUSES it (${r.stage === 'validate' ? '`validate` fails' : `started, then exited by itself within 5 s, status ${r.exitCode}`}):\n      ${r.error}`;
}

for (const role of ['old', 'current'] as CollectorRole[]) {
  const version = versions.collector[role];
  const manifest = join(packageRoot, 'test/oracles/manifests', `otelcol-${version}.yaml`);
  oracleDescribe(`otelcol ${version} (${role}) vs doctor`, collectorBinary(role), PROVISION_COLLECTOR, (bin) => {
    for (const file of corpus) {
      it(`${file.name} @ ${version}`, { timeout: 60_000 }, async () => {
        const real = await collectorVerdict(bin, file.path);
        const doctor = doctorFindings(file.path, 'otel-collector-config.yml', ['--collector-version', version, '--collector-manifest', manifest]);
        const fatal = doctor.findings.filter((f) => f.fatal);
        const message = [
          `${file.name} on otelcol ${version} (${role} build):`,
          `  real collector ${realText(real)}`,
          `  doctor ${fatal.length ? 'REFUSES it; fatal findings:' : 'ACCEPTS it (no fatal finding); its findings:'}`,
          `    ${describeFindings(fatal.length ? fatal : doctor.findings)}`,
        ].join('\n');
        const key = `${file.name} @ ${version}`;
        if (KNOWN_GAPS[key]) {

          expect(real.refused, `${key} is listed as a known gap, but the real collector accepts it: remove it from KNOWN_GAPS`).toBe(true);
          expect(fatal.length > 0, `${key}: the known gap "${KNOWN_GAPS[key]}" is closed: remove it from KNOWN_GAPS\n${message}`).toBe(false);
          return;
        }
        expect(fatal.length > 0, message).toBe(real.refused);
      });
    }
  });
}
