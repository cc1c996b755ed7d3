import { YamlValue } from '../../load/yaml-value.js';
import { defineRule, type RuleFinding } from '../define.js';

const messages = {
  unchecked: { message: 'the collector config these chart values deploy is not checked', detail: '{{reason}}' },
} as const;
type HelmConfigUncheckedFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'kubernetes/helm-config-unchecked',
  severity: 'info',
  title: "A collector chart's config the doctor cannot check",
  checks:
    'A values file of the OpenTelemetry Collector Helm chart that helm renders, but whose collector config the doctor does not know: a Go template in `config` (helm evaluates it with `tpl`), `configMap.create: false` (no config, or the ConfigMap `configMap.existingName` names, made outside the chart). One line per file says so.',
  why: 'Every other chart values file has the config the chart renders checked by every collector rule. When the doctor cannot know that config, no finding about it means nothing was checked, not that nothing is wrong; this line says which.',
  fix: 'none',
  versions: 'chart 0.170.0',
  bad: {
    file: 'k8s/collector-values.yaml',
    text: 'mode: deployment\nimage:\n  repository: otel/opentelemetry-collector-contrib\nconfigMap:\n  create: false\n  existingName: otel-collector-config\n',
  },
  good: {
    file: 'k8s/collector-values.yaml',
    text: 'mode: deployment\nimage:\n  repository: otel/opentelemetry-collector-contrib\nconfig:\n  exporters:\n    debug: {}\n',
  },
  messages,
  references: [
    'https://github.com/open-telemetry/opentelemetry-helm-charts/blob/opentelemetry-collector-0.170.0/charts/opentelemetry-collector/templates/configmap.yaml (the config through tpl; configMap.create)',
  ],
  oracle: 'fixtures',
  stage: 'Collector',
  check(ws) {
    const findings: HelmConfigUncheckedFinding[] = [];
    for (const { values, reading } of ws.stack.helmValues) {
      // Refused values deploy nothing: kubernetes/helm-values-refused says so.
      if (!('notModelled' in reading.config) || reading.failures.length > 0) continue;
      const root = YamlValue.root(values);
      const at = root.at('configMap', 'create')?.js === false ? root.get('configMap') : (root.get('alternateConfig') ?? root.get('config'));
      findings.push({
        ...(at ? at.location() : { file: values.source.path, range: values.source.range(0, 0) }),
        kind: 'unchecked',
        data: { reason: reading.config.notModelled },
      });
    }
    return findings;
  },
});
