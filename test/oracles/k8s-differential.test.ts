// The differential of kubernetes/unknown-field: on every manifest of the fixtures, k8s-check's testdata, the
// collector chart's renderings of its ci/*-values.yaml and mutated copies of all of these (a field renamed, a
// value's type changed), what the doctor finds must be what the real strict decoding (`k8s-check decode`:
// k8s.io/api, Gateway API and the Prometheus Operator's types, as the API server decodes) refuses. 100%: there is
// no list of tolerated differences.
//
// The decoder reports, per object, either every unknown field (when the object otherwise decodes) or the one error
// that stopped it: the first a type decoding itself (quantity, int-or-string) returns, else the first value of a
// wrong type, in the order of the keys sorted (sigs.k8s.io/yaml sorts them converting to JSON). The doctor reports
// every refusal; the test derives from them what the decoder must say, and also requires the rule's findings to be
// exactly those refusals.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { isMap, isPair, isScalar, isSeq, type Node, parseAllDocuments, Scalar, stringify, YAMLMap, YAMLSeq } from 'yaml';
import { textSource } from '../../src/load/read.js';
import { parseYaml, parseYamlDocuments } from '../../src/load/yaml.js';
import type { Workspace } from '../../src/model/workspace.js';
import { type Refusal, strictObjects } from '../../src/model/kubernetes-fields.js';
import { buildStack } from '../../src/model/stack.js';
import rule from '../../src/rules/kubernetes/unknown-field.js';
import { packageRoot } from '../../src/util/paths.js';
import { discoverCorpus, oracleDescribe } from './differential-support.js';
import { CHART_DIR, renderChart } from './helm-support.js';
import { helmBinary, k8sCheckBinary, PROVISION_HELM, PROVISION_K8S } from './paths.js';

interface Decoded {
  file: string;
  index: number;
  item?: number;
  apiVersion: string;
  kind: string;
  name: string;
  errors: string[];
}

/** An object's verdict: `<file> <kind>/<name> #<n>` (n: its occurrence among objects so named in the file) → errors. */
type Verdicts = Map<string, string[]>;

const scratch = mkdtempSync(join(tmpdir(), 'cod-k8s-diff-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The manifests: every fixture file the doctor classifies as Kubernetes, and k8s-check's testdata (kustomizations aside). */
function baseManifests(): string[] {
  const testdata = join(packageRoot, 'test/oracles/k8s-check/testdata');
  const own = readdirSync(testdata, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && /\.ya?ml$/.test(d.name) && d.name !== 'kustomization.yaml')
    .map((d) => join(d.parentPath, d.name));
  return [...discoverCorpus('kubernetes', 'kubernetes', /\.ya?ml$/).map((c) => c.path), ...own].sort();
}

/** The chart's renderings, one file per ci/*-values.yaml. */
function chartRenderings(): string[] {
  const ci = join(CHART_DIR, 'ci');
  const dir = join(scratch, 'chart');
  mkdirSync(dir, { recursive: true });
  return readdirSync(ci)
    .filter((n) => n.endsWith('-values.yaml'))
    .sort()
    .map((n) => {
      const out = join(dir, n.replace('-values', '-rendered'));
      writeFileSync(
        out,
        renderChart([join(ci, n)])
          .map((o) => stringify(o))
          .join('---\n'),
      );
      return out;
    });
}

/** Where a mutation can go in a document: each map entry (rename its key) and each value (change its type). */
function sites(node: Node | null): { pair?: { key: Scalar }; node: Node; parent: YAMLMap | YAMLSeq; index: number }[] {
  const out: ReturnType<typeof sites> = [];
  if (isMap(node))
    node.items.forEach((p, index) => {
      if (!isPair(p) || !isScalar(p.key)) return;
      // An object's apiVersion and kind name its type: changing them makes another object, not a mistake in this one.
      if ((p.key.value === 'apiVersion' || p.key.value === 'kind') && node.has('apiVersion') && node.has('kind')) return;
      out.push({ pair: p as { key: Scalar }, node: p.value as Node, parent: node, index });
      out.push(...sites(p.value as Node));
    });
  if (isSeq(node))
    node.items.forEach((n, index) => {
      out.push({ node: n as Node, parent: node, index });
      out.push(...sites(n as Node));
    });
  return out;
}

/** A value of another type than `node`: a number quoted, a string made a number, a map a list and back. */
function otherType(node: Node): Node | undefined {
  if (isScalar(node)) {
    if (typeof node.value === 'number') return Object.assign(new Scalar(String(node.value)), { type: 'QUOTE_DOUBLE' as const });
    if (typeof node.value === 'string') return new Scalar(7);
    if (typeof node.value === 'boolean') return Object.assign(new Scalar(String(node.value)), { type: 'QUOTE_DOUBLE' as const });
    return undefined;
  }
  if (isMap(node)) return new YAMLSeq();
  if (isSeq(node)) return new YAMLMap();
  return undefined;
}

/** Copies of each file with one mistake each: every 7th site of each document, renamed or retyped in turn. */
function mutations(files: string[]): string[] {
  const dir = join(scratch, 'mutated');
  mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (parseAllDocuments(text).some((d) => d.errors.length > 0)) continue; // invalid YAML: kubernetes/invalid-yaml's
    const count = parseAllDocuments(text).reduce((n, d) => n + sites(d.contents as Node).length, 0);
    for (let i = 3, n = 0; i < count; i += 7, n++) {
      const docs = parseAllDocuments(text);
      const site = docs.flatMap((d) => sites(d.contents as Node))[i];
      if (n % 2 === 0 && site.pair) {
        const key = String(site.pair.key.value);
        // Drop the last letter, or lower-case a camel-case name: the typos people make.
        site.pair.key.value = /[A-Z]/.test(key) ? key.toLowerCase() : key.slice(0, -1) || 'x';
      } else {
        const replaced = otherType(site.node);
        if (!replaced) continue;
        if (site.pair) (site.parent.items[site.index] as { value: unknown }).value = replaced;
        else site.parent.items[site.index] = replaced;
      }
      const out1 = join(dir, `${out.length}-${basename(file)}`);
      writeFileSync(out1, docs.map((d) => d.toString()).join(''));
      out.push(out1);
    }
  }
  return out;
}

/** What the decoder says, as the set compared: `unknown <path>`, `type <field path>`, `quantity`, `base64`, or the words. */
function oracleKey(error: string): string {
  const unknown = /^unknown field "(.*)"$/.exec(error);
  if (unknown) return `unknown ${unknown[1]}`;
  const type = /cannot unmarshal \S+(?: \S+)? into Go struct field [^.\s]+\.(\S+) of type/.exec(error);
  if (type) return `type ${type[1]}`;
  if (/^quantities must match|unable to parse quantity/.test(error)) return 'quantity';
  if (/illegal base64 data/.test(error)) return 'base64';
  return error;
}

/**
 * Objects one mistake (or none) each, where YAML 1.1 (go-yaml, which kubectl reads with) and the decoder's own types
 * differ from a plain reading: yes/no/on/off booleans, integers with underscores, merge keys, keys that YAML 1.1
 * types, integer ranges, the quantity grammar, base64 Secret data, a type error hiding an unknown field.
 */
/** Quantities and ports in every form YAML allows, one object each (q0…, p0…): what the decoders make of each. */
const QUANTITIES = [
  '0.5',
  '1e3',
  '1.5Gi',
  '2GiB',
  '""',
  '-1',
  '1.2.3',
  '.5',
  '5.',
  '1e',
  '1E3',
  '1Ki1',
  '100m',
  '1k',
  '1K',
  '+5',
  '1Mi',
  '0x10',
  'yes',
  '[]',
  '{}',
  '1_000',
  '5e-3',
  '1m5',
];
const PORTS = ['80.0', '80.5', '"80"', '0x50', '1_000', '010', '99999999999', '-1', '8e1'];
const VALUE_CASES = [
  ...QUANTITIES.map(
    (v, i) =>
      `---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: q${i}\nspec:\n  containers:\n    - name: c\n      image: busybox\n      resources:\n        limits:\n          memory: ${v}\n`,
  ),
  ...PORTS.map((v, i) => `---\napiVersion: v1\nkind: Service\nmetadata:\n  name: p${i}\nspec:\n  ports:\n    - port: ${v}\n`),
].join('');

const EDGE_CASES = `apiVersion: v1
kind: ConfigMap
metadata:
  name: bool-yes
data:
  a: yes
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: bool-quoted
data:
  a: "yes"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: bool-y
data:
  a: y
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: bool-off
data:
  a: Off
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: bool-true
data:
  a: True
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: null
data:
  a:
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: tilde
data:
  a: ~
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: number
data:
  a: 1.5
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: date
data:
  a: 2024-01-01
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: block
data:
  a: |
    x
---
apiVersion: v1
kind: Service
metadata:
  name: p9
spec:
  ports:
    - {port: 80, targetPort: 8080.5}
---
apiVersion: v1
kind: Service
metadata:
  name: p10
spec:
  ports:
    - {port: 80, targetPort: true}
---
apiVersion: v1
kind: Service
metadata:
  name: p11
spec:
  ports:
    - {port: 80, targetPort: "x"}
---
apiVersion: v1
kind: Service
metadata:
  name: p12
spec:
  ports:
    - {port: 80, targetPort: 99999999999}
---
apiVersion: v1
kind: Service
metadata:
  name: p13
spec:
  ports:
    - {port: 80, nodePort: 1e10}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: replicas-str
spec:
  replicas: "2"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: replicas-null
spec:
  replicas:
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: paused-yes
spec:
  paused: yes
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: paused-str
spec:
  paused: "true"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: merge
spec:
  template: &t
    metadata: {labels: {a: b}}
  selector:
    <<: {matchLabels: {a: b}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: merge-bad
spec:
  selector:
    <<: {matchLabel: {a: b}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: key-y
spec:
  y: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: int-key
spec:
  80: 1
---
apiVersion: v1
kind: Secret
metadata:
  name: s1
data:
  a: aGVsbG8=
  b: not base64!
---
apiVersion: v1
kind: Secret
metadata:
  name: s2
data:
  a: aGVsbG8
---
apiVersion: v1
kind: Secret
metadata:
  name: s3
data:
  a: |
    aGVs
    bG8=
---
apiVersion: v1
kind: Secret
metadata:
  name: s4
data:
  a: 1234
---
apiVersion: v1
kind: Pod
metadata:
  name: ts
  creationTimestamp: 2024-01-01T00:00:00Z
spec: {}
---
apiVersion: v1
kind: Pod
metadata:
  name: ts2
  creationTimestamp: null
spec: {}
---
apiVersion: v1
kind: Pod
metadata:
  name: ts3
  creationTimestamp: 5
spec: {}
---
apiVersion: v1
kind: Pod
metadata:
  name: both
spec:
  containerz: []
  hostNetwork: "true"
---
apiVersion: v1
kind: Pod
metadata:
  name: Bothcase
spec:
  Containers: []
`;

function refusalKey(r: Refusal): string {
  if (r.problem === 'unknown') return `unknown ${r.path}`;
  if (r.problem === 'type') return `type ${r.fieldPath}`;
  return r.expected === 'quantity' ? 'quantity' : 'base64';
}

/** What the decoder must report given every refusal: the stopping error alone, else every unknown field. */
function predicted(refusals: Refusal[]): string[] {
  const stop = refusals.find((r) => r.fatal) ?? refusals.find((r) => r.problem !== 'unknown');
  return stop ? [refusalKey(stop)] : refusals.map(refusalKey).sort();
}

function counted<T>(items: T[], name: (t: T) => string): [string, T][] {
  const seen = new Map<string, number>();
  return items.map((t) => {
    const n = name(t);
    const i = seen.get(n) ?? 0;
    seen.set(n, i + 1);
    return [`${n} #${i}`, t];
  });
}

oracleDescribe('kubernetes/unknown-field against k8s-check decode', k8sCheckBinary(), PROVISION_K8S, (bin) => {
  const decode = (files: string[]): Decoded[] => {
    const r = spawnSync(bin, ['decode', ...files], { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 << 20 });
    if (r.status !== 0) throw new Error(`k8s-check decode exited ${r.status}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };

  /** Files with a document the doctor cannot parse (kubernetes/invalid-yaml reports it, and kubectl stops there). */
  const unreadable = new Set<string>();

  /** The doctor's side: the verdict it predicts per object, after checking that the rule reports every refusal. */
  const doctor = (files: string[]): Verdicts => {
    const out: Verdicts = new Map();
    unreadable.clear();
    for (const file of files) {
      const r = textSource(file, readFileSync(file, 'utf8'), 'yaml');
      if (!r.ok) throw new Error(`cannot read ${file}`);
      const yamlDocs = parseYamlDocuments(r.source);
      const stack = buildStack([{ kind: 'kubernetes', source: r.source, yamlDocs }]);
      const docs = yamlDocs.map((d) => parseYaml(r.source, d));
      if (docs.some((d) => d.problems.length > 0)) unreadable.add(file);
      const objects = strictObjects(docs);
      const found = rule.check({ stack } as Workspace);
      expect(found.map((f) => f.data.path).sort(), file).toEqual(objects.flatMap((o) => o.refusals.map((x) => x.path)).sort());
      for (const [key, o] of counted(objects, (o) => `${file} ${o.kind}/${o.name ?? ''}`)) out.set(key, predicted(o.refusals));
    }
    return out;
  };

  /** The oracle's side, for the kinds the doctor judges (the others are "unknown kind" or CRDs it does not know). */
  const oracle = (files: string[], judged: Verdicts): Verdicts => {
    const out: Verdicts = new Map();
    for (const [key, d] of counted(decode(files), (d) => `${d.file} ${d.kind}/${d.name}`)) {
      // YAML kubectl cannot read is kubernetes/invalid-yaml's finding: the doctor must not have read it either.
      if (d.errors.length > 0 && d.errors.every((e) => e.startsWith('yaml: ')) && unreadable.has(d.file) && !judged.has(key)) continue;
      if (!judged.has(key) && (d.errors.includes('unknown kind') || d.errors.some((e) => /no kind .* is registered/.test(e)))) continue;
      out.set(key, d.errors.map(oracleKey).sort());
    }
    return out;
  };

  const agree = (files: string[]) => {
    const ours = doctor(files);
    const theirs = oracle(files, ours);
    const differences = [...new Set([...ours.keys(), ...theirs.keys()])]
      .filter((k) => JSON.stringify(ours.get(k)) !== JSON.stringify(theirs.get(k)))
      .map((k) => ({ object: relative(packageRoot, k.startsWith(scratch) ? k.replace(scratch, 'scratch') : k), doctor: ours.get(k), k8sCheck: theirs.get(k) }));
    expect(differences).toEqual([]);
    return { objects: ours.size, refused: [...ours.values()].filter((v) => v.length > 0).length };
  };

  const bases = baseManifests();

  it('agrees on every manifest of the fixtures and of k8s-check testdata', () => {
    const { objects, refused } = agree(bases);
    expect(bases.length).toBeGreaterThanOrEqual(20);
    expect(objects).toBeGreaterThanOrEqual(40);
    expect(refused).toBeGreaterThanOrEqual(5);
  });

  it('agrees on the edge cases of reading YAML as kubectl does', () => {
    const file = join(scratch, 'edge-cases.yaml');
    const text = `${EDGE_CASES}${VALUE_CASES}`;
    writeFileSync(file, text);
    const { objects, refused } = agree([file]);
    expect([objects, refused]).toEqual([text.split('---\n').length, 33]);
  });

  it('agrees on mutated copies of them (a field renamed or retyped, one mistake a copy)', () => {
    const copies = mutations(bases);
    const { refused } = agree(copies);
    expect(copies.length).toBeGreaterThanOrEqual(100);
    expect(refused).toBeGreaterThanOrEqual(copies.length * 0.6);
  });

  oracleDescribe('and the collector chart renderings', helmBinary(), PROVISION_HELM, () => {
    it('agrees on every ci/*-values.yaml rendering and on mutated copies of them', () => {
      const rendered = chartRenderings();
      const { objects } = agree(rendered);
      expect(objects).toBeGreaterThanOrEqual(100);
      const copies = mutations(rendered);
      const { refused } = agree(copies);
      expect(refused).toBeGreaterThanOrEqual(copies.length * 0.6);
    }, 300_000);
  });
});
