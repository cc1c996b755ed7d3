import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import { deliveries, gateText, type Delivery } from '../../model/routes.js';
import { pipelinesValue } from '../../model/collector.js';
import { groupBy, sendsText } from '../../model/sends-text.js';

type NoPipeline = Extract<Delivery, { status: 'no-pipeline' }>;

const EXPORT_WORD: Record<string, string> = { metrics: 'metrics export', logs: 'log export', traces: 'trace export' };

const WHAT: Record<string, string> = {
  metrics: 'no Claude Code metrics reach Prometheus',
  logs: 'no Claude Code events (prompts, tool results, API requests) are stored',
  traces: 'no spans are stored',
};

/** `sends`: what Claude Code sends (sendsText); `file`: the collector config's name. */
interface Missing {
  sends: string;
  /** gateText: where the receiving service runs only under a profile. */
  gate: string;
  receiver: string;
  signals: string[];
  file: string;
}

const consequence = (d: Missing) => d.signals.map((s) => WHAT[s]).join(', and ');

const messages = {
  notListed: {
    message: (d: Missing) => `no ${d.signals.join(' or ')} pipeline lists receiver "${d.receiver}": ${consequence(d)}`,
    detail: (d: Missing & { http: boolean }) =>
      `Claude Code sends ${d.sends}, which reaches receiver "${d.receiver}" of ${d.file}; the collector rejects ${d.signals.length > 1 ? 'those exports' : `every ${EXPORT_WORD[d.signals[0]]}`}${d.http ? ` (HTTP 404 for ${d.signals.map((s) => `/v1/${s}`).join(', ')})` : ''}${d.gate}`,
  },
  notStarted: {
    message: (d: Missing) => `receiver "${d.receiver}" is in no pipeline, so the collector does not start it: ${consequence(d)}`,
    detail: (d: Missing & { port: number }) =>
      `Claude Code sends ${d.sends}, which reaches receiver "${d.receiver}" of ${d.file}; port ${d.port} refuses every connection${d.gate}`,
  },
} as const;

export default defineRule({
  id: 'collector/missing-signal-pipeline',
  severity: 'error',
  title: 'Claude Code exports a signal the collector has no pipeline for',
  checks:
    'Cross-file: for every signal Claude Code exports over OTLP (from its settings) and that reaches an OTLP receiver of the collector config: some pipeline of that signal (`metrics`, `logs`, `traces`, with any `/name`) lists that receiver. A receiver in no pipeline at all is not started. When the service it reaches runs only under a profile (`profiles:`), a warning that names the profile.',
  why: "The collector serves only the signals its pipelines take from a receiver: a logs export without a logs pipeline is rejected (OTLP/HTTP answers 404 for /v1/logs), so Claude Code's events never reach Loki even though metrics work. A receiver listed in no pipeline is not started at all, so its port refuses every connection.",
  fix: 'none',
  versions: 'all versions',
  bad: {
    file: 'otel-collector-config.yml',
    text: '# Claude Code: OTEL_METRICS_EXPORTER=otlp, OTEL_LOGS_EXPORTER=otlp\nreceivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\nexporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\nexporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n  otlphttp/loki:\n    endpoint: http://loki:3100/otlp\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n    logs:\n      receivers: [otlp]\n      exporters: [otlphttp/loki]\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/receiver/otlpreceiver/otlp.go (an HTTP path is registered only for a signal that has a pipeline: the others answer 404)',
    'https://github.com/anthropics/claude-code/issues/63377 ("OTLPExporterError: Not Found")',
    'https://github.com/anthropics/claude-code-monitoring-guide/tree/02777441 (otel-collector-config.yaml: a metrics pipeline only)',
  ],
  messages,
  oracle: 'fixtures',
  certainty:
    'The collector starts only receivers named in a pipeline and takes a signal only into a pipeline of that signal (service/pipelines in the collector docs and code). Error only for a signal Claude Code exports with otlp to a receiver of this config that its endpoint reaches (directly or through a published compose port).',
  stage: 'Collector',
  check(ws) {
    const missing = deliveries(ws).filter((d): d is NoPipeline => d.status === 'no-pipeline');
    const findings: RuleFinding<typeof messages>[] = [];
    for (const group of groupBy(missing, (d) => `${d.collector.file}|${d.listener.receiver}|${d.started}`)) {
      const d = group[0];
      const c = d.collector;
      const signals = [...new Set(group.map((g) => g.route.signal))];
      const missing: Missing = {
        sends: sendsText(
          ws,
          group.map((g) => g.route),
        ),
        gate: gateText(d.route),
        receiver: d.listener.receiver,
        signals,
        file: basename(c.file),
      };
      findings.push({
        ...pipelinesValue(c).location(),
        // A service started only under a profile may not run: what it does with the data is then not certain.
        ...(missing.gate ? { severity: 'warning' as const } : {}),
        ...(d.started
          ? { kind: 'notListed' as const, data: { ...missing, http: d.listener.protocol === 'http' } }
          : { kind: 'notStarted' as const, data: { ...missing, port: d.listener.port } }),
        hint: `add ${signals.map((s) => `a ${s} pipeline with receivers: [${d.listener.receiver}]`).join(' and ')} and an exporter for it`,
      });
    }
    return findings;
  },
});
