import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlReplaceInList, yamlReplaceScalar } from '../../model/edits.js';
import { atLeast, collectorVersionKnown, collectorVersionText, PIN_COLLECTOR, unknownCollectorText } from '../../model/collector-version-text.js';

const REMOVED_IN = '0.111.0';

const messages = {
  removed: {
    message: 'exporter "{{exporter}}" uses the logging exporter, removed in v0.111.0: the collector refuses to start',
    detail: 'at {{version}}: "the logging exporter has been deprecated, use the debug exporter instead"',
  },
  removedFromUnknown: {
    message: 'exporter "{{exporter}}" uses the logging exporter, removed in v0.111.0: collectors from v0.111.0 on refuse to start',
    detail: 'they say "the logging exporter has been deprecated, use the debug exporter instead"; {{unknown}}',
  },
  deprecated: {
    message: 'exporter "{{exporter}}" uses the logging exporter, removed in v0.111.0: an upgrade will not start',
    detail: 'deprecated since v0.86.0; {{version}} still runs it',
  },
} as const;

const LOGLEVEL_TO_VERBOSITY: Record<string, string> = { debug: 'detailed', info: 'normal', warn: 'basic', error: 'basic' };

export default defineRule({
  id: 'collector/logging-exporter',
  severity: 'error',
  title: 'The removed `logging` exporter',
  checks: 'An exporter of type `logging` (deprecated in v0.86.0, removed in v0.111.0), and its `loglevel` option.',
  why: 'From v0.111.0 the collector refuses to start: "the logging exporter has been deprecated, use the debug exporter instead". With an unpinned `latest` image the stack breaks on the next pull.',
  fix: 'safe',
  fixDescription:
    'Renames the exporter to `debug` (keeping any `/name`) in its definition and in every pipeline that lists it, and `loglevel` to `verbosity` (debug → detailed, info → normal, warn/error → basic).',
  versions: 'error from v0.111.0; warning v0.86.0–v0.110.x, and when the version is unknown (it names the assumption)',
  bad: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  logging:\n    loglevel: debug\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [logging]\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  debug:\n    verbosity: detailed\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [debug]\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/releases/tag/v0.111.0 (the logging exporter is removed, #11037)',
    'https://github.com/open-telemetry/opentelemetry-collector/pull/11037',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.111.0/otelcol/internal/configunmarshaler/configs.go ("the logging exporter has been deprecated, use the debug exporter instead")',
    'https://github.com/cskiro/claudex/tree/ab4a351/skills/otel-monitoring-setup/README.md ("Known Issues": deprecated logging exporter)',
  ],
  oracle: 'collector',
  stage: 'Collector',
  messages,
  fatalIn: (version, finding) => finding.kind === 'removed' && atLeast(version, REMOVED_IN),
  check(ws) {
    const known = collectorVersionKnown(ws.stack);
    const removed = atLeast(ws.stack.collector.version, REMOVED_IN);
    const findings: RuleFinding<typeof messages>[] = [];
    for (const c of ws.stack.collectors) {
      for (const e of c.components.filter((x) => x.kind === 'exporters' && x.type === 'logging')) {
        const newId = e.name !== undefined ? `debug/${e.name}` : 'debug';
        // A debug exporter of that name already there (the Helm chart's default): renaming would collide, so no fix.
        const collides = c.components.some((x) => x.kind === 'exporters' && x.id === newId);
        const edits = [
          ...yamlReplaceScalar(c.yaml, e.path, 'key', newId),
          ...c.pipelines.flatMap((p) => yamlReplaceInList(c.yaml, [...p.path, 'exporters'], e.id, newId)),
        ];
        const option = e.value.get('loglevel');
        const loglevel = option?.string();
        if (option && loglevel !== undefined) {
          edits.push(...yamlReplaceScalar(option.doc, option.path, 'key', 'verbosity'));
          edits.push(...yamlReplaceScalar(option.doc, option.path, 'value', LOGLEVEL_TO_VERBOSITY[loglevel] ?? 'normal'));
        }
        const rename = collides
          ? `remove it and use the "${newId}" exporter already configured in the pipelines`
          : `rename it to "${newId}"${loglevel !== undefined ? ' and loglevel to verbosity' : ''} here and in the pipelines`;
        findings.push({
          ...e.value.location(),
          ...(!known
            ? { severity: 'warning' as const, kind: 'removedFromUnknown' as const, data: { exporter: e.id, unknown: unknownCollectorText(ws.stack) } }
            : {
                severity: removed ? ('error' as const) : ('warning' as const),
                kind: removed ? ('removed' as const) : ('deprecated' as const),
                data: { exporter: e.id, version: collectorVersionText(ws.stack) },
              }),
          hint: known ? rename : `${rename} (the debug exporter works on every release since v0.86.0); ${PIN_COLLECTOR}`,
          ...(collides ? {} : { fix: fix('safe', `rename exporter ${e.id} to ${newId}`, edits) }),
        });
      }
    }
    return findings;
  },
});
