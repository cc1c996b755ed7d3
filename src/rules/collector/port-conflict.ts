import { defineRule, type RuleFinding } from '../define.js';
import { collectorListeners, listenerValue, listenersCollide, type Listener } from '../../model/collector.js';

type Side = Pick<Listener, 'owner' | 'host' | 'port' | 'implicit'>;

const messages = {
  samePort: {
    message: (d: { here: Side; other: Side }) => `${d.here.owner} and ${d.other.owner} need the same port: the collector exits at start`,
    detail: (d: { here: Side; other: Side }) =>
      `${d.here.owner} at ${describe(d.here)}, ${d.other.owner} at ${describe(d.other)}: "bind: address already in use"; otelcol validate does not catch this`,
  },
} as const;

const side = (l: Listener): Side => ({ owner: l.owner, host: l.host, port: l.port, implicit: l.implicit });
import { collectorVersionText } from '../../model/collector-version-text.js';

export default defineRule({
  id: 'collector/port-conflict',
  severity: 'error',
  title: 'Two collector listeners on one port',
  checks:
    'The addresses the collector opens at its version: OTLP gRPC/HTTP receivers (defaults 4317/4318), prometheus exporter endpoints, internal telemetry metrics (default 8888, or `address`/pull readers), the health_check (13133), pprof (1777) and zpages (55679) extensions, zipkin receiver (9411). Only components that start count: receivers and exporters in a pipeline, extensions in service.extensions.',
  why: '`otelcol validate` does not bind ports, so it passes; the collector then exits at start with "cannot start pipelines: … bind: address already in use". The classic case is a prometheus exporter on 8888, where the collector\'s own metrics already listen. (Up to v0.110 a clash on the internal metrics port is reported asynchronously: "Asynchronous error received, terminating process", and the process ends with status 0.)',
  fix: 'none',
  versions:
    'all collector versions (internal metrics: `:8888` up to v0.110, `localhost:8888` from v0.111; from v0.123 `address` is ignored and readers replace the default)',
  bad: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  prometheus:\n    endpoint: 0.0.0.0:8888\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.105.0/service/telemetry/config.go',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.111.0/service/telemetry/metrics.go',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/service/telemetry/otelconftelemetry/config.go (internal metrics address and readers)',
    'https://github.com/open-telemetry/opentelemetry-collector/pull/11251 (internal metrics default localhost:8888, v0.111.0)',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/v0.159.0/extension/healthcheckextension/README.md (health_check on 13133)',
    'measured: test/oracles/differential.test.ts (port conflicts fail the real 0.105.0 and 0.165.0 builds at start, not at validate)',
  ],
  oracle: 'collector',
  stage: 'Collector',
  messages,
  fatalIn: () => true,
  check(ws) {
    const findings: RuleFinding<typeof messages>[] = [];
    for (const c of ws.stack.collectors.filter((x) => x.yaml.problems.length === 0)) {
      const listeners = collectorListeners(c, ws.stack.collector.version);
      for (let j = 0; j < listeners.length; j++) {
        const b = listeners[j];
        const a = listeners.slice(0, j).find((x) => listenersCollide(x, b));
        if (!a) continue;
        // Point at a listener written in the file; the other may be a default.
        const [here, other] = b.implicit && !a.implicit ? [a, b] : [b, a];
        findings.push({
          ...listenerValue(c, here).location(here.implicit ? 'key' : 'value'),
          kind: 'samePort',
          data: { here: side(here), other: side(other) },
          hint: hintFor(here, other, collectorVersionText(ws.stack)),
        });
      }
    }
    return findings;
  },
});

function describe(l: Side): string {
  const host = l.host.includes(':') ? `[${l.host}]` : l.host;
  return `${host}:${l.port}${l.implicit ? ' (the default)' : ''}`;
}

function hintFor(here: Listener, other: Listener, version: string): string {
  const telemetry = [here, other].filter((l) => l.owner.startsWith('service.telemetry'));
  const exporter = [here, other].find((l) => l.owner.startsWith('exporters.'));
  if (telemetry.length === 2) {
    return `${version} still serves the internal metrics address (default :8888) besides the readers (until v0.111.0): give the reader another port, or set service.telemetry.metrics.address to the address you want instead`;
  }
  if (telemetry.length === 1 && exporter) {
    return `move ${exporter.owner} to another port such as 8889 (and the Prometheus target with it); ${version} serves its own metrics on ${describe(telemetry[0]).replace(' (the default)', '')}`;
  }
  return `give ${here.owner} a port nothing else in this collector uses`;
}
