import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlAppendToList, yamlInsertMapEntry } from '../../model/edits.js';
import { otlpListeners } from '../../model/collector.js';
import { deliveries, wireProtocol, type Delivery } from '../../model/routes.js';
import { groupBy, sendsText, serviceText } from '../../model/sends-text.js';
import type { Workspace } from '../../model/workspace.js';

/** `sends` and `service` are sends-text's clauses: what Claude Code sends where, and which service. */
const messages = {
  notPublished: {
    message: 'no compose service publishes port {{port}}, where Claude Code sends: every export is refused',
    detail: 'Claude Code sends {{sends}}, but {{service}} does not publish port {{port}}',
  },
  notPublishedNoReceiver: {
    message: 'no compose service publishes port {{port}}, where Claude Code sends: every export is refused',
    detail: 'Claude Code sends {{sends}}, but {{service}} does not publish port {{port}}, and its collector config has no OTLP {{wire}} receiver',
  },
  onlyWithProfile: {
    message: 'port {{port}}, where Claude Code sends, is published only with profile {{profiles}}: without it every export is refused',
    detail:
      'Claude Code sends {{sends}}, published only by {{service}}, which runs only with profile {{profiles}}; unless one is active (docker compose --profile, COMPOSE_PROFILES), nothing listens on port {{port}}',
  },
} as const;
type OtlpPortNotPublishedFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'compose/otlp-port-not-published',
  severity: 'error',
  title: 'The port Claude Code sends to is not published by the collector service',
  checks:
    'Cross-file: Claude Code sends OTLP to localhost:<port> (from its settings), the compose file runs the collector, and no service publishes that port, or only services with `profiles:` publish it (a warning: compose starts them only when a profile is active, which the doctor cannot see). When the port is published but the collector serves the other protocol there, or nothing, collector/protocol-not-enabled reports it instead.',
  why: 'Claude Code runs on the host and reaches a container only through a published port (`ports:`). Without one, every export is refused (ECONNREFUSED), silently unless CLAUDE_CODE_OTEL_DIAG_STDERR=1 is set, and no metrics or events arrive.',
  fix: 'safe',
  fixDescription:
    "Adds `\"127.0.0.1:<port>:<container port>\"` to the collector service's `ports` (creating the key when there is none): the container port is the one the collector's OTLP receiver listens on for Claude Code's protocol. Bound to 127.0.0.1, so only this machine can send.",
  versions: 'all versions',
  bad: {
    file: 'docker-compose.yml',
    text: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    ports:\n      - "127.0.0.1:4318:4318"\n# Claude Code: OTEL_EXPORTER_OTLP_PROTOCOL=grpc, OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317\n',
  },
  good: {
    file: 'docker-compose.yml',
    text: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    ports:\n      - "127.0.0.1:4317:4317"\n      - "127.0.0.1:4318:4318"\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/receiver/otlpreceiver/README.md (4317 gRPC, 4318 HTTP)',
    'https://code.claude.com/docs/en/monitoring-usage (CLAUDE_CODE_OTEL_DIAG_STDERR: export errors are silent otherwise)',
  ],
  oracle: 'fixtures',
  certainty:
    "A process on the host reaches a container only through a published port (Docker networking): without one, Claude Code's export to localhost:<port> is refused. Error only when Claude Code's endpoint is localhost on that port and no service publishes it.",
  stage: 'Collector',
  messages,
  check(ws) {
    const missing = deliveries(ws).filter((d): d is Extract<Delivery, { status: 'not-published' }> => d.status === 'not-published');
    const findings: OtlpPortNotPublishedFinding[] = [];
    for (const group of groupBy(missing, (d) => `${d.route.service!.service.name}|${d.route.port}`)) {
      const route = group[0].route;
      const ref = route.service!;
      // A port is added where the service's ports are written last (an override file's), else to the service itself.
      const ports = ref.service.fields.get('ports');
      const wire = wireProtocol(route.protocol);
      const listener = route.collector ? otlpListeners(route.collector, true).find((l) => l.protocol === wire) : undefined;
      const standard = (wire === 'grpc' ? 4317 : 4318) === route.port;
      const containerPort = listener?.port ?? (route.collector || !standard ? undefined : route.port);
      let edits: ReturnType<typeof yamlAppendToList> = [];
      if (containerPort !== undefined) {
        const quote = ports?.items()[0]?.sourceText()?.startsWith("'") ? "'" : '"';
        const item = `${quote}127.0.0.1:${route.port}:${containerPort}${quote}`;
        edits = ports
          ? yamlAppendToList(ports.doc, ports.path, item)
          : yamlInsertMapEntry(ref.service.value.doc, ref.service.value.path, 'ports', [`- ${item}`]);
      }
      const data = {
        sends: sendsText(
          ws,
          group.map((d) => d.route),
        ),
        service: serviceText(route),
        port: route.port,
      };
      findings.push({
        ...(ports ?? ref.service.value).location(),
        ...(route.collector && !listener ? { kind: 'notPublishedNoReceiver', data: { ...data, wire } } : { kind: 'notPublished', data }),
        hint:
          containerPort !== undefined
            ? `publish it: ports: - "127.0.0.1:${route.port}:${containerPort}"`
            : `publish the port of the collector's OTLP ${wire} receiver, or point Claude Code at a port the service publishes`,
        fix: fix('safe', `publish 127.0.0.1:${route.port}:${containerPort} on service ${ref.service.name}`, edits),
      });
    }
    findings.push(...onlyWithProfile(ws));
    return findings;
  },
});

/**
 * Ports Claude Code sends to that only services with `profiles:` publish: compose starts those only when one of the
 * profiles is active, which the doctor cannot see, so a plain `docker compose up` leaves nothing listening.
 */
function onlyWithProfile(ws: Workspace): OtlpPortNotPublishedFinding[] {
  const always = ws.stack.composes.flatMap((c) => c.services).filter((s) => s.profiles.length === 0);
  const gated = deliveries(ws)
    .map((d) => d.route)
    .filter((r) => r.kind === 'published' && r.service && r.service.service.profiles.length > 0)
    .filter((r) => !always.some((s) => s.networkMode === 'host' || s.ports.some((p) => p.hostPort === r.port)));
  return groupBy(gated, (r) => `${r.service!.service.name}|${r.port}`).map((group) => {
    const route = group[0];
    const s = route.service!.service;
    const profiles = s.profiles.join(' or ');
    return {
      ...(s.fields.get('profiles') ?? s.value).location(),
      kind: 'onlyWithProfile',
      severity: 'warning',
      data: { sends: sendsText(ws, group), service: serviceText(route), profiles, port: route.port },
      hint: `start the stack with --profile ${s.profiles[0]} (or COMPOSE_PROFILES=${s.profiles[0]}), or drop profiles: from the service if it should always run`,
    };
  });
}
