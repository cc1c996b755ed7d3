// `claude-otel-doctor init --kubernetes`: the managed settings of --enterprise plus the cluster side (collector
// chart values, Grafana ConfigMaps). The values are rendered by the real `helm template` of the committed chart
// 0.170.0 and the rendered collector config is validated by the real collector at the pinned version.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments, stringify } from 'yaml';
import { CLUSTER_DATASOURCE_UIDS, kubePrometheusStackFullname } from '../../src/bootstrap/kubernetes.js';
import { NEWEST_KNOWN_COLLECTOR } from '../../src/model/versions.js';
import { oracleDescribe } from '../oracles/differential-support.js';
import { collectorConfigs, type K8sObject, RELEASE, renderChart } from '../oracles/helm-support.js';
import { textSource } from '../../src/load/read.js';
import { parseYaml as parseYamlDocument } from '../../src/load/yaml.js';
import { YamlValue } from '../../src/load/yaml-value.js';
import { readCollectorChartValues } from '../../src/model/helm/collector-chart.js';
import { collectorBinary, helmBinary, k8sCheckBinary, PROVISION_HELM, PROVISION_K8S, versions } from '../oracles/paths.js';
import { validateCollectorConfig } from '../oracles/collector-validate.js';
import { newMachine, type Machine } from './machine.js';

let m: Machine;
let out: string;
beforeEach(() => {
  m = newMachine();
  out = join(m.root, 'team');
});
afterEach(() => m.cleanup());

const read = (rel: string) => readFileSync(join(out, rel), 'utf8');
const kubernetes = (args: string[]) => m.cli(['init', '--kubernetes', '--out', out, ...args]);
type Obj = K8sObject & { spec?: Record<string, unknown>; data?: Record<string, string> };
const byKind = (objects: Obj[], kind: string) => objects.filter((o) => o.kind === kind);

describe('init --kubernetes', () => {
  it('writes the rollout files and the cluster side; the managed settings point at the Ingress', async () => {
    const r = await kubernetes(['--endpoint', 'https://otel.example.com', '--team', 'platform']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^init --kubernetes: rollout files in /);
    for (const f of ['kubernetes/collector-values.yaml', 'kubernetes/grafana-datasources.yaml', 'kubernetes/grafana-dashboard.yaml'])
      expect(r.stdout).toContain(`create   ${f}`);
    const managed = JSON.parse(read('managed-settings.json'));
    expect(managed.env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('https://otel.example.com');
    expect(managed.env.OTEL_EXPORTER_OTLP_PROTOCOL).toBe('http/protobuf');
    expect(read('ROLLOUT.md')).toContain('helm upgrade --install claude-otel open-telemetry/opentelemetry-collector --version 0.170.0');
    // Grafana's sidecar: the labels kube-prometheus-stack's Grafana looks for; the dashboard references the
    // datasource UIDs the datasource ConfigMap provisions (not `prometheus`, which that Grafana already has).
    const datasources = parseYaml(read('kubernetes/grafana-datasources.yaml')) as Obj;
    expect(datasources.metadata.labels).toEqual({ grafana_datasource: '1' });
    const provisioned = (parseYaml(datasources.data!['claude-code.yaml']) as { datasources: { uid: string; url: string }[] }).datasources;
    expect(provisioned.map((d) => d.uid)).toEqual([CLUSTER_DATASOURCE_UIDS.prometheus, CLUSTER_DATASOURCE_UIDS.loki]);
    expect(provisioned[0].url).toBe('http://kube-prometheus-stack-prometheus.monitoring.svc:9090');
    const dashboardMap = parseYaml(read('kubernetes/grafana-dashboard.yaml')) as Obj;
    expect(dashboardMap.metadata.labels).toEqual({ grafana_dashboard: '1' });
    const dashboard = JSON.parse(dashboardMap.data!['claude-code.json']) as { panels: { datasource: { uid: string } }[] };
    const used = new Set(dashboard.panels.map((p) => p.datasource.uid));
    expect([...used].sort()).toEqual(Object.values(CLUSTER_DATASOURCE_UIDS).sort());
  });

  it('refuses an endpoint an Ingress cannot be, cluster flags without --kubernetes, and gRPC without TLS; nothing written', async () => {
    const port = await kubernetes(['--endpoint', 'https://otel.example.com:4318']);
    expect(port.exitCode).toBe(2);
    expect(port.stderr).toMatch(/names port 4318, but with --kubernetes .* Ingress, which listens on 443 \(https\) or 80 \(http\)/);
    const path = await kubernetes(['--endpoint', 'https://otel.example.com/otlp']);
    expect(path.exitCode).toBe(2);
    expect(path.stderr).toContain('the Ingress host alone');
    const grpc = await kubernetes(['--endpoint', 'http://otel.example.com', '--protocol', 'grpc']);
    expect(grpc.exitCode).toBe(2);
    expect(grpc.stderr).toContain('--protocol grpc through an Ingress needs https');
    const alone = await m.cli(['init', '--enterprise', '--endpoint', 'https://otel.example.com', '--namespace', 'x', '--out', out]);
    expect(alone.exitCode).toBe(2);
    expect(alone.stderr).toContain('--namespace works with --kubernetes');
    const bad = await kubernetes(['--endpoint', 'https://otel.example.com', '--namespace', 'Not_A_Name']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--namespace must be a Kubernetes name');
    for (const r of [port, path, grpc, alone, bad]) expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(() => readFileSync(join(out, 'managed-settings.json'))).toThrow();
  });

  it("names kube-prometheus-stack's Prometheus Service as its chart does", () => {
    expect(kubePrometheusStackFullname('kube-prometheus-stack')).toBe('kube-prometheus-stack');
    expect(kubePrometheusStackFullname('monitoring')).toBe('monitoring-kube-prometheus');
    expect(kubePrometheusStackFullname('prom')).toBe('prom-kube-prometheus-stack');
    expect(kubePrometheusStackFullname('my-kube-prometheus-stack-prod')).toBe('my-kube-prometheus-stack-p');
  });
});

oracleDescribe('init --kubernetes rendered by the real helm', helmBinary(), PROVISION_HELM, () => {
  const current = collectorBinary('current');

  async function rendered(args: string[]): Promise<Obj[]> {
    const r = await kubernetes(['--endpoint', 'https://otel.example.com', ...args]);
    expect(r.exitCode, r.stderr).toBe(0);
    return renderChart([join(out, 'kubernetes/collector-values.yaml')]) as Obj[];
  }

  it('renders a Deployment of the pinned image whose Service, Ingress and ServiceMonitor agree on ports; the collector at that version accepts the config', async () => {
    const objects = await rendered([]);
    const [deployment] = byKind(objects, 'Deployment');
    const container = (deployment.spec as { template: { spec: { containers: { image: string; ports: { name: string; containerPort: number }[] }[] } } })
      .template.spec.containers[0];
    expect(container.image).toBe(`otel/opentelemetry-collector-contrib:${NEWEST_KNOWN_COLLECTOR}`);
    expect(NEWEST_KNOWN_COLLECTOR).toBe(versions.collector.current);
    const [service] = byKind(objects, 'Service');
    const servicePorts = (service.spec as { ports: { name: string; port: number; targetPort: number }[] }).ports;
    expect(servicePorts.map((p) => p.name).sort()).toEqual(['otlp', 'otlp-http', 'prom-exporter']);
    // The Ingress sends to a port the Service has, which forwards to a port the container opens.
    const [ingress] = byKind(objects, 'Ingress');
    const backend = (ingress.spec as { rules: { host: string; http: { paths: { backend: { service: { name: string; port: { number: number } } } }[] } }[] })
      .rules[0];
    expect(backend.host).toBe('otel.example.com');
    expect(backend.http.paths[0].backend.service.name).toBe(service.metadata.name);
    const viaIngress = servicePorts.find((p) => p.port === backend.http.paths[0].backend.service.port.number);
    expect(viaIngress?.name).toBe('otlp-http');
    expect(container.ports.map((p) => p.containerPort)).toContain(viaIngress?.targetPort);
    // The ServiceMonitor selects this Service, names a port it has, and carries the release label.
    const [monitor] = byKind(objects, 'ServiceMonitor');
    expect(monitor.metadata.labels?.release).toBe('kube-prometheus-stack');
    const spec = monitor.spec as { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; honorLabels: boolean }[] };
    for (const [k, v] of Object.entries(spec.selector.matchLabels)) expect(service.metadata.labels?.[k]).toBe(v);
    expect(spec.endpoints).toEqual([{ port: 'prom-exporter', interval: '15s', honorLabels: true }]);
    // The rendered config: only OTLP in, the exporter on the port the ServiceMonitor scrapes; the real collector
    // of the pinned version accepts it.
    const [{ relay }] = collectorConfigs(objects);
    const config = parseYaml(relay) as {
      receivers: Record<string, unknown>;
      exporters: Record<string, { endpoint?: string }>;
      service: { pipelines: Record<string, unknown> };
    };
    expect(Object.keys(config.receivers)).toEqual(['otlp']);
    expect(Object.keys(config.service.pipelines).sort()).toEqual(['logs', 'metrics']);
    expect(config.exporters.prometheus.endpoint).toBe('${env:MY_POD_IP}:8889');
    expect(current, 'the current collector build').toBeDefined();
    expect(validateCollectorConfig(current!, relay, { MY_POD_IP: '127.0.0.1' })).toBe('valid');
  }, 120_000);

  it("the doctor's reading of the values (src/model/helm) equals what helm renders from them", async () => {
    const objects = await rendered([]);
    const file = join(out, 'kubernetes/collector-values.yaml');
    const src = textSource(file, readFileSync(file, 'utf8'));
    if (!src.ok) throw new Error(src.problem.reason);
    // renderChart's release and namespace (helm-support.ts RELEASE), so the names agree too.
    const reading = readCollectorChartValues(YamlValue.root(parseYamlDocument(src.source)), { releaseName: RELEASE.name, namespace: RELEASE.namespace });
    expect(reading.failures).toEqual([]);
    expect(reading.mode?.value).toBe('deployment');
    expect(reading.replicas?.value).toBe(1);
    const [deployment] = byKind(objects, 'Deployment');
    expect(deployment.metadata.name).toBe(reading.fullname);
    expect(JSON.stringify(deployment.spec)).toContain(`"image":"${reading.image.reference.value}"`);
    const [{ relay }] = collectorConfigs(objects);
    expect('value' in reading.config && reading.config.value).toEqual(parseYaml(relay));
    const [service] = byKind(objects, 'Service');
    const servicePorts = (service.spec as { ports: { name: string; port: number }[] }).ports;
    expect(reading.service?.ports.map((p) => [p.value.name, p.value.port]).sort()).toEqual(servicePorts.map((p) => [p.name, p.port]).sort());
    expect(reading.serviceMonitor?.endpoints.value).toEqual((byKind(objects, 'ServiceMonitor')[0].spec as { endpoints: unknown[] }).endpoints);
  }, 120_000);

  it('with gRPC: the Ingress goes to the gRPC port and asks ingress-nginx for HTTP/2 to the backend', async () => {
    const objects = await rendered(['--protocol', 'grpc']);
    const [ingress] = byKind(objects, 'Ingress');
    expect(ingress.metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/backend-protocol': 'GRPC' });
    expect(JSON.stringify(ingress.spec)).toContain('"number":4317');
    expect(JSON.parse(read('managed-settings.json')).env.OTEL_EXPORTER_OTLP_PROTOCOL).toBe('grpc');
  }, 120_000);

  it('the Grafana ConfigMaps and every rendered object decode strictly into the real Kubernetes types', async () => {
    const objects = await rendered([]);
    const bin = k8sCheckBinary();
    expect(bin, `k8s-check (${PROVISION_K8S})`).toBeDefined();
    const renderedFile = join(m.root, 'rendered.yaml');
    writeFileSync(renderedFile, objects.map((o) => stringify(o)).join('---\n'));
    const files = [join(out, 'kubernetes/grafana-datasources.yaml'), join(out, 'kubernetes/grafana-dashboard.yaml'), renderedFile];
    for (const f of files.slice(0, 2)) expect(parseAllDocuments(readFileSync(f, 'utf8'))).toHaveLength(1);
    const r = spawnSync(bin!, ['decode', ...files], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    const decoded = JSON.parse(r.stdout) as { kind: string; errors: string[] }[];
    expect(decoded.map((d) => d.kind).sort()).toEqual([
      'ConfigMap',
      'ConfigMap',
      'ConfigMap',
      'Deployment',
      'Ingress',
      'Service',
      'ServiceAccount',
      'ServiceMonitor',
    ]);
    expect(decoded.flatMap((d) => d.errors)).toEqual([]);
  }, 120_000);
});

describe('check of what init --kubernetes writes', () => {
  // The collector values are read as the chart's values (not as a collector config), and the config the chart
  // renders from them is checked by every rule: nothing to say, over HTTP and over gRPC.
  it.each([[[]], [['--protocol', 'grpc']]])(
    'finds nothing in the values and the cluster side %j, nor with the managed settings beside',
    async (extra) => {
      const r = await kubernetes(['--endpoint', 'https://otel.example.com', ...extra]);
      expect(r.exitCode, r.stderr).toBe(0);
      const cluster = await m.cli(['check', join(out, 'kubernetes')]);
      expect(cluster.stdout + cluster.stderr).toContain('no problems found');
      expect(cluster.exitCode).toBe(0);
      const whole = await m.cli(['check', out]);
      expect(whole.stdout + whole.stderr).toContain('no problems found');
      expect(whole.exitCode).toBe(0);
    },
    60_000,
  );
});
