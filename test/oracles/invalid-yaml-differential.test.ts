// The differential of kubernetes/invalid-yaml: on broken and borderline manifests, the doctor must refuse (an
// `error`) exactly the files kubectl refuses to read (`k8s-check read`: k8s.io/cli-runtime's StreamVisitor loop, the
// YAML-or-JSON stream decoder over sigs.k8s.io/yaml and go-yaml v2, as `kubectl apply -f` reads a file before
// anything reaches the server). What kubectl reads but the doctor still reports is a warning, never an error.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { classifySource } from '../../src/discover/classify.js';
import { readTextFile } from '../../src/load/read.js';
import { parseYamlDocuments } from '../../src/load/yaml.js';
import { buildStack, type StackFile } from '../../src/model/stack.js';
import type { Workspace } from '../../src/model/workspace.js';
import rule from '../../src/rules/kubernetes/invalid-yaml.js';
import { discoverCorpus, oracleDescribe } from './differential-support.js';
import { k8sCheckBinary, PROVISION_K8S } from './paths.js';

const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: otel\n';
const many = (n: number) => Array.from({ length: n }, (_, i) => `  k${i}: *v`).join('\n');

/** Manifests, by what is broken or unusual in them. Text only: bytes that are not UTF-8 are written as latin1. */
export const CASES: Record<string, string> = {
  valid: `${CM}data:\n  a: "1"\n`,
  'tab as indentation': `${CM}data:\n\ta: "1"\n`,
  'tab after a key': `${CM}data:\n  a:\t"1"\n`,
  'tab inside a block scalar': `${CM}data:\n  config.yaml: |\n    receivers:\n    \totlp: {}\n`,
  'duplicate key at the top': `${CM}kind: ConfigMap\n`,
  'duplicate key in metadata': `${CM}  name: otel-2\n`,
  'duplicate label': `${CM}  labels:\n    app: a\n    app: b\n`,
  'duplicate data key': `${CM}data:\n  a: "1"\n  a: "2"\n`,
  'duplicate key, one quoted': `${CM}data:\n  a: "1"\n  "a": "2"\n`,
  'keys 1 and "1"': `${CM}data:\n  1: x\n  "1": y\n`,
  'bad indentation: a key too deep': `${CM}data:\n  a: "1"\n    b: "2"\n`,
  'bad indentation: a key too shallow in a map': `${CM}  labels:\n    app: a\n   team: b\n`,
  'sequence under a key, not indented': `${CM}  finalizers:\n  - a\n`,
  'unterminated double quote': `${CM}data:\n  a: "1\n`,
  'unterminated single quote': `${CM}data:\n  a: '1\n`,
  'unclosed flow mapping': `${CM}data: {a: "1"\n`,
  'colon in a plain value': `${CM}data:\n  cmd: echo a: b\n`,
  'a value starting with @': `${CM}data:\n  a: @x\n`,
  'a value starting with a backtick': `${CM}data:\n  a: \`x\`\n`,
  'anchor and alias': `${CM}  labels: &l\n    app: a\n  annotations: *l\n`,
  'undefined alias': `${CM}  labels: *nope\n`,
  'alias across documents': `${CM}  labels: &l\n    app: a\n---\n${CM}  labels: *l\n`,
  'duplicate anchor': `${CM}  labels: &l\n    app: a\n  annotations: &l\n    b: c\n`,
  'merge key': `${CM}  labels: &l\n    app: a\n  annotations:\n    <<: *l\n    b: c\n`,
  'merge key with a list': `${CM}  labels: &l\n    app: a\n  annotations: &m\n    b: c\n  x:\n    <<: [*l, *m]\n`,
  '150 aliases': `${CM}  labels:\n    v: &v a\ndata:\n${many(150)}\n`,
  '1500 aliases': `${CM}  labels:\n    v: &v a\ndata:\n${many(1500)}\n`,
  'two documents': `${CM}---\n${CM}`,
  '--- with a comment': `${CM}--- # next\n${CM}`,
  '---- (four dashes) between documents': `${CM}----\n${CM}`,
  '--- and spaces': `${CM}---   \n${CM}`,
  '--- then a flow map on its line': `${CM}--- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n`,
  '--- indented inside a block scalar': `${CM}data:\n  a: |\n    x\n    ---\n    y\n`,
  '--- at column 0 inside a block scalar': `${CM}data:\n  a: |\n    x\n---\n    y\n`,
  '--- inside a quoted string': `${CM}data:\n  a: "x\n    ---\n    y"\n`,
  'a BOM': `\uFEFF${CM}`,
  CRLF: `${CM}data:\n  a: "1"\n`.replace(/\n/g, '\r\n'),
  'CRLF with a block scalar': `${CM}data:\n  a: |\n    x\n    y\n`.replace(/\n/g, '\r\n'),
  'YAML 1.1 booleans and octals': `${CM}data:\n  on: yes\n  mode: 0755\n  off: No\n`,
  'empty documents': `---\n---\n${CM}---\n---\n`,
  'comments only': '# nothing here\n',
  'document end marker': `${CM}...\n---\n${CM}`,
  'document end marker alone': `${CM}...\n`,
  '%YAML 1.2 directive': `%YAML 1.2\n---\n${CM}`,
  '%YAML 1.1 directive': `%YAML 1.1\n---\n${CM}`,
  '%TAG directive': `%TAG !e! tag:example.com,2000:\n---\n${CM}`,
  'a percent sign in a block scalar': `${CM}data:\n  a: |\n    %YAML 1.2\n`,
  'a JSON document': '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "otel"}}\n',
  'a YAML flow mapping at the top': '{apiVersion: v1, kind: ConfigMap, metadata: {name: otel}}\n',
  'JSON then a YAML document':
    '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n',
  'a comment, then a flow mapping': '# a ConfigMap\n{apiVersion: v1, kind: ConfigMap, metadata: {name: otel}}\n',
  'a top-level sequence': '- apiVersion: v1\n  kind: ConfigMap\n',
  'a scalar document': 'hello\n',
  'a null document': '~\n',
  'a collection as a key': `${CM}data:\n  ? [a, b]\n  : x\n`,
  'a null key': `${CM}data:\n  ? \n  : x\n`,
  'a merge key of a scalar': `${CM}data:\n  <<: 1\n`,
  'a DEL character': `${CM}data:\n  a: x\u007fy\n`,
  'a NEL character': `${CM}data:\n  a: "x\u0085y"\n`,
  'a BOM inside a value': `${CM}data:\n  a: x\uFEFFy\n`,
  'a custom tag': `${CM}data:\n  a: !custom x\n`,
  'a binary tag': `${CM}binaryData:\n  a: !!binary aGVsbG8=\n`,
  'a NUL byte': `${CM}data:\n  a: "x\u0000y"\n`,
  'a raw control character': `${CM}data:\n  a: x\u0007y\n`,
  'a non-UTF-8 byte': `${CM}data:\n  a: caf\u00e9\n`,
  'trailing spaces and tabs': `${CM}data:  \t\n  a: "1"\t\n`,
  'a key with no value': `${CM}data:\n  a:\n`,
  'a plain multi-line value': `${CM}data:\n  a: one\n    two\n`,
  'a quoted key over 1024 characters': `${CM}data:\n  "${'k'.repeat(1100)}": x\n`,
  'a plain key over 1024 characters': `${CM}data:\n  ${'k'.repeat(1100)}: x\n`,
  'a list item at the wrong indent': `${CM}  finalizers:\n    - a\n   - b\n`,
  'a document that is only ---': '---\n',
  'a map after a scalar': `${CM}data: x\n  a: b\n`,
};

const NON_UTF8 = new Set(['a non-UTF-8 byte']);

const scratch = mkdtempSync(join(tmpdir(), 'cod-invalid-yaml-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Read {
  file: string;
  objects: number;
  error: string | null;
}

type Verdict = 'refuses' | 'warns' | 'reads';

/**
 * The doctor's verdict on a file, as `check` reaches it: read (doctor/unreadable-file refuses what is not UTF-8 or
 * has NUL bytes), classified, and kubernetes/invalid-yaml's findings; `kustomization`: a kustomization naming it.
 */
function doctorVerdict(file: string, kustomization?: string): { verdict: Verdict; says: string[] } {
  const read = readTextFile(file, 'yaml');
  if (!read.ok) return { verdict: 'refuses', says: [`doctor/unreadable-file: ${read.problem.reason}`] };
  const files: StackFile[] = [];
  const classified = classifySource(read.source);
  if (classified?.kind !== 'kubernetes') return { verdict: 'reads', says: [`not read as a manifest (${classified?.kind ?? 'unclassified'})`] };
  files.push({ kind: 'kubernetes', source: read.source, yamlDocs: parseYamlDocuments(read.source) });
  if (kustomization) {
    const k = readTextFile(kustomization, 'yaml');
    if (!k.ok) throw new Error(`cannot read ${kustomization}`);
    files.push({ kind: 'kustomization', source: k.source, yamlDoc: classifySource(k.source)?.yamlDoc });
  }
  const found = rule.check({ stack: buildStack(files) } as Workspace);
  const severities = found.map((f) => f.severity ?? rule.severity);
  return {
    verdict: severities.includes('error') ? 'refuses' : severities.length > 0 ? 'warns' : 'reads',
    says: found.map((f) => `${f.severity ?? rule.severity} ${f.data?.problem ?? f.kind}`),
  };
}

oracleDescribe('kubernetes/invalid-yaml against kubectl reading (k8s-check read, k8s-check kustomize)', k8sCheckBinary(), PROVISION_K8S, (bin) => {
  const names = Object.keys(CASES);
  const write = (file: string, name: string) => writeFileSync(file, CASES[name]!, NON_UTF8.has(name) ? 'latin1' : 'utf8');
  const plain = names.map((name, i) => {
    const file = join(scratch, `case-${i}.yaml`);
    write(file, name);
    return file;
  });
  // The same manifests, each named by a kustomization of its own folder.
  const kustomized = names.map((name, i) => {
    const dir = join(scratch, `kustomize-${i}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n  - manifest.yaml\n');
    write(join(dir, 'manifest.yaml'), name);
    return dir;
  });

  const report = (what: string, rows: { name: string; doctor: Verdict; tool: Verdict; error: string; says: string[] }[]) => {
    // The warnings: what the tool reads and the doctor still reports.
    const warned = rows.filter((x) => x.doctor === 'warns');
    if (warned.length > 0) console.log(warned.map((x) => `${x.name.padEnd(40)} warns, ${what} reads: ${x.says.join('; ').slice(0, 120)}`).join('\n'));
    const refused = rows.filter((x) => x.tool === 'refuses').length;
    const agree = rows.filter((x) => (x.doctor === 'refuses') === (x.tool === 'refuses')).length;
    console.log(
      `invalid-yaml differential against ${what}: ${rows.length} manifests, ${agree} agree on refusing (${refused} refused by ${what}; the doctor warns on ${rows.filter((x) => x.doctor === 'warns').length})`,
    );
    expect(rows.filter((x) => (x.doctor === 'refuses') !== (x.tool === 'refuses'))).toEqual([]);
  };

  it('errors on exactly the files kubectl apply -f refuses; what it reads gets at most a warning', () => {
    const r = spawnSync(bin, ['read', ...plain], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const kubectl: Read[] = JSON.parse(r.stdout);
    report(
      'kubectl',
      names.map((name, i) => {
        const d = doctorVerdict(plain[i]!);
        return { name, doctor: d.verdict, tool: kubectl[i]!.error ? 'refuses' : 'reads', error: kubectl[i]!.error ?? '', says: d.says };
      }),
    );
  });

  it('errors on none of the manifest fixtures kubectl reads, and on each it refuses', () => {
    const fixtures = discoverCorpus('kubernetes', 'kubernetes', /\.ya?ml$/);
    const r = spawnSync(bin, ['read', ...fixtures.map((f) => f.path)], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const kubectl: Read[] = JSON.parse(r.stdout);
    report(
      'kubectl',
      fixtures.map((f, i) => {
        const d = doctorVerdict(f.path);
        return { name: f.name, doctor: d.verdict, tool: kubectl[i]!.error ? 'refuses' : 'reads', error: kubectl[i]!.error ?? '', says: d.says };
      }),
    );
  });

  it('errors on exactly the files kustomize build refuses as YAML when a kustomization names them', () => {
    report(
      'kustomize',
      names.map((name, i) => {
        const r = spawnSync(bin, ['kustomize', kustomized[i]!], { encoding: 'utf8', timeout: 60_000 });
        // Its reading errors only: not the duplicate ids of documents written alike, or a document without metadata.
        const error = r.status === 0 ? '' : r.stderr.replace(/\s+/g, ' ');
        const yamlError = error !== '' && !/already registered id|missing Resource metadata/.test(error);
        const d = doctorVerdict(join(kustomized[i]!, 'manifest.yaml'), join(kustomized[i]!, 'kustomization.yaml'));
        return { name, doctor: d.verdict, tool: yamlError ? 'refuses' : 'reads', error: yamlError ? error : '', says: d.says };
      }),
    );
  });
});
