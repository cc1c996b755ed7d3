// The Kubernetes oracles (test/oracles/k8s-check, scripts/provision-k8s.mjs): what the real Go types refuse
// when decoding strictly as the API server does, and what `kustomize build` makes of a base and an overlay.
// These verdicts are what the doctor's manifests model is held to.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { packageRoot } from '../../src/util/paths.js';
import { oracleDescribe } from './differential-support.js';
import { CHART_DIR, renderChart } from './helm-support.js';
import { helmBinary, k8sCheckBinary, PROVISION_HELM, PROVISION_K8S, versions } from './paths.js';

const testdata = join(packageRoot, 'test/oracles/k8s-check/testdata');

interface Decoded {
  file: string;
  index: number;
  item?: number;
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  errors: string[];
}

oracleDescribe(`k8s-check (k8s.io/api ${versions.k8sApiGo})`, k8sCheckBinary(), PROVISION_K8S, (bin) => {
  const run = (...args: string[]) => {
    const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`k8s-check ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return r.stdout;
  };
  const decode = (name: string): Decoded[] => JSON.parse(run('decode', join(testdata, name)));
  /** [kind/name (item), errors] per object: the verdict without the file path. */
  const verdicts = (name: string) => decode(name).map((d) => [`${d.index}${d.item === undefined ? '' : `.${d.item}`} ${d.kind}/${d.name}`, d.errors]);

  it('reports the modules it links', () => {
    expect(run('--version').trim()).toMatch(new RegExp(`^k8s-check k8s.io/api ${versions.k8sApiGo}, sigs.k8s.io/gateway-api v1\\.6\\.`));
  });

  it('a misspelt field and a wrong-case field are unknown fields', () => {
    expect(decode('typo.yaml')).toEqual([
      {
        file: join(testdata, 'typo.yaml'),
        index: 0,
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'otel-collector',
        namespace: 'observability',
        errors: ['unknown field "spec.replica"', 'unknown field "spec.template.spec.containers[0].ports[0].containerport"'],
      },
    ]);
  });

  it('a string where an int32 belongs is a decoding error', () => {
    const [service] = decode('wrong-type.yaml');
    expect(service?.kind).toBe('Service');
    expect(service?.errors).toHaveLength(1);
    expect(service?.errors[0]).toMatch(/cannot unmarshal string into Go struct field ServicePort\.spec\.ports\.port of type int32/);
  });

  it('decodes each item of a List', () => {
    expect(verdicts('list.yaml')).toEqual([
      ['0 List/', []],
      ['0.0 ConfigMap/otel-collector-conf', []],
      ['0.1 Service/otel-collector', ['unknown field "spec.ports[0].appProtocl"']],
    ]);
  });

  it('decodes every document of a stream, skipping empty ones', () => {
    expect(verdicts('multi-doc.yaml')).toEqual([
      ['0 ConfigMap/otel-collector-conf', []],
      ['2 Deployment/otel-collector', []],
      ['3 Service/otel-collector', []],
    ]);
  });

  it('knows Gateway API routes and the Prometheus Operator kinds, not the OpenTelemetry Operator', () => {
    expect(verdicts('crds.yaml')).toEqual([
      ['0 HTTPRoute/otlp-http', []],
      ['1 GRPCRoute/otlp-grpc', []],
      ['2 ServiceMonitor/otel-collector', []],
      ['3 PodMonitor/otel-collector', []],
      ['4 Prometheus/team', []],
      // github.com/open-telemetry/opentelemetry-operator is not served by the Go module proxy.
      ['5 OpenTelemetryCollector/otel', ['unknown kind']],
    ]);
  });

  it('refuses a mistake in each custom kind', () => {
    const found = decode('crds-mistakes.yaml').map((d) => [d.kind, d.errors.map((e) => e.replace(/^json: /, ''))]);
    expect(found).toEqual([
      ['HTTPRoute', [expect.stringMatching(/cannot unmarshal string into Go struct field .*port of type .*int32/)]],
      ['GRPCRoute', ['unknown field "spec.rules[0].backendRef"']],
      ['ServiceMonitor', ['unknown field "spec.endpoints[0].targetport"']],
      ['PodMonitor', [expect.stringMatching(/cannot unmarshal number into Go struct field .*interval of type v1\.Duration/)]],
      ['Prometheus', ['unknown field "spec.serviceMonitorNamespaceSelectors"']],
    ]);
  });

  it('builds a kustomize overlay as `kustomize build` does', () => {
    const objects = parseAllDocuments(run('kustomize', join(testdata, 'kustomize/overlays/team'))).map((d) => d.toJS());
    expect(objects).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { labels: { 'app.kubernetes.io/part-of': 'telemetry' }, name: 'team-otel-collector', namespace: 'observability' },
        spec: {
          ports: [
            { name: 'otlp-grpc', port: 443, targetPort: 'otlp-grpc' },
            { name: 'otlp-http', port: 4318, targetPort: 'otlp-http' },
          ],
          selector: { app: 'otel-collector', 'app.kubernetes.io/part-of': 'telemetry' },
        },
      },
    ]);
  });
});

// Every object the collector chart renders from its own ci values is what a cluster accepts: k8s-check must
// decode all of them without a finding (no false unknown field), the real renderer holding the oracle honest.
oracleDescribe('k8s-check on the objects helm renders', helmBinary() && k8sCheckBinary(), helmBinary() ? PROVISION_K8S : PROVISION_HELM, (bin) => {
  it('decodes every object of every ci values rendering strictly', () => {
    const ciDir = join(CHART_DIR, 'ci');
    const dir = mkdtempSync(join(tmpdir(), 'cod-k8s-rendered-'));
    try {
      const render = (name: string, values: string, sets?: Record<string, string>) => {
        const file = join(dir, name);
        writeFileSync(
          file,
          renderChart([join(ciDir, values)], sets)
            .map((o) => stringify(o))
            .join('---\n'),
        );
        return file;
      };
      const files = readdirSync(ciDir)
        .filter((n) => n.endsWith('-values.yaml'))
        .map((n) => render(n, n));
      // No ci file switches on the Prometheus Operator objects or the route: one rendering that does.
      const monitors = { 'serviceMonitor.enabled': 'true', 'podMonitor.enabled': 'true', 'httproute.enabled': 'true', 'ports.metrics.enabled': 'true' };
      files.push(render('monitors.yaml', 'deployment-values.yaml', monitors));
      const decoded: Decoded[] = JSON.parse(spawnSync(bin, ['decode', ...files], { encoding: 'utf8', timeout: 60_000 }).stdout);
      expect([...new Set(decoded.map((d) => d.kind))].sort()).toEqual([
        'ClusterRole',
        'ClusterRoleBinding',
        'ConfigMap',
        'DaemonSet',
        'Deployment',
        'HTTPRoute',
        'HorizontalPodAutoscaler',
        'Ingress',
        'NetworkPolicy',
        'PodMonitor',
        'Service',
        'ServiceAccount',
        'ServiceMonitor',
        'StatefulSet',
      ]);
      expect(decoded.filter((d) => d.errors.length > 0).map((d) => `${d.file}: ${d.kind}/${d.name} ${d.errors.join('; ')}`)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
