// The Prometheus Operator's own scrape-config generation (test/oracles/operator-scrape, scripts/provision-operator.mjs):
// the prometheus.yml the operator writes for ServiceMonitors and PodMonitors. What it generates is held to the real
// promtool / Prometheus 3 loader and must pass the doctor's Prometheus rules without an error; the ServiceMonitor
// that `init --kubernetes` has the collector chart render must give a job that scrapes the exporter's port.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml, stringify } from 'yaml';
import { packageRoot } from '../../src/util/paths.js';
import { newMachine } from '../bootstrap/machine.js';
import { describeFindings, doctorFindings, oracleDescribe, prom3Verdict } from './differential-support.js';
import { renderChart } from './helm-support.js';
import { type OperatorJob, operatorGenerate } from './operator-scrape-support.js';
import { helmBinary, operatorScrapeBinary, PROVISION_HELM, PROVISION_OPERATOR, prom3CheckBinary, promtoolBinary, versions } from './paths.js';

const testdata = join(packageRoot, 'test/oracles/operator-scrape/testdata');

/** kube-prometheus-stack's Prometheus with its default values: monitors labelled `release: <release>`, any namespace. */
const kubePrometheusStack = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'Prometheus',
  metadata: { name: 'kube-prometheus-stack-prometheus', namespace: 'monitoring' },
  spec: {
    ...spec,
    serviceMonitorSelector: { matchLabels: { release: 'kube-prometheus-stack' } },
    serviceMonitorNamespaceSelector: {},
    podMonitorSelector: { matchLabels: { release: 'kube-prometheus-stack' } },
    podMonitorNamespaceSelector: {},
  },
});

const serviceMonitor = (name: string, labels: Record<string, string>, endpoint: Record<string, unknown>) => ({
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'ServiceMonitor',
  metadata: { name, namespace: 'observability', labels },
  spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'opentelemetry-collector' } }, endpoints: [endpoint] },
});

const collectorMonitor = serviceMonitor(
  'otel-collector',
  { release: 'kube-prometheus-stack' },
  { port: 'prom-exporter', interval: '15s', path: '/metrics', honorLabels: true },
);

const podMonitor = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PodMonitor',
  metadata: { name: 'otel-agent', namespace: 'observability', labels: { release: 'kube-prometheus-stack' } },
  spec: {
    selector: { matchLabels: { 'app.kubernetes.io/name': 'otel-agent' } },
    podMetricsEndpoints: [{ port: 'metrics', interval: '30s', path: '/agent-metrics', honorLabels: true }],
  },
};

/** The `keep` relabelling on `label` (the port-name filter the operator adds). */
const keepOn = (job: OperatorJob, label: string) => job.relabel_configs.find((r) => r.action === 'keep' && r.source_labels?.includes(label));

oracleDescribe(`operator-scrape (Prometheus Operator ${versions.prometheusOperatorGo})`, operatorScrapeBinary(), PROVISION_OPERATOR, (bin) => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cod-operator-scrape-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let n = 0;
  /** Runs the generator over the objects; the prometheus.yml text, its jobs, and what it said on stderr. */
  const generate = (objects: object[]) => {
    const input = join(dir, `input-${n++}.yaml`);
    writeFileSync(input, objects.map((o) => stringify(o)).join('---\n'));
    return operatorGenerate(bin, input);
  };
  const job = (jobs: OperatorJob[], name: string) => {
    const found = jobs.find((j) => j.job_name === name);
    expect(found, `job ${name} among ${jobs.map((j) => j.job_name).join(', ')}`).toBeDefined();
    return found as OperatorJob;
  };

  it('reports the operator it links', () => {
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    expect(r.stdout.trim()).toMatch(new RegExp(`^operator-scrape github.com/prometheus-operator/prometheus-operator ${versions.prometheusOperatorGo}, `));
  });

  it('a ServiceMonitor on a named port: an endpoints job keeping that port name, with its honor_labels, interval and path', () => {
    const { jobs } = generate([kubePrometheusStack(), collectorMonitor]);
    const sm = job(jobs, 'serviceMonitor/observability/otel-collector/0');
    expect(sm.kubernetes_sd_configs).toEqual([{ role: 'endpoints', namespaces: { names: ['observability'] } }]);
    expect(keepOn(sm, '__meta_kubernetes_endpoint_port_name')?.regex).toBe('prom-exporter');
    expect(keepOn(sm, '__meta_kubernetes_service_label_app_kubernetes_io_name')?.regex).toBe('(opentelemetry-collector);true');
    expect([sm.honor_labels, sm.scrape_interval, sm.metrics_path]).toEqual([true, '15s', '/metrics']);
  });

  it('with serviceDiscoveryRole EndpointSlice: an endpointslice job keeping the port name', () => {
    const { jobs } = generate([kubePrometheusStack({ serviceDiscoveryRole: 'EndpointSlice' }), collectorMonitor]);
    const sm = job(jobs, 'serviceMonitor/observability/otel-collector/0');
    expect(sm.kubernetes_sd_configs).toEqual([{ role: 'endpointslice', namespaces: { names: ['observability'] } }]);
    expect(keepOn(sm, '__meta_kubernetes_endpointslice_port_name')?.regex).toBe('prom-exporter');
  });

  it('a PodMonitor on a named port: a pod job keeping that container port name, with its honor_labels, interval and path', () => {
    const { jobs } = generate([kubePrometheusStack(), podMonitor]);
    const pm = job(jobs, 'podMonitor/observability/otel-agent/0');
    expect(pm.kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names: ['observability'] } }]);
    expect(keepOn(pm, '__meta_kubernetes_pod_container_port_name')?.regex).toBe('metrics');
    expect([pm.honor_labels, pm.scrape_interval, pm.metrics_path]).toEqual([true, '30s', '/agent-metrics']);
  });

  it("selects by the Prometheus's label and namespace selectors; rejects an invalid monitor with its reason", () => {
    const unlabelled = serviceMonitor('unlabelled', { team: 'a' }, { port: 'prom-exporter' });
    const slowTimeout = serviceMonitor('timeout', { release: 'kube-prometheus-stack' }, { port: 'prom-exporter', interval: '10s', scrapeTimeout: '20s' });
    const { jobs, stderr } = generate([kubePrometheusStack(), collectorMonitor, unlabelled, slowTimeout]);
    expect(jobs.map((j) => j.job_name)).toEqual(['serviceMonitor/observability/otel-collector/0']);
    expect(stderr).toMatch(/skipping object.*scrapeTimeout.*greater than scrapeInterval.*observability\/timeout/);
    // Without a namespace selector the Prometheus sees only its own namespace.
    const ownNamespace = kubePrometheusStack();
    delete (ownNamespace.spec as { serviceMonitorNamespaceSelector?: object }).serviceMonitorNamespaceSelector;
    expect(generate([ownNamespace, collectorMonitor]).jobs).toEqual([]);
    // No Prometheus given: the default one (see main.go) selects every monitor in every namespace.
    expect(generate([collectorMonitor, unlabelled]).jobs.map((j) => j.job_name)).toEqual([
      'serviceMonitor/observability/otel-collector/0',
      'serviceMonitor/observability/unlabelled/0',
    ]);
  });

  // The generated configuration, for Prometheus 2.x (promtool's version) and the operator's default 3.x.
  const generated = (version?: string) => {
    const file = join(dir, `prometheus-${version ?? 'default'}-${n++}.yml`);
    writeFileSync(file, generate([kubePrometheusStack(version ? { version } : {}), collectorMonitor, podMonitor]).text);
    return file;
  };
  const promtool = promtoolBinary();
  const promtoolVersion = promtool && /version (\d+\.\d+\.\d+)/.exec(spawnSync(promtool, ['--version'], { encoding: 'utf8' }).stdout)?.[1];

  it('what it generates passes the real Prometheus 3 config loader', () => {
    const prom3 = prom3CheckBinary();
    expect(prom3, 'prom3-check (node scripts/provision-prometheus.mjs)').toBeDefined();
    expect(prom3Verdict(prom3 as string, generated())).toEqual({ refused: false, error: '' });
    expect(prom3Verdict(prom3 as string, generated('v3.5.0'))).toEqual({ refused: false, error: '' });
  });

  // Debian's promtool 2.42 is built without kubernetes_sd (differential-prometheus.test.ts holds that claim), so
  // it cannot accept any operator output; its strict decoding must find nothing else unknown or mistyped.
  it("what it generates for Prometheus 2.x: Debian's promtool refuses only the kubernetes_sd_configs it lacks", () => {
    expect(promtool && promtoolVersion, 'promtool (node scripts/provision-prometheus.mjs)').toBeTruthy();
    const r = spawnSync(promtool as string, ['check', 'config', generated(`v${promtoolVersion}`)], { encoding: 'utf8', timeout: 30_000 });
    const complaints = `${r.stdout}${r.stderr}`
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^line \d+:/.test(l));
    expect(complaints.length).toBeGreaterThan(0);
    expect(complaints.filter((l) => !/^line \d+: field kubernetes_sd_configs not found in type config\.ScrapeConfig$/.test(l))).toEqual([]);
  });

  // testdata/wide.yaml: the OTLP receiver's settings, scrape classes, shards, limits, remote write and monitors with
  // TLS, basic auth, OAuth2, bearer authorization, a proxy and relabelings, credentials from Secrets.
  it('a wide Prometheus and monitors: what it generates loads in Prometheus 3 and the doctor finds no error, showing no secret', () => {
    const { text, jobs, stderr } = generate(parseAllDocuments(readFileSync(join(testdata, 'wide.yaml'), 'utf8')).map((d) => d.toJS()));
    expect(stderr).toBe('');
    expect(jobs.map((j) => j.job_name)).toEqual([
      'serviceMonitor/observability/otel-collector/0',
      'serviceMonitor/observability/otel-collector/1',
      'serviceMonitor/observability/otel-collector/2',
      'podMonitor/observability/agent/0',
    ]);
    const config = parseYaml(text) as { otlp: object; remote_write: { basic_auth: object }[] };
    expect(config.otlp).toEqual({
      promote_resource_attributes: ['service.name', 'service.version', 'host.name'],
      translation_strategy: 'NoUTF8EscapingWithSuffixes',
      keep_identifying_resource_attributes: true,
    });
    expect(config.remote_write[0].basic_auth).toEqual({ username: 'writer', password: 'remote-write-password' });
    const file = join(dir, 'wide.yml');
    writeFileSync(file, text);
    const prom3 = prom3CheckBinary();
    expect(prom3, 'prom3-check (node scripts/provision-prometheus.mjs)').toBeDefined();
    expect(prom3Verdict(prom3 as string, file)).toEqual({ refused: false, error: '' });
    for (const extra of [[], ['--prometheus-version', '3.5.0']]) {
      const { findings } = doctorFindings(file, 'prometheus.yml', extra);
      const errors = findings.filter((f) => f.severity === 'error');
      expect(errors, describeFindings(errors)).toEqual([]);
      expect(JSON.stringify(findings)).not.toMatch(/remote-write-password|scrape-password|scrape-token|oauth-secret/);
    }
  });

  it("the doctor's Prometheus rules find no error in what the operator generates", () => {
    for (const file of [generated(), generated(`v${promtoolVersion ?? '2.42.0'}`)]) {
      const errors = doctorFindings(file, 'prometheus.yml', []).findings.filter((f) => f.severity === 'error');
      expect(errors, describeFindings(errors)).toEqual([]);
    }
  });
});

// init --kubernetes: the ServiceMonitor the collector chart renders from its values gives a job that scrapes the
// exporter's port with the collector's own labels kept.
oracleDescribe(
  'operator-scrape on the ServiceMonitor of init --kubernetes',
  helmBinary() && operatorScrapeBinary(),
  helmBinary() ? PROVISION_OPERATOR : PROVISION_HELM,
  (bin) => {
    it('the job keeps the prom-exporter port with honor_labels', async () => {
      const m = newMachine();
      try {
        const out = join(m.root, 'team');
        const r = await m.cli(['init', '--kubernetes', '--endpoint', 'https://otel.example.com', '--out', out]);
        expect(r.exitCode, r.stderr).toBe(0);
        const objects = renderChart([join(out, 'kubernetes/collector-values.yaml')]);
        const monitors = objects.filter((o) => o.kind === 'ServiceMonitor');
        expect(monitors).toHaveLength(1);
        const input = join(m.root, 'rendered.yaml');
        writeFileSync(input, [kubePrometheusStack(), ...objects].map((o) => stringify(o)).join('---\n'));
        const { jobs } = operatorGenerate(bin, input);
        expect(jobs).toHaveLength(1);
        const [sm] = jobs;
        expect(sm.job_name).toMatch(new RegExp(`^serviceMonitor/[^/]+/${monitors[0].metadata.name}/0$`));
        expect(keepOn(sm, '__meta_kubernetes_endpoint_port_name')?.regex).toBe('prom-exporter');
        expect(sm.honor_labels).toBe(true);
      } finally {
        m.cleanup();
      }
    }, 120_000);
  },
);
