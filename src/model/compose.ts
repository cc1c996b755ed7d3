import type { YamlDocument, YamlPath } from '../load/yaml.js';
import { YamlValue } from '../load/yaml-value.js';
import { composeDotEnv, describeAssumed, type InterpolationNote, interpolateDocument, readServiceEnvFiles } from './compose-interpolation.js';

export interface PublishedPort {
  /** Host address when given (`127.0.0.1:4317:4317`); undefined means all interfaces. */
  hostIp?: string;
  hostPort?: number;
  /** The host port or range as compose has it (`4317`, `8000-8010`); undefined when none is published. */
  published?: string;
  containerPort: number;
  protocol: string;
  path: YamlPath;
  /** The `ports:` entry as written. */
  value: YamlValue;
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
  /** The `volumes:` or `configs:` entry as written. */
  value: YamlValue;
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
  /** Interpolated where the doctor can know the value; else as written (see `unknownEnvironment`). */
  environment: Record<string, string>;
  /**
   * Variables of `environment` whose value the doctor cannot know: `- NAME` passed through from a shell variable
   * that `.env` does not set, or a value reading such a variable (kept as written).
   */
  unknownEnvironment: Set<string>;
  /** For variables of `environment` interpolated with a default or `.env`: what was assumed, for messages. */
  assumedEnvironment: Map<string, string>;
  healthcheckTest?: string[];
  /** The healthcheck's test as written (a string runs in /bin/sh), when it has one and is not disabled. */
  healthcheck?: { test: string | string[] };
  /** Services it waits for with `depends_on: {<name>: {condition: service_healthy}}`. */
  waitsHealthy: string[];
  /**
   * `profiles:`: compose starts the service only when one of them is active (`--profile`, COMPOSE_PROFILES), which
   * the doctor cannot see. Empty: always started.
   */
  profiles: string[];
  /** It has an `env_file:` the doctor could not read (missing, or out of the compose folder), so any variable may come from there. */
  hasEnvFile: boolean;
  path: YamlPath;
  /** The service's entry under `services:`. */
  value: YamlValue;
  /** The service as compose reads it: the plain document, interpolated (see `ComposeFile.interpolation`). */
  raw: Record<string, unknown>;
}

export interface ComposeFile {
  yaml: YamlDocument;
  file: string;
  services: ComposeService[];
  /** The whole document. */
  root: YamlValue;
  /**
   * Each value that reads a variable: what it was interpolated with (`.env`, or a default the doctor assumed the
   * shell does not override), or why it was kept as written (a variable the doctor cannot know).
   */
  interpolation: InterpolationNote[];
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

/**
 * Compose's short (`"127.0.0.1:4317:4317/tcp"`) and long (`{target, published, host_ip}`) port forms. A container
 * port range gives one port each (`"4317-4318:4317-4318"`: two), as compose expands it; a host range for one
 * container port stays one port, published on the first host port of the range.
 */
export function parsePorts(entry: unknown, path: YamlPath, value: YamlValue): PublishedPort[] {
  if (isObject(entry)) {
    const target = Number(entry.target);
    if (!Number.isFinite(target)) return [];
    const published = entry.published !== undefined ? String(entry.published) : undefined;
    return [
      {
        hostIp: typeof entry.host_ip === 'string' ? entry.host_ip : undefined,
        hostPort: published !== undefined ? Number(published.split('-')[0]) : undefined,
        published,
        containerPort: target,
        protocol: String(entry.protocol ?? 'tcp'),
        path,
        value,
      },
    ];
  }
  if (typeof entry !== 'string' && typeof entry !== 'number') return [];
  const [spec, protocol = 'tcp'] = String(entry).split('/');
  // An IPv6 host address is bracketed: [::1]:4317:4317
  const ip = /^\[([^\]]+)\]:/.exec(spec);
  const parts = (ip ? `H${spec.slice(ip[0].length - 1)}` : spec).split(':');
  if (parts.length > 3) return [];
  const hostIp = parts.length === 3 ? (ip ? ip[1] : parts[0]) : undefined;
  const range = (r: string) => /^(\d+)(?:-(\d+))?$/.exec(r);
  const container = range(parts[parts.length - 1]);
  const host = parts.length >= 2 && parts[parts.length - 2] !== '' ? range(parts[parts.length - 2]) : undefined;
  if (!container || (parts.length >= 2 && parts[parts.length - 2] !== '' && !host)) return [];
  const first = Number(container[1]);
  const count = container[2] !== undefined ? Number(container[2]) - first + 1 : 1;
  const hostFirst = host ? Number(host[1]) : undefined;
  if (!(count >= 1)) return [];
  if (count === 1) return [{ hostIp, hostPort: hostFirst, published: host?.[0], containerPort: first, protocol, path, value }];
  return Array.from({ length: count }, (_, i) => {
    const hostPort = hostFirst === undefined ? undefined : hostFirst + i;
    return { hostIp, hostPort, published: hostPort === undefined ? undefined : String(hostPort), containerPort: first + i, protocol, path, value };
  });
}

/** A short-syntax source that is a host path (`./x`, `/x`, `~/x`, `${PWD}/x`), not a volume name. */
const isHostPath = (source: string) => /^(\.|\/|~|\$)/.test(source);

function parseMount(entry: unknown, path: YamlPath, value: YamlValue): Mount | undefined {
  if (isObject(entry) && typeof entry.target === 'string') {
    const source = String(entry.source ?? '');
    const type = entry.type === 'bind' || entry.type === 'tmpfs' ? entry.type : entry.type === undefined && isHostPath(source) ? 'bind' : 'volume';
    return { source, target: entry.target, type, path, value };
  }
  if (typeof entry !== 'string') return undefined;
  const parts = entry.split(':');
  if (parts.length < 2) return { source: '', target: parts[0], type: 'volume', path, value };
  return { source: parts[0], target: parts[1], type: isHostPath(parts[0]) ? 'bind' : 'volume', path, value };
}

/** A service's `configs:` entries as mounts: short form `- name` (target `/name`) or `{source, target}`. */
function parseConfigMounts(list: unknown, topLevel: Record<string, unknown>, path: YamlPath, listValue: YamlValue): Mount[] {
  if (!Array.isArray(list)) return [];
  const values = listValue.items();
  return list.flatMap((entry, i): Mount[] => {
    const name = typeof entry === 'string' ? entry : isObject(entry) && typeof entry.source === 'string' ? entry.source : undefined;
    if (!name) return [];
    const def = isObject(topLevel[name]) ? topLevel[name] : {};
    if (typeof def.file !== 'string') return [];
    const target = isObject(entry) && typeof entry.target === 'string' ? entry.target : `/${name}`;
    return [{ source: def.file, target, type: 'config', path: [...path, i], value: values[i] ?? listValue }];
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

/**
 * `environment:` as a list (`- NAME=value`, `- NAME`) or a map (`NAME: value`, `NAME:`). A NAME without a value is
 * passed through from compose's environment: `.env` here, else the shell (unknown: "" in the model).
 */
function environment(v: unknown, dotEnv: ReadonlyMap<string, string>, unknown: Set<string>): Record<string, string> {
  const entries: [string, string | undefined][] = Array.isArray(v)
    ? v.map(String).map((e) => (e.includes('=') ? [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] : [e, undefined]))
    : isObject(v)
      ? Object.entries(v).map(([k, x]) => [k, x === null ? undefined : String(x)])
      : [];
  return Object.fromEntries(
    entries.map(([k, x]) => {
      const value = x ?? dotEnv.get(k);
      if (value === undefined) unknown.add(k);
      else unknown.delete(k);
      return [k, value ?? ''];
    }),
  );
}

function healthcheckOf(hc: Record<string, unknown> | undefined): { test: string | string[] } | undefined {
  if (!hc || hc.disable === true) return undefined;
  if (typeof hc.test === 'string') return { test: hc.test };
  return Array.isArray(hc.test) ? { test: hc.test.map((w) => String(w ?? '')) } : undefined;
}

/** The YAML values of a list's entries (aligned with its plain value), each else the list itself. */
function entryValues(list: YamlValue): (i: number) => YamlValue {
  const items = list.items();
  return (i) => items[i] ?? list;
}

/**
 * The values are read from the plain document (aliases and merge keys resolved), interpolated as compose does with
 * the variables of `dotEnv` (by default the `.env` beside the file); each YAML value is the one written there, or
 * the nearest enclosing one when an alias or merge key stands for it, so findings point at the written text.
 */
export function loadCompose(yaml: YamlDocument, dotEnv: ReadonlyMap<string, string> = composeDotEnv(yaml.source.path)): ComposeFile {
  const rootValue = YamlValue.root(yaml);
  const interpolated = interpolateDocument(yaml.value, dotEnv);
  const root = isObject(interpolated.value) ? interpolated.value : {};
  const notes = interpolated.notes;
  const services = isObject(root.services) ? root.services : {};
  const configs = isObject(root.configs) ? root.configs : {};
  const servicesValue = rootValue.get('services') ?? rootValue;
  const own = Object.entries(services).map(([name, raw]): ComposeService => {
    const s = isObject(raw) ? raw : {};
    const path = ['services', name];
    const value = servicesValue.get(name) ?? servicesValue;
    const image = typeof s.image === 'string' ? s.image : undefined;
    const healthcheck = isObject(s.healthcheck) ? s.healthcheck : undefined;
    const port = entryValues(value.get('ports') ?? value);
    const volume = entryValues(value.get('volumes') ?? value);
    const envPath = [...path, 'environment'].join('\0');
    const unknownEnvironment = new Set<string>();
    // `env_file:` first, `environment:` wins over it (compose's order).
    const envFiles = s.env_file === undefined ? undefined : readServiceEnvFiles(yaml.source.path, s.env_file, dotEnv);
    for (const name of envFiles?.unknown ?? []) unknownEnvironment.add(name);
    const env = { ...Object.fromEntries(envFiles?.variables ?? []), ...environment(s.environment, dotEnv, unknownEnvironment) };
    // A value kept as written because it reads a variable the doctor cannot know, or interpolated with assumptions.
    const assumedEnvironment = new Map<string, string>();
    for (const n of notes) {
      if (n.path.slice(0, -1).join('\0') !== envPath) continue;
      const key = n.path[n.path.length - 1];
      const name = typeof key === 'number' ? n.written.split('=')[0] : key;
      const written = typeof key === 'number' ? n.written.slice(name.length + 1) : n.written;
      const assumed = describeAssumed(written, n.assumed);
      if (n.value === undefined) unknownEnvironment.add(name);
      else if (assumed) assumedEnvironment.set(name, assumed);
    }
    return {
      name,
      image,
      ...(image ? splitImage(image) : {}),
      ports: (Array.isArray(s.ports) ? s.ports : []).flatMap((p, i) => parsePorts(p, [...path, 'ports', i], port(i))),
      mounts: [
        ...(Array.isArray(s.volumes) ? s.volumes : []).flatMap((v, i) => parseMount(v, [...path, 'volumes', i], volume(i)) ?? []),
        ...parseConfigMounts(s.configs, configs, [...path, 'configs'], value.get('configs') ?? value),
      ],
      aliases: aliasesOf(s),
      networkMode: typeof s.network_mode === 'string' ? s.network_mode : undefined,
      command: words(s.command),
      entrypoint: words(s.entrypoint),
      environment: env,
      unknownEnvironment,
      assumedEnvironment,
      healthcheckTest: healthcheck ? words(healthcheck.test) : undefined,
      healthcheck: healthcheckOf(healthcheck),
      waitsHealthy: isObject(s.depends_on)
        ? Object.entries(s.depends_on)
            .filter(([, d]) => isObject(d) && d.condition === 'service_healthy')
            .map(([n]) => n)
        : [],
      hasEnvFile: s.env_file !== undefined && !envFiles,
      profiles: Array.isArray(s.profiles) ? s.profiles.map(String) : [],
      path,
      value,
      raw: s,
    };
  });
  return { yaml, file: yaml.source.path, root: rootValue, interpolation: notes, services: withExtends(own) };
}

/** The service a service `extends:` in the same file (`extends: base` or `{service: base}` without `file:`). */
function extendsOf(s: ComposeService): string | undefined {
  const e = s.raw.extends;
  if (typeof e === 'string') return e;
  return isObject(e) && typeof e.service === 'string' && e.file === undefined ? e.service : undefined;
}

/**
 * Services with `extends:` in the same file take their base's settings as compose merges them (override/merge.go):
 * their own scalars, command, entrypoint and healthcheck win; environment merges by name; ports and mounts add
 * to the base's (a mount at the same target replaces the base's). Each entry keeps the YAML value it was written
 * at, in the base or in the service. `extends: {file: …}` is not followed (the service stays as written).
 */
function withExtends(services: ComposeService[]): ComposeService[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const done = new Map<string, ComposeService>();
  const resolve = (s: ComposeService, seen: Set<string>): ComposeService => {
    const cached = done.get(s.name);
    if (cached) return cached;
    const baseName = extendsOf(s);
    const baseService = baseName !== undefined && !seen.has(baseName) ? byName.get(baseName) : undefined;
    const merged = baseService ? mergeService(resolve(baseService, new Set([...seen, s.name])), s) : s;
    done.set(s.name, merged);
    return merged;
  };
  return services.map((s) => resolve(s, new Set([s.name])));
}

function mergeService(base: ComposeService, s: ComposeService): ComposeService {
  const has = (key: string) => key in s.raw;
  const portKey = (p: PublishedPort) => `${p.hostIp ?? ''}|${p.published ?? ''}|${p.containerPort}|${p.protocol}`;
  const ownPorts = new Set(s.ports.map(portKey));
  const ownTargets = new Set(s.mounts.map((m) => m.target));
  const unknownEnvironment = new Set([...base.unknownEnvironment].filter((n) => !(n in s.environment)));
  for (const n of s.unknownEnvironment) unknownEnvironment.add(n);
  const assumedEnvironment = new Map([...base.assumedEnvironment].filter(([n]) => !(n in s.environment)));
  for (const [n, a] of s.assumedEnvironment) assumedEnvironment.set(n, a);
  const { extends: _, ...raw } = { ...base.raw, ...s.raw };
  return {
    ...s,
    image: has('image') ? s.image : base.image,
    repository: has('image') ? s.repository : base.repository,
    tag: has('image') ? s.tag : base.tag,
    ports: [...base.ports.filter((p) => !ownPorts.has(portKey(p))), ...s.ports],
    mounts: [...base.mounts.filter((m) => !ownTargets.has(m.target)), ...s.mounts],
    aliases: [...new Set([...base.aliases, ...s.aliases])],
    networkMode: has('network_mode') ? s.networkMode : base.networkMode,
    command: has('command') ? s.command : base.command,
    entrypoint: has('entrypoint') ? s.entrypoint : base.entrypoint,
    environment: { ...base.environment, ...s.environment },
    unknownEnvironment,
    assumedEnvironment,
    healthcheckTest: has('healthcheck') ? s.healthcheckTest : base.healthcheckTest,
    healthcheck: has('healthcheck') ? s.healthcheck : base.healthcheck,
    waitsHealthy: [...new Set([...base.waitsHealthy, ...s.waitsHealthy])],
    hasEnvFile: base.hasEnvFile || s.hasEnvFile,
    profiles: has('profiles') ? s.profiles : base.profiles,
    raw,
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

/**
 * The value at a path of this compose file, for paths other models hand out (topology's command items); where the
 * path leads through an alias or merge key, the nearest value on the way.
 */
export function composeValueAt(compose: ComposeFile, path: YamlPath): YamlValue {
  let v = compose.root;
  for (const k of path) {
    const next = typeof k === 'number' ? v.items()[k] : v.get(k);
    if (!next) break;
    v = next;
  }
  return v;
}
