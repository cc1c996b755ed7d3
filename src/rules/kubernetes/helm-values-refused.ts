import { YamlValue } from '../../load/yaml-value.js';
import { defineRule, type RuleFinding } from '../define.js';

const messages = {
  refused: {
    message: 'helm refuses these values of the OpenTelemetry Collector chart {{chart}}: no collector is deployed',
    detail: 'helm renders nothing: {{failure}}',
  },
} as const;
type HelmValuesRefusedFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'kubernetes/helm-values-refused',
  severity: 'error',
  title: 'The collector Helm chart refuses the values file',
  checks:
    "A values file of the OpenTelemetry Collector Helm chart (0.170.0) against what `helm template` refuses: the chart's values schema (unknown keys, wrong types, values outside an enum; every violation), then the chart's own `fail`s in NOTES.txt (no `mode`, no `image.repository`, no `health_check` extension in `config.service.extensions`, `configMap.existingName` with `configMap.create`, profiling with a community image, internalTelemetryViaOTLP without an endpoint...). Each finding points at the value the refusal is about, or the nearest value written on its way.",
  why: '`helm install` and `helm upgrade` stop with the error and deploy nothing (an upgrade leaves the previous release running), so a CI that applies the values fails and the collector Claude Code sends to is not created or not updated. The collector config in the values is not checked while helm refuses them: nothing of it is deployed.',
  fix: 'none',
  versions: 'chart 0.170.0 (the chart version whose schema and templates the doctor follows; values for another version are read as if for it)',
  bad: {
    file: 'k8s/collector-values.yaml',
    text: 'mode: deployment\nimage:\n  repository: otel/opentelemetry-collector-contrib\nconfig:\n  extensions:\n    pprof: {}\n  service:\n    extensions: [pprof]\n',
  },
  good: {
    file: 'k8s/collector-values.yaml',
    text: 'mode: deployment\nimage:\n  repository: otel/opentelemetry-collector-contrib\nconfig:\n  extensions:\n    pprof: {}\n  service:\n    extensions: [health_check, pprof]\n',
  },
  messages,
  references: [
    'https://github.com/open-telemetry/opentelemetry-helm-charts/blob/opentelemetry-collector-0.170.0/charts/opentelemetry-collector/values.schema.json',
    'https://github.com/open-telemetry/opentelemetry-helm-charts/blob/opentelemetry-collector-0.170.0/charts/opentelemetry-collector/templates/NOTES.txt',
    'test/oracles/helm-values-differential.test.ts (the real helm template v4.3.2 on each values file: the same refusals)',
  ],
  oracle: 'fixtures',
  certainty:
    "helm's own refusal: `src/model/helm/collector-chart.ts` reads the values schema and NOTES.txt's `fail`s of chart 0.170.0, and test/oracles/helm-values-differential.test.ts requires its refusals to equal the real `helm template`'s on the chart's ci/ values and fixtures/helm-values-team.",
  stage: 'Collector',
  check(ws) {
    const findings: HelmValuesRefusedFinding[] = [];
    for (const { values, reading } of ws.stack.helmValues) {
      for (const failure of reading.failures) {
        // The schema names a key it does not allow in the map it points at: point at that key.
        const map = failure.from === 'chart default' ? YamlValue.root(values) : failure.from;
        const extra = /additional properties '([^']+)'/.exec(failure.value)?.[1];
        const key = extra !== undefined ? map.get(extra) : undefined;
        const at = key
          ? key.location()
          : failure.from === 'chart default'
            ? { file: values.source.path, range: values.source.range(0, 0) }
            : failure.from.location();
        findings.push({
          ...at,
          kind: 'refused',
          data: { chart: reading.chartVersion, failure: failure.value },
          hint: 'change the values as the error says; `helm template -f <values>` shows the same error',
        });
      }
    }
    return findings;
  },
});
