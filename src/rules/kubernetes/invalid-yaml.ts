import { posix } from 'node:path';
import { kubectlReadingProblems } from '../../load/kubectl-yaml.js';
import type { YamlDocument, YamlProblem } from '../../load/yaml.js';
import { YamlValue } from '../../load/yaml-value.js';
import { kustomizePatchFiles } from '../../model/kubernetes.js';
import type { Workspace } from '../../model/workspace.js';
import { defineRule, type RuleFinding } from '../define.js';

const messages = {
  /** `problem`: the YAML parser's (or kubectl's reading's) words. */
  unreadable: {
    message: (d: { problem: string }) => `kubectl cannot read this manifest: ${d.problem}`,
    detail: (d: { problem: string }) =>
      `${d.problem}; kubectl stops at it and applies nothing of this file, and the doctor reads none of the objects in this document or the configs inside them`,
  },
  /** A key set twice in one map (or two keys that are one once converted to JSON). `kustomized`: a kustomization reads the file. */
  duplicate: {
    message: (d: { problem: string; kustomized: boolean }) =>
      d.kustomized ? 'a key set twice: kustomize refuses this manifest' : 'a key set twice: kubectl keeps only the last value',
    detail: (d: { problem: string; kustomized: boolean }) =>
      `${d.problem}; ${
        d.kustomized
          ? 'a kustomization names this file, and kustomize build (kubectl apply -k) refuses a key set twice ("mapping key already defined")'
          : 'kubectl apply -f converts the document to JSON keeping the last value and dropping the other without a word (kustomize build would refuse the file)'
      }; the doctor reads none of the objects in this document`,
  },
  /** A null key in a file kustomize reads: it writes the key as "" (kubectl reading the file itself refuses it). */
  nullKey: {
    message: 'a null map key: kustomize turns it into an empty key ""',
    detail: 'kustomize build writes a key without a name as "", which is what kubectl apply -k then sends (kubectl apply -f would refuse the file)',
  },
  /** What kubectl reads but the doctor does not (aliases expanding too far). */
  unread: {
    message: (d: { problem: string }) => `the doctor does not read this document, though kubectl does (${d.problem})`,
    detail: (d: { problem: string }) => `${d.problem}; nothing in this document is checked`,
  },
} as const;

type Found = RuleFinding<typeof messages>;

export default defineRule({
  id: 'kubernetes/invalid-yaml',
  severity: 'error',
  title: 'Kubernetes manifest is not valid YAML',
  checks:
    'Every document of a Kubernetes manifest reads as kubectl reads it: no YAML syntax error (tabs as indentation, unclosed quotes), no `---` line with more than a comment after it, no %YAML directive, no control character, no collection as a key; and no key set twice (a warning unless a kustomization reads the file).',
  why: 'kubectl apply stops at a document it cannot read ("error parsing x.yaml: error converting YAML to JSON: yaml: line 7: found character that cannot start any token", "invalid Yaml document separator"), so nothing in the file is deployed, the collector config inside it included. A key set twice is read by kubectl apply -f keeping the last value, silently; kustomize (kubectl apply -k) refuses it. The doctor cannot check what it cannot read.',
  fix: 'none',
  versions: 'all Kubernetes versions',
  bad: { file: 'k8s/collector.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: otel-collector-conf\ndata:\n\tconfig.yaml: ""\n' },
  good: { file: 'k8s/collector.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: otel-collector-conf\ndata:\n  config.yaml: ""\n' },
  references: [
    'https://github.com/kubernetes/cli-runtime/blob/v0.37.2/pkg/resource/visitor.go (StreamVisitor: the YAML-or-JSON stream decoder; the first error stops the file)',
    'https://github.com/kubernetes/apimachinery/blob/v0.37.2/pkg/util/yaml/decoder.go (YAMLReader: documents split at `---` lines, "invalid Yaml document separator")',
    'https://github.com/kubernetes-sigs/yaml/blob/v1.6.0/yaml.go (Unmarshal: go-yaml v2, non-strict: "Duplicate fields ... are ignored"; UnmarshalStrict refuses them)',
  ],
  oracle: 'fixtures',
  certainty:
    "test/oracles/invalid-yaml-differential.test.ts feeds broken and borderline manifests to the doctor and to k8s-check read (kubectl's own reading: cli-runtime's StreamVisitor loop over apimachinery's YAML-or-JSON decoder) and k8s-check kustomize (kustomize build): the rule's errors are exactly the files kubectl refuses, or for a file a kustomization names, the files kustomize refuses; what they read gets at most a warning.",
  stage: 'Collector',
  messages,
  check(ws) {
    const kustomized = kustomizeInputs(ws);
    const byFile = new Map<string, YamlDocument[]>();
    for (const y of ws.stack.kubernetes.documents) byFile.set(y.source.path, [...(byFile.get(y.source.path) ?? []), y]);
    return [...byFile.values()].flatMap((docs) => {
      const source = docs[0]!.source;
      const problems = [
        ...docs.flatMap((y) => y.problems),
        ...kubectlReadingProblems(
          source.text,
          docs.map((y) => y.doc),
        ),
      ];
      return problems.map((p) => finding(source.path, p, kustomized.has(source.path), (o, l) => source.range(o, l)));
    });
  },
});

function finding(file: string, p: YamlProblem, kustomized: boolean, range: (offset: number, length: number) => Found['range']): Found {
  const at = { file, range: range(p.offset, p.length) };
  if (p.code === 'DUPLICATE_KEY' || p.code === 'KEY_COLLISION') {
    return {
      ...at,
      kind: 'duplicate',
      data: { problem: p.message, kustomized },
      severity: kustomized ? 'error' : 'warning',
      hint: 'keep one of the two entries',
    };
  }
  // kustomize writes a null key as "" and kubectl reads its output: refused only when kubectl reads the file itself.
  if (p.code === 'NULL_KEY' && kustomized) return { ...at, kind: 'nullKey', severity: 'warning', hint: 'name the key' };
  // Aliases expanding past the doctor's limit (a guard against alias bombs): kubectl's go-yaml reads them.
  if (p.code === 'ALIAS_LIMIT')
    return { ...at, kind: 'unread', data: { problem: p.message }, severity: 'warning', hint: 'write the values out instead of so many aliases' };
  const hint =
    p.code === 'TAB_AS_INDENT'
      ? 'indent with spaces'
      : p.code === 'SEPARATOR'
        ? 'put the next document on the line after `---`'
        : p.code === 'DIRECTIVE'
          ? 'remove the directive'
          : 'fix the YAML at this position';
  return { ...at, kind: 'unreadable', data: { problem: p.message }, hint };
}

/** The files kustomize reads (a kustomization's `resources` and patches), resolved against its folder. */
function kustomizeInputs(ws: Workspace): Set<string> {
  const kustomizations = ws.stack.files.filter((f) => f.kind === 'kustomization').flatMap((f) => ws.stack.yaml.get(f.source.path) ?? []);
  const out = kustomizePatchFiles(kustomizations);
  for (const y of kustomizations) {
    const dir = posix.dirname(y.source.path);
    for (const item of YamlValue.root(y).get('resources')?.items() ?? []) {
      const p = item.string();
      if (p && !p.includes('://')) out.add(posix.normalize(p.startsWith('/') ? p : `${dir}/${p}`));
    }
  }
  return out;
}
