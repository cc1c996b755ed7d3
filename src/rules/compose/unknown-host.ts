import { within } from '../../util/distance.js';
import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlReplaceInScalar } from '../../model/edits.js';
import type { YamlValue } from '../../load/yaml-value.js';
import type { ComposeService } from '../../model/compose.js';
import { topology, type Topology } from '../../model/topology.js';
import type { Workspace } from '../../model/workspace.js';

/** The host of a URL or `host:port`, or undefined when it is not a plain name worth checking. */
export function composeHostOf(value: string): string | undefined {
  const v = value.trim();
  if (v === '' || /[${}]/.test(v)) return undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(v);
  // gRPC's dns:///host:port names the host after the third slash; other schemes without an authority are no hosts.
  const rest = scheme ? (scheme[1].toLowerCase() === 'dns' ? scheme[2].replace(/^\/+/, '') : scheme[2]) : v;
  if (rest.startsWith('/')) return undefined;
  const m = /^(?:[^/@?#\s]*@)?(\[[^\]]*\]|[^/:?#\s]+)/i.exec(rest);
  const host = m?.[1];
  if (!host) return undefined;
  // Loopback, IP addresses and fully qualified names (host.docker.internal included) are not compose services.
  if (host.startsWith('[') || host.includes('.') || host === 'localhost' || /^\d+$/.test(host)) return undefined;
  return host;
}

/** When every service reading a config runs only under a profile: the first of them and all their profiles. */
function gateOf(readers: ComposeService[]): Pick<HostData, 'readBy' | 'profiles'> {
  if (readers.length === 0 || readers.some((s) => s.profiles.length === 0)) return {};
  return { readBy: readers[0].name, profiles: [...new Set(readers.flatMap((s) => s.profiles))] };
}

/** The one service name within two edits of the host, if exactly one. */
function nearest(host: string, names: Set<string>): string | undefined {
  const close = within(
    host.toLowerCase(),
    [...names].map((n) => n.toLowerCase()),
    2,
  );
  return close.length === 1 ? [...names].find((n) => n.toLowerCase() === close[0].name) : undefined;
}

/** What uses a host: `name` is the exporter id, job name or datasource name; `url` the value that names the host. */
interface HostData {
  name: string;
  file: string;
  url: string;
  host: string;
  /** The compose services there are. */
  services: string[];
  /** External networks a compose file joins: containers of other projects there answer to their names too. */
  external: string[];
  /** When every service reading the config has `profiles:`: one of them, and their profiles (it may never run). */
  readBy?: string;
  profiles?: string[];
}

interface HostUse {
  kind: 'exporter' | 'target' | 'datasource';
  at: YamlValue;
  data: Omit<HostData, 'services' | 'external'>;
}

/** Services with `profiles:` start only when one is active, which the doctor cannot see. */
const gate = (d: HostData) => (d.readBy ? ` (read by service "${d.readBy}", which runs only with profile ${d.profiles?.join(' or ')})` : '');
const noSuchService = (d: HostData) =>
  `but no compose service is called "${d.host}" (services: ${d.services.join(', ')})${d.external.length ? ` nor, as assumed, a container on the external network ${d.external.map((n) => `"${n}"`).join(', ')}` : ''}`;

const messages = {
  exporter: {
    message: (d: HostData) => `exporter "${d.name}" sends to ${d.host}, which no compose service is called: every export fails`,
    detail: (d: HostData) => `${d.file}${gate(d)}: it sends to ${d.url}, ${noSuchService(d)}; the name does not resolve on the compose network`,
  },
  target: {
    message: (d: HostData) => `job "${d.name}" scrapes ${d.host}, which no compose service is called: the target is DOWN with "no such host"`,
    detail: (d: HostData) => `${d.file}${gate(d)}: it scrapes ${d.url}, ${noSuchService(d)}`,
  },
  datasource: {
    message: (d: HostData) => `datasource "${d.name}" points at ${d.host}, which no compose service is called: Grafana cannot reach it`,
    detail: (d: HostData) => `${d.file}${gate(d)}: it points at ${d.url}, ${noSuchService(d)}; its health check fails and every panel using it shows an error`,
  },
} as const;
type UnknownHostFinding = RuleFinding<typeof messages>;

function collectorUses(ws: Workspace, t: Topology): HostUse[] {
  const uses: HostUse[] = [];
  for (const c of ws.stack.collectors) {
    const cs = t.containerOf(c);
    if (!cs || cs.service.networkMode === 'host') continue;
    const used = new Set(c.pipelines.flatMap((p) => p.exporters.map((e) => e.id)));
    for (const e of c.components.filter((x) => x.kind === 'exporters' && used.has(x.id))) {
      for (const key of ['endpoint', 'metrics_endpoint', 'logs_endpoint', 'traces_endpoint']) {
        const at = e.value.get(key);
        const value = at?.string();
        const host = value === undefined ? undefined : composeHostOf(value);
        if (!at || !host || value === undefined) continue;
        uses.push({ kind: 'exporter', at, data: { name: e.id, file: basename(c.file), url: value, host, ...gateOf([cs.service]) } });
      }
    }
  }
  return uses;
}

function prometheusUses(ws: Workspace, t: Topology): HostUse[] {
  return ws.stack.prometheus
    .filter((p) => {
      const ps = t.prometheusOf(p);
      return ps && ps.service.networkMode !== 'host';
    })
    .flatMap((p) =>
      p.jobs.flatMap((j) =>
        j.targets.flatMap((tg): HostUse[] => {
          const host = composeHostOf(tg.raw);
          const gated = gateOf([t.prometheusOf(p)!.service]);
          return host ? [{ kind: 'target', at: tg.value, data: { name: j.name, file: basename(p.file), url: tg.raw, host, ...gated } }] : [];
        }),
      ),
    );
}

function grafanaUses(ws: Workspace, t: Topology): HostUse[] {
  const uses: HostUse[] = [];
  for (const f of ws.stackFiles.filter((x) => x.kind === 'grafana-datasources')) {
    const readers = t.placementsOf(f.source.path).flatMap((p) => t.grafana.filter((g) => g.service === p.service && g.service.networkMode !== 'host'));
    if (readers.length === 0) continue;
    const gated = gateOf(readers.map((g) => g.service));
    for (const ds of ws.stack.grafana.datasources.filter((d) => d.file === f.source.path)) {
      const url = ds.value.get('url');
      const written = url?.string();
      const host = written === undefined ? undefined : composeHostOf(written);
      if (!url || !host || written === undefined) continue;
      uses.push({ kind: 'datasource', at: url, data: { name: ds.name ?? String(ds.index), file: basename(f.source.path), url: written, host, ...gated } });
    }
  }
  return uses;
}

export default defineRule({
  id: 'compose/unknown-host',
  severity: 'error',
  title: 'A config points at a host that is no compose service',
  checks:
    'In a workspace with a compose file: the host names that the configs mounted into its containers use (collector exporter endpoints in pipelines, Prometheus scrape targets, Grafana datasource URLs) are compose service names or aliases (container_name, hostname, network aliases, links). localhost, IP addresses, names with dots (host.docker.internal, real domains) and `${…}` placeholders are not checked. When every service reading the config has `profiles:` (started only when one is active, which the doctor cannot see), the finding is a warning naming the profiles.',
  why: 'Containers find each other by service name on the compose network; any other bare name does not resolve. A typo or a service that was never added (a datasource for an `alertmanager` the compose file does not run) fails at run time only: exports fail with a DNS error, the scrape target is DOWN with "no such host", the Grafana datasource fails its health check.',
  fix: 'unsafe',
  fixDescription:
    'When exactly one service name is within two edits of the unknown host (a typo), replaces the host with it. Unsafe: the name might be meant for a service still to be added.',
  versions: 'all versions',
  bad: {
    file: 'otel-collector-config.yml',
    text: '# docker-compose.yml services: otel-collector, prometheus, loki, grafana\nreceivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\nexporters:\n  otlphttp/loki:\n    endpoint: http://lokii:3100/otlp\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [otlphttp/loki]\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\nexporters:\n  otlphttp/loki:\n    endpoint: http://loki:3100/otlp\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [otlphttp/loki]\n',
  },
  references: [
    "https://github.com/prometheus/prometheus/blob/v3.14.0/docs/querying/api.md (/api/v1/targets: each target's lastError, where an unknown host shows)",
    'https://grafana.com/docs/grafana/latest/administration/provisioning/ (datasource URLs are resolved from the Grafana container)',
    'https://github.com/ColeMurray/claude-code-otel/tree/4326365 (a datasource for an alertmanager the compose file does not run)',
  ],
  oracle: 'fixtures',
  certainty:
    "On a compose network only service names, aliases, container names, hostnames and links resolve (Docker's embedded DNS). Error only for a bare name (no dot, not localhost, no ${...}) used by a config mounted into a container of this compose file; where a compose file joins an external network, containers of other projects there resolve too, so it is a warning that says what it assumed.",
  stage: 'Collector',
  messages,
  check(ws) {
    const t = topology(ws.stack);
    if (t.services.length === 0) return [];
    // A file the project includes or extends that the doctor does not read may define any service: nothing is certain.
    if (ws.stack.composes.some((c) => c.unfollowed.length > 0)) return [];
    const names = [...new Set(t.services.map((s) => s.service.name))];
    // A container of another project on an external network resolves by its name as well: then not certain.
    const external = ws.stack.composes
      .flatMap((c) => c.files.flatMap((f) => f.root.get('networks')?.entries() ?? []))
      .filter(([, n]) => isExternal(n))
      .map(([key, n]) => n.get('name')?.string() ?? key);
    const findings: UnknownHostFinding[] = [];
    for (const u of [...collectorUses(ws, t), ...prometheusUses(ws, t), ...grafanaUses(ws, t)]) {
      const host = u.data.host;
      if ([...t.hostnames].some((h) => h.toLowerCase() === host.toLowerCase())) continue; // Docker DNS ignores case
      const guess = nearest(host, t.hostnames);
      findings.push({
        ...u.at.location('value'),
        kind: u.kind,
        data: { ...u.data, services: names, external },
        // Read only by services gated by a profile (maybe never active), or names an external network may hold:
        // it fails only when they run, or when no such container exists.
        ...(u.data.readBy || external.length ? { severity: 'warning' as const } : {}),
        hint: guess ? `did you mean "${guess}"?` : `use one of the service names, or add a "${host}" service`,
        fix: guess ? fix('unsafe', `replace host ${host} with ${guess}`, yamlReplaceInScalar(u.at.doc, u.at.path, host, guess)) : undefined,
      });
    }
    return findings;
  },
});

/** `external: true` (or the old `external: {name: …}`) on a top-level network. */
function isExternal(network: YamlValue): boolean {
  const e = network.get('external');
  return !!e && (e.boolean() === true || e.isMap());
}
