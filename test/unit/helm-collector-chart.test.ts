// The reading of the collector chart's values (src/model/helm): Helm's merge, the chart's presets and switches,
// and where each part came from. The real `helm template` checks the same readings on whole files in
// test/oracles/helm-values-differential.test.ts; these pin the rules one at a time.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { textSource } from '../../src/load/read.js';
import { parseYaml } from '../../src/load/yaml.js';
import { YamlValue } from '../../src/load/yaml-value.js';
import { type CollectorChartReading, type EffectiveConfig, isCollectorChartValues, readCollectorChartValues } from '../../src/model/helm/collector-chart.js';
import { coalesce, mergeMissing, mergeOverwrite, uniq } from '../../src/model/helm/merge.js';
import { packageRoot } from '../../src/util/paths.js';

function root(text: string): YamlValue {
  const src = textSource('/repo/values.yaml', text);
  if (!src.ok) throw new Error(src.problem.reason);
  return YamlValue.root(parseYaml(src.source));
}

const HEAD = 'mode: deployment\nimage:\n  repository: otel/opentelemetry-collector-contrib\n';

function reading(text: string): CollectorChartReading {
  return readCollectorChartValues(root(HEAD + text));
}

function config(text: string): EffectiveConfig {
  const c = reading(text).config;
  if ('notModelled' in c) throw new Error(c.notModelled);
  return c;
}

describe("Helm's coalescing of values over the chart's", () => {
  it('merges maps key by key and keeps what the user did not write', () => {
    expect(coalesce({ a: { b: 2 } }, { a: { b: 1, c: 3 }, d: 4 })).toEqual({ a: { b: 2, c: 3 }, d: 4 });
  });
  it('replaces lists whole', () => {
    expect(coalesce({ l: [3] }, { l: [1, 2] })).toEqual({ l: [3] });
  });
  it('deletes a default key the user sets to null, at any depth', () => {
    expect(coalesce({ top: null, a: { b: null } }, { top: 1, a: { b: 1, c: 2 } })).toEqual({ a: { c: 2 } });
  });
  it('keeps a null where the chart has no value to delete', () => {
    expect(coalesce({ a: { new: { x: null }, y: null } }, { a: { b: 1 } })).toEqual({ a: { new: { x: null }, y: null, b: 1 } });
  });
  it('lets a user scalar replace a default map, and a user map replace a default scalar', () => {
    expect(coalesce({ a: 'x', b: { c: 1 } }, { a: { m: 1 }, b: 2 })).toEqual({ a: 'x', b: { c: 1 } });
  });
  it('never changes the defaults it merges from', () => {
    const defaults = { a: { b: [1] } };
    coalesce({ a: { c: 1 } }, defaults);
    expect(defaults).toEqual({ a: { b: [1] } });
  });
});

describe('the sprig merges the templates use', () => {
  it('mustMergeOverwrite: later maps win, maps merge, lists and nulls replace', () => {
    expect(mergeOverwrite({ a: { b: 1, l: [1] } }, { a: { c: 2 } }, { a: { l: [2], b: null } })).toEqual({ a: { b: null, c: 2, l: [2] } });
  });
  it('mustMerge: fills only what is missing or empty', () => {
    expect(mergeMissing({ a: { b: 1 }, e: '' }, { a: { b: 2, c: 3 }, e: 'x' })).toEqual({ a: { b: 1, c: 3 }, e: 'x' });
  });
  it('uniq keeps first occurrences in order', () => {
    expect(uniq(['a', 'b', 'a', 'c', 'b'])).toEqual(['a', 'b', 'c']);
  });
});

describe('the effective collector config', () => {
  it("is the chart's default config when the user writes none", () => {
    const c = config('').value;
    expect(Object.keys(c.receivers as object).sort()).toEqual(['jaeger', 'otlp', 'prometheus', 'zipkin']);
    expect(c).toMatchObject({ receivers: { otlp: { protocols: { grpc: { endpoint: '${env:MY_POD_IP}:4317' } } } } });
  });
  it('loses a default receiver and pipeline set to null', () => {
    const c = config('config:\n  receivers:\n    jaeger: null\n  service:\n    pipelines:\n      traces: null\n').value;
    expect(Object.keys(c.receivers as object)).not.toContain('jaeger');
    expect(Object.keys((c.service as { pipelines: object }).pipelines).sort()).toEqual(['logs', 'metrics']);
  });
  it("replaces a pipeline's lists instead of merging them", () => {
    const c = config('config:\n  service:\n    pipelines:\n      metrics:\n        receivers: [otlp]\n').value;
    expect(c).toMatchObject({ service: { pipelines: { metrics: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'] } } } });
  });
  it('points a user value at its line and a default at the chart', () => {
    const c = config('config:\n  exporters:\n    prometheus:\n      endpoint: 0.0.0.0:8889\n');
    const origin = c.origin(['exporters', 'prometheus', 'endpoint']);
    expect(origin).not.toBe('chart default');
    expect((origin as YamlValue).location().range?.start.line).toBe(7);
    expect(c.origin(['receivers', 'otlp'])).toBe('chart default');
  });
  it("points a preset's component at the preset's switch, and a renamed one at the user's old name", () => {
    const c = config('presets:\n  hostMetrics:\n    enabled: true\nconfig:\n  receivers:\n    filelog: {include: [/x]}\n');
    expect((c.origin(['receivers', 'hostmetrics', 'scrapers']) as YamlValue).path).toEqual(['presets', 'hostMetrics', 'enabled']);
    expect((c.origin(['receivers', 'file_log', 'include']) as YamlValue).path).toEqual(['config', 'receivers', 'filelog', 'include']);
  });
  it('takes alternateConfig whole, ignoring config', () => {
    const c = config('alternateConfig:\n  receivers:\n    otlp: {}\n  service:\n    extensions: [health_check]\n');
    expect(c.value).toEqual({ receivers: { otlp: {} }, service: { extensions: ['health_check'] } });
    expect(c.origin(['receivers', 'otlp'])).not.toBe('chart default');
  });
  it('presets add their receivers to the pipelines (hostMetrics, kubeletMetrics)', () => {
    const c = config('presets:\n  hostMetrics:\n    enabled: true\n  kubeletMetrics:\n    enabled: true\n').value;
    expect(c).toMatchObject({ service: { pipelines: { metrics: { receivers: ['otlp', 'prometheus', 'hostmetrics', 'kubeletstats'] } } } });
    expect(Object.keys(c.receivers as object)).toEqual(expect.arrayContaining(['hostmetrics', 'kubeletstats']));
  });
  it('the kubernetesAttributes preset puts k8s_attributes first in each pipeline that lacks it', () => {
    const c = config('presets:\n  kubernetesAttributes:\n    enabled: true\n').value;
    expect(c).toMatchObject({ service: { pipelines: { traces: { processors: ['k8s_attributes', 'memory_limiter', 'batch'] } } } });
  });
  it('renames deprecated components in their section and their pipelines, deduplicating the lists', () => {
    const c = config(
      'config:\n  receivers:\n    filelog/app: {include: [/x]}\n  service:\n    pipelines:\n      logs:\n        receivers: [otlp, filelog/app, otlp]\n',
    ).value;
    expect(Object.keys(c.receivers as object)).toContain('file_log/app');
    expect(c).toMatchObject({ service: { pipelines: { logs: { receivers: ['otlp', 'file_log/app'] } } } });
  });
  it('drops the self-scrape when internal metrics go over OTLP', () => {
    const c = config('internalTelemetryViaOTLP:\n  endpoint: http://c:4318\n  metrics:\n    enabled: true\n').value;
    expect(Object.keys(c.receivers as object)).not.toContain('prometheus');
    expect(c).toMatchObject({ service: { telemetry: { metrics: { readers: [{ periodic: { exporter: { otlp: { endpoint: 'http://c:4318' } } } }] } } } });
  });
  it("the kubernetesObjects preset lists the objects its switches name, before the user's own", () => {
    const c = config(
      'presets:\n  kubernetesObjects:\n    enabled: true\n    rbac:\n      enabled: false\n    storage:\n      enabled: false\n    networking:\n      enabled: false\n    autoscaling:\n      enabled: false\n      vpa:\n        enabled: true\n    policy:\n      enabled: false\n    apiExtensions:\n      enabled: false\n    core:\n      enabled: false\n    events:\n      enabled: true\nconfig:\n  receivers:\n    k8sobjects:\n      objects: [{name: mine}]\n',
    ).value;
    expect(c).toMatchObject({ receivers: { k8sobjects: { objects: [{ name: 'events', mode: 'watch' }, { name: 'mine' }] } } });
    expect(c).toMatchObject({ service: { pipelines: { logs: { receivers: ['otlp', 'k8sobjects'] } } } });
  });
  it('says a templated config is for helm to evaluate', () => {
    expect(reading('config:\n  exporters:\n    debug:\n      verbosity: "{{ .Values.v }}"\n').config).toEqual({
      notModelled: expect.stringMatching(/template/),
    });
  });
});

describe('the objects', () => {
  it('names the workload, image and replicas, with their origins', () => {
    const r = reading('replicaCount: 3\n');
    expect(r.mode?.value).toBe('deployment');
    expect(r.image.reference.value).toBe('otel/opentelemetry-collector-contrib:0.158.0');
    expect(r.binary).toBe('otelcol-contrib');
    expect(r.replicas?.value).toBe(3);
    expect(r.replicas?.from).not.toBe('chart default');
    expect(r.args.value).toEqual(['--config=/conf/relay.yaml']);
    expect(r.configMap).toEqual({ name: 'release-name-opentelemetry-collector', created: true, from: 'chart default' });
  });
  it('leaves replicas to the HPA when autoscaling is on', () => {
    const r = reading('autoscaling:\n  enabled: true\n  maxReplicas: 5\n');
    expect(r.replicas).toBeUndefined();
    expect(r.autoscaling?.maxReplicas.value).toBe(5);
    expect(r.autoscaling?.minReplicas.from).toBe('chart default');
  });
  it('renders only ports with `enabled`, in name order, on the pod and the Service', () => {
    const r = reading(
      'ports:\n  zipkin:\n    enabled: false\n  prom:\n    containerPort: 8889\n    servicePort: 8889\n  aaa:\n    enabled: true\n    containerPort: 9000\n    servicePort: 90\n    protocol: TCP\n',
    );
    expect(r.containerPorts.map((p) => p.value.name)).toEqual(['aaa', 'jaeger-compact', 'jaeger-grpc', 'jaeger-thrift', 'otlp', 'otlp-http']);
    expect(r.service?.ports[0].value).toEqual({ name: 'aaa', port: 90, targetPort: 9000, protocol: 'TCP' });
    expect(r.service?.ports.find((p) => p.value.name === 'otlp')?.value.appProtocol).toBe('grpc');
  });
  it('gives a DaemonSet host ports and no Service unless asked', () => {
    const r = readCollectorChartValues(root('mode: daemonset\nimage:\n  repository: x/otelcol\nserviceMonitor:\n  enabled: true\n'));
    expect(r.containerPorts.find((p) => p.value.name === 'otlp')?.value.hostPort).toBe(4317);
    expect(r.service).toBeUndefined();
    expect(r.serviceMonitor).toBeUndefined();
    expect(r.configMap.name).toBe('release-name-opentelemetry-collector-agent');
  });
  it('reads ServiceMonitor endpoints, relabelings on the last one', () => {
    const r = reading('serviceMonitor:\n  enabled: true\n  metricsEndpoints:\n    - port: a\n    - port: b\n  relabelings:\n    - action: keep\n');
    expect(r.serviceMonitor?.endpoints.value).toEqual([{ port: 'a' }, { port: 'b', relabelings: [{ action: 'keep' }] }]);
  });
  it('reads ingresses and their backends', () => {
    const r = reading(
      'ingress:\n  enabled: true\n  hosts:\n    - host: otel.example.com\n      paths:\n        - {path: /, pathType: Prefix, port: 4318}\n  additionalIngresses:\n    - name: grpc\n      hosts: []\n',
    );
    expect(r.ingresses.map((i) => i.name)).toEqual(['release-name-opentelemetry-collector', 'release-name-opentelemetry-collector-grpc']);
    expect(r.ingresses[0].rules[0].paths[0].value).toEqual({ path: '/', pathType: 'Prefix', serviceName: 'release-name-opentelemetry-collector', port: 4318 });
  });
  it("lists the pod's environment: MY_POD_IP from the pod's IP, GOMEMLIMIT from the memory limit, extraEnvs", () => {
    const r = reading('resources:\n  limits:\n    memory: 200M\nextraEnvs:\n  - name: A\n    value: b\n');
    expect(r.env[0].value).toEqual({ name: 'MY_POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } });
    expect(r.env.slice(-2).map((e) => e.value)).toEqual([
      { name: 'GOMEMLIMIT', value: '152MiB' },
      { name: 'A', value: 'b' },
    ]);
    expect(r.env.at(-1)?.from).not.toBe('chart default');
  });
  it('knows no config when the ConfigMap is made outside the chart', () => {
    const r = reading('configMap:\n  create: false\n  existingName: mine\n');
    expect(r.config).toEqual({ notModelled: expect.stringMatching(/ConfigMap mine/) });
    expect(r.configMap).toMatchObject({ name: 'mine', created: false });
    expect(r.configMap.from).not.toBe('chart default');
    expect(r.configPath).toBe('/conf/relay.yaml');
  });
  it("gives the ServiceMonitor the chart's labels and its extraLabels, selecting the chart's Service", () => {
    const r = reading('serviceMonitor:\n  enabled: true\n  extraLabels:\n    release: kube-prometheus-stack\n');
    expect(r.serviceMonitor?.labels).toMatchObject({ release: 'kube-prometheus-stack', 'app.kubernetes.io/component': 'standalone-collector' });
    expect(r.serviceMonitor?.selector).toEqual(r.service?.selector);
    expect(r.service?.selector).toEqual({
      'app.kubernetes.io/name': 'opentelemetry-collector',
      'app.kubernetes.io/instance': 'release-name',
      component: 'standalone-collector',
    });
    expect(r.service?.internalTrafficPolicy.value).toBe('Cluster');
  });
  it('says a templated annotation or label is for helm to evaluate', () => {
    const r = reading(
      'ingress:\n  enabled: true\n  annotations:\n    a: "{{ .Release.Name }}"\n  hosts: []\nserviceMonitor:\n  enabled: true\n  extraLabels:\n    release: prom\n',
    );
    expect(r.ingresses[0].annotations).toEqual({ notModelled: expect.stringMatching(/template/) });
    expect(r.serviceMonitor?.extraLabels).toMatchObject({ value: { release: 'prom' } });
  });
  it('uses the release name and overrides for names', () => {
    expect(readCollectorChartValues(root(HEAD), { releaseName: 'opentelemetry-collector-gw' }).fullname).toBe('opentelemetry-collector-gw');
    expect(reading('fullnameOverride: gw\n').fullname).toBe('gw');
    expect(reading('fullnameOverride: gw\n').fullnameFrom).not.toBe('chart default');
  });
});

describe("the chart's refusals", () => {
  it('refuses values without mode or image, pointing at the chart default', () => {
    const r = readCollectorChartValues(root('config: {}\n'));
    expect(r.failures.map((f) => f.value)).toEqual([expect.stringMatching(/'image.repository' must be set/), expect.stringMatching(/'mode' must be set/)]);
    expect(r.failures[0].from).toBe('chart default');
  });
  it('refuses an extensions list without health_check (lists are replaced)', () => {
    const r = reading('config:\n  service:\n    extensions: [pprof]\n');
    expect(r.failures.map((f) => f.value)).toEqual([expect.stringMatching(/health_check extension/)]);
    expect(r.failures[0].from).not.toBe('chart default');
  });
});

describe('recognising a values file of the chart', () => {
  const folders = [join(packageRoot, 'test/oracles/charts/opentelemetry-collector-0.170.0/ci'), join(packageRoot, 'fixtures/helm-values-team/files')];
  const files = folders.flatMap((dir) => readdirSync(dir).map((n) => join(dir, n)));
  it.each(files.filter((f) => !f.endsWith('/no-image-values.yaml')))('%s', (file) => {
    expect(isCollectorChartValues(root(readFileSync(file, 'utf8')))).toBe(true);
  });
  it('not one with nothing but a mode', () => {
    expect(isCollectorChartValues(root('mode: deployment\n'))).toBe(false);
  });
  it.each([
    ['mode and image', 'mode: daemonset\nimage:\n  repository: ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-k8s\n'],
    ['mode and config', 'mode: deployment\nconfig:\n  receivers: {}\n'],
    ['image and config', 'image:\n  repository: otel/opentelemetry-collector-contrib\nconfig:\n  exporters: {}\n'],
  ])('%s', (_, text) => expect(isCollectorChartValues(root(text))).toBe(true));
  it.each([
    ['a collector config', 'receivers:\n  otlp: {}\nservice:\n  pipelines: {}\n'],
    ['a Kubernetes object', 'apiVersion: v1\nkind: ConfigMap\nmode: deployment\nconfig: {}\n'],
    ['another chart with a mode', 'mode: deployment\nimage:\n  repository: nginx\n'],
    ['a list', '- mode: deployment\n'],
  ])('not %s', (_, text) => expect(isCollectorChartValues(root(text))).toBe(false));
});
