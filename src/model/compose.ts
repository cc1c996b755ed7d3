import { dirname, join, resolve } from 'node:path';
import { readEnvFileValues } from '../load/env-file.js';
import { diskReader, isInside, type Reader, realOrResolved } from '../load/read.js';
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
  /**
   * The folder a relative source is resolved against: the project's, or for an entry written in an included file
   * or an `extends: {file:}` base, that file's project folder or folder.
   */
  dir: string;
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
  /** Where each variable of `environment:` is written (its map entry or `- NAME=…` item), in the file compose takes it from. */
  environmentAt: ReadonlyMap<string, YamlValue>;
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
  /**
   * The service's entry under `services:`: the one that defines it (the main file's when an override file adds to
   * it; the extending one, not its base).
   */
  value: YamlValue;
  /**
   * Each key of the service as written where compose takes it from: the override file's `image:` over the main
   * file's, the base's `command:` when the service has none. For lists compose merges (ports, volumes, environment)
   * the last file's, where an entry added to the service belongs.
   */
  fields: ReadonlyMap<string, YamlValue>;
  /** The service as compose reads it: the plain document, interpolated (see `ComposeFile.interpolation`). */
  raw: Record<string, unknown>;
}

/** One file of a compose project, as written. */
export interface ComposeDocument {
  yaml: YamlDocument;
  file: string;
  /** The whole document. */
  root: YamlValue;
}

/** A file `include:` or `extends: {file:}` names that the doctor does not read (out of the scan, or missing). */
export interface UnfollowedFile {
  /** The `include:` entry or `extends:` naming it. */
  value: YamlValue;
  path: string;
}

/**
 * A compose file as `docker compose` loads it: a project (`loadComposeProject`). `yaml`, `file` and `root` are its
 * main file's; `files` every file it read (overrides, included and extended files too); `services` as merged.
 */
export interface ComposeFile extends ComposeDocument {
  services: ComposeService[];
  files: ComposeDocument[];
  unfollowed: UnfollowedFile[];
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

function parseMount(entry: unknown, path: YamlPath, value: YamlValue, dir: string): Mount | undefined {
  if (isObject(entry) && typeof entry.target === 'string') {
    const source = String(entry.source ?? '');
    const type = entry.type === 'bind' || entry.type === 'tmpfs' ? entry.type : entry.type === undefined && isHostPath(source) ? 'bind' : 'volume';
    return { source, target: entry.target, type, dir, path, value };
  }
  if (typeof entry !== 'string') return undefined;
  const parts = entry.split(':');
  if (parts.length < 2) return { source: '', target: parts[0], type: 'volume', dir, path, value };
  return { source: parts[0], target: parts[1], type: isHostPath(parts[0]) ? 'bind' : 'volume', dir, path, value };
}

/** A service's `configs:` entries as mounts: short form `- name` (target `/name`) or `{source, target}`. */
function parseConfigMounts(list: unknown, topLevel: Record<string, unknown>, path: YamlPath, listValue: YamlValue, dir: string): Mount[] {
  if (!Array.isArray(list)) return [];
  const values = listValue.items();
  return list.flatMap((entry, i): Mount[] => {
    const name = typeof entry === 'string' ? entry : isObject(entry) && typeof entry.source === 'string' ? entry.source : undefined;
    if (!name) return [];
    const def = isObject(topLevel[name]) ? topLevel[name] : {};
    if (typeof def.file !== 'string') return [];
    const target = isObject(entry) && typeof entry.target === 'string' ? entry.target : `/${name}`;
    return [{ source: def.file, target, type: 'config', dir, path: [...path, i], value: values[i] ?? listValue }];
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

/** The YAML value of each variable of an `environment:` map or list, by name. */
function environmentEntries(env: YamlValue | undefined): Map<string, YamlValue> {
  if (env?.isMap()) return new Map(env.entries());
  return new Map((env?.items() ?? []).flatMap((i) => (i.text() !== undefined ? [[i.text()!.split('=')[0], i] as const] : [])));
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

/** One file's top level and its own services, each as written there (no `extends:` or `include:` applied). */
interface OwnServices {
  root: Record<string, unknown>;
  rootValue: YamlValue;
  notes: InterpolationNote[];
  services: ComposeService[];
}

/**
 * A file's own services, interpolated with `env` as compose does; relative paths (bind sources, `env_file:`) are
 * resolved against `dir`, and `env_file:` is read (through `reader`) only when `readable`. Each YAML value is the one written there, or the nearest enclosing one when an alias or
 * merge key stands for it, so findings point at the written text.
 */
function ownServices(yaml: YamlDocument, env: ReadonlyMap<string, string>, dir: string, reader: Reader, readable = true): OwnServices {
  const rootValue = YamlValue.root(yaml);
  const interpolated = interpolateDocument(yaml.value, env);
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
    // Not read at all when `dir` is not a folder the doctor may read in (an include's project_directory out of the scan).
    const envFiles = s.env_file === undefined || !readable ? undefined : readServiceEnvFiles(dir, s.env_file, env, reader);
    for (const name of envFiles?.unknown ?? []) unknownEnvironment.add(name);
    const environmentVars = { ...Object.fromEntries(envFiles?.variables ?? []), ...environment(s.environment, env, unknownEnvironment) };
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
      ports: uniquePorts((Array.isArray(s.ports) ? s.ports : []).flatMap((p, i) => parsePorts(p, [...path, 'ports', i], port(i)))),
      mounts: [
        ...(Array.isArray(s.volumes) ? s.volumes : []).flatMap((v, i) => parseMount(v, [...path, 'volumes', i], volume(i), dir) ?? []),
        ...parseConfigMounts(s.configs, configs, [...path, 'configs'], value.get('configs') ?? value, dir),
      ],
      aliases: aliasesOf(s),
      networkMode: typeof s.network_mode === 'string' ? s.network_mode : undefined,
      command: words(s.command),
      entrypoint: words(s.entrypoint),
      environment: environmentVars,
      environmentAt: environmentEntries(value.get('environment')),
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
      profiles: Array.isArray(s.profiles) ? [...new Set(s.profiles.map(String))] : [],
      path,
      value,
      fields: new Map(value.entries()),
      raw: s,
    };
  });
  return { root, rootValue, notes, services: own };
}

/**
 * One compose file alone, interpolated with `dotEnv` (by default the `.env` beside it, on the disk): its services
 * with `extends:` within the file applied. Files it names (`include:`, `extends: {file:}`) are not read: see `loadComposeProject`.
 */
export function loadCompose(yaml: YamlDocument, dotEnv?: ReadonlyMap<string, string>): ComposeFile {
  return loadComposeProject([yaml], () => undefined, dotEnv);
}

/** The stack's other compose files by absolute path, parsed; undefined for a file the doctor does not read. */
export type ComposeFileReader = (path: string) => YamlDocument | undefined;

/** What loading one project shares: how files are read, what was read, and what could not be. */
interface ProjectLoad {
  read: ComposeFileReader;
  /** How `.env` and `env_file:` files are read (the fix loop's pending contents over the disk). */
  reader: Reader;
  documents: Map<string, ComposeDocument>;
  notes: InterpolationNote[];
  unfollowed: UnfollowedFile[];
  /** Folders the project may read `.env` and `env_file:` files in (the project's, and those of files read): never out of the scan. */
  folders: Set<string>;
}

/**
 * A compose project as `docker compose` loads it (compose-go's loader): the main file, then each override (by
 * default `compose.override.yaml` or `docker-compose.override.yml` beside it), merged service by service as
 * compose merges them (`mergeService`). Each file's `include:` (short or long form) is loaded as a project of its
 * own (its relative paths against its own folder or `project_directory`, its variables from the including
 * project, then its own `.env`) and its services imported, the including file's definition winning;
 * `extends: {file:}` takes the base from that file (interpolated with this project's variables, its relative
 * paths against its own folder). Variables come from the `.env` beside the main file (`dotEnv`), never the shell;
 * `.env` and `env_file:` files are read through `reader`.
 * Files are read only through `read` (the stack's files, inside the scan); a file named that `read` does not give
 * is left out and listed in `unfollowed`. Every entry keeps the YAML value of the file it was written in.
 */
export function loadComposeProject(
  files: YamlDocument[],
  read: ComposeFileReader,
  dotEnv?: ReadonlyMap<string, string>,
  reader: Reader = diskReader,
): ComposeFile {
  const main = files[0];
  const dir = dirname(main.source.path);
  const load: ProjectLoad = { read, reader, documents: new Map(), notes: [], unfollowed: [], folders: new Set([dir]) };
  const services = projectServices(files, dotEnv ?? composeDotEnv(main.source.path, reader), dir, load, []);
  return {
    yaml: main,
    file: main.source.path,
    root: YamlValue.root(main),
    interpolation: load.notes,
    services,
    files: [...load.documents.values()],
    unfollowed: load.unfollowed,
  };
}

/** Services of files loaded one over the other (`-f a -f b`), in a project folder `dir`. */
function projectServices(files: YamlDocument[], env: ReadonlyMap<string, string>, dir: string, load: ProjectLoad, chain: string[]): ComposeService[] {
  const merged = new Map<string, ComposeService>();
  for (const yaml of files) {
    for (const s of fileServices(yaml, env, dir, load, chain)) {
      const base = merged.get(s.name);
      merged.set(s.name, base ? mergeService(base, s, 'base') : s);
    }
  }
  return [...merged.values()];
}

/** One file of a project: its own services, with its includes imported and its `extends:` applied (compose's order). */
function fileServices(yaml: YamlDocument, env: ReadonlyMap<string, string>, dir: string, load: ProjectLoad, chain: string[]): ComposeService[] {
  const own = ownServices(yaml, env, dir, load.reader, mayRead(load, dir));
  load.documents.set(yaml.source.path, { yaml, file: yaml.source.path, root: own.rootValue });
  load.notes.push(...own.notes);
  const imported = includedServices(own, env, dir, load, [...chain, yaml.source.path]);
  const byName = new Map(imported.map((s) => [s.name, s]));
  for (const s of own.services) {
    const base = byName.get(s.name);
    byName.set(s.name, base ? mergeService(base, s) : s);
  }
  const baseFromFile = (file: string, service: string, from: YamlValue): ComposeService | undefined => {
    const path = resolve(dir, file);
    const doc = load.read(path);
    if (!doc) {
      load.unfollowed.push({ value: from, path });
      return undefined;
    }
    // The base file alone: its same-file extends applied, interpolated with this project's variables.
    load.folders.add(dirname(path));
    const base = ownServices(doc, env, dirname(path), load.reader);
    load.documents.set(path, { yaml: doc, file: path, root: base.rootValue });
    load.notes.push(...base.notes);
    return withExtends(base.services, () => undefined).find((s) => s.name === service);
  };
  return withExtends([...byName.values()], baseFromFile);
}

/** The services a file's `include:` imports, each include loaded as its own project. */
function includedServices(own: OwnServices, env: ReadonlyMap<string, string>, dir: string, load: ProjectLoad, chain: string[]): ComposeService[] {
  const list = Array.isArray(own.root.include) ? own.root.include : [];
  const values = entryValues(own.rootValue.get('include') ?? own.rootValue);
  const out: ComposeService[] = [];
  list.forEach((entry, i) => {
    const long: Record<string, unknown> = isObject(entry) ? entry : { path: entry };
    const paths = (Array.isArray(long.path) ? long.path : [long.path]).filter((p): p is string => typeof p === 'string').map((p) => resolve(dir, p));
    if (paths.length === 0) return;
    const docs = paths.map((p) => load.read(p));
    const missing = paths.find((_, j) => !docs[j]);
    if (missing || chain.includes(paths[0])) {
      if (missing) load.unfollowed.push({ value: values(i), path: missing });
      return;
    }
    for (const p of paths) load.folders.add(dirname(p));
    const projectDir = typeof long.project_directory === 'string' ? resolve(dir, long.project_directory) : dirname(paths[0]);
    // The including project's variables win; the included project's .env (or env_file) fills in the rest.
    const written = long.env_file === undefined ? undefined : Array.isArray(long.env_file) ? long.env_file : [long.env_file];
    const envFiles = written ? written.map((f) => resolve(dir, String(f))) : [join(projectDir, '.env')];
    const fromFiles = new Map<string, string>();
    for (const f of envFiles) if (mayRead(load, f)) for (const [k, v] of readEnvFileValues(f, load.reader)) fromFiles.set(k, v);
    out.push(...projectServices(docs as YamlDocument[], new Map([...fromFiles, ...env]), projectDir, load, chain));
  });
  return out;
}

/** Whether a path (its real path: a link out does not count) is in one of the folders the project may read in. */
function mayRead(load: ProjectLoad, path: string): boolean {
  const real = realOrResolved(path, load.reader);
  return [...load.folders].some((f) => isInside(real, [realOrResolved(f, load.reader)]));
}

/** The service a service `extends:` and the file it is in (`extends: base`, `{service: base}`, `{file, service}`). */
function extendsOf(s: ComposeService): { service: string; file?: string } | undefined {
  const e = s.raw.extends;
  if (typeof e === 'string') return { service: e };
  if (!isObject(e) || typeof e.service !== 'string') return undefined;
  return { service: e.service, file: typeof e.file === 'string' ? e.file : undefined };
}

/**
 * Services with `extends:` take their base's settings as compose merges them (`mergeService`): a base in the same
 * list (the same file, or one it includes), or in another file (`fromFile`: undefined when that file is not read,
 * and the service stays as written).
 */
function withExtends(services: ComposeService[], fromFile: (file: string, service: string, from: YamlValue) => ComposeService | undefined): ComposeService[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const done = new Map<string, ComposeService>();
  const resolveService = (s: ComposeService, seen: Set<string>): ComposeService => {
    const cached = done.get(s.name);
    if (cached) return cached;
    const ref = extendsOf(s);
    const local = ref && ref.file === undefined && !seen.has(ref.service) ? byName.get(ref.service) : undefined;
    const baseService =
      ref?.file !== undefined
        ? fromFile(ref.file, ref.service, s.fields.get('extends') ?? s.value)
        : local && resolveService(local, new Set([...seen, s.name]));
    const merged = baseService ? mergeService(baseService, s) : s;
    done.set(s.name, merged);
    return merged;
  };
  return services.map((s) => resolveService(s, new Set([s.name])));
}

/** compose's uniqueEntries: one entry per key, the last one's value at the first one's place. */
function unique<T>(entries: T[], key: (e: T) => string): T[] {
  const out: T[] = [];
  const at = new Map<string, number>();
  for (const e of entries) {
    const i = at.get(key(e));
    if (i === undefined) {
      at.set(key(e), out.length);
      out.push(e);
    } else out[i] = e;
  }
  return out;
}

/** Ports are one per host address, host port, container port and protocol (compose's portIndexer). */
const uniquePorts = (ports: PublishedPort[]) => unique(ports, (p) => `${p.hostIp ?? '0.0.0.0'}:${p.published ?? ''}:${p.containerPort}/${p.protocol}`);

/**
 * `s` over `base`, as compose merges a service over another (override files, `extends:`, a definition over an
 * included one; compose-go's override/merge.go and uncity.go): scalars, command, entrypoint and healthcheck test
 * are replaced; environment merges by name; ports (by address and ports), volumes and configs (by target) merge,
 * an entry for the same key replacing the base's in its place; profiles, aliases and dependencies add up. Each entry
 * keeps the YAML value it was written at; `fields` gives each key where compose takes it from. The service itself
 * (`value`) is `s`'s, or the base's when `at` says so (an override file over the main file).
 */
function mergeService(base: ComposeService, s: ComposeService, at: 'base' | 'override' = 'override'): ComposeService {
  const has = (key: string) => key in s.raw;
  // compose's `!override` and `!reset` YAML tags: this file's list or map replaces the base's instead of merging.
  const replaces = (key: string) => ['!override', '!reset'].includes(s.fields.get(key)?.node?.tag ?? '');
  const list = <T>(key: string, theirs: T[], mine: T[]) => (replaces(key) ? mine : [...theirs, ...mine]);
  const baseEnv = replaces('environment') ? [] : Object.keys(base.environment);
  const unknownEnvironment = new Set([...base.unknownEnvironment].filter((n) => baseEnv.includes(n) && !(n in s.environment)));
  for (const n of s.unknownEnvironment) unknownEnvironment.add(n);
  const assumedEnvironment = new Map([...base.assumedEnvironment].filter(([n]) => baseEnv.includes(n) && !(n in s.environment)));
  for (const [n, a] of s.assumedEnvironment) assumedEnvironment.set(n, a);
  const { extends: _, ...raw } = { ...base.raw, ...s.raw };
  const byTarget = (mounts: Mount[]) => unique(mounts, (m) => m.target);
  const isConfig = (m: Mount) => m.type === 'config';
  const fields = new Map([...base.fields, ...s.fields]);
  fields.delete('extends');
  return {
    ...s,
    image: has('image') ? s.image : base.image,
    repository: has('image') ? s.repository : base.repository,
    tag: has('image') ? s.tag : base.tag,
    ports: uniquePorts(list('ports', base.ports, s.ports)),
    mounts: [
      ...byTarget(list('volumes', base.mounts, s.mounts).filter((m) => !isConfig(m))),
      ...byTarget(list('configs', base.mounts, s.mounts).filter(isConfig)),
    ],
    aliases: [...new Set([...base.aliases, ...s.aliases])],
    networkMode: has('network_mode') ? s.networkMode : base.networkMode,
    command: has('command') ? s.command : base.command,
    entrypoint: has('entrypoint') ? s.entrypoint : base.entrypoint,
    environment: { ...Object.fromEntries(baseEnv.map((n) => [n, base.environment[n]])), ...s.environment },
    environmentAt: new Map([...[...base.environmentAt].filter(([n]) => baseEnv.includes(n)), ...s.environmentAt]),
    unknownEnvironment,
    assumedEnvironment,
    healthcheckTest: has('healthcheck') ? s.healthcheckTest : base.healthcheckTest,
    healthcheck: has('healthcheck') ? s.healthcheck : base.healthcheck,
    waitsHealthy: [...new Set([...base.waitsHealthy, ...s.waitsHealthy])],
    hasEnvFile: base.hasEnvFile || s.hasEnvFile,
    profiles: [...new Set(list('profiles', base.profiles, s.profiles))],
    // "This service" is the extending or including definition, or the main file's under an override file.
    ...(at === 'base' ? { path: base.path, value: base.value } : {}),
    fields,
    raw,
  };
}

/**
 * The files a compose file names as part of its project (`include:` paths, `extends: {file:}`), as absolute paths,
 * from its plain document as written (a path that reads a variable is left out: only loading knows its value).
 */
export function composeReferences(doc: unknown, file: string): string[] {
  const root = isObject(doc) ? doc : {};
  const paths: unknown[] = [];
  for (const entry of Array.isArray(root.include) ? root.include : []) {
    const path = isObject(entry) ? entry.path : entry;
    paths.push(...(Array.isArray(path) ? path : [path]));
  }
  for (const s of Object.values(isObject(root.services) ? root.services : {})) if (isObject(s) && isObject(s.extends)) paths.push(s.extends.file);
  return paths.filter((p): p is string => typeof p === 'string' && !p.includes('$')).map((p) => resolve(dirname(file), p));
}

/** The names `docker compose` looks for in a folder, in its order (compose-go's cli.DefaultFileNames). */
export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
/** The override file it reads with that file by default (the first of these found beside it). */
export const COMPOSE_OVERRIDE_NAMES = ['compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml'];

export const COLLECTOR_IMAGES = [
  'otel/opentelemetry-collector',
  'otel/opentelemetry-collector-contrib',
  'otel/opentelemetry-collector-k8s',
  'ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector',
  'ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib',
  'ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-k8s',
];

/**
 * How many containers compose runs for a service, when the file says so in a number: `deploy.replicas`, else `scale`
 * (0: none runs). Undefined when neither is set, when it is left to a variable the doctor cannot know, or for
 * `mode: global` (one container per node: one on a compose host).
 */
export function composeReplicaCount(s: ComposeService): { count: number; key: 'deploy.replicas' | 'scale'; at: YamlValue } | undefined {
  const deploy = s.fields.get('deploy');
  if (deploy?.get('mode')?.string() === 'global') return undefined;
  for (const [key, at] of [
    ['deploy.replicas', deploy?.get('replicas')],
    ['scale', s.fields.get('scale')],
  ] as const) {
    if (!at) continue;
    // Interpolated as compose reads it (`raw`); a variable the doctor cannot know leaves it unknown.
    const raw = key === 'scale' ? s.raw.scale : (s.raw.deploy as { replicas?: unknown } | undefined)?.replicas;
    const count = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : undefined;
    return count === undefined ? undefined : { count, key, at };
  }
  return undefined;
}

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
 * The value at a path of this compose project, for paths other models hand out (topology's command items): a
 * service's key (`services.<name>.<key>…`) is looked up in the file compose takes it from (`fields`); where the path
 * leads through an alias or merge key, the nearest value on the way.
 */
export function composeValueAt(compose: ComposeFile, path: YamlPath): YamlValue {
  const field = path[0] === 'services' ? compose.services.find((s) => s.name === path[1])?.fields.get(String(path[2])) : undefined;
  let v = field ?? compose.root;
  for (const k of field ? path.slice(3) : path) {
    const next = typeof k === 'number' ? v.items()[k] : v.get(k);
    if (!next) break;
    v = next;
  }
  return v;
}
