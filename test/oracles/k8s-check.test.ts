// The Kubernetes oracles (test/oracles/k8s-check, scripts/provision-k8s.mjs): what the real Go types refuse
// when decoding strictly as the API server does, and what `kustomize build` makes of a base and an overlay.
// These verdicts are what the doctor's manifests model is held to.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { packageRoot } from '../../src/util/paths.js';
import { oracleDescribe } from './differential-support.js';
import { k8sCheckBinary, PROVISION_K8S, versions } from './paths.js';

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
