import { basename, relative } from 'node:path';
import { YamlValue } from '../../load/yaml-value.js';
import { defineRule, type RuleFinding } from '../define.js';

const messages = {
  refused: {
    message: '`kustomize build` of {{folder}} fails: nothing of it is applied',
    detail: 'kustomize stops with: {{reason}}',
  },
} as const;
type KustomizeRefusedFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'kubernetes/kustomize-refused',
  severity: 'error',
  title: 'A kustomization that `kustomize build` refuses',
  checks:
    "Each root kustomization of the scan (one no other kustomization names), built as `kustomize build` (kubectl's `apply -k`) builds it with its bases, overlays and components: flags a build kustomize stops, in its words: a resource, patch or generator file that does not exist, a file outside the kustomization's folder (the default load restrictor), two objects with one id, a patch that matches no object, a JSON patch path that is not there, a cycle of kustomizations, a Component where a kustomization is expected. Builds with what the doctor does not model (helmCharts, replacements, vars, plugins, remote resources) are not judged.",
  why: '`kubectl apply -k` and `kustomize build` print the error and apply nothing, so a CI or GitOps controller (Argo CD, Flux) that deploys the overlay fails and the collector Claude Code sends to is neither created nor updated; the rest of the doctor reads such a build as its files are written, which is not what any cluster runs.',
  fix: 'none',
  versions: 'kustomize v5 (sigs.k8s.io/kustomize/api v0.21.2; kubectl 1.27+ embeds it)',
  bad: {
    file: 'k8s/kustomization.yaml',
    text: 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - collector.yaml\n',
  },
  good: {
    file: 'k8s/kustomization.yaml',
    text: 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n',
  },
  messages,
  references: [
    'https://github.com/kubernetes-sigs/kustomize/tree/api/v0.21.2/api/krusty (kustomize build)',
    'https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/',
    'test/oracles/kustomize-differential.test.ts (the real kustomize build on each tree: the same refusals)',
  ],
  oracle: 'fixtures',
  certainty:
    "kustomize's own refusal: `src/model/kustomize/build.ts` refuses only where krusty's build does, and test/oracles/kustomize-differential.test.ts requires every tree the doctor refuses to be refused by the real `k8s-check kustomize` (sigs.k8s.io/kustomize/api v0.21.2) and every tree it refuses to be refused by the doctor.",
  stage: 'Collector',
  check(ws) {
    const findings: KustomizeRefusedFinding[] = [];
    for (const unit of ws.stack.kustomize) {
      if (!('refused' in unit.build)) continue;
      const doc = ws.stack.yaml.get(unit.kustomization);
      if (!doc) continue;
      const root = YamlValue.root(doc);
      const at = root.get('resources') ?? root;
      findings.push({
        ...at.location(),
        kind: 'refused',
        data: { folder: `${basename(unit.build.root)}/`, reason: relativePaths(unit.build.refused, unit.build.root) },
        hint: 'run `kustomize build` (or `kubectl kustomize`) on the folder and mend what it names',
      });
    }
    return findings;
  },
});

/** kustomize names files by absolute path; a report names them from the kustomization's folder (`collector.yaml`, `../base/x.yaml`). */
function relativePaths(reason: string, root: string): string {
  return reason.replace(/(?<=^|[\s'"(])\/[^\s'")]+/g, (path) => relative(root, path) || '.');
}
