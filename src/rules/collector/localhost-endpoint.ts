import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlFillEmptyKey, yamlInsertMapEntry, yamlReplaceInScalar, yamlReplaceScalar } from '../../model/edits.js';
import { listenerValue, otlpListeners, prometheusExporterListeners, type CollectorConfig } from '../../model/collector.js';
import { localhostDefault, topology, type CollectorService } from '../../model/topology.js';
import type { Stack } from '../../model/stack.js';
import { collectorVersionKnown, collectorVersionText } from '../../model/collector-version-text.js';
import { isLoopback } from '../../util/hosts.js';

const CONSEQUENCE =
  "the published port forwards to the container's network interface, not its loopback, so Claude Code on the host (and any other container) gets connection refused or reset and nothing is received";
const INSIDE = 'inside the {{service}} container ({{composeFile}})';

const messages = {
  exporterOnLoopback: {
    message: 'exporter "{{exporter}}" serves metrics on {{host}}:{{port}}, its container\'s loopback: Prometheus cannot scrape it',
    detail: `it listens ${INSIDE}: Prometheus in another container cannot scrape it (connection refused, target DOWN), so no Claude Code metrics reach Prometheus`,
  },
  exporterWithoutEndpoint: {
    message: 'exporter "{{exporter}}" has no endpoint: the collector refuses to start',
    detail: 'the collector says "expecting a non-blank address to run the Prometheus metrics handler"',
  },
  receiverDefault: {
    message: 'receiver "{{receiver}}" has no {{protocol}} endpoint, so it listens on localhost:{{port}}: nothing outside its container reaches it',
    detail: `localhost is the default since v0.104.0 ({{version}}); it listens ${INSIDE}: ${CONSEQUENCE}`,
  },
  receiverOnLoopback: {
    message: 'receiver "{{receiver}}" listens for {{protocol}} on {{host}}:{{port}}, its container\'s loopback: nothing outside reaches it',
    detail: `it listens ${INSIDE}: ${CONSEQUENCE}`,
  },
} as const;
type LocalhostFinding = RuleFinding<typeof messages>;

/** The port a Prometheus scrape job uses for the collector's service, else the usual 8889. */
function scrapedPort(stack: Stack, cs: CollectorService | undefined): number {
  const names = cs ? [cs.service.name, ...cs.service.aliases] : [];
  for (const p of stack.prometheus) for (const j of p.jobs) for (const t of j.targets) if (names.includes(t.host) && t.port) return t.port;
  return 8889;
}

/** Which container, for the message. */
function inside(cs: CollectorService): { service: string; composeFile: string } {
  return { service: cs.service.name, composeFile: basename(cs.compose.file) };
}

export default defineRule({
  id: 'collector/localhost-endpoint',
  severity: 'error',
  title: 'Collector listens on localhost inside its container',
  checks:
    'For a collector config that a compose service runs: every OTLP receiver protocol in a pipeline and every prometheus exporter in a pipeline must listen on an address other containers and the host can reach. An explicit localhost/127.0.0.1/::1 endpoint, or an OTLP protocol without an endpoint on v0.104.0 or newer (then it listens on localhost), is an error. Also, anywhere: a prometheus exporter in a pipeline without an endpoint.',
  why: 'Inside a container, localhost is the container\'s own loopback: a published port (`4317:4317`) forwards to the container\'s network interface, so Claude Code on the host gets connection refused or reset, and Prometheus in another container cannot scrape `localhost:8889` (connection refused). Since v0.104.0 the OTLP receiver defaults to localhost ("The `otlpreceiver` will now use `localhost` by default instead of `0.0.0.0`. This may break the receiver in containerized environments"); the tell-tale log line is `Starting GRPC server ... "endpoint": "localhost:4317"`. A prometheus exporter without an endpoint stops the collector: "expecting a non-blank address to run the Prometheus metrics handler".',
  fix: 'safe',
  fixDescription:
    'Sets the endpoint to `0.0.0.0:<port>`, keeping the port (4317 for grpc and 4318 for http when none is written; for a prometheus exporter without an endpoint, the port a Prometheus job scrapes the collector on, else 8889, on 0.0.0.0 in a container and localhost outside one).',
  versions:
    'explicit localhost: all versions; OTLP protocols without an endpoint: v0.104.0 and newer (a warning when the version is not known; not when the service passes --feature-gates=-component.UseLocalHostAsDefaultHost, which works up to v0.111.x); prometheus exporter without an endpoint: all versions',
  bad: {
    file: 'otel-collector-config.yml',
    text: '# run by the otel-collector service of docker-compose.yml (collector 0.115.1)\nreceivers:\n  otlp:\n    protocols:\n      grpc:\n      http:\n        endpoint: localhost:4318\nexporters:\n  prometheus:\n    endpoint: localhost:8889\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\n      http:\n        endpoint: 0.0.0.0:4318\nexporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/releases/tag/v0.104.0 (receivers default to localhost, #8510)',
    'https://github.com/open-telemetry/opentelemetry-collector/pull/8622 (component.UseLocalHostAsDefaultHost)',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/receiver/otlpreceiver/factory.go (default endpoints localhost:4317, localhost:4318)',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/issues/33896 (published ports reach nothing)',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/v0.159.0/exporter/prometheusexporter/prometheus.go ("expecting a non-blank address to run the Prometheus metrics handler")',
  ],
  oracle: 'collector',
  stage: 'Collector',
  // Only a prometheus exporter without an endpoint stops the collector (verified on v0.105.0 at start and on
  // v0.165.0 in validate); listening on localhost starts fine, it is only unreachable from outside the container.
  messages,
  fatalIn: (_version, finding) => finding.kind === 'exporterWithoutEndpoint',
  check(ws) {
    const t = topology(ws.stack);
    const findings: LocalhostFinding[] = [];
    for (const c of ws.stack.collectors) {
      const cs = t.containerOf(c);
      const usedReceivers = new Set(c.pipelines.flatMap((p) => p.receivers.map((r) => r.id)));
      const usedExporters = new Set(c.pipelines.flatMap((p) => p.exporters.map((r) => r.id)));
      if (cs && cs.service.networkMode !== 'host') {
        findings.push(...receiverFindings(ws.stack, c, cs, usedReceivers));
        for (const l of prometheusExporterListeners(c)) {
          if (!usedExporters.has(l.exporter.id) || !isLoopback(l.host)) continue;
          const endpoint = listenerValue(c, l);
          const written = endpoint.text() ?? '';
          const from = written.includes(`[${l.host}]:${l.port}`) ? `[${l.host}]:${l.port}` : `${l.host}:${l.port}`;
          findings.push({
            ...endpoint.location('value'),
            kind: 'exporterOnLoopback',
            data: { exporter: l.exporter.id, host: l.host, port: l.port, ...inside(cs) },
            hint: `listen on all interfaces: endpoint: 0.0.0.0:${l.port}`,
            fix: fix(
              'safe',
              `set exporters.${l.exporter.id}.endpoint to 0.0.0.0:${l.port}`,
              yamlReplaceInScalar(endpoint.doc, endpoint.path, from, `0.0.0.0:${l.port}`),
            ),
          });
        }
      }
      for (const e of c.components.filter((x) => x.kind === 'exporters' && x.type === 'prometheus' && usedExporters.has(x.id))) {
        const endpoint = e.value.get('endpoint');
        const text = endpoint?.string();
        if (text !== undefined && text.trim() !== '') continue;
        if (endpoint && !endpoint.isNull() && text === undefined) continue;
        const port = scrapedPort(ws.stack, cs);
        const value = `${cs && cs.service.networkMode !== 'host' ? '0.0.0.0' : 'localhost'}:${port}`;
        const edits =
          text === ''
            ? yamlReplaceScalar(endpoint!.doc, endpoint!.path, 'value', value)
            : endpoint
              ? []
              : e.value.isMap()
                ? yamlInsertMapEntry(e.value.doc, e.path, 'endpoint', value)
                : yamlFillEmptyKey(e.value.doc, e.path, [`endpoint: ${value}`]);
        findings.push({
          ...e.value.location(),
          kind: 'exporterWithoutEndpoint',
          data: { exporter: e.id },
          hint: `add endpoint: ${value}${port === 8889 ? '' : ` (the port Prometheus scrapes)`}`,
          fix: fix('safe', `set exporters.${e.id}.endpoint to ${value}`, edits),
        });
      }
    }
    return findings;
  },
});

function receiverFindings(stack: Stack, c: CollectorConfig, cs: CollectorService, used: Set<string>): LocalhostFinding[] {
  const byDefault = localhostDefault(stack, cs.service);
  const out: LocalhostFinding[] = [];
  for (const l of otlpListeners(c, byDefault)) {
    if (!used.has(l.receiver) || !isLoopback(l.host)) continue;
    const at = listenerValue(c, l);
    if (l.implicit) {
      const edits = at.isMap()
        ? yamlInsertMapEntry(at.doc, at.path, 'endpoint', `0.0.0.0:${l.port}`)
        : yamlFillEmptyKey(at.doc, at.path, [`endpoint: 0.0.0.0:${l.port}`]);
      out.push({
        ...at.location(),
        // The localhost default holds from v0.104.0: with the version not known, its text names the assumption.
        ...(collectorVersionKnown(stack) ? {} : { severity: 'warning' as const }),
        kind: 'receiverDefault',
        data: { receiver: l.receiver, protocol: l.protocol, port: l.port, version: collectorVersionText(stack), ...inside(cs) },
        hint: `set endpoint: 0.0.0.0:${l.port}`,
        fix: fix('safe', `set receivers.${l.receiver}.protocols.${l.protocol}.endpoint to 0.0.0.0:${l.port}`, edits),
      });
    } else {
      const written = at.text() ?? '';
      const from = written.includes(`[${l.host}]:${l.port}`) ? `[${l.host}]:${l.port}` : `${l.host}:${l.port}`;
      out.push({
        ...at.location('value'),
        kind: 'receiverOnLoopback',
        data: { receiver: l.receiver, protocol: l.protocol, host: l.host, port: l.port, ...inside(cs) },
        hint: `listen on all interfaces: endpoint: 0.0.0.0:${l.port}`,
        fix: fix(
          'safe',
          `set receivers.${l.receiver}.protocols.${l.protocol}.endpoint to 0.0.0.0:${l.port}`,
          yamlReplaceInScalar(at.doc, at.path, from, `0.0.0.0:${l.port}`),
        ),
      });
    }
  }
  return out;
}
