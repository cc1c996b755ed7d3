import { defineRule, type RuleFinding } from '../define.js';
import { prometheusName, type TranslationStrategy } from '../../model/naming.js';

const STRATEGIES: TranslationStrategy[] = [
  'UnderscoreEscapingWithSuffixes',
  'UnderscoreEscapingWithoutSuffixes',
  'NoUTF8EscapingWithSuffixes',
  'NoTranslation',
];

const MUST = 'dashboards and queries must use the prefixed names';

const messages = {
  prepended: { message: `exporter "{{exporter}}" has namespace "{{namespace}}": ${MUST}`, detail: 'it is prepended to every series name' },
  /** `prefixed` and `plain`: Claude Code's cost counter with and without the namespace. */
  prefix: {
    message: (d: { exporter: string; namespace: string }) => `exporter "${d.exporter}" has namespace "${d.namespace}": ${MUST}`,
    detail: (d: { prefix: string; prefixed: string; plain: string }) =>
      `every series gets the prefix "${d.prefix}", so Claude Code's cost counter is ${d.prefixed} (not ${d.plain})${d.prefix === 'claude_code_' ? ', the "double prefix"' : ''}`,
  },
} as const;

export default defineRule({
  id: 'collector/exporter-namespace',
  severity: 'info',
  title: 'Prometheus exporter namespace prefixes every series',
  checks: "A `prometheus` exporter with `namespace` set: says which prefix every series gets, with Claude Code's cost counter as the example.",
  why: 'The namespace is prepended to every metric name without de-duplication, so `namespace: claude_code` turns `claude_code_cost_usage_USD_total` into `claude_code_claude_code_cost_usage_USD_total` (the "double prefix"). Dashboards, alerts and queries written for the usual names show "No data"; ones written for the prefixed names break when the namespace is removed.',
  fix: 'none',
  versions: 'all collector versions with the contrib `prometheus` exporter',
  bad: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n    namespace: claude_code\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/v0.159.0/exporter/prometheusexporter/README.md (namespace is prepended to every metric name)',
    'https://github.com/prometheus/otlptranslator/blob/d7be77fc2c4afc1bb2cea311b1af98314b2de165/metric_namer.go (name-building; the namespace is not de-duplicated)',
    'https://github.com/cskiro/claudex/tree/ab4a351/skills/otel-monitoring-setup/templates/otel-collector-config.yml (the seed template sets namespace: claude_code)',
    'measured: test/pipeline/naming-oracle.test.ts (names per pipeline on real collector builds)',
  ],
  messages,
  oracle: 'fixtures',
  stage: 'Collector',
  check(ws) {
    const findings: RuleFinding<typeof messages>[] = [];
    for (const c of ws.stack.collectors.filter((x) => x.yaml.problems.length === 0)) {
      for (const e of c.components.filter((x) => x.kind === 'exporters' && x.type === 'prometheus')) {
        const written = e.value.get('namespace');
        const ns = written?.string();
        if (!written || ns === undefined || ns.trim() === '' || ns.includes('${')) continue;
        const strategy = STRATEGIES.find((s) => s === e.value.get('translation_strategy')?.string());
        const pipeline = {
          kind: 'collector-prometheus' as const,
          collectorVersion: ws.stack.collector.version,
          namespace: ns,
          translationStrategy: strategy,
          addMetricSuffixes: e.value.get('add_metric_suffixes')?.boolean(),
        };
        const prefixed = prometheusName('claude_code.cost.usage', 'USD', pipeline);
        const plain = prometheusName('claude_code.cost.usage', 'USD', { ...pipeline, namespace: undefined });
        const at = written.location('value');
        const hint = 'keep the namespace only if every dashboard and alert queries the prefixed names; removing it changes every series name';
        if (prefixed === plain || !prefixed.endsWith(plain)) {
          findings.push({ ...at, kind: 'prepended', data: { exporter: e.id, namespace: ns }, hint });
          continue;
        }
        const prefix = prefixed.slice(0, prefixed.length - plain.length);
        findings.push({
          ...at,
          kind: 'prefix',
          data: { exporter: e.id, namespace: ns, prefix, prefixed, plain },
          hint,
        });
      }
    }
    return findings;
  },
});
