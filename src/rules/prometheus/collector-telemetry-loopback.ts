import { defineRule, type RuleFinding } from '../define.js';
import { collectorVersionKnown, collectorVersionText, PIN_COLLECTOR, unknownCollectorText } from '../../model/collector-version-text.js';
import { profileGateText } from '../../model/routes.js';
import { collectorListeners } from '../../model/collector.js';
import { hostnamesOf, prometheusSides } from '../../model/scrape-targets.js';
import { topology } from '../../model/topology.js';
import { isLoopback } from '../../util/hosts.js';

interface Loopback {
  target: string;
  job: string;
  service: string;
  host: string;
  port: number;
  /** Where the address comes from: the default reader of this version, or the config. */
  origin: string;
  /** profileGateText of the collector's service. */
  gate: string;
}

const refused = (d: Loopback) => `target "${d.target}" scrapes the collector's own telemetry, served on ${d.host}:${d.port} only: the target is DOWN`;
const served = (d: Loopback) =>
  `job "${d.job}"; service "${d.service}" serves it on ${d.host}:${d.port} (${d.origin}), so from Prometheus' container the scrape is refused${d.gate}`;

const messages = {
  refused: { message: refused, detail: served },
  refusedIfVersion: {
    message: (d: Loopback) => `${refused(d)}, if the collector is v0.111.0 or newer`,
    detail: (d: Loopback & { unknown: string }) => `${served(d)}; ${d.unknown}`,
  },
} as const;
type LoopbackFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'prometheus/collector-telemetry-loopback',
  severity: 'error',
  title: "Scrape of the collector's own telemetry that it serves on loopback only",
  checks:
    "A scrape target that names the collector's compose host (service name or alias) on the port of its internal telemetry (`service.telemetry.metrics`: from v0.111.0 a pull reader, by default on localhost:8888), from a Prometheus in another container, where that telemetry listens on a loopback address. When the address is the version's default and the collector's version is not known, a warning that says so.",
  why: 'From collector v0.111.0 the internal metrics are served by a pull reader on localhost:8888 by default, no longer on :8888. Inside a container, localhost is the container itself: Prometheus in another container (or the host, through a published port) is refused, so the self-monitoring target stays DOWN (seen in the corpus: claude-grafana-remote-write scrapes otel-collector:8888 from collector 0.111+).',
  fix: 'none',
  versions: 'collector v0.111.0 and newer (the default reader on localhost:8888); any version with a reader or address set to a loopback host',
  bad: {
    file: 'prometheus.yml + otel-collector-config.yaml (otel/opentelemetry-collector-contrib:0.115.1 in compose)',
    text: "scrape_configs:\n  - job_name: otel-collector-internal\n    static_configs:\n      - targets: ['otel-collector:8888']\n---\nservice:\n  telemetry:\n    metrics:\n      level: detailed\n",
  },
  good: {
    file: 'otel-collector-config.yaml',
    text: 'service:\n  telemetry:\n    metrics:\n      level: detailed\n      readers:\n        - pull:\n            exporter:\n              prometheus:\n                host: 0.0.0.0\n                port: 8888\n',
  },
  messages,
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.111.0/CHANGELOG.md',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/service/telemetry/otelconftelemetry/config.go (readers)',
    'https://opentelemetry.io/docs/collector/internal-telemetry/',
    'measured on the real builds: test/oracles/telemetry-bind.test.ts (0.105.0 binds *:8888, 0.165.0 127.0.0.1:8888)',
  ],
  oracle: 'fixtures',
  certainty:
    'A listener bound to a loopback address accepts connections from its own network namespace only, and a compose container has its own (Linux networking, documented by Docker). Error only when the loopback host is written in the config, or is the default reader of a collector version known to be v0.111.0 or newer (the collector model computes the listeners per version, and test/oracles/telemetry-bind.test.ts holds the default bind of both real builds to it); with the version unknown, a warning.',
  stage: 'Prometheus',
  check(ws) {
    const findings: LoopbackFinding[] = [];
    const t = topology(ws.stack);
    // Every collector config a compose service runs, with its telemetry listeners bound to loopback (whether or not
    // it has a prometheus exporter: a remote-write stack still scrapes the collector's own metrics).
    const collectors = ws.stack.collectors.flatMap((c) => {
      const service = t.containerOf(c);
      const listeners = collectorListeners(c, ws.stack.collector.version);
      // A port something else of the collector serves on every interface (a prometheus exporter put on 8888) is
      // reachable: the clash is collector/port-conflict's.
      const open = new Set(listeners.filter((l) => !isLoopback(l.host)).map((l) => l.port));
      const loopback = listeners.filter((l) => l.owner.startsWith('service.telemetry') && isLoopback(l.host) && !open.has(l.port));
      return service && loopback.length ? [{ service, hostnames: hostnamesOf(service), loopback }] : [];
    });
    for (const side of prometheusSides(ws)) {
      if (!side.inContainer) continue;
      for (const job of side.prometheus.jobs)
        for (const target of job.targets)
          for (const c of collectors) {
            const listener = c.loopback.find((l) => l.port === target.port);
            if (!listener || !c.hostnames.includes(target.host.toLowerCase()) || side.service?.service === c.service.service) continue;
            const data: Loopback = {
              target: target.raw,
              job: job.name,
              service: c.service.service.name,
              host: listener.host,
              port: listener.port,
              origin: listener.implicit ? `the default of ${collectorVersionText(ws.stack)}` : 'as its config sets it',
              gate: profileGateText(c.service.service),
            };
            const certain = !listener.implicit || collectorVersionKnown(ws.stack);
            const hint = `serve it on every interface: service.telemetry.metrics.readers: [{pull: {exporter: {prometheus: {host: 0.0.0.0, port: ${listener.port}}}}}]`;
            findings.push({
              ...target.value.location('value'),
              ...(certain && !data.gate ? {} : { severity: 'warning' as const }),
              ...(certain
                ? { kind: 'refused' as const, data }
                : { kind: 'refusedIfVersion' as const, data: { ...data, unknown: unknownCollectorText(ws.stack) } }),
              hint: certain ? hint : `${hint}; ${PIN_COLLECTOR}`,
            });
          }
    }
    return findings;
  },
});
