import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlReplaceInScalar } from '../../model/edits.js';
import { collectorListeners } from '../../model/collector.js';
import { atYaml } from '../../model/yaml-locate.js';
import { analyzeScrapes, collectorSides, prometheusSides } from '../../model/scrape-targets.js';

export default defineRule({
  id: 'prometheus/target-port-mismatch',
  severity: 'error',
  title: "Scrape target on the collector's host but not on its exporter port",
  checks:
    "A scrape target names the collector's host (compose service, container name, hostname or alias) with a port where the collector serves no metrics: not the prometheus exporter's endpoint port, nor internal telemetry (8888).",
  why: 'The target is DOWN: on an OTLP receiver port (4317/4318) Prometheus gets "server returned HTTP status 404 Not Found" or a protocol error, on a closed port "connection refused". No Claude Code metrics are stored while the collector itself looks healthy.',
  fix: 'safe',
  fixDescription: "Replaces the target's port with the exporter's endpoint port (or adds it when the target has none). With several prometheus exporters there is no automatic fix.",
  versions: 'all versions',
  bad: { file: 'prometheus.yml', text: "scrape_configs:\n  - job_name: otel-collector\n    static_configs:\n      - targets: ['otel-collector:4318']\n" },
  good: { file: 'prometheus.yml', text: "scrape_configs:\n  - job_name: otel-collector\n    static_configs:\n      - targets: ['otel-collector:8889']\n" },
  references: ['prometheus.md §3 (lastError "server returned HTTP status 404 Not Found": scraping 4318 instead of 8889)', 'collector.md §4.3 (prometheus exporter endpoint)'],
  oracle: 'fixtures',
  stage: 'Prometheus',
  check(ws) {
    const findings: RuleFinding[] = [];
    const collectors = collectorSides(ws);
    for (const side of prometheusSides(ws)) {
      const p = side.prometheus;
      for (const c of collectors) {
        const listeners = collectorListeners(c.collector, ws.stack.collector.version);
        const exporterPorts = [...new Set(c.exporters.map((e) => e.port))];
        const only = exporterPorts.length === 1 ? exporterPorts[0] : undefined;
        for (const { job, target } of analyzeScrapes(side, c).wrongPort) {
          const owner = target.port === undefined ? undefined : listeners.find((l) => l.port === target.port)?.owner;
          const what =
            target.port === undefined
              ? "the target has no port, so Prometheus uses the scheme's default (80 for http)"
              : owner
                ? `port ${target.port} is ${owner}, which serves no Prometheus metrics`
                : `nothing in the collector listens on port ${target.port}`;
          const exporters = c.exporters.map((e) => `exporters.${e.exporter.id} on ${e.port}`).join(', ');
          const edits =
            only === undefined
              ? []
              : target.port === undefined
                ? yamlReplaceInScalar(p.yaml, target.path, target.raw, `${target.raw}:${only}`)
                : yamlReplaceInScalar(p.yaml, target.path, `:${target.port}`, `:${only}`);
          findings.push({
            ...atYaml(p.yaml, target.path, 'value'),
            message: `target "${target.raw}" in job "${job.name}" reaches the collector, but ${what}; its metrics are served by ${exporters}: the target is DOWN and no Claude Code metrics are stored`,
            hint: only !== undefined ? `scrape ${target.host}:${only}` : `use the port of the exporter that carries the Claude Code metrics (${exporterPorts.join(' or ')})`,
            fix: only !== undefined ? fix('safe', `scrape port ${only} instead of ${target.port ?? 'the default port'}`, edits) : undefined,
          });
        }
      }
    }
    return findings;
  },
});
