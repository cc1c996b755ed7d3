// The Kubernetes model: which files are manifests, every object kind it reads, and configs inside manifests mapped
// back to the manifest (positions and edits) for each block style.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifySource } from '../../src/discover/classify.js';
import { EmbeddedSource, SourceFile } from '../../src/load/source.js';
import { parseYamlDocuments } from '../../src/load/yaml.js';
import { collectorContainers, mountedKey } from '../../src/model/kubernetes.js';
import { buildStack, type Stack, type StackFile } from '../../src/model/stack.js';

const stackOf = (files: Record<string, string>): Stack =>
  buildStack(
    Object.entries(files).flatMap(([path, text]): StackFile[] => {
      const source = new SourceFile(`/repo/${path}`, text);
      const c = classifySource(source);
      return c ? [{ ...c, source }] : [];
    }),
  );

const kindOf = (path: string, text: string) => classifySource(new SourceFile(path, text))?.kind;

describe('which files are Kubernetes manifests', () => {
  it('a document with a string apiVersion and kind, in any document of a stream', () => {
    expect(kindOf('/r/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n')).toBe('kubernetes');
    expect(kindOf('/r/all.yaml', '# comment\n---\nfoo: 1\n---\napiVersion: v1\nkind: Service\n')).toBe('kubernetes');
    expect(kindOf('/r/list.yaml', 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Service\n')).toBe('kubernetes');
  });

  it('not Grafana provisioning (apiVersion: 1, no kind), and a plain collector config stays one', () => {
    expect(kindOf('/r/datasources.yaml', 'apiVersion: 1\ndatasources: []\n')).toBe('grafana-datasources');
    expect(kindOf('/r/otel.yaml', 'receivers: {}\n')).toBe('collector');
    // A stream of collector configs is read as before (its first document), not as manifests.
    expect(kindOf('/r/otel.yaml', 'receivers: {}\n---\nreceivers: {}\n')).toBe('collector');
  });

  it('kustomization.yaml and kind Kustomization', () => {
    expect(kindOf('/r/kustomization.yaml', 'resources: [a.yaml]\n')).toBe('kustomization');
    expect(kindOf('/r/k.yml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n')).toBe('kustomization');
  });

  it("a Helm chart's templates are Go templates, not read; a templates folder without a chart is", () => {
    const dir = mkdtempSync(join(tmpdir(), 'cod-k8s-chart-'));
    try {
      mkdirSync(join(dir, 'chart', 'templates', 'sub'), { recursive: true });
      writeFileSync(join(dir, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: x\nversion: 0.1.0\n');
      const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n';
      expect(kindOf(join(dir, 'chart', 'templates', 'cm.yaml'), text)).toBeUndefined();
      expect(kindOf(join(dir, 'chart', 'templates', 'sub', 'cm.yaml'), text)).toBeUndefined();
      expect(kindOf(join(dir, 'templates', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\n')).toBe('kubernetes');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('multi-document YAML', () => {
  it('keeps every document with file offsets, and checks duplicate keys in each', () => {
    const text = 'a: 1\n---\nb: 2\nb: 3\n';
    const docs = parseYamlDocuments(new SourceFile('/r/x.yaml', text));
    expect(docs.map((d) => d.toJS())).toEqual([{ a: 1 }, { b: 3 }]);
    expect(docs[1].errors.map((e) => [e.code, e.pos[0]])).toEqual([['DUPLICATE_KEY', text.indexOf('b: 3')]]);
    expect(parseYamlDocuments(new SourceFile('/r/x.yaml', '# only a comment\n'))).toEqual([]);
  });
});

const WORKLOAD = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: otel-collector
  namespace: telemetry
  labels: {app: otel}
  annotations: {team: platform}
spec:
  replicas: 3
  template:
    metadata:
      labels: {app: otel, tier: collector}
    spec:
      initContainers:
        - name: wait
          image: busybox
      containers:
        - name: otel
          image: otel/opentelemetry-collector-contrib:0.115.1
          args: ["--config=/conf/a.yaml", "--config", "file:/conf/b.yaml", "--config=env:EXTRA", "--feature-gates=x"]
          ports:
            - {name: otlp-grpc, containerPort: 4317}
            - {containerPort: 4318, protocol: UDP}
          env:
            - {name: PLAIN, value: "1"}
            - name: TOKEN
              valueFrom: {secretKeyRef: {name: auth, key: token}}
            - name: LEVEL
              valueFrom: {configMapKeyRef: {name: settings, key: level, optional: true}}
            - name: POD_IP
              valueFrom: {fieldRef: {fieldPath: status.podIP}}
          envFrom:
            - secretRef: {name: more}
              prefix: X_
          volumeMounts:
            - {name: conf, mountPath: /conf}
            - {name: single, mountPath: /etc/one.yaml, subPath: one}
            - {name: data, mountPath: /data}
      volumes:
        - name: conf
          configMap:
            name: otel-conf
            items:
              - {key: config, path: a.yaml}
              - {key: extra, path: b.yaml}
        - name: single
          secret: {secretName: certs}
        - name: data
          emptyDir: {}
`;

describe('the object model', () => {
  it('objects: name, namespace (default when unset), labels, annotations; a List expands to its items', () => {
    const s = stackOf({
      'a.yaml': WORKLOAD,
      'list.yaml': 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: in-list}\n',
    });
    const objects = s.kubernetes.objects.map((o) => [o.kind, o.name, o.namespace, o.namespaced]);
    expect(objects).toEqual([
      ['Deployment', 'otel-collector', 'telemetry', true],
      ['ConfigMap', 'in-list', 'default', false],
    ]);
    expect(s.kubernetes.objects[0].labels).toEqual({ app: 'otel' });
    expect(s.kubernetes.objects[0].annotations).toEqual({ team: 'platform' });
    expect(s.kubernetes.objects[1].value.location().range?.start).toEqual({ line: 4, column: 5 });
  });

  it('workloads: replicas, pod labels, containers with configs, ports, env, envFrom and mounts resolved to volumes', () => {
    const w = stackOf({ 'a.yaml': WORKLOAD }).kubernetes.workloads[0];
    expect(w.replicas).toBe(3);
    expect(w.podLabels).toEqual({ app: 'otel', tier: 'collector' });
    expect(w.containers.map((c) => [c.name, c.init])).toEqual([
      ['wait', true],
      ['otel', false],
    ]);
    const c = w.containers[1];
    expect([c.repository, c.tag]).toEqual(['otel/opentelemetry-collector-contrib', '0.115.1']);
    expect(c.configs.map((a) => [a.uri, a.path])).toEqual([
      ['/conf/a.yaml', '/conf/a.yaml'],
      ['file:/conf/b.yaml', '/conf/b.yaml'],
      ['env:EXTRA', undefined],
    ]);
    expect(c.ports.map((p) => [p.name, p.containerPort, p.protocol])).toEqual([
      ['otlp-grpc', 4317, 'TCP'],
      [undefined, 4318, 'UDP'],
    ]);
    expect(c.env.map((e) => [e.name, e.source])).toEqual([
      ['PLAIN', { from: 'value', value: '1' }],
      ['TOKEN', { from: 'secret', name: 'auth', key: 'token', optional: false }],
      ['LEVEL', { from: 'configMap', name: 'settings', key: 'level', optional: true }],
      ['POD_IP', { from: 'field', ref: 'status.podIP' }],
    ]);
    expect(c.envFrom.map((e) => [e.from, e.name, e.prefix])).toEqual([['secret', 'more', 'X_']]);
    expect(c.volumeMounts.map((m) => [m.mountPath, m.subPath, m.source?.type])).toEqual([
      ['/conf', undefined, 'configMap'],
      ['/etc/one.yaml', 'one', 'secret'],
      ['/data', undefined, 'other'],
    ]);
    expect(mountedKey(c, '/conf/b.yaml')).toMatchObject({ type: 'configMap', name: 'otel-conf', key: 'extra' });
    expect(mountedKey(c, '/conf/c.yaml')).toBeUndefined(); // items list only a.yaml and b.yaml
    expect(mountedKey(c, '/etc/one.yaml')).toMatchObject({ type: 'secret', name: 'certs', key: 'one' });
    expect(mountedKey(c, '/data/x')).toBeUndefined();
    expect(collectorContainers(stackOf({ 'a.yaml': WORKLOAD }).kubernetes).map((x) => x.container.name)).toEqual(['otel']);
  });

  it('DaemonSet, StatefulSet, CronJob and Pod are workloads too', () => {
    const pod = (kind: string, spec: string) => `apiVersion: apps/v1\nkind: ${kind}\nmetadata: {name: x, labels: {a: b}}\nspec:\n${spec}`;
    const containers = 'containers: [{name: c, image: otel/opentelemetry-collector:0.100.0}]';
    const s = stackOf({
      'a.yaml': [
        pod('DaemonSet', `  template:\n    spec:\n      ${containers}\n`),
        pod('StatefulSet', `  replicas: 2\n  template:\n    spec:\n      ${containers}\n`),
        pod('CronJob', `  jobTemplate:\n    spec:\n      template:\n        spec:\n          ${containers}\n`),
        pod('Pod', `  ${containers}\n`),
      ].join('---\n'),
    });
    expect(s.kubernetes.workloads.map((w) => [w.object.kind, w.replicas, w.containers.length])).toEqual([
      ['DaemonSet', undefined, 1],
      ['StatefulSet', 2, 1],
      ['CronJob', undefined, 1],
      ['Pod', undefined, 1],
    ]);
    expect(s.kubernetes.workloads[3].podLabels).toEqual({ a: 'b' });
  });

  it('Services, Ingresses, routes, monitors, autoscalers', () => {
    const s = stackOf({
      'net.yaml': `apiVersion: v1
kind: Service
metadata: {name: otel}
spec:
  clusterIP: None
  selector: {app: otel}
  ports:
    - {name: grpc, port: 4317, targetPort: otlp-grpc, appProtocol: grpc}
    - {port: 8889, targetPort: 8889}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: otel
  annotations: {nginx.ingress.kubernetes.io/backend-protocol: GRPC}
spec:
  ingressClassName: nginx
  rules:
    - host: otel.example.com
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: otel, port: {name: grpc}}}}
          - {path: /v1, pathType: Prefix, backend: {service: {name: otel, port: {number: 4318}}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: otel, namespace: gw}
spec:
  hostnames: [otel.example.com]
  rules:
    - backendRefs: [{name: otel, port: 4317}]
---
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: otel}
spec:
  selector: {matchLabels: {app: otel}}
  namespaceSelector: {any: true}
  podMetricsEndpoints: [{port: metrics, interval: 15s}]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: otel, namespace: mon}
spec:
  selector:
    matchLabels: {app: otel}
    matchExpressions: [{key: tier, operator: Exists}]
  endpoints: [{targetPort: 8889, path: /metrics, scheme: http}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: otel}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: otel-collector}
  maxReplicas: 5
`,
    });
    const k = s.kubernetes;
    expect(k.services[0]).toMatchObject({ type: 'ClusterIP', headless: true, selector: { app: 'otel' } });
    expect(k.services[0].ports.map((p) => [p.name, p.port, p.targetPort, p.protocol, p.appProtocol])).toEqual([
      ['grpc', 4317, 'otlp-grpc', 'TCP', 'grpc'],
      [undefined, 8889, 8889, 'TCP', undefined],
    ]);
    expect(k.ingresses[0]).toMatchObject({ className: 'nginx', backendProtocol: 'GRPC' });
    expect(k.ingresses[0].paths.map((p) => [p.host, p.path, p.service, p.port])).toEqual([
      ['otel.example.com', '/', 'otel', 'grpc'],
      ['otel.example.com', '/v1', 'otel', 4318],
    ]);
    expect(k.routes[0]).toMatchObject({ hostnames: ['otel.example.com'] });
    expect(k.routes[0].backendRefs.map((b) => [b.kind, b.name, b.namespace, b.port])).toEqual([['Service', 'otel', 'gw', 4317]]);
    expect(k.monitors.map((m) => [m.object.kind, m.matchLabels, m.matchExpressions, m.namespaces])).toEqual([
      ['PodMonitor', { app: 'otel' }, false, 'any'],
      ['ServiceMonitor', { app: 'otel' }, true, ['mon']],
    ]);
    expect(k.monitors[0].endpoints.map((e) => [e.port, e.path, e.interval])).toEqual([['metrics', '/metrics', '15s']]);
    expect(k.monitors[1].endpoints.map((e) => [e.targetPort, e.scheme])).toEqual([[8889, 'http']]);
    expect(k.autoscalers.map((a) => [a.target, a.minReplicas, a.maxReplicas])).toEqual([[{ kind: 'Deployment', name: 'otel-collector' }, 1, 5]]);
  });

  it('OpenTelemetryCollector v1alpha1 (config a string) and v1beta1 (an object); ConfigMaps; Secrets by keys only', () => {
    const s = stackOf({
      'op.yaml': `apiVersion: opentelemetry.io/v1alpha1
kind: OpenTelemetryCollector
metadata: {name: a}
spec:
  mode: daemonset
  config: |
    receivers: {otlp: {protocols: {grpc: {}}}}
---
apiVersion: opentelemetry.io/v1beta1
kind: OpenTelemetryCollector
metadata: {name: b}
spec:
  replicas: 2
  image: otel/opentelemetry-collector-contrib:0.120.0
  ports: [{name: extra, port: 9999}]
  config:
    receivers: {otlp: {protocols: {http: {}}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
data: {a: x}
binaryData: {b: eA==}
---
apiVersion: v1
kind: Secret
metadata: {name: s}
data: {token: c2VjcmV0}
stringData: {password: hunter2hunter2}
`,
    });
    const k = s.kubernetes;
    expect(k.operatorCollectors.map((c) => [c.version, c.mode, c.replicas, c.image, c.ports.length, c.config?.isMap()])).toEqual([
      ['v1alpha1', 'daemonset', undefined, undefined, 0, false],
      ['v1beta1', 'deployment', 2, 'otel/opentelemetry-collector-contrib:0.120.0', 1, true],
    ]);
    expect(s.collectors.map((c) => c.components.map((x) => x.id))).toEqual([['otlp'], ['otlp']]);
    expect(s.collector).toMatchObject({ version: '0.120.0', source: 'kubernetes', distribution: 'contrib' });
    expect([...k.configMaps[0].data.keys()]).toEqual(['a']);
    expect(k.configMaps[0].binaryKeys).toEqual(['b']);
    expect(k.secrets[0].keys).toEqual(['token', 'password']);
    expect(JSON.stringify({ ...k.secrets[0], object: undefined })).not.toMatch(/c2VjcmV0|hunter2/);
  });
});

/** A ConfigMap whose key `config.yaml` holds `body` after `header` (`|`, `|-`, `|2-`...), lines indented by four. */
const configMap = (header: string, body: string, eol = '\n') =>
  [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: conf',
    'data:',
    `  config.yaml: ${header}`,
    ...body
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => (l ? `    ${l}` : l)),
  ]
    .join(eol)
    .concat(eol);

const COLLECTOR =
  'receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\nexporters:\n  logging: {}\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [logging]\n';

describe('configs inside manifests', () => {
  const embedded = (text: string) => {
    const s = stackOf({ 'k8s/cm.yaml': text });
    return { s, source: [...s.embedded.values()][0], collector: s.collectors[0] };
  };
  // `logging` is on line 7 of the config; the block starts on line 7 of the manifest, indented by four.
  for (const [header, eol] of [
    ['|', '\n'],
    ['|-', '\n'],
    ['|+', '\n'],
    ['|2', '\n'],
    ['|2-', '\n'],
    ['|', '\r\n'],
  ] as const) {
    it(`a literal block (${header}${eol === '\r\n' ? ', CRLF' : ''}) maps each position into the manifest`, () => {
      const { source, collector } = embedded(configMap(header, COLLECTOR, eol));
      expect(source).toBeInstanceOf(EmbeddedSource);
      expect(source.readOnly).toBe(false);
      const logging = collector.components.find((c) => c.id === 'logging')!;
      expect(logging.value.location().range?.start).toEqual({ line: 13, column: 7 });
      expect(logging.value.location().file).toBe('/repo/k8s/cm.yaml#ConfigMap/conf/config.yaml');
    });
  }

  it("a tab inside the block is the config's own (a YAML error there), found at its place in the manifest", () => {
    const { collector } = embedded(configMap('|', 'receivers:\n  otlp:\n\tprotocols: {}\n'));
    const p = collector.yaml.problems[0];
    expect(p.code).toBe('TAB_AS_INDENT');
    expect(collector.yaml.source.range(p.offset, p.length).start).toEqual({ line: 9, column: 5 });
  });

  it('an explicit indentation indicator keeps the spaces beyond it as content', () => {
    // |2 under a key at column 2: content is indented by four, two of them the content's own.
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: conf}\ndata:\n  config.yaml: |2\n      receivers: {}\n';
    const { source } = embedded(text);
    expect(source.text).toBe('  receivers: {}\n');
    expect(source.position(2)).toEqual({ line: 6, column: 7 });
  });

  it('edits map into the manifest: re-indented, with its line breaks', () => {
    for (const eol of ['\n', '\r\n']) {
      const host = configMap('|', COLLECTOR, eol);
      const { source } = embedded(host);
      const at = source.text.indexOf('logging: {}');
      // Replace in a line.
      const e = source.hostEdit(at, 'logging'.length, 'debug')!;
      expect(host.slice(e.offset, e.offset + e.length)).toBe('logging');
      // Insert whole lines before a line: indentation and line breaks follow the manifest.
      const line = source.text.lastIndexOf('\n', at) + 1;
      const ins = source.hostEdit(line, 0, '  debug: {}\n  other:\n    a: 1\n')!;
      const after = host.slice(0, ins.offset) + ins.text + host.slice(ins.offset + ins.length);
      expect(after).toContain(['    exporters:', '      debug: {}', '      other:', '        a: 1', '      logging: {}'].join(eol));
      // Append at the end of the config.
      const end = source.hostEdit(source.text.length, 0, 'extensions: {}\n')!;
      const appended = host.slice(0, end.offset) + end.text + host.slice(end.offset);
      expect(appended.endsWith(`          exporters: [logging]${eol}    extensions: {}${eol}`)).toBe(true);
      // Delete whole lines: the next line keeps its indentation.
      const del = source.hostEdit(line, source.text.indexOf('\n', at) + 1 - line, '')!;
      const deleted = host.slice(0, del.offset) + host.slice(del.offset + del.length);
      expect(deleted).toContain(['    exporters:', '    service:'].join(eol));
    }
  });

  it('a quoted or folded config points at its key and takes no edits', () => {
    for (const style of [
      `"${COLLECTOR.replace(/\n/g, '\\n')}"`,
      `>\n${COLLECTOR.split('\n')
        .map((l) => `    ${l}`)
        .join('\n\n')}`,
    ]) {
      const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: conf}\ndata:\n  config.yaml: ${style}\n`;
      const { source, collector } = embedded(text);
      expect(source.readOnly).toBe(true);
      expect(collector.components.find((c) => c.id === 'logging')!.value.location().range?.start).toEqual({ line: 5, column: 3 });
      expect(source.hostEdit(0, 1, 'x')).toBeUndefined();
    }
  });

  it("a key mounted where a collector's --config points is its config, whatever it holds; a dashboard needs the sidecar's label", () => {
    const s = stackOf({
      'k8s/all.yaml': `${configMap('|', 'extensions: {}\n')}---
apiVersion: apps/v1
kind: Deployment
metadata: {name: otel}
spec:
  template:
    spec:
      containers:
        - name: otel
          image: otel/opentelemetry-collector-contrib:0.115.1
          args: [--config=/conf/config.yaml]
          volumeMounts: [{name: c, mountPath: /conf}]
      volumes: [{name: c, configMap: {name: conf}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: dash-unlabelled}
data:
  a.json: '{"panels": []}'
---
apiVersion: v1
kind: ConfigMap
metadata: {name: dash, labels: {grafana_dashboard: "1"}}
data:
  b.json: '{"panels": []}'
`,
    });
    expect(s.collectors.map((c) => c.file)).toEqual(['/repo/k8s/all.yaml#ConfigMap/conf/config.yaml']);
    expect(s.grafana.dashboards.map((d) => d.file)).toEqual(['/repo/k8s/all.yaml#ConfigMap/dash/b.json']);
  });

  it("prometheus.yml and Grafana datasources in ConfigMaps; a dashboard labelled as the sidecar's LABEL says", () => {
    const s = stackOf({
      'k8s/all.yaml': `apiVersion: v1
kind: ConfigMap
metadata: {name: prometheus}
data:
  prometheus.yml: |
    scrape_configs:
      - job_name: otel
        static_configs: [{targets: ['otel-collector:8889']}]
  datasources.yaml: |
    apiVersion: 1
    datasources: [{name: Prometheus, type: prometheus, uid: prom, url: http://prometheus:9090}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: grafana}
spec:
  template:
    spec:
      containers:
        - name: grafana-sc-dashboard
          image: quay.io/kiwigrid/k8s-sidecar:1.30.0
          env: [{name: LABEL, value: team_dashboard}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: dash, labels: {team_dashboard: "yes"}}
data:
  c.json: '{"panels": []}'
`,
    });
    expect(s.prometheus.map((p) => p.file)).toEqual(['/repo/k8s/all.yaml#ConfigMap/prometheus/prometheus.yml']);
    expect(s.grafana.datasources.map((d) => d.name)).toEqual(['Prometheus']);
    expect(s.grafana.dashboards.map((d) => d.file)).toEqual(['/repo/k8s/all.yaml#ConfigMap/dash/c.json']);
  });

  it("the one collector container's env is the collector's environment; envFrom makes it unknown", () => {
    const env = (extra: string) =>
      stackOf({
        'k8s/d.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: otel}
spec:
  template:
    spec:
      containers:
        - name: otel
          image: otel/opentelemetry-collector-contrib:0.115.1
          env:
            - {name: A, value: "1"}
            - {name: B, valueFrom: {secretKeyRef: {name: s, key: b}}}
${extra}`,
      }).collectorEnvironment;
    expect([...(env('')?.variables ?? [])]).toEqual([
      ['A', '1'],
      ['B', undefined],
    ]);
    expect(env('          envFrom: [{configMapRef: {name: more}}]\n')).toBeUndefined();
  });
});
