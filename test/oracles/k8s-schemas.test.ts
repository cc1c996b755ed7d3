// The field catalogue the doctor ships (schemas/kubernetes/fields-<k8s.io/api version>.json, read by
// kubernetes/unknown-field) must be exactly what `k8s-check schema` prints off the Go types: a catalogue edited by
// hand, or test/oracles/k8s-check changed without regenerating, fails here. Regenerate with
// `node scripts/gen-k8s-schemas.mjs`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { catalogueText } from '../../scripts/gen-k8s-schemas.mjs';
import { packageRoot } from '../../src/util/paths.js';
import { oracleDescribe } from './differential-support.js';
import { k8sCheckBinary, PROVISION_K8S, versions } from './paths.js';

oracleDescribe(`Kubernetes field catalogue (k8s.io/api ${versions.k8sApiGo})`, k8sCheckBinary(), PROVISION_K8S, (bin) => {
  it(`schemas/kubernetes/fields-${versions.k8sApiGo}.json is what k8s-check schema prints`, () => {
    const run = (...args: string[]) => {
      const r = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    const modules = run('--version')
      .trim()
      .replace(/^k8s-check /, '');
    const fresh = (catalogueText as (v: string, m: string, d: unknown) => string)(versions.k8sApiGo, modules, JSON.parse(run('schema')));
    const committed = readFileSync(join(packageRoot, 'schemas/kubernetes', `fields-${versions.k8sApiGo}.json`), 'utf8');
    expect(committed === fresh, 'run `node scripts/gen-k8s-schemas.mjs`').toBe(true);
  });

  it('covers the kinds a telemetry stack deploys', () => {
    const { kinds } = JSON.parse(readFileSync(join(packageRoot, 'schemas/kubernetes', `fields-${versions.k8sApiGo}.json`), 'utf8'));
    for (const kind of [
      'v1/Service',
      'v1/ConfigMap',
      'apps/v1/Deployment',
      'networking.k8s.io/v1/Ingress',
      'gateway.networking.k8s.io/v1/HTTPRoute',
      'monitoring.coreos.com/v1/ServiceMonitor',
    ])
      expect(kinds, kind).toHaveProperty([kind]);
  });
});
