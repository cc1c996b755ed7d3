import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import { composeReplicaCount, type ComposeFile, type ComposeService, type PublishedPort } from '../../model/compose.js';
import { composeReplicas } from '../../model/replicas.js';

const REFUSAL = 'Docker refuses to start the container that comes second ("Bind for 0.0.0.0:<port> failed: port is already allocated")';

const messages = {
  twoServices: {
    message: (d: { port: string; first: string; second: string }) =>
      `host port ${d.port} is published by services "${d.first}" and "${d.second}": one of them fails to start`,
    detail: (d: { file: string; gate: string }) => `${d.file}: ${REFUSAL}${d.gate}`,
  },
  replicas: {
    message: (d: { port: string; service: string; count: number }) =>
      `service "${d.service}" runs ${d.count} replicas on fixed host port ${d.port}: only the first starts`,
    detail: (d: { evidence: string }) =>
      `${d.evidence}: every replica asks for the same host port, and ${REFUSAL.replace('the container that comes second', 'the others')}`,
  },
} as const;
type PortConflictFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'compose/published-port-conflict',
  severity: 'error',
  title: 'Two containers of a compose project publish the same host port',
  checks:
    'Within one compose project (a file with its override and the files it includes or extends): two services that publish the same fixed host port and protocol on overlapping host addresses (no address, 0.0.0.0 and :: take every address), and a service that runs several replicas (`deploy.replicas`, `scale`) with a fixed host port. Port ranges (compose picks a free port of the range), ports without a host port (Docker picks one), services with `network_mode: host` (which publish nothing) and services switched off (`deploy.replicas: 0`, `scale: 0`) are not judged. When one of the two services runs only under a profile, a warning (it collides whenever that profile is active); two services under profiles that share none are alternatives, not judged.',
  why: 'Docker binds every published port on the host when it starts a container; a second container asking for a host port already taken fails with "Bind for 0.0.0.0:4318 failed: port is already allocated", so `docker compose up` ends with an error and that service (a second collector, a replica) is not running. A service that extends another service still running in the same project inherits its ports and collides with it.',
  fix: 'none',
  versions: 'all Docker and compose versions',
  bad: {
    file: 'docker-compose.yml',
    text: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.165.0\n    ports:\n      - "127.0.0.1:4318:4318"\n  otel-collector-debug:\n    image: otel/opentelemetry-collector-contrib:0.165.0\n    ports:\n      - "4318:4318"\n',
  },
  good: {
    file: 'docker-compose.yml',
    text: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.165.0\n    ports:\n      - "127.0.0.1:4318:4318"\n  otel-collector-debug:\n    image: otel/opentelemetry-collector-contrib:0.165.0\n    ports:\n      - "127.0.0.1:14318:4318"\n',
  },
  messages,
  references: [
    'https://docs.docker.com/reference/compose-file/services/#ports (a fixed host port; a range lets the engine pick)',
    'https://docs.docker.com/reference/compose-file/deploy/#replicas (replicas of one service)',
    'https://docs.docker.com/engine/network/#published-ports (a published port is bound on the host)',
  ],
  oracle: 'fixtures',
  certainty:
    'A host port is bound by one process at a time; Docker binds each published port when the container starts and refuses a second binding of the same address, port and protocol ("port is already allocated"), 0.0.0.0 covering every address. Error only for two services of one project that always start (no `profiles:`) with the same fixed port, or a service whose replicas are a number in the file.',
  stage: 'Collector',
  check(ws) {
    const findings: PortConflictFinding[] = [];
    for (const compose of ws.stack.composes) {
      // `deploy.replicas: 0` (or `scale: 0`): a service switched off runs no container.
      const services = compose.services.filter((s) => s.networkMode !== 'host' && composeReplicaCount(s)?.count !== 0);
      const taken: { service: ComposeService; port: PublishedPort }[] = [];
      for (const service of services) {
        const fixed = service.ports.filter(isFixed);
        const replicas = composeReplicas({ compose, service });
        if (replicas && fixed.length > 0) {
          const port = fixed[0];
          findings.push({
            ...port.value.location('value'),
            kind: 'replicas',
            data: { port: portText(port), service: service.name, count: replicas.count, evidence: replicas.evidence },
            hint: `publish a range (\`"${port.hostPort}-${(port.hostPort ?? 0) + replicas.count - 1}:${port.containerPort}"\`), or none and reach the replicas by service name on the compose network`,
          });
        }
        for (const port of fixed) {
          const earlier = taken.find(
            (t) =>
              t.service !== service &&
              t.port.hostPort === port.hostPort &&
              t.port.protocol === port.protocol &&
              overlap(t.port, port) &&
              mayRunTogether(t.service, service),
          );
          if (earlier) {
            const gated = earlier.service.profiles.length > 0 || service.profiles.length > 0;
            findings.push({
              ...port.value.location('value'),
              kind: 'twoServices',
              severity: gated ? 'warning' : undefined,
              data: {
                port: portText(port),
                first: earlier.service.name,
                second: service.name,
                file: fileOf(compose, port),
                gate: gated ? `, whenever both run (${profileText(earlier.service, service)}, which the doctor cannot see)` : '',
              },
              hint: `publish service "${service.name}" on another host port (\`"${port.hostIp ? `${port.hostIp}:` : ''}<free port>:${port.containerPort}"\`), or drop one of the two`,
              subject: `${earlier.service.name} and ${service.name}`,
            });
          } else taken.push({ service, port });
        }
      }
    }
    return findings;
  },
});

/** A single host port given in the file (not a range, which compose fills with any free port of it). */
const isFixed = (p: PublishedPort) => p.hostPort !== undefined && p.published !== undefined && !p.published.includes('-');

const ANY = new Set(['', '0.0.0.0', '::', '[::]']);
const overlap = (a: PublishedPort, b: PublishedPort) => ANY.has(a.hostIp ?? '') || ANY.has(b.hostIp ?? '') || a.hostIp === b.hostIp;

const portText = (p: PublishedPort) => `${p.hostIp ? `${p.hostIp}:` : ''}${p.hostPort}${p.protocol === 'tcp' ? '' : `/${p.protocol}`}`;

const fileOf = (compose: ComposeFile, p: PublishedPort) => basename(p.value.doc.source.path ?? compose.file);

/**
 * Services under profiles that share none are alternatives (`--profile a` or `--profile b`): they run together only
 * when both are asked for, which a user choosing between them does not do.
 */
function mayRunTogether(a: ComposeService, b: ComposeService): boolean {
  return a.profiles.length === 0 || b.profiles.length === 0 || a.profiles.some((p) => b.profiles.includes(p));
}

function profileText(a: ComposeService, b: ComposeService): string {
  return [a, b]
    .filter((s) => s.profiles.length > 0)
    .map((s) => `"${s.name}" starts only with profile ${s.profiles.join(' or ')}`)
    .join('; ');
}
