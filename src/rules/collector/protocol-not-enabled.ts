import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlInsertMapEntry } from '../../model/edits.js';
import { listenerValue, otlpListeners } from '../../model/collector.js';
import { deliveries, gateText, wireProtocol, type Delivery, type Route } from '../../model/routes.js';
import { localhostDefault } from '../../model/topology.js';
import type { Workspace } from '../../model/workspace.js';
import { arrivalText, groupBy, hostPortFor, sendsText } from '../../model/sends-text.js';

type Miss = Extract<Delivery, { status: 'no-listener' | 'wrong-protocol' }>;

const WIRE_WORD = { grpc: 'gRPC', http: 'HTTP' } as const;

/** What the sender sees when the port holds the other protocol. */
function failure(sent: 'grpc' | 'http'): string {
  return sent === 'grpc' ? 'every export fails ("14 UNAVAILABLE: No connection established")' : 'every export fails ("Parse Error: Expected HTTP/")';
}

type Wire = 'grpc' | 'http';

/** `sends`: what Claude Code sends (sendsText); `arrival`: where it arrives (arrivalText). */
interface Sent {
  sends: string;
  /** gateText: where the receiving service runs only under a profile. */
  gate: string;
}

const messages = {
  wrongProtocol: {
    message: (d: { receiver: string; serves: Wire; sent: Wire }) =>
      `Claude Code sends ${WIRE_WORD[d.sent]} to receiver "${d.receiver}"'s ${WIRE_WORD[d.serves]} endpoint: every export fails`,
    detail: (d: Sent & { arrival: string; receiver: string; serves: Wire; sent: Wire }) =>
      `Claude Code sends ${d.sends}${d.arrival} is receiver "${d.receiver}"'s ${WIRE_WORD[d.serves]} endpoint: ${failure(d.sent)}${d.gate}`,
  },
  noListener: {
    message: (d: { receiver: string; sent: Wire; port: number }) =>
      `nothing listens where Claude Code sends (receiver "${d.receiver}" serves ${WIRE_WORD[d.sent]} on port ${d.port}): every export is refused`,
    detail: (d: Sent & { arrival: string }) => `Claude Code sends ${d.sends}${d.arrival} has no listener${d.gate}`,
  },
  /** `others`: the protocols the receiver does serve. */
  protocolMissing: {
    message: (d: { receiver: string; sent: Wire }) => `receiver "${d.receiver}" has no ${d.sent} protocol, which Claude Code uses: every export fails`,
    detail: (d: Sent & { others: { protocol: Wire; port: number }[] }) =>
      `Claude Code sends ${d.sends}${d.others.length ? `; the receiver serves only ${d.others.map((o) => `${WIRE_WORD[o.protocol]} on ${o.port}`).join(', ')}` : ''}${d.gate}`,
  },
  noOtlpReceiver: {
    message: 'the collector config has no otlp receiver: every export from Claude Code is refused',
    detail: (d: Sent) => `Claude Code sends ${d.sends}${d.gate}`,
  },
} as const;
type ProtocolFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'collector/protocol-not-enabled',
  severity: 'error',
  title: "Claude Code's OTLP protocol or port is not what the collector's receiver serves",
  checks:
    "Cross-file: the port Claude Code sends to reaches the collector (through the compose port mapping, or directly), but no OTLP receiver serves Claude Code's protocol on the port it arrives at: the receiver lacks that protocol, or serves it on another port, or serves the other protocol there. A port the compose service does not publish at all is compose/otlp-port-not-published's finding, and settings/protocol-port-mismatch stays silent when a collector config is in the workspace, so one wrong port is reported once. When the service it reaches runs only under a profile (`profiles:`), a warning that names the profile.",
  why: 'gRPC sent to the OTLP/HTTP port fails with "14 UNAVAILABLE: No connection established"; HTTP sent to the gRPC port fails with "Parse Error: Expected HTTP/"; a port nobody listens on refuses the connection. Claude Code reports none of this unless CLAUDE_CODE_OTEL_DIAG_STDERR=1 is set: nothing arrives.',
  fix: 'safe',
  fixDescription:
    'When the OTLP receiver lacks the protocol entirely and nothing else listens on the port, adds it: `grpc: {endpoint: 0.0.0.0:<port>}` (or `http`), on 0.0.0.0 in a container and localhost outside one. Other cases (a different port, the other protocol on that port) have no automatic fix: which side to change is your choice.',
  versions: 'all versions',
  bad: {
    file: 'otel-collector-config.yml',
    text: '# Claude Code: OTEL_EXPORTER_OTLP_PROTOCOL=grpc, OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317\nreceivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 0.0.0.0:4318\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\n      http:\n        endpoint: 0.0.0.0:4318\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/receiver/otlpreceiver/README.md (protocols grpc and http, each on its own port)',
    'measured on real Claude Code: test/conformance/cases.ts, case "protocol-port-mismatch: grpc to the HTTP port"',
    'measured on real Claude Code: test/conformance/cases.ts, case "protocol-port-mismatch: http/protobuf to the gRPC port"',
  ],
  messages,
  oracle: 'fixtures',
  certainty:
    "An OTLP receiver serves only the protocols configured under `protocols`, each on its own port (receiver docs): gRPC to the HTTP port or HTTP to the gRPC port fails at the protocol level, and a port with no listener refuses. Error only where Claude Code's protocol and port are known from its settings and the port reaches this collector.",
  stage: 'Collector',
  check(ws) {
    const misses = deliveries(ws).filter((d): d is Miss => d.status === 'no-listener' || d.status === 'wrong-protocol');
    return groupBy(misses, (d) => `${d.collector.file}|${d.port}|${wireProtocol(d.route.protocol)}`).map((group) => {
      const f = finding(ws, group);
      // A service started only under a profile may not run: what it does with the data is then not certain.
      return f.data.gate ? { ...f, severity: 'warning' } : f;
    });
  },
});

function finding(ws: Workspace, group: Miss[]): ProtocolFinding {
  const d = group[0];
  const c = d.collector;
  const route = d.route;
  const wire = wireProtocol(route.protocol);
  const sent = {
    sends: sendsText(
      ws,
      group.map((g) => g.route),
    ),
    gate: gateText(route),
  };
  const arrival = arrivalText(route, d.port);
  const listeners = otlpListeners(c, localhostDefault(ws.stack, route.collectorService?.service));
  const sameProtocol = listeners.filter((l) => l.protocol === wire);
  if (d.status === 'wrong-protocol') {
    const l = d.listener;
    return {
      ...listenerValue(c, l).location(l.implicit ? 'key' : 'value'),
      kind: 'wrongProtocol',
      data: { ...sent, arrival, receiver: l.receiver, serves: l.protocol, sent: wire },
      hint: alternatives(
        route,
        wire,
        sameProtocol.map((x) => hostPortFor(route, x.port)).filter((x): x is number => x !== undefined),
      ),
    };
  }
  const otlp = c.components.filter((x) => x.kind === 'receivers' && x.type === 'otlp');
  if (sameProtocol.length > 0) {
    const l = sameProtocol[0];
    return {
      ...listenerValue(c, l).location(l.implicit ? 'key' : 'value'),
      kind: 'noListener',
      data: { ...sent, arrival, receiver: l.receiver, sent: wire, port: l.port },
      hint:
        hostPortFor(route, l.port) !== undefined
          ? `send to port ${hostPortFor(route, l.port)}, or make the receiver listen on ${d.port}`
          : route.kind === 'published'
            ? `map the published port to container port ${l.port}, or make the receiver listen on ${d.port}`
            : `make the receiver listen on ${d.port}`,
    };
  }
  // No OTLP receiver serves the protocol at all.
  const target = otlp.find((r) => c.pipelines.some((p) => p.receivers.some((x) => x.id === r.id))) ?? otlp[0];
  const protocols = target?.value.get('protocols');
  // In a container (a compose service without host networking, a Kubernetes pod) localhost is unreachable from outside.
  const inContainer = route.kind === 'kubernetes' || (route.collectorService && route.collectorService.service.networkMode !== 'host');
  const value = `${inContainer ? '0.0.0.0' : 'localhost'}:${d.port}`;
  const edits = protocols?.isMap() ? yamlInsertMapEntry(protocols.doc, protocols.path, wire, [`endpoint: ${value}`]) : [];
  const others = target ? listeners.filter((l) => l.receiver === target.id).map((l) => ({ protocol: l.protocol, port: l.port })) : [];
  return {
    ...(protocols ?? target?.value ?? c.root.get('receivers') ?? c.root).location(),
    ...(target
      ? { kind: 'protocolMissing' as const, data: { ...sent, receiver: target.id, sent: wire, others } }
      : { kind: 'noOtlpReceiver' as const, data: sent }),
    hint: target
      ? `enable it: protocols: ${wire}: endpoint: ${value}, or switch Claude Code to the protocol the receiver serves`
      : 'add an otlp receiver with grpc (4317) and http (4318) and list it in the pipelines',
    fix: fix('safe', `add the ${wire} protocol on ${value} to receivers.${target?.id}`, edits),
  };
}

function alternatives(route: Route, wire: 'grpc' | 'http', ports: number[]): string {
  const other = wire === 'grpc' ? 'http/protobuf' : 'grpc';
  if (ports.length === 0) return `enable ${wire} on the receiver, or set the protocol to ${other} to match this port`;
  return `send ${route.protocol} to port ${ports[0]}, which serves it, or set the protocol to ${other} to match this port`;
}
