import { defineRule, type RuleFinding } from '../define.js';
import { metricsView } from '../../model/grafana-pipelines.js';
import { labelName } from '../../model/naming.js';
import { logStreamReading } from '../../model/claude-events.js';
import { lokiIndexedAttributes } from '../../model/other-sources.js';
import { atQuery, dashboardName, dashboardQueries, queryOwner } from '../../model/dashboard-queries.js';

/** Resource attributes Loki's OTLP ingestion indexes as stream labels by default (everything else is structured metadata). */
const LOKI_INDEX_ATTRIBUTES = [
  'service.name',
  'service.namespace',
  'service.instance.id',
  'deployment.environment',
  'deployment.environment.name',
  'cloud.region',
  'cloud.availability_zone',
  'k8s.cluster.name',
  'k8s.namespace.name',
  'k8s.pod.name',
  'k8s.container.name',
  'container.name',
  'k8s.replicaset.name',
  'k8s.deployment.name',
  'k8s.statefulset.name',
  'k8s.daemonset.name',
  'k8s.cronjob.name',
  'k8s.job.name',
];

const messages = {
  unindexedLabel: {
    message: 'stream selector {{label}}{{op}}"{{value}}" in {{owner}} matches no stream: Loki makes no "{{label}}" label',
    detail:
      'dashboard {{dashboard}}: Loki\'s OTLP ingestion creates no "{{label}}" label for Claude Code events (service.name becomes service_name; other attributes are structured metadata)',
  },
  unindexedLabelAnySource: {
    message: 'stream selector {{label}}{{op}}"{{value}}" in {{owner}} matches no OTLP stream: Loki makes no such label',
    detail:
      'dashboard {{dashboard}}: Loki\'s OTLP ingestion creates no "{{label}}" label for any source here (only service.name and the resource attributes Loki indexes become labels; other attributes are structured metadata)',
  },
  otherServiceName: {
    message: 'service_name="{{value}}" in {{owner}} matches no Claude Code stream: its service.name is "{{service}}"',
    detail: 'dashboard {{dashboard}}',
  },
} as const;
type LogqlLabelFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'dashboard/logql-label',
  severity: 'warning',
  title: 'Loki stream selector on a label OTLP ingestion does not create',
  checks:
    "Stream selectors `{…}` of LogQL queries in dashboards, for a stack that sends Claude Code events to Loki over OTLP: labels other than the resource attributes Loki indexes by default (for Claude Code: `service_name`), and a `service_name` value other than Claude Code's service name. Not judged as Claude Code streams: selectors on labels a Promtail config of the stack attaches (its job, static labels, relabelled and `labels`-stage labels) that do not name Claude Code's service; attributes Loki's `otlp_config` indexes (`index_label`) are stream labels; the service name of a dashboard for another tool (no Claude Code metric or stream in it) is its own.",
  why: 'Loki\'s native OTLP ingestion turns `service.name` into the `service_name` stream label and keeps everything else (event name, session, user) as structured metadata. `{job="claude-code"}` or `{exporter="OTLP"}` (the labels of the removed `loki` exporter) select no stream, so log panels stay empty.',
  fix: 'none',
  versions: 'Loki 3.0+ OTLP ingestion (`otlphttp` exporter to /otlp); not the removed contrib `loki` exporter',
  bad: {
    file: 'dashboards/claude-code.json',
    text: '{\n  "panels": [{"title": "API requests", "datasource": {"type": "loki", "uid": "loki"}, "targets": [{"expr": "{job=\\"claude-code\\"} |= \\"claude_code.api_request\\""}]}]\n}\n',
  },
  good: {
    file: 'dashboards/claude-code.json',
    text: '{\n  "panels": [{"title": "API requests", "datasource": {"type": "loki", "uid": "loki"}, "targets": [{"expr": "{service_name=\\"claude-code\\"} |= \\"claude_code.api_request\\""}]}]\n}\n',
  },
  references: [
    'https://grafana.com/docs/loki/latest/send-data/otel/ (service.name becomes the service_name label)',
    'https://github.com/ColeMurray/claude-code-otel/tree/4326365 (claude-code-dashboard.json: {service_name="claude-code"} LogQL)',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/pull/41413 (loki exporter removed)',
  ],
  messages,
  oracle: 'fixtures',
  stage: 'Grafana',
  check(ws) {
    const reading = logStreamReading(ws);
    if (!reading) return [];
    const { service } = reading;
    const claude = metricsView(ws).claude;
    const own = new Set(['service.name', ...(claude.resourceAttributes ?? []), ...(claude.serviceNamespace ? ['service.namespace'] : [])]);
    // Loki's otlp_config may index more attributes (`action: index_label`): those are stream labels too.
    const indexed = lokiIndexedAttributes(ws);
    const allowed = new Set([...LOKI_INDEX_ATTRIBUTES.filter((a) => own.has(a)), ...indexed].map((a) => labelName(a)));
    // For another service's streams, any attribute Loki indexes by default may be there.
    const allowedAnySource = new Set([...LOKI_INDEX_ATTRIBUTES, ...indexed].map((a) => labelName(a)));
    const findings: LogqlLabelFinding[] = [];
    for (const aq of dashboardQueries(ws)) {
      if (!aq.logql) continue;
      // Streams Promtail pushes carry its labels (job, static labels, labels stages), not OTLP's.
      const streams = reading.streams(aq);
      if (streams === 'promtail') continue;
      const owner = queryOwner(aq);
      const dashboard = dashboardName(aq.dashboard);
      for (const m of aq.logql.streamMatchers) {
        if (m.templatedLabel || m.op === '!=' || m.op === '!~') continue;
        if (streams === 'other-otlp') {
          if (!allowedAnySource.has(m.label))
            findings.push({
              ...atQuery(aq, m.labelFrom, m.labelTo),
              kind: 'unindexedLabelAnySource',
              data: { label: m.label, op: m.op, value: m.value, owner, dashboard },
              hint: `filter on the attribute after a pipe (| ${m.label}="${m.value}")`,
              subject: m.label,
            });
        } else if (!allowed.has(m.label)) {
          findings.push({
            ...atQuery(aq, m.labelFrom, m.labelTo),
            kind: 'unindexedLabel',
            data: { label: m.label, op: m.op, value: m.value, owner, dashboard },
            hint: `select {service_name="${service}"} and filter on the attribute after a pipe (| ${m.label}="${m.value}")`,
            subject: m.label,
          });
        } else if (m.label === 'service_name' && !m.templatedValue && m.op === '=' && m.value !== service) {
          findings.push({
            ...atQuery(aq, m.valueFrom, m.valueTo),
            kind: 'otherServiceName',
            data: { value: m.value, owner, dashboard, service },
            hint: `use service_name="${service}"`,
            subject: m.value,
          });
        }
      }
    }
    return findings;
  },
});
