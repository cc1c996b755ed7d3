import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import { isTruthy } from '../../model/claude-env.js';
import { hostnamesOf, prometheusSides } from '../../model/scrape-targets.js';
import { isLoopback } from '../../util/hosts.js';

const HOST_VAR = 'OTEL_EXPORTER_PROMETHEUS_HOST';
const PORT_VAR = 'OTEL_EXPORTER_PROMETHEUS_PORT';
/** Claude Code's exporter port when OTEL_EXPORTER_PROMETHEUS_PORT is unset (test/conformance/prometheus-exporter.test.ts). */
const DEFAULT_PORT = 9464;

const messages = {
  loopback: {
    message: 'service "{{service}}" serves Claude Code\'s Prometheus exporter on its loopback only: no Claude Code metric is scraped',
    detail:
      '{{file}} sets {{variable}}={{host}}, so it listens on {{host}}:{{port}} in the container, but job "{{job}}" of {{prometheusFile}} scrapes {{target}} from the Prometheus container: the connection is refused and the target is DOWN',
  },
} as const;
type ClaudeExporterLoopbackFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'compose/claude-exporter-loopback',
  severity: 'error',
  title: "Claude Code's Prometheus exporter listens on its container's loopback, out of Prometheus' reach",
  checks:
    'A compose service runs Claude Code with telemetry on, OTEL_METRICS_EXPORTER including prometheus and OTEL_EXPORTER_PROMETHEUS_HOST set to a loopback address (localhost, 127.x, ::1), in its environment or a readable env_file, and a Prometheus in another container scrapes that service on the exporter port (OTEL_EXPORTER_PROMETHEUS_PORT, default 9464). Without the host variable Claude Code listens on every interface, so that is not reported.',
  why: "Claude Code's own exporter binds the host it is given: localhost and 127.0.0.1 listen on 127.0.0.1 only (measured on 2.1.197 and 2.1.332). Each container has its own loopback, so a Prometheus in another container that scrapes `<service>:<port>` gets connection refused: the target stays DOWN and no Claude Code metric reaches Prometheus.",
  fix: 'none',
  versions: 'all versions (measured on 2.1.197 and 2.1.332)',
  bad: {
    file: 'docker-compose.yml + prometheus.yml',
    text: 'services:\n  prometheus:\n    image: prom/prometheus:v2.55.1\n    volumes:\n      - ./prometheus.yml:/etc/prometheus/prometheus.yml\n  claude-code:\n    build: .\n    environment:\n      - CLAUDE_CODE_ENABLE_TELEMETRY=1\n      - OTEL_METRICS_EXPORTER=prometheus\n      - OTEL_EXPORTER_PROMETHEUS_HOST=localhost\n      - OTEL_EXPORTER_PROMETHEUS_PORT=8080\n---\nscrape_configs:\n  - job_name: claude-code\n    static_configs:\n      - targets: ["claude-code:8080"]\n',
  },
  good: {
    file: 'docker-compose.yml + prometheus.yml',
    text: 'services:\n  prometheus:\n    image: prom/prometheus:v2.55.1\n    volumes:\n      - ./prometheus.yml:/etc/prometheus/prometheus.yml\n  claude-code:\n    build: .\n    environment:\n      - CLAUDE_CODE_ENABLE_TELEMETRY=1\n      - OTEL_METRICS_EXPORTER=prometheus\n      - OTEL_EXPORTER_PROMETHEUS_HOST=0.0.0.0\n      - OTEL_EXPORTER_PROMETHEUS_PORT=8080\n---\nscrape_configs:\n  - job_name: claude-code\n    static_configs:\n      - targets: ["claude-code:8080"]\n',
  },
  messages,
  references: ['test/conformance/prometheus-exporter.test.ts (the listening sockets of real Claude Code 2.1.197 and 2.1.332)'],
  oracle: 'fixtures',
  certainty:
    "Measured on real Claude Code 2.1.197 and 2.1.332 (test/conformance/prometheus-exporter.test.ts): its Prometheus exporter listens only on the host OTEL_EXPORTER_PROMETHEUS_HOST names (default [::]:9464), and a loopback address is reachable only inside its own container (Docker networking). Error only when the service's known environment sets a loopback host and a Prometheus in another container scrapes that service on the exporter port.",
  stage: 'Prometheus',
  check(ws) {
    const findings: ClaudeExporterLoopbackFinding[] = [];
    const prometheus = prometheusSides(ws).filter((p) => p.inContainer);
    for (const compose of ws.stack.composes) {
      for (const service of compose.services) {
        // A shared network namespace (host, service:x) makes loopback reachable from elsewhere.
        if (service.networkMode || service.hasEnvFile) continue;
        const env = service.environment;
        const known = (name: string) => (service.unknownEnvironment.has(name) ? undefined : env[name]);
        const exporters = known('OTEL_METRICS_EXPORTER')
          ?.split(',')
          .map((e) => e.trim());
        const host = known(HOST_VAR)?.trim();
        if (!isTruthy(known('CLAUDE_CODE_ENABLE_TELEMETRY')) || !exporters?.includes('prometheus') || !host || !isLoopback(host)) continue;
        const portText = PORT_VAR in env ? known(PORT_VAR)?.trim() : String(DEFAULT_PORT);
        if (!portText || !/^\d+$/.test(portText)) continue;
        const port = Number(portText);
        const hostnames = hostnamesOf({ compose, service });
        for (const side of prometheus) {
          if (side.service?.service === service) continue;
          for (const job of side.prometheus.jobs) {
            const target = job.targets.find((t) => t.port === port && hostnames.includes(t.host.toLowerCase()));
            if (!target) continue;
            findings.push({
              ...(service.environmentAt.get(HOST_VAR) ?? service.fields.get('environment') ?? service.value).location(),
              kind: 'loopback',
              data: {
                service: service.name,
                file: basename(compose.file),
                host,
                port,
                variable: HOST_VAR,
                job: job.name,
                prometheusFile: basename(side.prometheus.file),
                target: target.raw,
              },
              hint: `set ${HOST_VAR}=0.0.0.0 (every interface of the container) so Prometheus can reach ${target.raw}`,
            });
          }
        }
      }
    }
    return findings;
  },
});
