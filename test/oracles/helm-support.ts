// The real `helm template` of the OpenTelemetry Collector chart (test/oracles/charts, unchanged), for the
// rendering oracle (helm-render.test.ts) and the Helm-values model's differential tests.
// The helm binary comes from scripts/provision-helm.mjs (paths.ts helmBinary()).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { packageRoot } from '../../src/util/paths.js';
import { helmBinary, PROVISION_HELM } from './paths.js';

/** The chart, committed unchanged as test data (Apache-2.0, its LICENSE beside it). */
export const CHART_DIR = join(packageRoot, 'test/oracles/charts/opentelemetry-collector-0.170.0');

/** The release every rendering uses: its name shapes the objects' names (`<release>-opentelemetry-collector`). */
export const RELEASE = { name: 'example', namespace: 'default' };

/** One rendered object, as helm prints it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export class HelmError extends Error {}

/**
 * `helm template example <chart> --namespace default -f <values>... --set k=v...`: the objects the chart
 * renders, in helm's order. Throws HelmError with helm's message when it refuses (a `fail` in a template,
 * a values file the chart's values.schema.json rejects).
 */
export function renderChart(valuesFiles: string[], sets: Record<string, string> = {}, release = RELEASE.name): K8sObject[] {
  const helm = helmBinary();
  if (!helm) throw new Error(`helm is not provisioned; run \`${PROVISION_HELM}\``);
  // helm keeps its own config, cache and data dirs: point them at a scratch dir, never the user's.
  const home = mkdtempSync(join(tmpdir(), 'cod-helm-'));
  try {
    const args = ['template', release, CHART_DIR, '--namespace', RELEASE.namespace];
    for (const f of valuesFiles) args.push('-f', f);
    for (const [k, v] of Object.entries(sets)) args.push('--set', `${k}=${v}`);
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: home,
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
    };
    const r = spawnSync(helm, args, { encoding: 'utf8', env, timeout: 60_000 });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new HelmError(r.stderr.trim() || `helm exited ${r.status}`);
    return parseAllDocuments(r.stdout)
      .map((d) => d.toJS() as K8sObject | null)
      .filter((o): o is K8sObject => o !== null && typeof o === 'object');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** The collector configs the chart renders: each ConfigMap's `relay` key (the file the collector runs with). */
export function collectorConfigs(objects: K8sObject[]): { configMap: string; relay: string }[] {
  return objects
    .filter((o) => o.kind === 'ConfigMap' && typeof (o.data as Record<string, unknown> | undefined)?.relay === 'string')
    .map((o) => ({ configMap: o.metadata.name, relay: (o.data as { relay: string }).relay }));
}
