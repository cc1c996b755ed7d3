// The kustomize model's parts the differential (test/oracles/kustomize-differential.test.ts) exercises only through
// whole builds: the hash suffix against kustomize's own hasher tests, strategic merge's edge cases, and where a
// built value points (the file and place that wrote it).
import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../src/load/source.js';
import { YamlValue } from '../../src/load/yaml-value.js';
import { parseYaml, parseYamlDocuments, type YamlDocument } from '../../src/load/yaml.js';
import { kustomizeBuild, type KustomizeReader, NotRead } from '../../src/model/kustomize/build.js';
import { nameHash } from '../../src/model/kustomize/hash.js';
import { fromYaml, type JsonMap, Origins } from '../../src/model/kustomize/json.js';
import { strategicMerge } from '../../src/model/kustomize/patch.js';
import { kustomizeUnits } from '../../src/model/kustomize/units.js';

const yaml = (text: string, path = '/t.yaml') => parseYaml(new SourceFile(path, text));

/** A reader over files in memory. */
function memory(files: Record<string, string>): KustomizeReader {
  const docs = new Map<string, YamlDocument[]>();
  return {
    documents: (path) => {
      if (!(path in files)) return undefined;
      if (!docs.has(path)) {
        const source = new SourceFile(path, files[path]);
        docs.set(
          path,
          parseYamlDocuments(source).map((d) => parseYaml(source, d)),
        );
      }
      return docs.get(path);
    },
    text: (path) => files[path],
    isDir: (path) => Object.keys(files).some((f) => f.startsWith(`${path}/`)),
  };
}

describe('nameHash', () => {
  // api/hasher/hasher_test.go (kustomize api v0.21.2): the same objects, the same suffixes.
  it.each([
    [{ apiVersion: 'v1', kind: 'ConfigMap' }, '6ct58987ht'],
    [{ apiVersion: 'v1', kind: 'ConfigMap', data: { one: '' } }, '9g67k2htb6'],
    [{ apiVersion: 'v1', kind: 'ConfigMap', data: { two: 2, one: '', three: 3 } }, '7757f9kkct'],
    [{ apiVersion: 'v1', kind: 'ConfigMap', binaryData: { two: 2, one: '', three: 3 } }, '9th7kc28dg'],
    [{ apiVersion: 'v1', kind: 'ConfigMap', data: { one: '' }, binaryData: { two: '' } }, '698h7c7t9m'],
    [{ apiVersion: 'v1', kind: 'Secret', type: 'my-type' }, '5gmgkf8578'],
    [{ apiVersion: 'v1', kind: 'Secret', type: 'my-type', data: { one: '' } }, '74bd68bm66'],
    [{ apiVersion: 'v1', kind: 'Secret', type: 'my-type', data: { two: 2, one: '', three: 3 } }, '4gf75c7476'],
  ] as [JsonMap, string][])('%j → %s', (obj, hash) => expect(nameHash(obj)).toBe(hash));

  it('does not depend on the name (kustomize looks it up as the one key `metadata/name`)', () => {
    const cm = (name: string): JsonMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '<&>' } });
    expect(nameHash(cm('a'))).toBe(nameHash(cm('b')));
  });
});

describe('strategicMerge', () => {
  const merge = (kind: string, target: string, patch: string) => {
    const origins = new Origins();
    const t = fromYaml(YamlValue.root(yaml(target)), origins) as JsonMap;
    strategicMerge(kind, t, fromYaml(YamlValue.root(yaml(patch, '/p.yaml')), origins) as JsonMap, origins);
    return t;
  };

  it("a list with a merge key: the patch's items first, merged into the target's of the same key, then the others", () => {
    expect(merge('Deployment', 'spec: {containers: [{name: a, image: x}, {name: b}]}', 'spec: {containers: [{name: c}, {name: a, image: y}]}')).toEqual({
      spec: { containers: [{ name: 'c' }, { name: 'a', image: 'y' }, { name: 'b' }] },
    });
  });

  it('merge keys by field: volumeMounts by mountPath, container ports by containerPort, Service ports by port', () => {
    expect(merge('Deployment', 'm: [{name: a, mountPath: /x}]', 'm: []').m).toEqual([]);
    const pod = 'spec: {template: {spec: {containers: [{name: c, volumeMounts: [{name: a, mountPath: /x}], ports: [{name: p, containerPort: 1}]}]}}}';
    const patched = merge(
      'Deployment',
      pod,
      'spec: {template: {spec: {containers: [{name: c, volumeMounts: [{name: b, mountPath: /x}], ports: [{name: q, containerPort: 1}]}]}}}',
    );
    expect(patched).toEqual({
      spec: { template: { spec: { containers: [{ name: 'c', volumeMounts: [{ name: 'b', mountPath: '/x' }], ports: [{ name: 'q', containerPort: 1 }] }] } } },
    });
    expect(merge('Service', 'spec: {ports: [{name: a, port: 1}]}', 'spec: {ports: [{name: b, port: 1}, {name: c, port: 2}]}')).toEqual({
      spec: {
        ports: [
          { name: 'b', port: 1 },
          { name: 'c', port: 2 },
        ],
      },
    });
  });

  it('$patch: delete removes an item or a map; $patch: replace replaces a list or a map; null removes a field', () => {
    expect(merge('Deployment', 'env: [{name: A}, {name: B}]', 'env: [{name: A, $patch: delete}]')).toEqual({ env: [{ name: 'B' }] });
    expect(merge('Deployment', 'volumes: [{name: A}, {name: B}]', 'volumes: [{$patch: replace}, {name: C}]')).toEqual({ volumes: [{ name: 'C' }] });
    expect(merge('Deployment', 'a: {b: 1, c: 2}', 'a: {$patch: replace, d: 3}')).toEqual({ a: { d: 3 } });
    expect(merge('Deployment', 'a: {b: 1}\nc: 2', 'a: {$patch: delete}\nc: null')).toEqual({});
  });

  it('lists without a merge key, and every list of a custom resource, are replaced', () => {
    expect(merge('Deployment', 'args: [a, b]', 'args: [c]')).toEqual({ args: ['c'] });
    expect(merge('ServiceMonitor', 'endpoints: [{name: a, port: x}]', 'endpoints: [{name: b}]')).toEqual({ endpoints: [{ name: 'b' }] });
  });
});

describe('kustomizeBuild', () => {
  const base = {
    '/r/base/kustomization.yaml': 'resources: [svc.yaml]\n',
    '/r/base/svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n    - port: 4318\n',
  };

  it('refuses a file outside the kustomization folder (the root-only load restrictor), and models no Helm chart', () => {
    const outside = kustomizeBuild('/r/o', memory({ ...base, '/r/o/kustomization.yaml': 'resources: [../base/svc.yaml]\n' }));
    expect(outside).toMatchObject({ refused: expect.stringContaining('is not in or below') });
    const helm = kustomizeBuild(
      '/r/o',
      memory({ ...base, '/r/o/kustomization.yaml': 'resources: [../base]\nhelmCharts: [{name: extra, repo: https://charts.example.com}]\n' }),
    );
    expect(helm).toMatchObject({ notModelled: expect.stringContaining('helmCharts') });
  });

  it('what the model does not foresee is not modelled, never a crash: an invalid target regex, a reader that will not read', () => {
    const files = { ...base, '/r/o/kustomization.yaml': 'resources: [../base]\npatches:\n  - target: {name: "("}\n    patch: "[]"\n' };
    expect(kustomizeBuild('/r/o', memory(files))).toMatchObject({ notModelled: expect.stringContaining('does not handle') });
    const outside: KustomizeReader = {
      ...memory(base),
      documents: () => {
        throw new NotRead("it reads /elsewhere/kustomization.yaml, outside the scanned kustomizations' folders");
      },
    };
    expect(kustomizeBuild('/elsewhere', outside)).toMatchObject({ notModelled: expect.stringContaining('outside the scanned') });
  });

  it("a built value points where it was written: the base's value, the overlay's patch, the inline patch's line", () => {
    const files = {
      ...base,
      '/r/o/kustomization.yaml':
        'resources: [../base]\nnamespace: t\npatches:\n  - patch: |-\n      apiVersion: v1\n      kind: Service\n      metadata: {name: s}\n      spec:\n        type: NodePort\n',
    };
    const reader = memory(files);
    const [unit] = kustomizeUnits([reader.documents('/r/base/kustomization.yaml')![0], reader.documents('/r/o/kustomization.yaml')![0]], reader);
    expect(unit.kustomization).toBe('/r/o/kustomization.yaml');
    const svc = YamlValue.root(unit.documents[0]);
    const where = (v: YamlValue | undefined, part: 'key' | 'value' = 'key') => {
      const source = v!.doc.source as import('../../src/load/source.js').EmbeddedSource;
      const at = source.hostLocation(v!.location(part).range!);
      return `${at.file}:${at.range.start.line}:${at.range.start.column}`;
    };
    expect(where(svc.at('spec', 'ports'))).toBe('/r/base/svc.yaml:6:3');
    expect(where(svc.at('spec', 'ports')?.items()[0].get('port'), 'value')).toBe('/r/base/svc.yaml:7:13');
    expect(where(svc.at('spec', 'type'), 'value')).toBe('/r/o/kustomization.yaml:9:15');
    expect(where(svc.at('metadata', 'namespace'), 'value')).toBe('/r/o/kustomization.yaml:2:12');
  });

  it('a generated ConfigMap key read from a YAML file points into that file, line by line', () => {
    const files = {
      '/r/kustomization.yaml': 'configMapGenerator:\n  - name: c\n    files: [config.yaml]\n',
      '/r/config.yaml': 'receivers:\n  otlp: {}\nexporters:\n  debug: {}\n',
    };
    const reader = memory(files);
    const [unit] = kustomizeUnits([reader.documents('/r/kustomization.yaml')![0]], reader);
    const doc = unit.documents[0];
    const source = doc.source as import('../../src/load/source.js').EmbeddedSource;
    // `debug` in the built ConfigMap's block: line 4, column 3 of config.yaml.
    const at = doc.source.text.indexOf('debug');
    const range = { start: doc.source.position(at), end: doc.source.position(at + 5) };
    expect(source.hostLocation(range)).toEqual({ file: '/r/config.yaml', range: { start: { line: 4, column: 3 }, end: { line: 4, column: 8 } } });
    expect(YamlValue.root(doc).at('metadata', 'name')?.string()).toMatch(/^c-[a-z0-9]{10}$/);
  });
});

describe('kubernetes/unknown-field on kustomize patches', () => {
  it("judges a patch's values in the built object and reports them in the patch (a file or inline)", async () => {
    const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { check } = await import('../../src/api.js');
    const dir = mkdtempSync(join(tmpdir(), 'cod-kustomize-'));
    try {
      const files: Record<string, string> = {
        'base/kustomization.yaml': 'resources: [svc.yaml]\n',
        'base/svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n    - port: 4318\n',
        'prod/kustomization.yaml':
          'resources: [../base]\npatches:\n  - path: patch.yaml\n  - patch: |-\n      apiVersion: v1\n      kind: Service\n      metadata: {name: s}\n      spec:\n        tpye: NodePort\n',
        'prod/patch.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n    - port: 4317\n      protocl: TCP\n',
      };
      for (const [name, text] of Object.entries(files)) {
        mkdirSync(join(dir, name, '..'), { recursive: true });
        writeFileSync(join(dir, name), text);
      }
      const found = check({ paths: [dir] }).findings.filter((f) => f.ruleId === 'kubernetes/unknown-field');
      expect(found.map((f) => `${f.file?.slice(dir.length + 1)}:${f.range?.start.line}`).sort()).toEqual(['prod/kustomization.yaml:9', 'prod/patch.yaml:8']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('kustomizeUnits', () => {
  it("keeps a generated Secret's keys and none of its values in the built text", () => {
    const files = { '/r/kustomization.yaml': 'secretGenerator:\n  - name: s\n    literals: [token=hunter2-not-real]\n' };
    const reader = memory(files);
    const [unit] = kustomizeUnits([reader.documents('/r/kustomization.yaml')![0]], reader);
    const text = unit.documents[0].source.text;
    expect(text).toContain('token');
    expect(text).not.toContain(Buffer.from('hunter2-not-real').toString('base64'));
  });
});

describe('kustomize units in the stack', () => {
  it('two overlays of one base build objects of the same names, and lookups between objects stay inside each', async () => {
    const { classifySource } = await import('../../src/discover/classify.js');
    const { buildStack } = await import('../../src/model/stack.js');
    const { selectedPods } = await import('../../src/model/kubernetes.js');
    const files: Record<string, string> = {
      '/r/base/kustomization.yaml': 'resources: [app.yaml]\n',
      '/r/base/app.yaml':
        'apiVersion: v1\nkind: Service\nmetadata: {name: otel}\nspec:\n  selector: {app: otel}\n  ports: [{port: 4317}]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: otel}\nspec:\n  selector: {matchLabels: {app: otel}}\n  template:\n    metadata: {labels: {app: otel}}\n    spec:\n      containers: [{name: c, image: otel/opentelemetry-collector:0.115.1}]\n',
      '/r/staging/kustomization.yaml': 'resources: [../base]\nnamespace: telemetry\n',
      '/r/prod/kustomization.yaml': 'resources: [../base]\nnamespace: telemetry\nreplicas: [{name: otel, count: 3}]\n',
    };
    const stackFiles = Object.entries(files).map(([path, text]) => {
      const source = new SourceFile(path, text);
      return { ...classifySource(source)!, source };
    });
    const stack = buildStack(stackFiles);
    expect(stack.kustomize.map((u) => u.kustomization).sort()).toEqual(['/r/prod/kustomization.yaml', '/r/staging/kustomization.yaml']);
    const k = stack.kubernetes;
    expect(k.services).toHaveLength(2);
    for (const s of k.services) {
      const pods = selectedPods(k, s);
      expect(pods.map((w) => [w.object.unit, w.replicas])).toEqual([[s.object.unit, s.object.unit?.includes('prod') ? 3 : undefined]]);
    }
    // The base's raw objects are replaced by the builds: none of them is in the model as written.
    expect(k.objects.every((o) => o.unit !== undefined)).toBe(true);
  });
});
