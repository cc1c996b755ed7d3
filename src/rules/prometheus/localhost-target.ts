import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlReplaceInScalar } from '../../model/edits.js';
import { collectorScrapes, collectorSides, prometheusSides } from '../../model/scrape-targets.js';
import { prometheusListenPort } from '../../model/service-flags.js';
import { isLocalTarget } from '../../util/hosts.js';

const messages = {
  itself: {
    message: 'target "{{target}}" points at the Prometheus container itself: the collector\'s metrics never reach Prometheus',
    detail: 'job "{{job}}" of service "{{service}}", not the collector: the scrape fails with "dial tcp {{address}}:{{port}}: connect: connection refused"',
  },
  otherService: {
    message: (d: { target: string }) => `target "${d.target}" points at the Prometheus container itself: the target is DOWN`,
    detail: (d: { target: string; job: string; service: string; address: string; port: number; listens: number; candidates: string[] }) =>
      `job "${d.job}" of service "${d.service}", where only Prometheus listens (port ${d.listens}): "dial tcp ${d.address}:${d.port}: connect: connection refused"${d.candidates.length ? `; port ${d.port} is served by compose service ${d.candidates.map((c) => `"${c}"`).join(' or ')}` : ''}`,
  },
} as const;
type LocalhostTargetFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'prometheus/localhost-target',
  severity: 'error',
  title: 'Containerized Prometheus scrapes localhost',
  checks:
    "Prometheus runs as a compose service (its own network namespace, not the host's or another service's) and a static scrape target is localhost, 127.0.0.1, ::1 or 0.0.0.0: on the port of the collector's prometheus exporter, or on any other port than Prometheus' own (`--web.listen-address`, 9090 by default), where an exporter of another service was meant.",
  why: 'Inside the Prometheus container localhost is Prometheus itself: the target is DOWN with "dial tcp 127.0.0.1:8889: connect: connection refused" and no Claude Code metrics are stored. The same file works when Prometheus runs on the host, which is why guides get it wrong.',
  fix: 'safe',
  fixDescription:
    "Replaces the host with the collector's compose service name (otel-collector:8889), keeping the port and quoting. When the collector is not a compose service there is no automatic fix. For another port: when exactly one other compose service publishes it, an unsafe fix names that service (it may not be the one meant).",
  versions: 'all versions',
  bad: { file: 'prometheus.yml', text: "scrape_configs:\n  - job_name: otel-collector\n    static_configs:\n      - targets: ['localhost:8889']\n" },
  good: { file: 'prometheus.yml', text: "scrape_configs:\n  - job_name: otel-collector\n    static_configs:\n      - targets: ['otel-collector:8889']\n" },
  references: [
    'https://prometheus.io/docs/prometheus/latest/configuration/configuration/#static_config (targets are dialled from the Prometheus container: localhost is Prometheus itself)',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/v0.159.0/exporter/prometheusexporter/README.md (the exporter endpoint must listen on 0.0.0.0 to be reached from another container)',
  ],
  oracle: 'fixtures',
  certainty:
    "In a container's own network namespace localhost is the container itself (Docker networking), and the Prometheus image runs Prometheus alone. Error only for a Prometheus compose service that shares no other namespace (no host, service: or container: network mode), on a port other than its own.",
  stage: 'Prometheus',
  messages,
  check(ws) {
    const findings: LocalhostTargetFinding[] = [];
    for (const { prometheus: side, collector: c, scrapes } of collectorScrapes(ws)) {
      for (const { job, target } of scrapes.localhost) {
        const promService = side.service!.service.name;
        const collectorHost = c.service && c.service.service.networkMode !== 'host' ? c.service.service.name : undefined;
        const written = target.raw.includes(`[${target.host}]`) ? `[${target.host}]` : target.host;
        // localhost targets always carry a port here: analyzeScrapes matched it against the exporter's.
        const port = target.port!;
        findings.push({
          ...target.value.location('value'),
          kind: 'itself',
          data: { target: target.raw, job: job.name, service: promService, address: target.host === 'localhost' ? '127.0.0.1' : target.host, port },
          hint: collectorHost
            ? `use the collector's compose service name: ${collectorHost}:${port}`
            : `the collector is not a compose service: use host.docker.internal:${port} (on Linux add extra_hosts: ["host.docker.internal:host-gateway"] to ${promService})`,
          fix: collectorHost
            ? fix(
                'safe',
                `scrape ${collectorHost}:${port} instead of ${target.raw}`,
                yamlReplaceInScalar(target.value.doc, target.path, written, collectorHost),
              )
            : undefined,
        });
      }
    }
    findings.push(...otherServices(ws));
    return findings;
  },
});

/**
 * Targets on localhost at a port where nothing in the Prometheus container listens: the image runs Prometheus alone,
 * so any port but its own is refused. The collector's exporter ports are the `itself` kind above.
 */
function otherServices(ws: Parameters<typeof collectorScrapes>[0]): LocalhostTargetFinding[] {
  const exporterPorts = new Set(collectorSides(ws).flatMap((c) => c.exporters.map((e) => e.port)));
  const findings: LocalhostTargetFinding[] = [];
  for (const side of prometheusSides(ws)) {
    const service = side.service?.service;
    // Sharing another container's namespace (service:x, container:x) makes localhost that container.
    if (!side.inContainer || !service || /^(service|container):/.test(service.networkMode ?? '')) continue;
    const listens = prometheusListenPort(service);
    for (const job of side.prometheus.jobs) {
      for (const target of job.targets) {
        const port = target.port;
        if (port === undefined || !isLocalTarget(target.host.toLowerCase()) || port === listens || exporterPorts.has(port)) continue;
        const candidates = side.service!.compose.services.filter((s) => s !== service && s.ports.some((p) => p.containerPort === port)).map((s) => s.name);
        const written = target.raw.includes(`[${target.host}]`) ? `[${target.host}]` : target.host;
        findings.push({
          ...target.value.location('value'),
          kind: 'otherService',
          data: {
            target: target.raw,
            job: job.name,
            service: service.name,
            address: target.host === 'localhost' ? '127.0.0.1' : target.host,
            port,
            listens,
            candidates,
          },
          hint:
            candidates.length === 1
              ? `scrape ${candidates[0]}:${port}: containers reach each other by service name`
              : `use the compose service name of whatever serves port ${port} (containers reach each other by service name), or host.docker.internal:${port} for a process on the host`,
          fix:
            candidates.length === 1
              ? fix(
                  'unsafe',
                  `scrape ${candidates[0]}:${port} instead of ${target.raw}`,
                  yamlReplaceInScalar(target.value.doc, target.path, written, candidates[0]),
                )
              : undefined,
        });
      }
    }
  }
  return findings;
}
