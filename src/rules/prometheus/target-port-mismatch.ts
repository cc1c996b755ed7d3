import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlReplaceInScalar } from '../../model/edits.js';
import { collectorListeners } from '../../model/collector.js';
import { collectorScrapes } from '../../model/scrape-targets.js';
import { profileGateText } from '../../model/routes.js';

interface Mismatch {
  target: string;
  job: string;
  /** The prometheus exporters that serve the metrics, with their ports. */
  exporters: { id: string; port: number }[];
  /** profileGateText of the collector's service, when it runs only under a profile. */
  gate: string;
}
const head = (d: Mismatch) => `target "${d.target}" misses the collector's metrics port: the target is DOWN and no Claude Code metrics are stored`;
const reaches = (d: Mismatch) => `job "${d.job}" reaches the collector, but`;
const servedBy = (d: Mismatch) => `its metrics are served by ${d.exporters.map((e) => `exporters.${e.id} on ${e.port}`).join(', ')}${d.gate}`;

const messages = {
  noPort: {
    message: head,
    detail: (d: Mismatch) => `${reaches(d)} the target has no port, so Prometheus uses the scheme's default (80 for http); ${servedBy(d)}`,
  },
  notMetrics: {
    message: head,
    detail: (d: Mismatch & { port: number; owner: string }) => `${reaches(d)} port ${d.port} is ${d.owner}, which serves no Prometheus metrics; ${servedBy(d)}`,
  },
  nothingListens: {
    message: head,
    detail: (d: Mismatch & { port: number }) => `${reaches(d)} nothing in the collector listens on port ${d.port}; ${servedBy(d)}`,
  },
} as const;
type TargetPortMismatchFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'prometheus/target-port-mismatch',
  severity: 'error',
  title: "Scrape target on the collector's host but not on its exporter port",
  checks:
    "A scrape target names the collector's host (compose service, container name, hostname or alias) with a port where the collector serves no metrics: not the prometheus exporter's endpoint port, nor internal telemetry (8888). On Kubernetes, a ServiceMonitor or PodMonitor whose endpoint reaches the collector's container on such a port (a warning when no Prometheus object in the manifests selects it). When the collector's service runs only under a profile (`profiles:`), a warning that names the profile.",
  why: 'The target is DOWN: on an OTLP receiver port (4317/4318) Prometheus gets "server returned HTTP status 404 Not Found" or a protocol error, on a closed port "connection refused". No Claude Code metrics are stored while the collector itself looks healthy.',
  fix: 'safe',
  fixDescription:
    "Replaces the target's port with the exporter's endpoint port (or adds it when the target has none). With several prometheus exporters there is no automatic fix.",
  versions: 'all versions',
  bad: { file: 'prometheus.yml', text: "scrape_configs:\n  - job_name: otel-collector\n    static_configs:\n      - targets: ['otel-collector:4318']\n" },
  good: { file: 'prometheus.yml', text: "scrape_configs:\n  - job_name: otel-collector\n    static_configs:\n      - targets: ['otel-collector:8889']\n" },
  references: [
    'https://github.com/prometheus/prometheus/blob/v3.14.0/docs/querying/api.md (/api/v1/targets lastError)',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/v0.159.0/exporter/prometheusexporter/README.md (the exporter endpoint serves /metrics)',
  ],
  oracle: 'fixtures',
  certainty:
    "The collector serves Prometheus metrics only on its prometheus exporters' ports and its own telemetry port (8888); any other port answers 404, a protocol error or refuses. Error only for a target naming the collector's compose host on such a port, or a monitor's job (selected by a Prometheus in the manifests) whose endpoint leads to the collector's container on such a port.",
  stage: 'Prometheus',
  messages,
  check(ws) {
    const findings: TargetPortMismatchFinding[] = [];
    for (const { prometheus: side, collector: c, scrapes } of collectorScrapes(ws)) {
      const listeners = collectorListeners(c.collector, ws.stack.collector.version);
      const exporterPorts = [...new Set(c.exporters.map((e) => e.port))];
      const only = exporterPorts.length === 1 ? exporterPorts[0] : undefined;
      for (const { job, target } of scrapes.wrongPort) {
        const owner = target.port === undefined ? undefined : listeners.find((l) => l.port === target.port)?.owner;
        const gate = c.service ? profileGateText(c.service.service) : '';
        const facts: Mismatch = { target: target.raw, job: job.name, exporters: c.exporters.map((e) => ({ id: e.exporter.id, port: e.port })), gate };
        const said =
          target.port === undefined
            ? ({ kind: 'noPort', data: facts } as const)
            : owner
              ? ({ kind: 'notMetrics', data: { ...facts, port: target.port, owner } } as const)
              : ({ kind: 'nothingListens', data: { ...facts, port: target.port } } as const);
        const y = target.value.doc;
        if (side.operator) {
          // A monitor's job: the endpoint's port is the finding; a Prometheus not in the manifests may not select it.
          findings.push({
            ...target.value.location('value'),
            ...(side.operator.prometheus.object ? {} : { severity: 'warning' as const }),
            ...said,
            hint: `point the monitor's endpoint at the exporter's port (container port ${exporterPorts.join(' or ')}): the name of the Service port (ServiceMonitor) or container port (PodMonitor) that leads there`,
          });
          continue;
        }
        const edits =
          only === undefined
            ? []
            : target.port === undefined
              ? yamlReplaceInScalar(y, target.path, target.raw, `${target.raw}:${only}`)
              : yamlReplaceInScalar(y, target.path, `:${target.port}`, `:${only}`);
        findings.push({
          ...target.value.location('value'),
          // A collector started only under a profile may not run: the target is then down whatever its port.
          ...(gate ? { severity: 'warning' as const } : {}),
          ...said,
          hint:
            only !== undefined
              ? `scrape ${target.host}:${only}`
              : `use the port of the exporter that carries the Claude Code metrics (${exporterPorts.join(' or ')})`,
          fix: only !== undefined ? fix('safe', `scrape port ${only} instead of ${target.port ?? 'the default port'}`, edits) : undefined,
        });
      }
    }
    return findings;
  },
});
