// The rendering oracle of #16: every values file of the collector chart's own CI (ci/*-values.yaml) rendered
// by the real `helm template` (scripts/provision-helm.mjs), and each collector config it renders (the
// ConfigMap's `relay` key) validated by both real collector builds. helm-render.expected.json records, per
// values file, the objects rendered and each build's verdict; it is the corpus the doctor's reading of Helm
// values is held to. Our builds are core plus a contrib subset (test/oracles/manifests), so a config naming
// a component they lack is refused, with the collector's reason recorded: that is the truth about these
// builds, not about the chart. `UPDATE_GOLDEN=1` rewrites the table; review its diff.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { validateCollectorConfig } from './collector-validate.js';
import { oracleDescribe } from './differential-support.js';
import { CHART_DIR, collectorConfigs, type K8sObject, renderChart } from './helm-support.js';
import { collectorBinary, helmBinary, PROVISION_COLLECTOR, PROVISION_HELM, versions } from './paths.js';

const ciDir = join(CHART_DIR, 'ci');
const valuesFiles = readdirSync(ciDir)
  .filter((n) => n.endsWith('-values.yaml'))
  .sort();
const expectedPath = new URL('./helm-render.expected.json', import.meta.url);
const update = process.env.UPDATE_GOLDEN === '1';

interface Rendered {
  /** kind/name of every object, in helm's order. */
  objects: string[];
  /** Per collector version, per rendered ConfigMap: the build's verdict. */
  collector: Record<string, Record<string, Verdict>>;
}

const expected: Record<string, Rendered> = update ? {} : JSON.parse(readFileSync(expectedPath, 'utf8'));
const actual: Record<string, Rendered> = {};

/** What a pod's `fieldRef`s resolve to here (validate binds nothing, so loopback stands for the pod's IPs). */
const FIELD_VALUES: Record<string, string> = {
  'status.podIP': '127.0.0.1',
  'status.hostIP': '127.0.0.1',
  'spec.nodeName': 'node-1',
  'metadata.name': 'example-0',
  'metadata.namespace': 'default',
};

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}

/**
 * The environment the chart gives the container that mounts `configMap` (MY_POD_IP, which the default
 * receivers bind to, K8S_NODE_IP for kubeletstats, ...), read from the rendered workload itself.
 */
function podEnv(objects: K8sObject[], configMap: string): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  for (const o of objects) {
    const pod = (o.spec as { template?: { spec?: PodSpec } } | undefined)?.template?.spec;
    if (!pod?.volumes?.some((v) => v.configMap?.name === configMap)) continue;
    for (const e of pod.containers.flatMap((c) => c.env ?? [])) {
      const value = e.value ?? FIELD_VALUES[e.valueFrom?.fieldRef?.fieldPath ?? ''];
      if (value !== undefined) env[e.name] = value;
    }
  }
  return env;
}

interface PodSpec {
  containers: { env?: EnvVar[] }[];
  volumes?: { configMap?: { name: string } }[];
}

/** What one collector build makes of one rendered config. */
interface Verdict {
  /** Components the build lacks (section/id), as the collector named them one by one. */
  missing: string[];
  /** The collector's verdict on the config without them: "valid", or its error. */
  verdict: string;
}

/**
 * The collector refuses a config at its first unknown component (which one depends on map order), so the
 * verdict is found the collector's way: validate; while it names an unknown component, note it, take it out
 * of its section and of every pipeline (and service.extensions), and validate again. What remains is judged
 * by the real build in full: every option of every component it has.
 */
function verdictOf(bin: string, relay: string, env: Record<string, string>): Verdict {
  const config = parseYaml(relay) as CollectorConfig;
  const missing: string[] = [];
  for (;;) {
    const error = validateCollectorConfig(bin, stringifyYaml(config), env);
    const unknown = /'(\w+)':? unknown type: "[^"]+" for id: "([^"]+)"/.exec(error);
    if (!unknown?.[1] || !unknown[2]) return { missing: missing.sort(), verdict: error };
    const [, section, id] = unknown;
    missing.push(`${section}/${id}`);
    if (!withoutComponent(config, section, id)) return { missing: missing.sort(), verdict: error };
  }
}

type CollectorConfig = Record<string, Record<string, unknown> | undefined> & {
  service?: { extensions?: string[]; pipelines?: Record<string, Record<string, string[] | undefined>> };
};

/** Removes a component and its references; false when it was not there to remove. */
function withoutComponent(config: CollectorConfig, section: string, id: string): boolean {
  const components = config[section];
  if (!components || !(id in components)) return false;
  delete components[id];
  const service = config.service;
  if (section === 'extensions' && service?.extensions) service.extensions = service.extensions.filter((e) => e !== id);
  for (const pipeline of Object.values(service?.pipelines ?? {})) {
    const refs = pipeline[section];
    if (refs) pipeline[section] = refs.filter((r) => r !== id);
  }
  return true;
}

const roles = ['old', 'current'] as const;
const collectors = roles.map((role) => ({ version: versions.collector[role], bin: collectorBinary(role) }));
const allProvisioned = helmBinary() && collectors.every((c) => c.bin);

oracleDescribe(`helm ${versions.helmGo}`, helmBinary(), PROVISION_HELM, (helm) => {
  it('reports the pinned version', () => {
    expect(spawnSync(helm, ['version', '--short'], { encoding: 'utf8' }).stdout.trim()).toBe(versions.helmGo);
  });

  it("refuses the chart's own defaults, as the chart requires (no image.repository, no mode)", () => {
    expect(() => renderChart([])).toThrow(/'image.repository' must be set/);
  });
});

oracleDescribe(
  `the chart's ci values rendered by helm, validated by collectors ${collectors.map((c) => c.version).join(' and ')}`,
  allProvisioned ? 'yes' : undefined,
  helmBinary() ? PROVISION_COLLECTOR : PROVISION_HELM,
  () => {
    describe.each(valuesFiles)('%s', (name) => {
      it('renders and validates as recorded', () => {
        const objects: K8sObject[] = renderChart([join(ciDir, name)]);
        const configs = collectorConfigs(objects);
        expect(configs.length, 'rendered collector configs').toBeGreaterThan(0);
        const collector: Rendered['collector'] = {};
        for (const c of collectors)
          collector[c.version] = Object.fromEntries(configs.map((cfg) => [cfg.configMap, verdictOf(c.bin ?? '', cfg.relay, podEnv(objects, cfg.configMap))]));
        const rendered = { objects: objects.map((o) => `${o.kind}/${o.metadata.name}`), collector };
        actual[name] = rendered;
        if (!update) expect(rendered).toEqual(expected[name]);
      });
    });

    afterAll(() => {
      if (update && Object.keys(actual).length === valuesFiles.length) writeFileSync(expectedPath, `${JSON.stringify(actual, null, 2)}\n`);
    });
  },
);
