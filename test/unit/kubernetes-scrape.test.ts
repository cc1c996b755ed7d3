// The operator's jobs as the doctor renders and resolves them (src/model/kubernetes-scrape.ts); the fields
// themselves are held to the operator by test/oracles/operator-scrape-differential.test.ts.
import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../src/load/source.js';
import { parseYaml, parseYamlDocuments } from '../../src/load/yaml.js';
import { loadKubernetes } from '../../src/model/kubernetes.js';
import { generateJobs, jobTargets, operatorPrometheuses, operatorScrapeConfigs, selectorMatches } from '../../src/model/kubernetes-scrape.js';

const manifests = (files: Record<string, string>) =>
  loadKubernetes(
    Object.entries(files).flatMap(([path, text]) => {
      const source = new SourceFile(path, text);
      return parseYamlDocuments(source).map((d) => parseYaml(source, d));
    }),
  );

const prometheus = `apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: k8s, namespace: monitoring}
spec:
  scrapeInterval: 45s
  serviceMonitorSelector: {}
  serviceMonitorNamespaceSelector: {}
  podMonitorSelector: {}
  podMonitorNamespaceSelector: {}
`;
const collector = `apiVersion: apps/v1
kind: Deployment
metadata: {name: otel, namespace: obs}
spec:
  template:
    metadata: {labels: {app: otel}}
    spec:
      containers:
        - name: otel
          image: otel/opentelemetry-collector-contrib:0.115.1
          ports:
            - {name: otlp, containerPort: 4317}
            - {name: prom, containerPort: 8889}
---
apiVersion: v1
kind: Service
metadata: {name: otel, namespace: obs, labels: {app: otel}}
spec:
  selector: {app: otel}
  ports:
    - {name: otlp, port: 4317, targetPort: otlp}
    - {name: metrics, port: 9000, targetPort: 8889}
`;
const serviceMonitor = `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: otel, namespace: obs}
spec:
  selector: {matchLabels: {app: otel}}
  endpoints:
    - port: metrics
      interval: 15s
    - targetPort: 4317
`;
const podMonitor = `apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: otel, namespace: obs}
spec:
  selector: {matchLabels: {app: otel}}
  podMetricsEndpoints:
    - portNumber: 8889
`;

describe('operator scrape jobs', () => {
  it('a config per Prometheus and manifest file, each line landing on the monitor it comes from', () => {
    const k = manifests({ '/r/prometheus.yaml': prometheus, '/r/sm.yaml': serviceMonitor, '/r/pm.yaml': podMonitor });
    const configs = operatorScrapeConfigs(k);
    expect(configs.map((c) => [c.file, c.jobs.map((j) => j.name)])).toEqual([
      ['/r/prometheus.yaml', []],
      ['/r/sm.yaml', ['serviceMonitor/obs/otel/0', 'serviceMonitor/obs/otel/1']],
      ['/r/pm.yaml', ['podMonitor/obs/otel/0']],
    ]);
    const sm = configs[1];
    expect(sm.config.jobs[0].interval.text).toBe('15s');
    // The job's interval is the monitor's `interval: 15s` (line 8, its value at column 17).
    expect(sm.config.jobs[0].interval.from?.location('value').range?.start).toEqual({ line: 8, column: 17 });
    // The global interval is the Prometheus's, in another file: it lands on the monitor hosting the config.
    expect(sm.config.jobs[1].interval.text).toBe('45s');
    expect(sm.config.jobs[1].interval.from?.location('value').range?.start).toEqual({ line: 1, column: 1 });
    expect(sm.source.readOnly).toBe(true);
    expect(configs[0].source.path).toBe('/r/prometheus.yaml#Prometheus/monitoring/k8s/scrape_configs');
  });

  it('resolves targets through Services and pods to container ports', () => {
    const k = manifests({ '/r/c.yaml': collector, '/r/sm.yaml': serviceMonitor, '/r/pm.yaml': podMonitor });
    const [p] = operatorPrometheuses(k);
    expect(p.object).toBeUndefined();
    const { jobs } = generateJobs(k, p);
    const ports = jobs.map((j) => {
      const r = jobTargets(k, j);
      return [j.name, r.complete, r.targets.map((t) => `${t.container.name}:${t.port}`)];
    });
    expect(ports).toEqual([
      ['serviceMonitor/obs/otel/0', true, ['otel:8889']],
      ['serviceMonitor/obs/otel/1', true, ['otel:4317']],
      ['podMonitor/obs/otel/0', true, ['otel:8889']],
    ]);
  });

  it('a monitor selecting nothing here is not complete; a port name no selected Service has is noSuchPort', () => {
    const k = manifests({ '/r/c.yaml': collector, '/r/sm.yaml': serviceMonitor.replace('port: metrics', 'port: prometheus') });
    const [p] = operatorPrometheuses(k);
    const [first] = generateJobs(k, p).jobs;
    expect(jobTargets(k, first)).toMatchObject({ targets: [], complete: true, noSuchPort: true });
    const elsewhere = manifests({ '/r/sm.yaml': serviceMonitor });
    expect(jobTargets(elsewhere, generateJobs(elsewhere, p).jobs[0])).toMatchObject({ complete: false });
  });

  it('a monitor in a namespace not described here, which a namespace label selector asks about, is uncertain', () => {
    const labelled = prometheus.replace('serviceMonitorNamespaceSelector: {}', 'serviceMonitorNamespaceSelector: {matchLabels: {monitoring: enabled}}');
    const unknown = manifests({ '/r/p.yaml': labelled, '/r/sm.yaml': serviceMonitor });
    const [p] = operatorPrometheuses(unknown);
    expect(generateJobs(unknown, p)).toMatchObject({ jobs: [], uncertain: [{ object: { name: 'otel' } }] });
    const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: obs}\n';
    const described = manifests({ '/r/p.yaml': labelled, '/r/sm.yaml': serviceMonitor, '/r/ns.yaml': namespace });
    expect(generateJobs(described, operatorPrometheuses(described)[0])).toMatchObject({ jobs: [], uncertain: [] });
  });

  it('label selectors as Kubernetes evaluates them', () => {
    const labels = { app: 'otel', tier: 'a' };
    const expr = (operator: string, values: string[] = []) => ({ matchLabels: {}, matchExpressions: [{ key: 'tier', operator, values }] });
    expect(selectorMatches(expr('In', ['a', 'b']), labels)).toBe(true);
    expect(selectorMatches(expr('NotIn', ['a']), labels)).toBe(false);
    expect(selectorMatches(expr('Exists'), labels)).toBe(true);
    expect(selectorMatches(expr('DoesNotExist'), labels)).toBe(false);
    expect(selectorMatches({ matchLabels: { app: 'other' }, matchExpressions: [] }, labels)).toBe(false);
  });
});
