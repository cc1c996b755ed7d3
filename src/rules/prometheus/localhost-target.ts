import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlReplaceInScalar } from '../../model/edits.js';
import { collectorScrapes } from '../../model/scrape-targets.js';

const messages = {
  itself:
    'target "{{target}}" in job "{{job}}" points at the Prometheus container itself (service "{{service}}"), not the collector: the scrape fails with "dial tcp {{address}}:{{port}}: connect: connection refused", so the collector\'s metrics never reach Prometheus',
} as const;
type LocalhostTargetFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'prometheus/localhost-target',
  severity: 'error',
  title: 'Containerized Prometheus scrapes the collector on localhost',
  checks:
    "Prometheus runs as a compose service (its own network namespace) and a scrape target is localhost, 127.0.0.1, ::1 or 0.0.0.0 on the port of the collector's prometheus exporter.",
  why: 'Inside the Prometheus container localhost is Prometheus itself: the target is DOWN with "dial tcp 127.0.0.1:8889: connect: connection refused" and no Claude Code metrics are stored. The same file works when Prometheus runs on the host, which is why guides get it wrong.',
  fix: 'safe',
  fixDescription:
    "Replaces the host with the collector's compose service name (otel-collector:8889), keeping the port and quoting. When the collector is not a compose service there is no automatic fix.",
  versions: 'all versions',
  bad: { file: 'prometheus.yml', text: "scrape_configs:\n  - job_name: otel-collector\n    static_configs:\n      - targets: ['localhost:8889']\n" },
  good: { file: 'prometheus.yml', text: "scrape_configs:\n  - job_name: otel-collector\n    static_configs:\n      - targets: ['otel-collector:8889']\n" },
  references: [
    'prometheus.md §1 ("Wrong host": localhost:8889 inside the Prometheus container is Prometheus itself)',
    'collector.md §7 (container-to-container traffic)',
  ],
  oracle: 'fixtures',
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
    return findings;
  },
});
