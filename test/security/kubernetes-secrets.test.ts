// A Kubernetes Secret's values never reach the output: the model keeps its keys only, and every value (stringData as
// written, data base64-decoded too) is masked wherever it shows, whatever its key is called. The twin: its keys are
// named where a finding needs them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'cod-k8s-secrets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const repo = join(root, 'repo');
mkdirSync(repo);

// Keys that do not sound like credentials, values that look like none of the doctor's secret patterns.
const PLAIN = 'qx7Vw2LmZr9Kp4Tn';
const ENCODED_PLAIN = 'Hd8Jm3Qs6Xy1Bc5W';
const encoded = Buffer.from(ENCODED_PLAIN).toString('base64');

writeFileSync(
  join(repo, 'collector.yaml'),
  `apiVersion: v1
kind: Secret
metadata:
  name: collector-files
type: Opaque
stringData:
  relay: ${PLAIN}
data:
  upstream: ${encoded}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: otel-collector-conf
data:
  config.yaml: |
    receivers:
      otlp:
        protocols:
          grpc:
            endpoint: 0.0.0.0:4317
    exporters:
      logging: {} # ${PLAIN} ${ENCODED_PLAIN} ${encoded}
    service:
      pipelines:
        metrics:
          receivers: [otlp]
          exporters: [logging]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: otel-collector
spec:
  selector:
    matchLabels: {app: otel-collector}
  template:
    metadata:
      labels: {app: otel-collector}
    spec:
      containers:
        - name: otel-collector
          image: otel/opentelemetry-collector-contrib:0.115.1
          args: ["--config=/secrets/config.yaml"] # ${PLAIN}
          volumeMounts:
            - name: files
              mountPath: /secrets
      volumes:
        - name: files
          secret:
            secretName: collector-files
`,
);

const check = (format: string) => runCli(['check', repo, '--format', format], { NO_COLOR: '1' });

describe("a Kubernetes Secret's values never appear in any output format", () => {
  for (const format of ['pretty', 'concise', 'json', 'sarif', 'github']) {
    it(`--format ${format}`, () => {
      const out = check(format).stdout;
      // The findings are there (the source lines holding the values are shown, masked) ...
      expect(out).toContain('collector/logging-exporter');
      expect(out).toContain('kubernetes/config-not-mounted');
      // ... and not one value, as written or decoded.
      for (const v of [PLAIN, ENCODED_PLAIN, encoded]) expect(out, `${v} printed in ${format}`).not.toContain(v);
    });
  }

  it('the keys are named where a finding needs them (in its detail)', () => {
    const out = check('pretty').stdout;
    expect(out).toContain('key "config.yaml" of the mounted Secret "collector-files", which has no such key (it holds "upstream", "relay")');
  });
});

describe('a kustomize secretGenerator: a malformed literal or env line is not quoted in why the build fails', () => {
  const VALUE = 'Zt4Rk8Nw2Pq6Ls0Y';
  const dir = join(root, 'kz');
  mkdirSync(join(dir, 'k8s'), { recursive: true });
  writeFileSync(join(dir, 'k8s', 'kustomization.yaml'), `secretGenerator:\n  - name: otel-token\n    literals:\n      - ${VALUE}\n`);
  const envDir = join(root, 'kz-env');
  mkdirSync(join(envDir, 'k8s'), { recursive: true });
  writeFileSync(join(envDir, 'k8s', 'kustomization.yaml'), 'secretGenerator:\n  - name: otel-token\n    envs: [token.env]\n');
  writeFileSync(join(envDir, 'k8s', 'token.env'), `${VALUE}\n`);

  it('a literal without "=": kustomize refuses the build, and the finding says so without the value', () => {
    for (const format of ['concise', 'json', 'sarif']) {
      const res = runCli(['check', dir, '--format', format]);
      expect(res.stdout + res.stderr).not.toContain(VALUE);
      expect(res.stdout).toContain('kubernetes/kustomize-refused');
    }
  });
  it('an env line without "=": no output holds it', () => {
    const res = runCli(['check', envDir, '--format', 'json']);
    expect(res.stdout + res.stderr).not.toContain(VALUE);
  });
});
