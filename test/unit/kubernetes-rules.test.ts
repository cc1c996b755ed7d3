// kubernetes/config-not-mounted on the cases its fixtures do not show: each way a --config file is missing, and
// each case where the doctor cannot tell (and says nothing) or assumes (and warns).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../src/api.js';

const root = mkdtempSync(join(tmpdir(), 'cod-k8s-rules-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** The findings of the rule on a repo with these files. */
function found(files: Record<string, string>): { kind?: string; severity: string; message: string; detail?: string }[] {
  const dir = join(root, String(n++));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return check({ paths: [dir] }).findings.filter((f) => f.ruleId === 'kubernetes/config-not-mounted');
}

const CONFIG_MAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: conf}\ndata:\n  config.yaml: |\n    receivers: {}\n';
const deployment = (args: string, mounts: string, volumes: string, image = 'otel/opentelemetry-collector-contrib:0.115.1') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: otel}
spec:
  template:
    spec:
      containers:
        - name: otel
          image: ${image}
          args: [${args}]
          volumeMounts: [${mounts}]
      volumes: [${volumes}]
`;
const CONF_VOLUME = '{name: c, configMap: {name: conf}}';

describe('kubernetes/config-not-mounted', () => {
  it('a path no volume is mounted at, other than the image default', () => {
    expect(found({ 'd.yaml': deployment('--config=/conf/config.yaml', '', '') }).map((f) => [f.kind, f.severity])).toEqual([['notMounted', 'error']]);
    expect(found({ 'd.yaml': deployment('--config=/etc/otelcol-contrib/config.yaml', '', '') })).toEqual([]);
    // An image whose layout is not known may hold the file.
    expect(found({ 'd.yaml': deployment('--config=/conf/config.yaml', '', '', 'otel/opentelemetry-collector-k8s:0.115.1') })).toEqual([]);
  });

  it('a whole volume mounted at the path (a folder), and items that do not list it', () => {
    expect(
      found({ 'a.yaml': CONFIG_MAP, 'd.yaml': deployment('--config=/conf/config.yaml', '{name: c, mountPath: /conf/config.yaml}', CONF_VOLUME) }).map(
        (f) => f.kind,
      ),
    ).toEqual(['folder']);
    const items = '{name: c, configMap: {name: conf, items: [{key: config.yaml, path: other.yaml}]}}';
    expect(
      found({ 'a.yaml': CONFIG_MAP, 'd.yaml': deployment('--config=/conf/config.yaml', '{name: c, mountPath: /conf}', items) }).map((f) => f.kind),
    ).toEqual(['notInItems']);
  });

  it('the file there: a key, the --config form with a space, file: URIs', () => {
    for (const args of ['--config=/conf/config.yaml', '--config, /conf/config.yaml', '"--config=file:/conf/config.yaml"'])
      expect(found({ 'a.yaml': CONFIG_MAP, 'd.yaml': deployment(args, '{name: c, mountPath: /conf}', CONF_VOLUME) }), args).toEqual([]);
  });

  it('says nothing where it cannot tell: another volume type, an object not in the scan, $(VAR) in the path, env: URIs', () => {
    expect(found({ 'd.yaml': deployment('--config=/conf/x.yaml', '{name: c, mountPath: /conf}', '{name: c, persistentVolumeClaim: {claimName: x}}') })).toEqual(
      [],
    );
    expect(found({ 'd.yaml': deployment('--config=/conf/x.yaml', '{name: c, mountPath: /conf}', CONF_VOLUME) })).toEqual([]);
    expect(found({ 'a.yaml': CONFIG_MAP, 'd.yaml': deployment('"--config=/conf/$(NAME).yaml"', '{name: c, mountPath: /conf}', CONF_VOLUME) })).toEqual([]);
    expect(found({ 'd.yaml': deployment('--config=env:CONFIG', '', '') })).toEqual([]);
  });

  it('an emptyDir, or a volume naming no source (Kubernetes makes it an emptyDir), that no other container writes: empty', () => {
    const empty = found({ 'd.yaml': deployment('--config=/conf/x.yaml', '{name: c, mountPath: /conf}', '{name: c, emptyDir: {}}') });
    expect(empty.map((f) => f.kind)).toEqual(['emptyVolume']);
    expect(empty[0].detail).toContain('volume "c" is an emptyDir');
    const sourceless = found({ 'd.yaml': deployment('--config=/conf/x.yaml', '{name: c, mountPath: /conf/x.yaml, subPath: x.yaml}', '{name: c}') });
    expect(sourceless.map((f) => [f.kind, f.severity])).toEqual([['emptyVolume', 'error']]);
    expect(sourceless[0].detail).toContain('names no source, so Kubernetes makes it an emptyDir');
    // An init container that mounts the volume may render the config into it: not judged.
    const rendered = deployment('--config=/conf/x.yaml', '{name: c, mountPath: /conf}', '{name: c, emptyDir: {}}').replace(
      '      containers:\n',
      '      initContainers:\n        - name: render\n          image: busybox:1.36\n          volumeMounts: [{name: c, mountPath: /out}]\n      containers:\n',
    );
    expect(found({ 'd.yaml': rendered })).toEqual([]);
  });

  it('the ConfigMap of its own namespace: another namespace holding the key does not count', () => {
    const elsewhere = CONFIG_MAP.replace('metadata: {name: conf}', 'metadata: {name: conf, namespace: other}').replace('config.yaml: |', 'x.yaml: |');
    expect(
      found({
        'a.yaml': elsewhere,
        'b.yaml': CONFIG_MAP.replace('config.yaml', 'y.yaml'),
        'd.yaml': deployment('--config=/conf/x.yaml', '{name: c, mountPath: /conf}', CONF_VOLUME),
      }).map((f) => f.kind),
    ).toEqual(['noKey']);
  });

  it('a kustomize build the doctor models: certain, in the file that wrote the value; a patch or generator that fixes it: nothing', () => {
    const files = {
      'base/kustomization.yaml': 'resources: [d.yaml, a.yaml]\n',
      'base/a.yaml': CONFIG_MAP,
      'base/d.yaml': deployment('--config=/conf/x.yaml', '{name: c, mountPath: /conf}', CONF_VOLUME),
    };
    const f = found(files);
    expect(f.map((x) => [x.kind, x.severity])).toEqual([['noKey', 'error']]);
    expect(f[0].detail).toContain('the kustomize build of base/kustomization.yaml');
    const patched = {
      ...files,
      'prod/kustomization.yaml':
        'resources: [../base]\nnamePrefix: prod-\npatches:\n  - target: {kind: Deployment}\n    patch: |-\n      - {op: replace, path: /spec/template/spec/containers/0/args/0, value: --config=/conf/config.yaml}\n',
    };
    expect(found(patched)).toEqual([]);
    const generated = {
      ...files,
      'base/kustomization.yaml': 'resources: [d.yaml]\nconfigMapGenerator:\n  - {name: conf, files: [x.yaml]}\n',
      'base/x.yaml': 'receivers: {}\n',
    };
    expect(found(generated)).toEqual([]);
  });

  it('a warning naming the kustomization when one the doctor does not model may change the objects', () => {
    const f = found({
      'kustomization.yaml': 'resources: [d.yaml, a.yaml]\nhelmCharts: [{name: extra, repo: https://charts.example.com}]\n',
      'a.yaml': CONFIG_MAP,
      'd.yaml': deployment('--config=/conf/x.yaml', '{name: c, mountPath: /conf}', CONF_VOLUME),
    });
    expect(f.map((x) => [x.kind, x.severity])).toEqual([['noKey', 'warning']]);
    expect(f[0].detail).toContain('kustomization.yaml may add or change objects (the doctor does not model it: kustomization.yaml uses `helmCharts`)');
  });

  it("a kustomization's patch files hold partial objects, not workloads of their own", () => {
    const patch =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: otel}\nspec:\n  template:\n    spec:\n      containers:\n        - name: otel\n          image: otel/opentelemetry-collector-contrib:0.115.1\n          args: [--config=/conf/prod.yaml]\n';
    for (const [kustomization, expected] of [
      ['resources: [d.yaml]\npatchesStrategicMerge: [overlay/patch.yaml]\n', []],
      ['resources: [d.yaml]\npatches:\n  - path: overlay/patch.yaml\n', []],
      ['resources: [d.yaml]\n', ['notMounted']],
    ] as const)
      expect(
        found({ 'kustomization.yaml': kustomization, 'overlay/patch.yaml': patch }).map((f) => f.kind),
        kustomization,
      ).toEqual(expected);
  });
});
