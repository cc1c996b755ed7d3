// Differential test: the doctor against two real OpenTelemetry Collector builds (versions.json:
// old 0.105.0, current 0.165.0).
//
// Corpus (discovered, see differential-support.ts): every collector config in fixtures/*/files/**
// plus test/oracles/corpus/collector/*.yaml. For each config and build:
// - the real verdict: the collector REFUSES the config when `validate --config` fails, or when, validate
//   passing, the started collector exits within 5 s (port conflicts, signal mismatches before v0.124).
//   Any exit counts, not only non-zero ones: 0.105.0 exits with status 0 after "Asynchronous error
//   received, terminating process" (a second listener on :8888), and a collector that stops by itself is
//   not running. It is accepted early only once ready and answering on its telemetry ports (see telemetryUrls).
//   Runs are sequential; each waits for the ports it uses to be free and for its collector to be gone.
// - the doctor's verdict: `check` on a temp folder holding only that config (as
//   otel-collector-config.yml) with --collector-version <build> --collector-manifest <build manifest>
//   --collector-env-file <the collector's environment>;
//   it REFUSES the config when some finding in that file has `fatal: true`. `fatal` comes from each
//   rule's `fatalIn(version, finding)` metadata, so this test holds no list of "fatal" rules.
// The two must agree for every (file, build); there is no list of tolerated disagreements.
// The collector runs with PATH as its only variable (unset `${env:X}` expand empty), and the doctor is
// told exactly that environment.
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';
import {
  collectorEnvFile,
  collectorVerdict,
  describeFindings,
  discoverCorpus,
  doctorFindings,
  killAll,
  oracleDescribe,
  type RealVerdict,
} from './differential-support.js';
import { collectorBinary, type CollectorRole, PROVISION_COLLECTOR, versions } from './paths.js';

const corpus = discoverCorpus('collector', 'collector', /\.ya?ml$/);
const started = Date.now();

afterAll(async () => {
  await killAll();
  console.log(`differential (collector): ${corpus.length} configs × 2 builds in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe('collector differential corpus', () => {
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
        const doctor = doctorFindings(file.path, 'otel-collector-config.yml', [
          '--collector-version',
          version,
          '--collector-manifest',
          manifest,
          '--collector-env-file',
          collectorEnvFile(),
        ]);
        const fatal = doctor.findings.filter((f) => f.fatal);
        const message = [
          `${file.name} on otelcol ${version} (${role} build):`,
          `  real collector ${realText(real)}`,
          `  doctor ${fatal.length ? 'REFUSES it; fatal findings:' : 'ACCEPTS it (no fatal finding); its findings:'}`,
          `    ${describeFindings(fatal.length ? fatal : doctor.findings)}`,
        ].join('\n');
        expect(fatal.length > 0, message).toBe(real.refused);
      });
    }
  });
}
