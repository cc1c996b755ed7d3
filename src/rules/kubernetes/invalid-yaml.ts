import { defineRule } from '../define.js';

const messages = {
  /** `problem`: the YAML parser's words. */
  unreadable: {
    message: (d: { problem: string; duplicateKey: boolean }) => `this manifest does not parse${d.duplicateKey ? ' (a duplicate key)' : ''}: kubectl refuses it`,
    detail: (d: { problem: string; duplicateKey: boolean }) => `${d.problem}; the doctor reads none of the objects in this document or the configs inside them`,
  },
} as const;

export default defineRule({
  id: 'kubernetes/invalid-yaml',
  severity: 'error',
  title: 'Kubernetes manifest is not valid YAML',
  checks: 'Every document of a Kubernetes manifest parses as YAML: no tabs in indentation, no duplicate keys, no syntax errors.',
  why: 'kubectl apply stops at a document that does not parse ("error converting YAML to JSON: yaml: line 7: found character that cannot start any token", or for a duplicate key "key \\"name\\" already set in map"), so nothing in it is deployed, the collector config inside it included; and the doctor cannot check what it cannot read.',
  fix: 'none',
  versions: 'all Kubernetes versions',
  bad: { file: 'k8s/collector.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: otel-collector-conf\n  name: otel-collector\n' },
  good: { file: 'k8s/collector.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: otel-collector-conf\n' },
  references: [
    'https://github.com/kubernetes-sigs/yaml/blob/v1.4.0/yaml.go (kubectl converts each document to JSON with go-yaml; a syntax error or a duplicate map key fails the conversion)',
    'https://kubernetes.io/docs/concepts/overview/working-with-objects/#describing-a-kubernetes-object',
  ],
  oracle: 'fixtures',
  certainty:
    'kubectl reads each document through sigs.k8s.io/yaml, which unmarshals it with go-yaml and fails on text that is not YAML and on a key set twice in one map (its docs and source); the doctor reports exactly what its own parser rejects (the same YAML syntax errors, tabs as indentation, duplicate keys).',
  stage: 'Collector',
  messages,
  check(ws) {
    return ws.stack.kubernetes.documents.flatMap((y) =>
      y.problems.map((p) => ({
        file: y.source.path,
        range: y.source.range(p.offset, p.length),
        kind: 'unreadable' as const,
        data: { problem: p.message, duplicateKey: p.code === 'DUPLICATE_KEY' },
        hint:
          p.code === 'TAB_AS_INDENT'
            ? 'indent with spaces'
            : p.code === 'DUPLICATE_KEY'
              ? 'keep one of the two entries'
              : 'fix the YAML syntax at this position',
      })),
    );
  },
});
