import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import type { TextEdit } from '../../types.js';
import { fix, yamlInsertMapEntry, yamlReplaceInScalar, yamlReplaceScalar } from '../../model/edits.js';

const WILDCARD = new Set(['', '0.0.0.0', '::', '[::]']);

const messages = {
  allInterfaces: {
    message: (d: { port: number; service: string }) =>
      `port ${d.port} of service "${d.service}" is published on all host interfaces: other machines can connect to it`,
    detail: (d: { file: string; hostIp?: string }) => `${d.file}${d.hostIp ? ` (${d.hostIp})` : ''}; Docker's iptables rules bypass host firewalls such as UFW`,
  },
} as const;
type PortsOnAllInterfacesFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'compose/ports-on-all-interfaces',
  severity: 'warning',
  title: 'Port published on all host interfaces',
  checks:
    'A compose `ports:` entry without a host address (`"4317:4317"`, or the long syntax without `host_ip`) or with 0.0.0.0 / ::, so Docker publishes it on every interface of the host.',
  why: 'Anyone on the network can reach the port: send telemetry to the collector, query Prometheus, open Grafana (often with admin/admin). Docker writes its own iptables rules, so host firewalls such as UFW do not block it.',
  fix: 'unsafe',
  fixDescription:
    'Publishes on 127.0.0.1 only: prefixes the short syntax with `127.0.0.1:` (or replaces 0.0.0.0) and adds `host_ip: 127.0.0.1` to the long syntax. Unsafe: senders on other machines (a team sending to a shared collector) can no longer connect.',
  versions: 'all versions',
  bad: { file: 'docker-compose.yml', text: 'services:\n  otel-collector:\n    ports:\n      - "4317:4317"\n' },
  good: { file: 'docker-compose.yml', text: 'services:\n  otel-collector:\n    ports:\n      - "127.0.0.1:4317:4317"\n' },
  references: [
    'https://github.com/docker/for-linux/issues/690 (published ports bypass host firewall rules such as UFW)',
    'https://opentelemetry.io/docs/security/config-best-practices/#protect-against-denial-of-service-attacks (0.0.0.0 endpoints and denial of service)',
    'https://github.com/open-telemetry/opentelemetry-collector-releases/blob/v0.159.0/distributions/otelcol-contrib/config.yaml (the release config warns that 0.0.0.0 endpoints increase exposure)',
  ],
  oracle: 'fixtures',
  stage: 'Collector',
  messages,
  check(ws) {
    const findings: PortsOnAllInterfacesFinding[] = [];
    for (const compose of ws.stack.composes) {
      for (const s of compose.services) {
        if (s.networkMode === 'host') continue;
        for (const port of s.ports) {
          if (port.hostIp !== undefined && !WILDCARD.has(port.hostIp)) continue;
          const published = port.hostPort ?? port.containerPort;
          const y = port.value.doc;
          const text = port.value.text();
          let edits: TextEdit[];
          if (text !== undefined) {
            edits =
              port.hostPort === undefined
                ? [] // "4317" publishes a random host port; 127.0.0.1::4317 would be the loopback form
                : port.hostIp === undefined
                  ? yamlReplaceInScalar(y, port.path, text, `127.0.0.1:${text}`)
                  : yamlReplaceInScalar(
                      y,
                      port.path,
                      port.hostIp.startsWith('[') || text.startsWith('[') ? `[${port.hostIp.replace(/^\[|\]$/g, '')}]` : port.hostIp,
                      '127.0.0.1',
                    );
          } else {
            edits =
              port.hostIp === undefined
                ? yamlInsertMapEntry(y, port.path, 'host_ip', '127.0.0.1')
                : yamlReplaceScalar(y, [...port.path, 'host_ip'], 'value', '127.0.0.1');
          }
          findings.push({
            ...port.value.location('value'),
            kind: 'allInterfaces',
            data: { port: published, service: s.name, file: basename(port.value.file), hostIp: port.hostIp },
            hint:
              port.hostPort === undefined
                ? `publish it on loopback: "127.0.0.1::${port.containerPort}" or "127.0.0.1:${port.containerPort}:${port.containerPort}"`
                : `publish it on loopback only: "127.0.0.1:${port.hostPort}:${port.containerPort}"`,
            fix: fix('unsafe', `publish port ${published} on 127.0.0.1 only`, edits),
          });
        }
      }
    }
    return findings;
  },
});
