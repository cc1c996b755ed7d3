import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlReplaceScalar } from '../../model/edits.js';
import { atLeast, collectorVersionText } from '../../model/collector-version-text.js';

/** Gate exporter.prometheusexporter.DisableAddMetricSuffixes went beta (on by default) in v0.154.0. */
export const IGNORED_FROM = '0.154.0';
/** translation_strategy exists from v0.132.0; before, the exporter rejects it as an unknown key. */
export const STRATEGY_FROM = '0.132.0';

const messages = {
  strategyTooOld: {
    message: `exporter "{{exporter}}" sets translation_strategy, which exists only from v${STRATEGY_FROM}: the collector refuses the config`,
    detail: '{{version}} says "has invalid keys: translation_strategy"',
  },
  suffixesIgnored: {
    message: 'exporter "{{exporter}}" sets add_metric_suffixes: false, which is ignored: queries for the short names return nothing',
    detail: `{{version}} ignores it (since v${IGNORED_FROM}): series get unit and _total suffixes again, e.g. claude_code_cost_usage_USD_total instead of claude_code_cost_usage`,
  },
} as const;

export default defineRule({
  id: 'collector/add-metric-suffixes-ignored',
  severity: 'warning',
  title: '`add_metric_suffixes: false` is ignored by the prometheus exporter',
  checks:
    'A `prometheus` exporter with `add_metric_suffixes: false` and no `translation_strategy`, on a collector from v0.154.0 (or of unknown version). Also the reverse mistake: `translation_strategy` on a collector older than v0.132.0, which does not know the option.',
  why: 'From v0.154.0 the feature gate exporter.prometheusexporter.DisableAddMetricSuffixes is on: the deprecated option is silently ignored and unit and `_total` suffixes come back, so `claude_code_cost_usage` becomes `claude_code_cost_usage_USD_total` and every dashboard query and alert written for the short names finds nothing. No log line says so.',
  fix: 'safe',
  fixDescription:
    'Replaces `add_metric_suffixes: false` with `translation_strategy: UnderscoreEscapingWithoutSuffixes`, which keeps the names without suffixes (the option exists since v0.132.0).',
  versions:
    'from v0.154.0 (and when the version is unknown); before, the option still works (deprecated since v0.132.0). `translation_strategy` before v0.132.0: error, the collector refuses to start (observed on 0.105.0: `has invalid keys: translation_strategy`)',
  bad: {
    file: 'docker-compose.yml + otel-collector-config.yml',
    text: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.154.0\n---\nreceivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\nexporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n    add_metric_suffixes: false\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n',
  },
  good: {
    file: 'docker-compose.yml + otel-collector-config.yml',
    text: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.154.0\n---\nreceivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\nexporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n    translation_strategy: UnderscoreEscapingWithoutSuffixes\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/v0.154.0/exporter/prometheusexporter/internal/metadata/generated_feature_gates.go (exporter.prometheusexporter.DisableAddMetricSuffixes)',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/pull/41530 (translation_strategy, v0.132.0)',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/pull/48930 (the gate becomes beta, v0.154.0)',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/issues/49451 (suffixes reappear with add_metric_suffixes: false)',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/pull/49446 (maintainer comment: precedence of translation_strategy and the gate)',
    'https://github.com/grafana/tempo-operator/pull/1639',
  ],
  oracle: 'collector',
  stage: 'Collector',
  messages,
  fatalIn: (version, finding) => !atLeast(version, STRATEGY_FROM) && finding.kind === 'strategyTooOld',
  check(ws) {
    const version = ws.stack.collector.version;
    const findings: RuleFinding<typeof messages>[] = [];
    for (const c of ws.stack.collectors) {
      for (const e of c.components.filter((x) => x.kind === 'exporters' && x.type === 'prometheus')) {
        const strategy = e.value.get('translation_strategy');
        if (strategy && !atLeast(version, STRATEGY_FROM)) {
          findings.push({
            ...strategy.location(),
            severity: 'error',
            kind: 'strategyTooOld',
            data: { exporter: e.id, version: collectorVersionText(ws.stack) },
            hint: 'on this version use add_metric_suffixes: false (honoured until v0.154.0), or upgrade the collector',
          });
          continue;
        }
        if (!atLeast(version, IGNORED_FROM)) continue;
        const suffixes = e.value.get('add_metric_suffixes');
        if (suffixes?.boolean() !== false || strategy) continue;
        const edits = [
          ...yamlReplaceScalar(suffixes.doc, suffixes.path, 'key', 'translation_strategy'),
          ...yamlReplaceScalar(suffixes.doc, suffixes.path, 'value', 'UnderscoreEscapingWithoutSuffixes'),
        ];
        findings.push({
          ...suffixes.location(),
          kind: 'suffixesIgnored',
          data: { exporter: e.id, version: collectorVersionText(ws.stack) },
          hint: 'set translation_strategy: UnderscoreEscapingWithoutSuffixes instead',
          fix: edits.length === 2 ? fix('safe', 'use translation_strategy: UnderscoreEscapingWithoutSuffixes', edits) : undefined,
        });
      }
    }
    return findings;
  },
});
