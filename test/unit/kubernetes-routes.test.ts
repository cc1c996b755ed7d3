// Claude Code's endpoint followed through Kubernetes objects (src/model/kubernetes-routes.ts) and the rules that read
// the route: each hop and each way it breaks, the severities where the route itself is assumed, gRPC through an
// Ingress, the sidecar label of dashboard ConfigMaps, datasource UIDs across ConfigMaps, and replicas.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../src/api.js';

const root = mkdtempSync(join(tmpdir(), 'cod-k8s-routes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

type Found = {
  ruleId: string;
  kind?: string;
  severity: string;
  message: string;
  detail?: string;
  file?: string;
  range?: { start: { line: number } };
  fix?: { edits: { text: string }[] };
};

/** Every finding on a repo with these files. */
function run(files: Record<string, string>): Found[] {
  const dir = join(root, String(n++));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return check({ paths: [dir] }).findings as Found[];
}
const of = (found: Found[], rule: string) => found.filter((f) => f.ruleId === rule);

const settings = (endpoint: string, protocol = 'grpc', extra = '') =>
  JSON.stringify(
    {
      env: {
        CLAUDE_CODE_ENABLE_TELEMETRY: '1',
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_LOGS_EXPORTER: 'none',
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        ...(extra ? { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: extra } : {}),
      },
    },
    null,
    2,
  );

/** A collector config in a ConfigMap, a Deployment running it, and a Service in front, in namespace telemetry. */
function collector(o: { grpc?: string; http?: string; prom?: string; replicas?: number; service?: string; processors?: string; image?: string } = {}) {
  const receivers = [
    o.grpc !== undefined ? `          grpc:${o.grpc ? `\n            endpoint: ${o.grpc}` : ''}` : '',
    o.http !== undefined ? `          http:${o.http ? `\n            endpoint: ${o.http}` : ''}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return `apiVersion: v1
kind: ConfigMap
metadata: {name: otel-collector, namespace: telemetry}
data:
  config.yaml: |
    receivers:
      otlp:
        protocols:
${receivers}
${o.processors ? `    processors:\n      ${o.processors}: {}\n` : ''}    exporters:
      ${o.prom ? `prometheus:\n        endpoint: ${o.prom}` : 'debug: {}'}
    service:
      pipelines:
        metrics:
          receivers: [otlp]
${o.processors ? `          processors: [${o.processors}]\n` : ''}          exporters: [${o.prom ? 'prometheus' : 'debug'}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: otel-collector, namespace: telemetry}
spec:
${o.replicas !== undefined ? `  replicas: ${o.replicas}\n` : ''}  selector:
    matchLabels: {app: otel-collector}
  template:
    metadata:
      labels: {app: otel-collector}
    spec:
      containers:
        - name: otel-collector
          image: ${o.image ?? 'otel/opentelemetry-collector-contrib:0.115.1'}
          args: ["--config=/conf/config.yaml"]
          ports:
            - {name: otlp-grpc, containerPort: 4317}
            - {name: otlp-http, containerPort: 4318}
            - {name: prom-exporter, containerPort: 8889}
          volumeMounts:
            - {name: conf, mountPath: /conf}
      volumes:
        - {name: conf, configMap: {name: otel-collector}}
---
${
  o.service ??
  `apiVersion: v1
kind: Service
metadata: {name: otel-collector, namespace: telemetry}
spec:
  selector: {app: otel-collector}
  ports:
    - {name: otlp-grpc, port: 4317, targetPort: otlp-grpc}
    - {name: otlp-http, port: 4318, targetPort: otlp-http}
    - {name: prom-exporter, port: 8889, targetPort: prom-exporter}
`
}`;
}

const ingress = (o: {
  className?: string;
  annotations?: string;
  path?: string;
  pathType?: string;
  port?: string;
  host?: string;
  backend?: string;
}) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: otel
  namespace: telemetry
${o.annotations ? `  annotations:\n${o.annotations}\n` : ''}spec:
${o.className ? `  ingressClassName: ${o.className}\n` : ''}  rules:
    - host: ${o.host ?? 'otel.example.com'}
      http:
        paths:
          - path: ${o.path ?? '/'}
            pathType: ${o.pathType ?? 'Prefix'}
            backend:
              service:
                name: ${o.backend ?? 'otel-collector'}
                port: ${o.port ?? '{name: otlp-grpc}'}
`;

const ALL = { grpc: '0.0.0.0:4317', http: '0.0.0.0:4318' };

describe('the route to the receiver', () => {
  it.each(['otel-collector.telemetry', 'otel-collector.telemetry.svc', 'otel-collector.telemetry.svc.cluster.local'])(
    '%s:4317 reaches the gRPC receiver',
    (host) => {
      const found = run({ 'claude-settings.json': settings(`http://${host}:4317`), 'k8s/collector.yaml': collector(ALL) });
      expect(of(found, 'kubernetes/otlp-route-broken')).toEqual([]);
      expect(of(found, 'collector/protocol-not-enabled')).toEqual([]);
    },
  );

  it('gRPC to the Service port of the HTTP receiver: protocol-not-enabled, an error, naming the Service', () => {
    const found = of(
      run({ 'claude-settings.json': settings('http://otel-collector.telemetry:4318'), 'k8s/collector.yaml': collector(ALL) }),
      'collector/protocol-not-enabled',
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'error', kind: 'wrongProtocol' });
    expect(found[0].detail).toContain('Service "otel-collector", which forwards it to port 4318 of container "otel-collector" (Deployment "otel-collector")');
  });

  it('a Service port whose container port has no receiver: protocol-not-enabled (noListener)', () => {
    const found = of(
      run({ 'claude-settings.json': settings('http://otel-collector.telemetry:4317'), 'k8s/collector.yaml': collector({ http: '0.0.0.0:4318' }) }),
      'collector/protocol-not-enabled',
    );
    expect(found.map((f) => [f.severity, f.kind])).toEqual([['error', 'protocolMissing']]);
    // The fix listens on the pod's interfaces: localhost would be unreachable behind the Service.
    expect(found[0].fix?.edits.map((e) => e.text).join('')).toContain('endpoint: 0.0.0.0:4317');
  });

  it('a bare Service name is a warning that names the namespace assumed', () => {
    const found = of(
      run({ 'claude-settings.json': settings('http://otel-collector:4318'), 'k8s/collector.yaml': collector(ALL) }),
      'collector/protocol-not-enabled',
    );
    expect(found.map((f) => f.severity)).toEqual(['warning']);
    expect(found[0].detail).toContain('assuming Claude Code runs in namespace telemetry');
  });

  it('a Service without the port: an error naming its ports', () => {
    const found = of(
      run({ 'claude-settings.json': settings('http://otel-collector.telemetry:4319'), 'k8s/collector.yaml': collector(ALL) }),
      'kubernetes/otlp-route-broken',
    );
    expect(found.map((f) => [f.severity, f.kind])).toEqual([['error', 'noServicePort']]);
    expect(found[0].detail).toContain('4317 (otlp-grpc), 4318 (otlp-http), 8889 (prom-exporter)');
  });

  it('a kustomize patch of the Service: applied as kustomize builds it (the port it adds is there; one it does not add is an error)', () => {
    const kustomization = (extra = '') =>
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [collector.yaml]\npatches:\n  - path: service-patch.yaml\n${extra}`;
    const files = (port: number, extra?: string) => ({
      'claude-settings.json': settings('http://otel-collector.telemetry:4319'),
      'k8s/collector.yaml': collector(ALL),
      'k8s/kustomization.yaml': kustomization(extra),
      'k8s/service-patch.yaml': `apiVersion: v1\nkind: Service\nmetadata: {name: otel-collector, namespace: telemetry}\nspec:\n  ports:\n    - {name: extra, port: ${port}, targetPort: otlp-grpc}\n`,
    });
    expect(of(run(files(4319)), 'kubernetes/otlp-route-broken')).toEqual([]);
    const broken = of(run(files(4320)), 'kubernetes/otlp-route-broken');
    expect(broken.map((f) => [f.severity, f.kind])).toEqual([['error', 'noServicePort']]);
    // The Service's ports as built: the finding points at `ports:` in the base file that wrote them.
    expect(broken[0].file).toMatch(/k8s\/collector\.yaml$/);
    expect(collector(ALL).split('\n')[broken[0].range!.start.line - 1]).toMatch(/^\s*ports:/);
    expect(broken[0].detail).toContain('4320 (extra)');
    // A build the doctor does not model (a Helm chart): the patch is not applied, and the finding says so.
    const unmodelled = of(run(files(4319, 'helmCharts: [{name: extra, repo: https://charts.example.com}]\n')), 'kubernetes/otlp-route-broken');
    expect(unmodelled.map((f) => [f.severity, f.kind])).toEqual([['warning', 'noServicePort']]);
    expect(unmodelled[0].detail).toContain('unless the kustomize patch of this Service in service-patch.yaml adds it');
    expect(unmodelled[0].detail).toContain('the doctor does not model its build: kustomization.yaml uses `helmCharts`');
  });

  it('a Service selecting no pod here: a warning', () => {
    const service =
      'apiVersion: v1\nkind: Service\nmetadata: {name: otel-collector, namespace: telemetry}\nspec:\n  selector: {app: collector}\n  ports:\n    - {port: 4317}\n';
    const found = of(
      run({ 'claude-settings.json': settings('http://otel-collector.telemetry:4317'), 'k8s/collector.yaml': collector({ ...ALL, service }) }),
      'kubernetes/otlp-route-broken',
    );
    expect(found.map((f) => [f.severity, f.kind])).toEqual([['warning', 'noPods']]);
  });

  it('a receiver on 127.0.0.1 behind the Service: an error; left to the v0.104.0+ default: an error at a known version', () => {
    const explicit = of(
      run({ 'claude-settings.json': settings('http://otel-collector.telemetry:4317'), 'k8s/c.yaml': collector({ grpc: '127.0.0.1:4317' }) }),
      'kubernetes/otlp-route-broken',
    );
    expect(explicit.map((f) => [f.severity, f.kind])).toEqual([['error', 'loopback']]);
    const implicit = of(
      run({ 'claude-settings.json': settings('http://otel-collector.telemetry:4317'), 'k8s/c.yaml': collector({ grpc: '' }) }),
      'kubernetes/otlp-route-broken',
    );
    expect(implicit.map((f) => [f.severity, f.kind])).toEqual([['error', 'loopback']]);
    expect(implicit[0].detail).toContain('from v0.104.0 the receiver listens on localhost; collector 0.115.1');
    const old = of(
      run({
        'claude-settings.json': settings('http://otel-collector.telemetry:4317'),
        'k8s/c.yaml': collector({ grpc: '', image: 'otel/opentelemetry-collector-contrib:0.98.0' }),
      }),
      'kubernetes/otlp-route-broken',
    );
    expect(old).toEqual([]);
  });

  it('${env:MY_POD_IP} and 0.0.0.0 are reachable', () => {
    const found = run({ 'claude-settings.json': settings('http://otel-collector.telemetry:4317'), 'k8s/c.yaml': collector({ grpc: '${env:MY_POD_IP}:4317' }) });
    expect(of(found, 'kubernetes/otlp-route-broken')).toEqual([]);
    expect(of(found, 'collector/protocol-not-enabled')).toEqual([]);
  });

  it('a NodePort: the route is assumed, so a broken hop is a warning', () => {
    const service =
      'apiVersion: v1\nkind: Service\nmetadata: {name: otel-external, namespace: telemetry}\nspec:\n  type: NodePort\n  selector: {app: otel-collector}\n  ports:\n    - {port: 4317, targetPort: 4317, nodePort: 30317}\n';
    const found = of(
      run({ 'claude-settings.json': settings('http://localhost:30317'), 'k8s/c.yaml': collector({ grpc: 'localhost:4317', service }) }),
      'kubernetes/otlp-route-broken',
    );
    expect(found.map((f) => [f.severity, f.kind])).toEqual([['warning', 'loopback']]);
    expect(found[0].detail).toContain('assuming localhost:30317 reaches node port 30317');
  });

  it("a LoadBalancer Service by external-dns's hostname or its address: an error without the port, no assumption", () => {
    const service = (meta: string, spec = '') =>
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: otel-lb\n  namespace: telemetry\n${meta}spec:\n  type: LoadBalancer\n${spec}  selector: {app: otel-collector}\n  ports:\n    - {name: otlp-grpc, port: 4317, targetPort: otlp-grpc}\n`;
    const byName = service('  annotations:\n    external-dns.alpha.kubernetes.io/hostname: otel.example.com,otlp.example.com\n');
    expect(
      of(
        run({ 'claude-settings.json': settings('http://otlp.example.com:4317'), 'k8s/c.yaml': collector({ ...ALL, service: byName }) }),
        'kubernetes/otlp-route-broken',
      ),
    ).toEqual([]);
    const wrongPort = of(
      run({ 'claude-settings.json': settings('http://otel.example.com:4318', 'http/protobuf'), 'k8s/c.yaml': collector({ ...ALL, service: byName }) }),
      'kubernetes/otlp-route-broken',
    );
    expect(wrongPort.map((f) => [f.severity, f.kind])).toEqual([['error', 'noServicePort']]);
    const byIp = of(
      run({
        'claude-settings.json': settings('http://203.0.113.7:4317'),
        'k8s/c.yaml': collector({ grpc: '127.0.0.1:4317', service: service('', '  loadBalancerIP: 203.0.113.7\n') }),
      }),
      'kubernetes/otlp-route-broken',
    );
    expect(byIp.map((f) => [f.severity, f.kind])).toEqual([['error', 'loopback']]);
  });

  it('a Gateway API route: a GRPCRoute for gRPC, its backend port on the Service', () => {
    const routes = (grpcPort: number) => `apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: otel-grpc, namespace: telemetry}
spec:
  hostnames: [otel.example.com]
  rules:
    - backendRefs: [{name: otel-collector, port: ${grpcPort}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: otel-http, namespace: telemetry}
spec:
  hostnames: [otel.example.com]
  rules:
    - backendRefs: [{name: otel-collector, port: 4318}]
`;
    const ok = run({ 'claude-settings.json': settings('https://otel.example.com'), 'k8s/c.yaml': collector(ALL), 'k8s/r.yaml': routes(4317) });
    expect(of(ok, 'kubernetes/otlp-route-broken')).toEqual([]);
    expect(of(ok, 'collector/protocol-not-enabled')).toEqual([]);
    const http = run({
      'claude-settings.json': settings('https://otel.example.com', 'http/protobuf'),
      'k8s/c.yaml': collector({ grpc: '0.0.0.0:4317', http: '0.0.0.0:4319' }),
      'k8s/r.yaml': routes(4317),
    });
    expect(of(http, 'collector/protocol-not-enabled').map((f) => f.detail)).toEqual([
      expect.stringContaining('HTTPRoute "otel-http" passes it to Service "otel-collector"'),
    ]);
    const noPort = of(
      run({ 'claude-settings.json': settings('https://otel.example.com'), 'k8s/c.yaml': collector(ALL), 'k8s/r.yaml': routes(4319) }),
      'kubernetes/otlp-route-broken',
    );
    expect(noPort.map((f) => [f.severity, f.kind, f.message])).toEqual([['error', 'noServicePort', expect.stringContaining('has no port 4319')]]);
  });

  it('an Ingress: the longest matching path, a number or a name for the backend port', () => {
    const paths = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: otel, namespace: telemetry}
spec:
  ingressClassName: nginx
  rules:
    - host: otel.example.com
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: otel-collector, port: {number: 4317}}}}
          - {path: /v1, pathType: Prefix, backend: {service: {name: otel-collector, port: {name: otlp-http}}}}
`;
    const found = run({ 'claude-settings.json': settings('https://otel.example.com', 'http/protobuf'), 'k8s/c.yaml': collector(ALL), 'k8s/i.yaml': paths });
    expect(of(found, 'kubernetes/otlp-route-broken')).toEqual([]);
    expect(of(found, 'collector/protocol-not-enabled')).toEqual([]);
    // /v1x is no path element of /v1: it takes / (gRPC port), where HTTP fails.
    const wrong = run({ 'claude-settings.json': settings('https://otel.example.com/v1x', 'http/protobuf'), 'k8s/c.yaml': collector(ALL), 'k8s/i.yaml': paths });
    expect(of(wrong, 'collector/protocol-not-enabled').map((f) => f.kind)).toEqual(['wrongProtocol']);
  });

  it('an Ingress host with no path for the request, and a backend Service the manifests lack: warnings', () => {
    const noPath = of(
      run({
        'claude-settings.json': settings('https://otel.example.com', 'http/protobuf'),
        'k8s/c.yaml': collector(ALL),
        'k8s/i.yaml': ingress({ path: /* exact */ '/v1/traces', pathType: 'Exact', port: '{number: 4318}' }),
      }),
      'kubernetes/otlp-route-broken',
    );
    expect(noPath.map((f) => [f.severity, f.kind])).toEqual([['warning', 'noIngressPath']]);
    const noService = of(
      run({
        'claude-settings.json': settings('https://otel.example.com'),
        'k8s/c.yaml': collector(ALL),
        'k8s/i.yaml': ingress({ backend: 'otel', className: 'nginx', annotations: '    nginx.ingress.kubernetes.io/backend-protocol: GRPC' }),
      }),
      'kubernetes/otlp-route-broken',
    );
    expect(noService.map((f) => [f.severity, f.kind])).toEqual([['warning', 'noService']]);
  });

  it('a wildcard Ingress host matches one label', () => {
    const files = (host: string) => ({
      'claude-settings.json': settings(`https://${host}`, 'http/protobuf'),
      'k8s/c.yaml': collector(ALL),
      'k8s/i.yaml': ingress({ host: '"*.example.com"', port: '{number: 4317}' }),
    });
    expect(of(run(files('otel.example.com')), 'collector/protocol-not-enabled').map((f) => f.kind)).toEqual(['wrongProtocol']);
    expect(of(run(files('a.otel.example.com')), 'collector/protocol-not-enabled')).toEqual([]);
  });

  it('a remote host the manifests do not name: nothing', () => {
    const found = run({ 'claude-settings.json': settings('https://otel.elsewhere.example:4317'), 'k8s/c.yaml': collector({ http: '0.0.0.0:4318' }) });
    expect(of(found, 'kubernetes/otlp-route-broken')).toEqual([]);
    expect(of(found, 'collector/protocol-not-enabled')).toEqual([]);
  });
});

describe("the Operator's OpenTelemetryCollector", () => {
  const operator = (grpc: string, extra = '') => `apiVersion: opentelemetry.io/v1beta1
kind: OpenTelemetryCollector
metadata: {name: otel, namespace: telemetry}
spec:
  mode: deployment
${extra}  config:
    receivers:
      otlp:
        protocols:
          grpc: {endpoint: "${grpc}"}
          http: {endpoint: "0.0.0.0:4318"}
    exporters:
      prometheus: {endpoint: "0.0.0.0:8889"}
    service:
      pipelines:
        metrics: {receivers: [otlp], exporters: [prometheus]}
`;
  it("<name>-collector reaches spec.config: a receiver on loopback is an error naming the Operator's Service", () => {
    expect(
      of(
        run({ 'claude-settings.json': settings('http://otel-collector.telemetry:4317'), 'k8s/otel.yaml': operator('0.0.0.0:4317') }),
        'kubernetes/otlp-route-broken',
      ),
    ).toEqual([]);
    const found = of(
      run({ 'claude-settings.json': settings('http://otel-collector.telemetry:4317'), 'k8s/otel.yaml': operator('127.0.0.1:4317') }),
      'kubernetes/otlp-route-broken',
    );
    expect(found.map((f) => [f.severity, f.kind])).toEqual([['error', 'loopback']]);
    expect(found[0].detail).toContain(`Service "otel-collector" (the Operator's, for OpenTelemetryCollector "otel")`);
  });
  it("gRPC to its HTTP port: protocol-not-enabled through the Operator's Service", () => {
    const found = of(
      run({ 'claude-settings.json': settings('http://otel-collector.telemetry:4318'), 'k8s/otel.yaml': operator('0.0.0.0:4317') }),
      'collector/protocol-not-enabled',
    );
    expect(found.map((f) => f.detail)).toEqual([
      expect.stringContaining('the Operator\'s, for OpenTelemetryCollector "otel") forwards it to port 4318 of the collector pods'),
    ]);
  });
  it('its autoscaler counts the replicas', () => {
    const found = run({
      'claude-settings.json': settings('http://otel-collector.telemetry:4318', 'http/protobuf'),
      'k8s/otel.yaml': operator('0.0.0.0:4317', '  autoscaler: {minReplicas: 2, maxReplicas: 5}\n'),
    });
    expect(of(found, 'collector/replicas-delta-gaps').map((f) => f.detail)).toEqual([
      expect.stringContaining('OpenTelemetryCollector "otel" (spec.autoscaler.maxReplicas: 5 in otel.yaml)'),
    ]);
  });
});

describe('kubernetes/grpc-ingress-without-http2', () => {
  const rule = 'kubernetes/grpc-ingress-without-http2';
  const GRPC = '    nginx.ingress.kubernetes.io/backend-protocol: GRPC';
  it('ingress-nginx without backend-protocol GRPC', () => {
    expect(
      of(
        run({ 'claude-settings.json': settings('https://otel.example.com'), 'k8s/c.yaml': collector(ALL), 'k8s/i.yaml': ingress({ className: 'nginx' }) }),
        rule,
      ).map((f) => f.kind),
    ).toEqual(['nginxBackendHttp1']);
  });
  it('ingress-nginx with GRPC (or GRPCS) over https: nothing; over plain http: a warning', () => {
    expect(
      of(
        run({
          'claude-settings.json': settings('https://otel.example.com'),
          'k8s/c.yaml': collector(ALL),
          'k8s/i.yaml': ingress({ className: 'nginx', annotations: GRPC }),
        }),
        rule,
      ),
    ).toEqual([]);
    expect(
      of(
        run({
          'claude-settings.json': settings('https://otel.example.com'),
          'k8s/c.yaml': collector(ALL),
          'k8s/i.yaml': ingress({ className: 'nginx', annotations: GRPC.replace('GRPC', 'GRPCS') }),
        }),
        rule,
      ),
    ).toEqual([]);
    expect(
      of(
        run({
          'claude-settings.json': settings('http://otel.example.com'),
          'k8s/c.yaml': collector(ALL),
          'k8s/i.yaml': ingress({ className: 'nginx', annotations: GRPC }),
        }),
        rule,
      ).map((f) => f.kind),
    ).toEqual(['plainHttpNginx']);
  });
  it("F5's NGINX controller (class nginx too) with nginx.org/grpc-services naming the Service: nothing", () => {
    const annotations = '    nginx.org/grpc-services: "other, otel-collector"';
    expect(
      of(
        run({
          'claude-settings.json': settings('https://otel.example.com'),
          'k8s/c.yaml': collector(ALL),
          'k8s/i.yaml': ingress({ className: 'nginx', annotations }),
        }),
        rule,
      ),
    ).toEqual([]);
  });
  it('another controller: the Service port needs appProtocol kubernetes.io/h2c (or grpc)', () => {
    const service = (app: string) =>
      `apiVersion: v1\nkind: Service\nmetadata: {name: otel-collector, namespace: telemetry}\nspec:\n  selector: {app: otel-collector}\n  ports:\n    - {name: otlp-grpc, port: 4317, targetPort: otlp-grpc${app}}\n`;
    const files = (app: string) => ({
      'claude-settings.json': settings('https://otel.example.com'),
      'k8s/c.yaml': collector({ ...ALL, service: service(app) }),
      'k8s/i.yaml': ingress({ className: 'contour' }),
    });
    const found = of(run(files('')), rule);
    expect(found.map((f) => [f.severity, f.kind])).toEqual([['warning', 'noH2c']]);
    expect(found[0].detail).toContain('assuming ingress class contour');
    expect(of(run(files(', appProtocol: kubernetes.io/h2c')), rule)).toEqual([]);
    expect(of(run(files(', appProtocol: grpc')), rule)).toEqual([]);
  });
  it('OTLP/HTTP through the Ingress, or gRPC to a backend port that serves HTTP: not this rule', () => {
    expect(
      of(
        run({
          'claude-settings.json': settings('https://otel.example.com', 'http/protobuf'),
          'k8s/c.yaml': collector(ALL),
          'k8s/i.yaml': ingress({ className: 'nginx', port: '{number: 4318}' }),
        }),
        rule,
      ),
    ).toEqual([]);
    expect(
      of(
        run({
          'claude-settings.json': settings('https://otel.example.com'),
          'k8s/c.yaml': collector(ALL),
          'k8s/i.yaml': ingress({ className: 'nginx', port: '{number: 4318}' }),
        }),
        rule,
      ),
    ).toEqual([]);
  });
});

describe('Grafana ConfigMaps', () => {
  const datasources =
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ds\n  labels: {grafana_datasource: "1"}\ndata:\n  ds.yaml: |\n    apiVersion: 1\n    datasources:\n      - {name: Prometheus, uid: prom, type: prometheus, url: "http://prometheus:9090"}\n';
  const dashboard = (name: string, labels: string, uid = 'prom') =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${labels}data:\n  ${name}.json: |\n    {"uid": "${name}", "title": "${name}", "panels": [{"title": "Up", "type": "stat", "datasource": {"type": "prometheus", "uid": "${uid}"}, "targets": [{"expr": "up"}]}]}\n`;
  const rule = 'kubernetes/dashboard-without-sidecar-label';

  it('a dashboard ConfigMap without the label, others with it: a warning whose fix adds the label beside the others', () => {
    const found = of(
      run({
        'k8s/g.yaml': [datasources, dashboard('a', '  labels: {grafana_dashboard: "1"}\n'), dashboard('b', '  labels:\n    app: grafana\n')].join('---\n'),
      }),
      rule,
    );
    expect(found.map((f) => f.severity)).toEqual(['warning']);
    expect(found[0].fix?.edits.map((e) => e.text).join('')).toContain('grafana_dashboard: "1"');
  });
  it("the sidecar's own LABEL counts; no labelled ConfigMap at all: nothing", () => {
    const sidecar =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: grafana}\nspec:\n  template:\n    spec:\n      containers:\n        - name: sidecar\n          image: quay.io/kiwigrid/k8s-sidecar:1.28.0\n          env:\n            - {name: LABEL, value: dashboards}\n';
    expect(of(run({ 'k8s/g.yaml': [sidecar, dashboard('a', '  labels: {dashboards: "x"}\n'), dashboard('b', '')].join('---\n') }), rule)).toHaveLength(1);
    expect(of(run({ 'k8s/g.yaml': [dashboard('a', ''), dashboard('b', '')].join('---\n') }), rule)).toEqual([]);
  });
  it('a dashboard ConfigMap naming a datasource UID no datasource ConfigMap provides: dashboard/datasource-not-found', () => {
    const found = of(
      run({ 'k8s/g.yaml': [datasources, dashboard('a', '  labels: {grafana_dashboard: "1"}\n', 'prometheus-main')].join('---\n') }),
      'dashboard/datasource-not-found',
    );
    expect(found).toHaveLength(1);
    expect(found[0].message).toContain('"prometheus-main"');
  });
});

describe('replicas', () => {
  const prom = (target: string) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: prometheus, namespace: telemetry}\ndata:\n  prometheus.yml: |\n    scrape_configs:\n      - job_name: otel\n        static_configs:\n          - targets: ["${target}"]\n`;
  const replicated = (o: Parameters<typeof collector>[0] = {}) => collector({ http: '0.0.0.0:4318', prom: '0.0.0.0:8889', ...o });

  it('spec.replicas above 1 behind a Service: delta gaps, and a static target through the Service', () => {
    const found = run({
      'claude-settings.json': settings('http://otel-collector.telemetry:4318', 'http/protobuf'),
      'k8s/c.yaml': replicated({ replicas: 3 }),
      'k8s/p.yaml': prom('otel-collector.telemetry.svc:8889'),
    });
    expect(of(found, 'collector/replicas-delta-gaps').map((f) => f.detail)).toEqual([
      expect.stringContaining('Deployment "otel-collector" (spec.replicas: 3 in c.yaml)'),
    ]);
    expect(of(found, 'prometheus/replicas-behind-one-target').map((f) => f.kind)).toEqual(['kubeService']);
  });
  it('an HPA owns the count: its maxReplicas', () => {
    const hpa =
      'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: otel, namespace: telemetry}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: otel-collector}\n  maxReplicas: 4\n';
    const found = run({
      'claude-settings.json': settings('http://otel-collector.telemetry:4318', 'http/protobuf', 'cumulative'),
      'k8s/c.yaml': replicated(),
      'k8s/h.yaml': hpa,
    });
    expect(of(found, 'settings/cumulative-into-replicas').map((f) => f.message)).toEqual([expect.stringContaining('into 4 collector replicas')]);
  });
  it('one replica, deltatocumulative, or a port that is not the exporter: nothing', () => {
    const s = settings('http://otel-collector.telemetry:4318', 'http/protobuf');
    for (const files of [
      { 'claude-settings.json': s, 'k8s/c.yaml': replicated({ replicas: 1 }), 'k8s/p.yaml': prom('otel-collector.telemetry:8889') },
      {
        'claude-settings.json': s,
        'k8s/c.yaml': replicated({ replicas: 3, processors: 'deltatocumulative' }),
        'k8s/p.yaml': prom('otel-collector.telemetry:4318'),
      },
    ]) {
      const found = run(files);
      expect(of(found, 'collector/replicas-delta-gaps')).toEqual([]);
      expect(of(found, 'prometheus/replicas-behind-one-target')).toEqual([]);
    }
  });
});
