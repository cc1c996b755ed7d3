// The component-option snapshots the doctor ships (schemas/collector/options-<version>.json) must be
// exactly what the real oracle builds print through test/oracles/schema-dump: a snapshot edited by hand,
// or a manifest or dump.go changed without regenerating, fails here. Regenerate with
// `node scripts/gen-collector-schemas.mjs`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { packageRoot } from '../../src/util/paths.js';
import { oracleDescribe } from './differential-support.js';
import { type CollectorRole, PROVISION_COLLECTOR, schemaDumpBinary, versions } from './paths.js';

for (const role of ['old', 'current'] as CollectorRole[]) {
  const version = versions.collector[role];
  oracleDescribe(`component options of otelcol ${version} (${role})`, schemaDumpBinary(role), PROVISION_COLLECTOR, (bin) => {
    it(`schemas/collector/options-${version}.json is what the real build prints`, () => {
      const r = spawnSync(bin, { encoding: 'utf8', maxBuffer: 64 << 20 });
      expect(r.status, r.stderr).toBe(0);
      const committed = JSON.parse(readFileSync(join(packageRoot, 'schemas/collector', `options-${version}.json`), 'utf8'));
      expect(committed.version).toBe(version);
      expect(committed.components, 'run `node scripts/gen-collector-schemas.mjs`').toEqual(JSON.parse(r.stdout));
    });
    it('covers every component of the oracle manifest', () => {
      const manifest = readFileSync(join(packageRoot, 'test/oracles/manifests', `otelcol-${version}.yaml`), 'utf8');
      const modules = [...manifest.matchAll(/gomod: \S+\/(\w+?)(?:receiver|processor|exporter|extension|connector) v/g)].map((m) => m[1]);
      const committed = JSON.parse(readFileSync(join(packageRoot, 'schemas/collector', `options-${version}.json`), 'utf8'));
      const types = new Set(
        Object.values(committed.components as Record<string, Record<string, unknown>>).flatMap((byType) => Object.keys(byType).map((t) => t.replace(/_/g, ''))),
      );
      expect(modules.length).toBeGreaterThanOrEqual(12);
      expect(modules.filter((m) => !types.has(m))).toEqual([]);
    });
  });
}
