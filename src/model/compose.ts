import type { YamlDocument, YamlPath } from '../load/yaml.js';

export interface PublishedPort {
  /** Host address when given (`127.0.0.1:4317:4317`); undefined means all interfaces. */
  hostIp?: string;
  hostPort?: number;
  containerPort: number;
  protocol: string;
  path: YamlPath;
}

export interface Mount {
  source: string;
  target: string;
  /**
   * `bind` (a host path), `volume` (named or anonymous), `tmpfs`, or `config` (a service's `configs:` entry,
   * whose source is the top-level config's `file`).
   */
  type: 'bind' | 'volume' | 'tmpfs' | 'config';
  path: YamlPath;
}

export interface ComposeService {
  name: string;
  image?: string;
  /** Repository without tag, e.g. `otel/opentelemetry-collector-contrib`. */
  repository?: string;
  /** Tag, e.g. `0.115.1`; undefined when none is given (Docker then uses `latest`). */
  tag?: string;
  ports: PublishedPort[];
  /** Volumes, then `configs:` entries (files placed into the container). */
  mounts: Mount[];
  /** Names other containers on the network reach it by besides the service name: container_name, hostname, aliases, links. */
  aliases: string[];
  /** `network_mode`, e.g. `host` (then every container port is a host port). */
  networkMode?: string;
  command: string[];
  entrypoint: string[];
  environment: Record<string, string>;
  healthcheckTest?: string[];
  path: YamlPath;
  raw: Record<string, unknown>;
}

export interface ComposeFile {
  yaml: YamlDocument;
  file: string;
  services: ComposeService[];
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** `otel/x:0.1` → repository and tag; digests (`@sha256:…`) count as pinned. */
export function splitImage(image: string): { repository: string; tag?: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { repository: image.slice(0, at), tag: image.slice(at + 1) };
  const colon = image.lastIndexOf(':');
  if (colon > image.lastIndexOf('/')) return { repository: image.slice(0, colon), tag: image.slice(colon + 1) };
  return { repository: image };
}

/** Compose's short (`"127.0.0.1:4317:4317/tcp"`) and long (`{target, published, host_ip}`) port forms. */
export function parsePort(entry: unknown, path: YamlPath): PublishedPort | undefined {
  if (isObject(entry)) {
    const target = Number(entry.target);
    if (!Number.isFinite(target)) return undefined;
    const published = entry.published !== undefined ? Number(String(entry.published).split('-')[0]) : undefined;
    return { hostIp: typeof entry.host_ip === 'string' ? entry.host_ip : undefined, hostPort: published, containerPort: target, protocol: String(entry.protocol ?? 'tcp'), path };
  }
  if (typeof entry !== 'string' && typeof entry !== 'number') return undefined;
  const [spec, protocol = 'tcp'] = String(entry).split('/');
  // An IPv6 host address is bracketed: [::1]:4317:4317
  const m = /^(?:(\[[^\]]+\]|[^:]+):)?(?:(\d+)(?:-\d+)?:)?(\d+)(?:-\d+)?$/.exec(spec);
  if (!m) return undefined;
  const parts = spec.replace(/^\[[^\]]+\]/, 'H').split(':');
  const hostIp = parts.length === 3 ? (m[1] ?? '').replace(/^\[|\]$/g, '') : undefined;
  const hostPort = parts.length >= 2 ? Number(parts[parts.length - 2]) : undefined;
  return { hostIp, hostPort, containerPort: Number(m[3]), protocol, path };
}

/** A short-syntax source that is a host path (`./x`, `/x`, `~/x`, `${PWD}/x`), not a volume name. */
const isHostPath = (source: string) => /^(\.|\/|~|\$)/.test(source);

function parseMount(entry: unknown, path: YamlPath): Mount | undefined {
  if (isObject(entry) && typeof entry.target === 'string') {
    const source = String(entry.source ?? '');
    const type = entry.type === 'bind' || entry.type === 'tmpfs' ? entry.type : entry.type === undefined && isHostPath(source) ? 'bind' : 'volume';
    return { source, target: entry.target, type, path };
  }
  if (typeof entry !== 'string') return undefined;
  const parts = entry.split(':');
  if (parts.length < 2) return { source: '', target: parts[0], type: 'volume', path };
  return { source: parts[0], target: parts[1], type: isHostPath(parts[0]) ? 'bind' : 'volume', path };
}

/** A service's `configs:` entries as mounts: short form `- name` (target `/name`) or `{source, target}`. */
function parseConfigMounts(list: unknown, topLevel: Record<string, unknown>, path: YamlPath): Mount[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry, i): Mount[] => {
    const name = typeof entry === 'string' ? entry : isObject(entry) && typeof entry.source === 'string' ? entry.source : undefined;
    if (!name) return [];
    const def = isObject(topLevel[name]) ? topLevel[name] : {};
    if (typeof def.file !== 'string') return [];
    const target = isObject(entry) && typeof entry.target === 'string' ? entry.target : `/${name}`;
    return [{ source: def.file, target, type: 'config', path: [...path, i] }];
  });
}

/** Extra names a service answers to on its networks. */
function aliasesOf(s: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (typeof s.container_name === 'string') out.push(s.container_name);
  if (typeof s.hostname === 'string') out.push(s.hostname);
  if (isObject(s.networks)) {
    for (const n of Object.values(s.networks)) if (isObject(n) && Array.isArray(n.aliases)) out.push(...n.aliases.map(String));
  }
  // `links: ["db:database"]` makes `database` resolve (in the linking service).
  if (Array.isArray(s.links)) for (const l of s.links.map(String)) if (l.includes(':')) out.push(l.slice(l.indexOf(':') + 1));
  return out;
}

/** Command and entrypoint may be a string (split like a shell would, roughly) or a list. */
function words(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return v.match(/"[^"]*"|'[^']*'|\S+/g)?.map((w) => w.replace(/^["']|["']$/g, '')) ?? [];
  return [];
}

function environment(v: unknown): Record<string, string> {
  if (Array.isArray(v)) {
    return Object.fromEntries(v.map(String).map((e) => (e.includes('=') ? [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] : [e, ''])));
  }
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === null ? '' : String(x)]));
  return {};
}

export function loadCompose(yaml: YamlDocument): ComposeFile {
  const root = isObject(yaml.value) ? yaml.value : {};
  const services = isObject(root.services) ? root.services : {};
  const configs = isObject(root.configs) ? root.configs : {};
  return {
    yaml,
    file: yaml.source.path,
    services: Object.entries(services).map(([name, raw]) => {
      const s = isObject(raw) ? raw : {};
      const path = ['services', name];
      const image = typeof s.image === 'string' ? s.image : undefined;
      const healthcheck = isObject(s.healthcheck) ? s.healthcheck : undefined;
      return {
        name,
        image,
        ...(image ? splitImage(image) : {}),
        ports: (Array.isArray(s.ports) ? s.ports : []).flatMap((p, i) => parsePort(p, [...path, 'ports', i]) ?? []),
        mounts: [
          ...(Array.isArray(s.volumes) ? s.volumes : []).flatMap((v, i) => parseMount(v, [...path, 'volumes', i]) ?? []),
          ...parseConfigMounts(s.configs, configs, [...path, 'configs']),
        ],
        aliases: aliasesOf(s),
        networkMode: typeof s.network_mode === 'string' ? s.network_mode : undefined,
        command: words(s.command),
        entrypoint: words(s.entrypoint),
        environment: environment(s.environment),
        healthcheckTest: healthcheck ? words(healthcheck.test) : undefined,
        path,
        raw: s,
      };
    }),
  };
}

export const COLLECTOR_IMAGES = [
  'otel/opentelemetry-collector',
  'otel/opentelemetry-collector-contrib',
  'otel/opentelemetry-collector-k8s',
  'ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector',
  'ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib',
  'ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-k8s',
];

export function isCollectorImage(repository: string | undefined): boolean {
  return !!repository && COLLECTOR_IMAGES.includes(repository.replace(/^docker\.io\//, ''));
}

export function isPrometheusImage(repository: string | undefined): boolean {
  return !!repository && /(^|\/)prom\/prometheus$|(^|\/)prometheus\/prometheus$/.test(repository);
}

export function isLokiImage(repository: string | undefined): boolean {
  return !!repository && /(^|\/)loki$/.test(repository);
}

export function isGrafanaImage(repository: string | undefined): boolean {
  return !!repository && /(^|\/)grafana\/grafana(-oss|-enterprise)?$/.test(repository);
}
