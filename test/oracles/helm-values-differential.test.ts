import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYamlText } from 'yaml';
import { textSource } from '../../src/load/read.js';
import { parseYaml } from '../../src/load/yaml.js';
import { YamlValue } from '../../src/load/yaml-value.js';
import { type CollectorChartReading, readCollectorChartValues } from '../../src/model/helm/collector-chart.js';
import { packageRoot } from '../../src/util/paths.js';
import { oracleDescribe } from './differential-support.js';
import { CHART_DIR, HelmError, renderChart } from './helm-support.js';
import { helmBinary, PROVISION_HELM } from './paths.js';

const CHART = CHART_DIR;
const RELEASE = 'release-name';
const NAMESPACE = 'default';
const SCHEMA_REFUSAL = "values don't meet the specifications of the schema";

/** Values files whose collector config the reading does not model, with the reason it must give. */
const CONFIG_NOT_MODELLED: Record<string, RegExp> = {};
/** Values files whose objects' labels the reading does not model (`additionalLabels` holds a template). */
const LABELS_NOT_MODELLED: Record<string, RegExp> = {
  'ci/deployment-values.yaml': /template/,
};
/** Values files with an ingress host the reading does not model (a template `tpl` evaluates). */
const HOST_NOT_MODELLED: Record<string, RegExp> = {
  'ci/deployment-values.yaml': /template/,
};

interface Corpus {
  name: string;
  path: string;
}

function corpus(): Corpus[] {
  const ci = readdirSync(join(CHART, 'ci'))
    .filter((n) => n.endsWith('-values.yaml'))
    .map((n) => ({ name: `ci/${n}`, path: join(CHART, 'ci', n) }));
  const fixtures = join(packageRoot, 'fixtures');
  const own = readdirSync(fixtures)
    .filter((d) => d.startsWith('helm-values-') && existsSync(join(fixtures, d, 'files')))
    .flatMap((d) =>
      readdirSync(join(fixtures, d, 'files'))
        .filter((n) => /\.ya?ml$/.test(n))
        .map((n) => join(fixtures, d, 'files', n)),
    )
    .map((path) => ({ name: relative(packageRoot, path), path }));
  return [...ci, ...own].sort((a, b) => a.name.localeCompare(b.name));
}

interface Container {
  image: string;
  command?: string[];
  args?: string[];
  env?: unknown[];
  ports?: unknown[];
  volumeMounts?: { name: string; mountPath: string }[];
}
interface Rule {
  host?: string;
  http: { paths: { path: string; pathType: string; backend: { service: { name: string; port: { number: number } } } }[] };
}
/** The parts of the rendered objects the test reads (each kind uses some). */
interface K8sObject {
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
  spec: {
    replicas?: number;
    template: { spec: { containers: Container[]; volumes?: { name: string; configMap?: { name: string; items: { path: string }[] } }[] } };
    minReplicas?: number;
    maxReplicas?: number;
    type?: string;
    ports?: unknown[];
    internalTrafficPolicy?: string;
    selector?: unknown;
    endpoints?: unknown[];
    podMetricsEndpoints?: unknown[];
    ingressClassName?: string;
    rules?: Rule[];
  };
}

interface Rendering {
  ok: boolean;
  error: string;
  objects: K8sObject[];
}

function render(helm: string, file: string): Rendering {
  if (!helm) return { ok: false, error: 'helm is not provisioned', objects: [] }; // collected while skipped
  try {
    // Typed as the fields compared here read them (the chart renders these kinds with these shapes).
    const objects = renderChart([file], {}, RELEASE).filter((o) => typeof o.kind === 'string') as unknown as K8sObject[];
    return { ok: true, error: '', objects };
  } catch (e) {
    if (e instanceof HelmError) return { ok: false, error: e.message, objects: [] };
    throw e;
  }
}

function read(file: string): CollectorChartReading {
  const src = textSource(file, readFileSync(file, 'utf8'));
  if (!src.ok) throw new Error(`${file}: ${src.problem.reason}`);
  return readCollectorChartValues(YamlValue.root(parseYaml(src.source)), { releaseName: RELEASE, namespace: NAMESPACE });
}

const one = (objects: K8sObject[], kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found.length, `at most one ${kind}`).toBeLessThanOrEqual(1);
  return found[0];
};

oracleDescribe('helm values differential (real helm template)', helmBinary(), PROVISION_HELM, (helm) => {
  const cases = corpus();

  it('finds its corpus', () => {
    expect(cases.filter((c) => c.name.startsWith('ci/')).length).toBeGreaterThanOrEqual(30);
    expect(cases.filter((c) => c.name.startsWith('fixtures/')).length).toBeGreaterThanOrEqual(8);
  });

  describe.each(cases)('$name', ({ name, path }) => {
    const rendering = render(helm, path);
    const reading = read(path);
    const expectLabels = (rendered: Record<string, string> | undefined, read: Record<string, unknown> | { notModelled: string }) => {
      if ('notModelled' in read && typeof read.notModelled === 'string') {
        expect(LABELS_NOT_MODELLED[name], `not modelled: ${read.notModelled}`).toBeDefined();
        expect(read.notModelled).toMatch(LABELS_NOT_MODELLED[name]);
      } else {
        expect(rendered).toEqual(read);
      }
    };

    it('refuses the values exactly when the chart does, with its message', () => {
      if (rendering.error.includes(SCHEMA_REFUSAL)) {
        // Helm lists every violation; nested groups ("validation failed") hold the leaves.
        const leaves = [...rendering.error.matchAll(/- (at '[^']*': .*)$/gm)].map((m) => m[1]).filter((l) => !l.endsWith(': validation failed'));
        expect(reading.failures.map((f) => f.value).sort()).toEqual(leaves.sort());
      } else if (reading.failures.length) {
        expect(rendering.ok, `the chart rendered values the doctor expected it to refuse: ${reading.failures[0].value}`).toBe(false);
        expect(rendering.error).toContain(reading.failures[0].value);
      } else {
        expect(rendering.error).toBe('');
      }
    });
    if (!rendering.ok) return;
    const objects = rendering.objects;

    it('mode, image, command, args, replicas', () => {
      const kinds = { deployment: 'Deployment', daemonset: 'DaemonSet', statefulset: 'StatefulSet' } as const;
      const workloads = objects.filter((o) => ['Deployment', 'DaemonSet', 'StatefulSet'].includes(o.kind));
      expect(workloads.map((w) => w.kind)).toEqual(reading.mode ? [kinds[reading.mode.value]] : []);
      const workload = workloads[0];
      const container = workload.spec.template.spec.containers[0];
      expect(container.image).toBe(reading.image.reference.value);
      expect(container.command).toEqual(reading.command ? [`/${reading.command.value}`] : undefined);
      expect(container.args ?? []).toEqual(reading.args.value);
      expect(workload.spec.replicas).toEqual(reading.replicas?.value);
      const hpa = one(objects, 'HorizontalPodAutoscaler');
      expect(hpa ? { min: hpa.spec.minReplicas, max: hpa.spec.maxReplicas } : undefined).toEqual(
        reading.autoscaling ? { min: reading.autoscaling.minReplicas.value, max: reading.autoscaling.maxReplicas.value } : undefined,
      );
    });

    it("the container's environment", () => {
      const workload = objects.find((o) => ['Deployment', 'DaemonSet', 'StatefulSet'].includes(o.kind))!;
      expect(workload.spec.template.spec.containers[0].env).toEqual(reading.env.map((e) => e.value));
    });

    it('the ConfigMap, its mount and the collector config in it', () => {
      const workload = objects.find((o) => ['Deployment', 'DaemonSet', 'StatefulSet'].includes(o.kind))!;
      const pod = workload.spec.template.spec;
      const volume = (pod.volumes ?? []).find((v) => v.configMap);
      const mount = (pod.containers[0].volumeMounts ?? []).find((m) => m.name === volume?.name);
      const path = volume?.configMap && mount ? `${mount.mountPath}/${volume.configMap.items[0].path}` : undefined;
      expect(path).toBe(reading.configPath);
      if (volume?.configMap) expect(volume.configMap.name).toBe(reading.configMap.name);
      const configMaps = objects.filter((o) => o.kind === 'ConfigMap');
      expect(configMaps.map((c) => c.metadata.name)).toEqual(reading.configMap.created ? [reading.configMap.name] : []);
      if (!configMaps.length) return;
      const rendered = parseYamlText(configMaps[0].data!.relay);
      if ('notModelled' in reading.config) {
        expect(CONFIG_NOT_MODELLED[name], `not modelled: ${reading.config.notModelled}`).toBeDefined();
        expect(reading.config.notModelled).toMatch(CONFIG_NOT_MODELLED[name]);
      } else {
        expect(CONFIG_NOT_MODELLED[name], 'listed as not modelled, but the reading models it: take it off the list').toBeUndefined();
        expect(reading.config.value).toEqual(rendered);
      }
    });

    it('container ports and the Service', () => {
      const workload = objects.find((o) => ['Deployment', 'DaemonSet', 'StatefulSet'].includes(o.kind))!;
      expect(workload.spec.template.spec.containers[0].ports ?? []).toEqual(reading.containerPorts.map((p) => p.value));
      const service = one(objects, 'Service');
      const rendered = service && {
        name: service.metadata.name,
        type: service.spec.type,
        ports: service.spec.ports ?? [],
        internalTrafficPolicy: service.spec.internalTrafficPolicy,
        selector: service.spec.selector,
      };
      const read = reading.service && {
        name: reading.service.name,
        type: reading.service.type.value,
        ports: reading.service.ports.map((p) => p.value),
        internalTrafficPolicy: reading.service.internalTrafficPolicy.value,
        selector: reading.service.selector,
      };
      expect(rendered).toEqual(read);
      if (service && reading.service) expectLabels(service.metadata.labels, reading.service.labels);
    });

    it('ServiceMonitor and PodMonitor', () => {
      for (const [kind, monitor, endpointsKey] of [
        ['ServiceMonitor', reading.serviceMonitor, 'endpoints'],
        ['PodMonitor', reading.podMonitor, 'podMetricsEndpoints'],
      ] as const) {
        const object = one(objects, kind);
        expect(object && { name: object.metadata.name, endpoints: object.spec[endpointsKey], selector: object.spec.selector }, kind).toEqual(
          monitor && { name: monitor.name, endpoints: monitor.endpoints.value, selector: { matchLabels: monitor.selector } },
        );
        if (object && monitor) expectLabels(object.metadata.labels, monitor.labels);
      }
    });

    it('ingresses: names, hosts, backends', () => {
      const ingresses = objects.filter((o) => o.kind === 'Ingress');
      expect(ingresses.map((i) => i.metadata.name)).toEqual(reading.ingresses.map((i) => i.name));
      reading.ingresses.forEach((ing, k) => {
        const spec = ingresses[k].spec;
        expect(spec.ingressClassName).toEqual(ing.ingressClassName?.value);
        expect('notModelled' in ing.annotations, 'no corpus file templates its annotations').toBe(false);
        if ('value' in ing.annotations) expect(ingresses[k].metadata.annotations ?? {}).toEqual(ing.annotations.value);
        expect((spec.rules ?? []).length).toBe(ing.rules.length);
        ing.rules.forEach((rule, i) => {
          const rendered = (spec.rules ?? [])[i];
          if ('notModelled' in rule.host) {
            expect(HOST_NOT_MODELLED[name], `not modelled: ${rule.host.notModelled}`).toBeDefined();
            expect(rule.host.notModelled).toMatch(HOST_NOT_MODELLED[name]);
          } else {
            expect(rendered.host).toBe(rule.host.value);
          }
          expect(
            rendered.http.paths.map((p) => ({
              path: p.path,
              pathType: p.pathType,
              serviceName: p.backend.service.name,
              port: p.backend.service.port.number,
            })),
          ).toEqual(rule.paths.map((p) => p.value));
        });
      });
    });
  });
});
