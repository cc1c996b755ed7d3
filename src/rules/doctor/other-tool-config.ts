import type { OtherTool, OtherToolEvidence } from '../../discover/classify.js';
import { YamlValue } from '../../load/yaml-value.js';
import type { StackFile } from '../../model/stack.js';
import type { Workspace } from '../../model/workspace.js';
import type { Location } from '../../types.js';
import { defineRule, type RuleFinding } from '../define.js';

/** What each tool's file is, in the message. */
const WHAT: Record<OtherTool, string> = {
  promtail: 'a Promtail config',
  'grafana-alloy': 'a Grafana Alloy config',
  'grafana-agent': 'a Grafana Agent config',
  vector: 'a Vector config',
  'fluent-bit': 'a Fluent Bit config',
  'prometheus-rules': 'a Prometheus rule file',
  'loki-rules': 'a Loki rule file',
  alertmanager: 'an Alertmanager config',
  tempo: 'a Tempo config',
  mimir: 'a Mimir config',
};

function because(e: OtherToolEvidence): string {
  if (e.by === 'keys') return `its ${e.keys.join(', ')}`;
  if (e.by === 'extension') return `its ${e.extension} extension`;
  if (e.by === 'sections') return `its ${e.sections.join(' ')} sections`;
  return `mounted at ${e.containerPath} in service ${e.service}${e.image ? `, image ${e.image}` : ''}`;
}

const messages = {
  otherTool: (d: { tool: OtherTool; evidence: OtherToolEvidence }) => `read as ${WHAT[d.tool]} (${because(d.evidence)}): not checked`,
} as const;
type OtherToolConfigFinding = RuleFinding<typeof messages>;

/** Where the finding points: the first key that says what the file is, the first section header, else the first line. */
function locate(ws: Workspace, f: StackFile): Location {
  const e = f.other?.evidence;
  const doc = ws.stack.yaml.get(f.source.path);
  if (doc && e?.by === 'keys') {
    const root = YamlValue.root(doc);
    const keys = e.keys.map((k) => (k.includes('__path__') ? 'scrape_configs' : k.split(/[.[]/)[0]));
    const found = keys.flatMap((k) => root.get(k)?.location() ?? []);
    const first = found.sort((a, b) => (a.range?.start.line ?? 0) - (b.range?.start.line ?? 0))[0];
    if (first) return first;
  }
  const text = f.source.text;
  const at = e?.by === 'sections' ? Math.max(0, text.indexOf(e.sections[0])) : 0;
  const end = text.indexOf('\n', at);
  return { file: f.source.path, range: f.source.range(at, (end < 0 ? text.length : end) - at) };
}

export default defineRule({
  id: 'doctor/other-tool-config',
  severity: 'info',
  title: "Another tool's config, recognised and not checked",
  checks:
    "A file in the scanned folders that belongs to another tool of the stack: Promtail, Grafana Alloy or Agent, Vector, Fluent Bit, Prometheus or Loki rule files, Alertmanager, Tempo or Mimir. It is recognised by what only that tool's format has (Promtail's `clients` and `positions`, Vector's typed `sources` and `sinks`, Tempo's `storage.trace`, Fluent Bit's `[INPUT]` sections, Alloy's `.alloy` extension...), or by where compose mounts it: a file mounted into a Promtail container, or at /etc/promtail/, is Promtail's whatever its keys. One line per file says so; no rule reads it.",
  why: "Several of these formats share a key with the files the doctor does check: Promtail's `scrape_configs` are not Prometheus' (read as a prometheus.yml, every Promtail job was a false error), Alertmanager's `receivers` are not a collector's, an early Tempo config's `auth_enabled` beside `server` looks like Loki's. Read as the wrong kind, a correct file gives errors at every line. Recognised, it is left alone, and the line says so: the doctor checks Claude Code's pipeline, not these tools' configs, so a mistake in them goes unreported.",
  fix: 'none',
  versions: 'all versions',
  bad: {
    file: 'promtail-config.yml',
    text: 'server:\n  http_listen_port: 9080\npositions:\n  filename: /tmp/positions.yaml\nclients:\n  - url: http://loki:3100/loki/api/v1/push\nscrape_configs:\n  - job_name: system\n    static_configs:\n      - targets: [localhost]\n        labels:\n          job: varlogs\n          __path__: /var/log/*log\n',
  },
  good: {
    file: 'prometheus.yml (a Prometheus config, checked)',
    text: 'global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: otel-collector\n    static_configs:\n      - targets: ["otel-collector:8889"]\n',
  },
  references: [
    'https://grafana.com/docs/loki/latest/send-data/promtail/configuration/ (Promtail: server, positions, clients, scrape_configs)',
    'https://prometheus.io/docs/prometheus/latest/configuration/configuration/ (Prometheus: no clients, positions or __path__)',
    'https://prometheus.io/docs/alerting/latest/configuration/ (Alertmanager: route, receivers as a list)',
    'https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/ (rule files: groups of rules)',
    'https://grafana.com/docs/tempo/latest/configuration/ (Tempo: distributor.receivers, storage.trace)',
    'https://grafana.com/docs/mimir/latest/references/configuration-parameters/ (Mimir: blocks_storage, multitenancy_enabled)',
    'https://grafana.com/docs/agent/latest/static/configuration/ (Grafana Agent static mode: metrics, logs, traces configs, integrations)',
    'https://grafana.com/docs/alloy/latest/get-started/configuration-syntax/ (Alloy: .alloy files)',
    'https://vector.dev/docs/reference/configuration/ (Vector: sources, transforms, sinks, each with a type)',
    'https://docs.fluentbit.io/manual/administration/configuring-fluent-bit (Fluent Bit: classic [INPUT]/[OUTPUT] sections, YAML pipeline)',
  ],
  messages,
  oracle: 'fixtures',
  stage: 'Claude Code settings',
  check(ws) {
    const findings: OtherToolConfigFinding[] = [];
    for (const f of ws.stack.files) {
      if (f.kind !== 'other-tool' || !f.other) continue;
      findings.push({
        ...locate(ws, f),
        kind: 'otherTool',
        data: { tool: f.other.tool, evidence: f.other.evidence },
        hint: "the doctor checks Claude Code's pipeline (settings, collector, Prometheus, Loki, Grafana); check this file with its own tool",
      });
    }
    return findings;
  },
});
