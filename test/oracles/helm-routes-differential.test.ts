// Differential test: the doctor's verdict on Claude Code's route into the OpenTelemetry Collector chart, computed from
// the values file (the chart reading's objects, src/model/helm/chart-objects.ts) against the verdict computed from what
// the real `helm template` renders from it, read as plain manifests. Same findings of the route rules (rule, message
// kind, headline), same severities, except where the reading assumes the release's name or namespace (the values
// file names neither; the rendering does): there the reading's error is a warning that says so. And the chart's
// ServiceMonitor against the chart's Service (kubernetes/monitor-selects-nothing). Cases written here (each a pass or a
// fail, so none is vacuous), and every ci/*-values.yaml the chart ships with Claude Code's gRPC at the release's Service.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../helpers/cli.js';
import { oracleDescribe } from './differential-support.js';
import { CHART_DIR, HelmError, RELEASE, renderChart } from './helm-support.js';
import { helmBinary, PROVISION_HELM } from './paths.js';

/** The rules whose verdict depends on the route and the objects behind it. */
const ROUTE_RULES = new Set([
  'kubernetes/otlp-route-broken',
  'kubernetes/grpc-ingress-without-http2',
  'collector/protocol-not-enabled',
  'settings/protocol-port-mismatch',
  'collector/replicas-delta-gaps',
  'settings/cumulative-into-replicas',
  'kubernetes/monitor-selects-nothing',
  'collector/otlp-path-not-served',
  'settings/traces-not-sent',
]);

const SERVICE = `${RELEASE.name}-opentelemetry-collector`;
const PIPELINES = `config:
  exporters:
    debug: {}
    prometheus:
      endpoint: \${env:MY_POD_IP}:8889
  service:
    pipelines:
      logs:
        receivers: [otlp]
        exporters: [debug]
      metrics:
        receivers: [otlp, prometheus]
        exporters: [prometheus]
`;
const BASE = `mode: deployment\nimage:\n  repository: otel/opentelemetry-collector-contrib\n`;

interface Case {
  name: string;
  values: string;
  endpoint: string;
  protocol?: 'grpc' | 'http/protobuf';
  temporality?: 'cumulative';
  /** The reading assumes the release (no fullnameOverride) or its namespace (no namespaceOverride): errors become warnings. */
  assumed: boolean;
  /** No route rule fires (the rendering's verdict is empty): the others' verdict must not be, so no case is vacuous. */
  pass?: true;
}

const CASES: Case[] = [
  {
    name: 'ServiceMonitor without the metrics port',
    values: `${BASE}serviceMonitor:\n  enabled: true\n${PIPELINES}`,
    endpoint: `http://${SERVICE}.${RELEASE.namespace}:4317`,
    assumed: true,
  },
  {
    name: 'DaemonSet PodMonitor without the metrics port',
    values: `mode: daemonset\nimage:\n  repository: otel/opentelemetry-collector-contrib\npodMonitor:\n  enabled: true\n${PIPELINES}`,
    endpoint: `http://${SERVICE}.${RELEASE.namespace}:4317`,
    assumed: true,
  },
  {
    name: 'DaemonSet PodMonitor with the metrics port',
    values: `mode: daemonset\nimage:\n  repository: otel/opentelemetry-collector-contrib\nports:\n  metrics:\n    enabled: true\npodMonitor:\n  enabled: true\n${PIPELINES}`,
    endpoint: `http://${SERVICE}.${RELEASE.namespace}:4317`,
    assumed: true,
    pass: true,
  },
  {
    name: 'ServiceMonitor with the metrics port',
    values: `${BASE}ports:\n  metrics:\n    enabled: true\nserviceMonitor:\n  enabled: true\n${PIPELINES}`,
    endpoint: `http://${SERVICE}.${RELEASE.namespace}:4317`,
    assumed: true,
    pass: true,
  },
  { name: 'default ports, gRPC by Service name', values: BASE + PIPELINES, endpoint: `http://${SERVICE}.${RELEASE.namespace}:4317`, assumed: true, pass: true },
  {
    name: 'default ports, OTLP/HTTP by full DNS name',
    values: BASE + PIPELINES,
    endpoint: `http://${SERVICE}.${RELEASE.namespace}.svc.cluster.local:4318`,
    protocol: 'http/protobuf',
    assumed: true,
    pass: true,
  },
  {
    name: 'otlp port switched off',
    values: `${BASE}ports:\n  otlp:\n    enabled: false\n${PIPELINES}`,
    endpoint: `http://${SERVICE}.${RELEASE.namespace}:4317`,
    assumed: true,
  },
  {
    name: 'otlp-http port switched off',
    values: `${BASE}ports:\n  otlp-http:\n    enabled: false\n${PIPELINES}`,
    endpoint: `http://${SERVICE}.${RELEASE.namespace}:4318`,
    protocol: 'http/protobuf',
    assumed: true,
  },
  {
    name: 'service port moved, names overridden',
    values: `fullnameOverride: otel\nnamespaceOverride: observability\n${BASE}ports:\n  otlp:\n    servicePort: 14317\n${PIPELINES}`,
    endpoint: 'http://otel.observability:4317',
    assumed: false,
  },
  {
    name: 'service port moved, Claude Code follows it',
    values: `fullnameOverride: otel\nnamespaceOverride: observability\n${BASE}ports:\n  otlp:\n    servicePort: 14317\n${PIPELINES}`,
    endpoint: 'http://otel.observability.svc:14317',
    assumed: false,
    pass: true,
  },
  {
    name: 'receiver on loopback through a config override',
    values: `fullnameOverride: otel\nnamespaceOverride: observability\n${BASE}config:\n  receivers:\n    otlp:\n      protocols:\n        grpc:\n          endpoint: 127.0.0.1:4317\n${PIPELINES.slice('config:\n'.length)}`,
    endpoint: 'http://otel.observability:4317',
    assumed: false,
  },
  {
    name: 'gRPC to the OTLP/HTTP port',
    values: BASE + PIPELINES,
    endpoint: `http://${SERVICE}.${RELEASE.namespace}:4318`,
    assumed: true,
  },
  {
    name: 'NodePort',
    values: `${BASE}service:\n  type: NodePort\nports:\n  otlp:\n    nodePort: 30317\n${PIPELINES}`,
    endpoint: 'http://localhost:30317',
    assumed: false,
    pass: true,
  },
  {
    name: 'ingress host, OTLP/HTTP path routed',
    values: `${BASE}ingress:\n  enabled: true\n  hosts:\n    - host: otel.example.com\n      paths:\n        - path: /\n          pathType: Prefix\n          port: 4318\n${PIPELINES}`,
    endpoint: 'https://otel.example.com',
    protocol: 'http/protobuf',
    assumed: false,
    pass: true,
  },
  {
    name: 'ingress host without the path',
    values: `${BASE}ingress:\n  enabled: true\n  hosts:\n    - host: otel.example.com\n      paths:\n        - path: /api\n          pathType: Prefix\n          port: 4318\n${PIPELINES}`,
    endpoint: 'https://otel.example.com',
    protocol: 'http/protobuf',
    assumed: false,
  },
  {
    name: 'gRPC through an nginx ingress without backend-protocol',
    values: `${BASE}ingress:\n  enabled: true\n  ingressClassName: nginx\n  hosts:\n    - host: otel.example.com\n      paths:\n        - path: /\n          pathType: Prefix\n          port: 4317\n${PIPELINES}`,
    endpoint: 'https://otel.example.com',
    assumed: false,
  },
  {
    name: 'gRPC through an ingress, the appProtocol grpc the chart sets removed',
    values: `${BASE}ingress:\n  enabled: true\n  ingressClassName: traefik\n  hosts:\n    - host: otel.example.com\n      paths:\n        - path: /\n          pathType: Prefix\n          port: 4317\nports:\n  otlp:\n    appProtocol: null\n${PIPELINES}`,
    endpoint: 'https://otel.example.com',
    assumed: false,
  },
  {
    name: 'gRPC through an ingress, port with appProtocol h2c',
    values: `${BASE}ingress:\n  enabled: true\n  ingressClassName: traefik\n  hosts:\n    - host: otel.example.com\n      paths:\n        - path: /\n          pathType: Prefix\n          port: 4317\nports:\n  otlp:\n    appProtocol: kubernetes.io/h2c\n${PIPELINES}`,
    endpoint: 'https://otel.example.com',
    assumed: false,
    pass: true,
  },
  { name: 'replicaCount 3, delta', values: `${BASE}replicaCount: 3\n${PIPELINES}`, endpoint: `http://${SERVICE}.${RELEASE.namespace}:4317`, assumed: true },
  {
    name: 'replicaCount 3, cumulative',
    values: `${BASE}replicaCount: 3\n${PIPELINES}`,
    endpoint: `http://${SERVICE}.${RELEASE.namespace}:4317`,
    temporality: 'cumulative',
    assumed: true,
  },
  {
    name: 'StatefulSet autoscaling to 4, delta',
    values: `fullnameOverride: otel\nmode: statefulset\nimage:\n  repository: otel/opentelemetry-collector-contrib\nautoscaling:\n  enabled: true\n  maxReplicas: 4\n${PIPELINES}`,
    endpoint: `http://otel.${RELEASE.namespace}:4317`,
    assumed: true,
  },
  {
    name: 'autoscaling at the chart default maximum',
    values: `${BASE}autoscaling:\n  enabled: true\n${PIPELINES}`,
    endpoint: `http://${SERVICE}.${RELEASE.namespace}:4317`,
    assumed: true,
  },
  {
    name: 'DaemonSet with a Service, replicaCount ignored',
    values: `mode: daemonset\nimage:\n  repository: otel/opentelemetry-collector-contrib\nservice:\n  enabled: true\nreplicaCount: 3\n${PIPELINES}`,
    endpoint: `http://${SERVICE}.${RELEASE.namespace}:4317`,
    assumed: true,
    pass: true,
  },
];

/** Every values file the chart ships for its CI, with Claude Code's gRPC at the release's Service: whatever they open. */
const CI_CASES: Case[] = readdirSync(join(CHART_DIR, 'ci'))
  .filter((n) => n.endsWith('-values.yaml'))
  .sort()
  .map((n) => ({
    name: `ci/${n}`,
    values: readFileSync(join(CHART_DIR, 'ci', n), 'utf8'),
    endpoint: `http://${SERVICE}.${RELEASE.namespace}:4317`,
    assumed: true,
  }));

const scratch = mkdtempSync(join(tmpdir(), 'cod-helm-routes-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function settings(c: Case): string {
  const env: Record<string, string> = {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: c.protocol ?? 'grpc',
    OTEL_EXPORTER_OTLP_ENDPOINT: c.endpoint,
  };
  if (c.temporality) env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE = c.temporality;
  return JSON.stringify({ env }, null, 2);
}

/** The route rules' findings for a folder: rule, kind, severity and headline (the release placeholder as the rendering names it). */
function verdict(dir: string): string[] {
  const r = runCli(['check', '--format', 'json', '--no-shell-env', '--claude-version', '2.1.197', dir]);
  const report = JSON.parse(r.stdout) as { findings: { ruleId: string; kind?: string; severity: string; message: string }[] };
  return report.findings
    .filter((f) => ROUTE_RULES.has(f.ruleId))
    .map((f) => `${f.ruleId} ${f.kind ?? ''} ${f.severity}: ${f.message.replaceAll('<release>', RELEASE.name)}`)
    .sort();
}

oracleDescribe('helm routes differential (real helm template)', helmBinary(), PROVISION_HELM, () => {
  it.each([...CASES, ...CI_CASES].map((c, i) => [c.name, c, i] as const))('%s', (_name, c, i) => {
    const valuesDir = mkdtempSync(join(scratch, `${i}-v-`));
    const renderedDir = mkdtempSync(join(scratch, `${i}-r-`));
    writeFileSync(join(valuesDir, 'values.yaml'), c.values);
    writeFileSync(join(valuesDir, 'managed-settings.json'), settings(c));
    let objects: ReturnType<typeof renderChart>;
    try {
      objects = renderChart([join(valuesDir, 'values.yaml')]);
    } catch (e) {
      // Values helm refuses render nothing: the reading's objects are none either.
      if (!(e instanceof HelmError)) throw e;
      objects = [];
    }
    writeFileSync(join(renderedDir, 'collector.yaml'), objects.map((o) => stringify(o)).join('---\n'));
    writeFileSync(join(renderedDir, 'managed-settings.json'), settings(c));
    const rendered = verdict(renderedDir);
    const expected = c.assumed ? rendered.map((v) => v.replace(/ error: /, ' warning: ')) : rendered;
    if (c.pass !== undefined || !c.name.startsWith('ci/'))
      expect(rendered.length === 0, `the rendering's verdict: ${rendered.join('; ') || 'none'}`).toBe(c.pass === true);
    expect(verdict(valuesDir)).toEqual(expected);
  });
});
