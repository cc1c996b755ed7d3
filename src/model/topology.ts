import { basename, posix, resolve, sep } from 'node:path';
import type { YamlPath } from '../load/yaml.js';
import type { CollectorConfig } from './collector.js';
import {
  composeReplicaCount,
  isCollectorImage,
  isGrafanaImage,
  isPrometheusImage,
  type ComposeFile,
  type ComposeService,
  type Mount,
  type PublishedPort,
} from './compose.js';
import type { PrometheusConfig } from './prometheus.js';
import type { Stack } from './stack.js';
import { atLeast } from './versions.js';
import { fact } from './facts.js';

/**
 * How the compose files of a workspace wire its config files into containers: which service runs which
 * collector config, which file Prometheus and Grafana read, which host ports reach which container, and
 * which host names exist on the compose network. Derived from the stack alone, computed once per stack.
 */

export interface ServiceRef {
  compose: ComposeFile;
  service: ComposeService;
}

/** Where a config path a container reads comes from. */
export type ConfigOrigin =
  /** A flag in `command`/`entrypoint` (`--config=…`, `--config.file=…`). */
  | 'flag'
  /** The image's own CMD (no `command` or `entrypoint` in the service). */
  | 'image-default'
  /** The program's built-in default, relative to the image's working directory (Prometheus: /prometheus/prometheus.yml). */
  | 'working-dir-default';

/** One config file a container reads, and what is mounted there. */
export interface ConfigRead {
  /** Absolute path inside the container; for a collector `--config` with another scheme (`env:`, `http:`), the URI. */
  path: string;
  origin: ConfigOrigin;
  /** False for collector config URIs that are no file (`env:`, `yaml:`, `http(s):`): nothing to mount. */
  file: boolean;
  /** The command or entrypoint item that names it (origin `flag`). */
  argPath?: YamlPath;
  /** The most specific mount covering the path, if any. */
  mount?: Mount;
  /** The host file mounted there (bind and config mounts), when its path can be resolved. */
  hostPath?: string;
}

export interface ContainerService extends ServiceRef {
  kind: 'collector' | 'prometheus' | 'grafana';
  /**
   * The config files it reads (collector, Prometheus); undefined when that cannot be known (a shell entrypoint, an
   * image whose default config path is not known). Empty for a collector whose `command` replaces the image's CMD
   * without any `--config`: it stops with "at least one config flag must be provided".
   */
  reads?: ConfigRead[];
}

export interface CollectorService extends ContainerService {
  kind: 'collector';
  /** The workspace collector configs it runs (mounted where it reads its config). */
  runs: CollectorConfig[];
  /** It runs the image's bundled default config: it reads the image's default path and nothing is mounted there. */
  bundledDefault: boolean;
}

/** A workspace file as a container sees it. */
export interface Placement extends ServiceRef {
  /** The workspace file. */
  file: string;
  mount: Mount;
  containerPath: string;
}

export interface Topology {
  services: ServiceRef[];
  /** Every name containers reach each other by: service names and their aliases (container_name, hostname, network aliases, links). */
  hostnames: Set<string>;
  collectors: CollectorService[];
  prometheus: ContainerService[];
  grafana: ContainerService[];
  /** Where a workspace file is mounted, in every service. */
  placementsOf(file: string): Placement[];
  /** The collector service running this config (mounted where the collector reads its config). */
  runnerOf(config: CollectorConfig): CollectorService | undefined;
  /**
   * The collector service this config is meant for: the one running it, else one that mounts it anywhere (then the
   * config is meant to run in that container, even if it is mounted at the wrong path).
   */
  containerOf(config: CollectorConfig): CollectorService | undefined;
  /** The Prometheus service reading this prometheus.yml, else one that mounts it anywhere. */
  prometheusOf(config: PrometheusConfig): ContainerService | undefined;
  /**
   * The service a host port on this machine reaches (tcp, published on an address localhost reaches, or host
   * networking): one always started before one with `profiles:`, which is reached only when no other publishes it.
   */
  publisherOf(hostPort: number): { ref: ServiceRef; containerPort: number; port?: PublishedPort } | undefined;
  /** The service (or the service with an alias) of that name. */
  serviceNamed(host: string): ServiceRef | undefined;
}

/** Default config path of each collector image (its CMD `--config`); k8s and custom images: not known. */
export function defaultCollectorConfigPath(repository: string | undefined): string | undefined {
  const repo = (repository ?? '').replace(/^docker\.io\//, '');
  if (!isCollectorImage(repo)) return undefined;
  if (/opentelemetry-collector-contrib$/.test(repo)) return '/etc/otelcol-contrib/config.yaml';
  if (/opentelemetry-collector$/.test(repo)) return '/etc/otelcol/config.yaml';
  return undefined;
}

export const PROMETHEUS_IMAGE_CONFIG = '/etc/prometheus/prometheus.yml';
export const PROMETHEUS_WORKDIR = '/prometheus';
export const GRAFANA_PROVISIONING = '/etc/grafana/provisioning';

/** Grafana's provisioning folder (GF_PATHS_PROVISIONING, else the image default). */
export function grafanaProvisioningDir(service: ComposeService): string {
  const p = service.environment.GF_PATHS_PROVISIONING?.trim();
  return p ? p.replace(/\/+$/, '') : GRAFANA_PROVISIONING;
}

/** Host addresses a published port can have and still be reached at localhost. */
const LOCAL_BIND = new Set(['', '0.0.0.0', '127.0.0.1', '::', '::1', 'localhost']);

const TOPOLOGY = fact<Topology>('topology');

export function topology(stack: Stack): Topology {
  return stack.facts.get(TOPOLOGY, () => buildTopology(stack));
}

/** Words of command and entrypoint, each with the YAML path of the item that holds it. */
function argWords(s: ComposeService): { word: string; path: YamlPath }[] {
  const out: { word: string; path: YamlPath }[] = [];
  for (const key of ['entrypoint', 'command'] as const) {
    const raw = s.raw[key];
    const words = key === 'command' ? s.command : s.entrypoint;
    if (Array.isArray(raw)) raw.forEach((w, i) => out.push({ word: String(w), path: [...s.path, key, i] }));
    else for (const w of words) out.push({ word: w, path: [...s.path, key] });
  }
  return out;
}

/** Values of a flag given as `--name=value` or `--name value`. */
export function flagValues(s: ComposeService, name: string): { value: string; path: YamlPath }[] {
  const words = argWords(s);
  const out: { value: string; path: YamlPath }[] = [];
  words.forEach((w, i) => {
    if (w.word.startsWith(`${name}=`)) out.push({ value: w.word.slice(name.length + 1), path: w.path });
    else if (w.word === name && i + 1 < words.length) out.push({ value: words[i + 1].word, path: words[i + 1].path });
  });
  return out;
}

const overridesCmd = (s: ComposeService) => 'command' in s.raw || 'entrypoint' in s.raw;
const shellEntrypoint = (s: ComposeService) => s.entrypoint.length > 0 && /(^|\/)(ba|da|a)?sh$/.test(s.entrypoint[0]);

/** The most specific mount covering a container path. */
export function mountAt(s: ComposeService, containerPath: string): Mount | undefined {
  let best: Mount | undefined;
  for (const m of s.mounts) {
    const target = m.target.replace(/\/+$/, '') || '/';
    if (containerPath === target || containerPath.startsWith(target === '/' ? '/' : `${target}/`)) {
      if (!best || target.length > best.target.replace(/\/+$/, '').length) best = m;
    }
  }
  return best;
}

/**
 * The host path of a bind or config mount's source: relative to the folder compose resolves it against (`m.dir`:
 * the compose file's, or an included or extended file's; `${PWD}` too);
 * undefined for volumes and tmpfs; `unresolved` when it depends on the environment (`~`, `${HOME}`).
 */
export function hostSource(m: Mount): { path?: string; unresolved?: string } {
  if (m.type !== 'bind' && m.type !== 'config') return {};
  const src = m.source.replace(/^\$\{?PWD\}?(?=\/|$)/, '.');
  if (src === '') return {};
  if (src.startsWith('~') || src.includes('$')) return { unresolved: src };
  if (src.startsWith('/')) return { path: posix.normalize(src).replace(/\/+$/, '') || '/' };
  return { path: resolve(m.dir, src) };
}

function readOf(ref: ServiceRef, path: string, origin: ConfigOrigin, argPath?: YamlPath): ConfigRead {
  const mount = mountAt(ref.service, path);
  let hostPath: string | undefined;
  if (mount) {
    const src = hostSource(mount);
    const rest = path.slice(mount.target.replace(/\/+$/, '').length);
    if (src.path) hostPath = rest ? `${src.path}${rest.split('/').join(sep)}` : src.path;
    else if (src.unresolved && !rest) hostPath = src.unresolved;
  }
  return { path, origin, file: true, argPath, mount, hostPath };
}

function collectorReads(ref: ServiceRef): ConfigRead[] | undefined {
  const s = ref.service;
  if (!overridesCmd(s)) {
    const p = defaultCollectorConfigPath(s.repository);
    return p ? [readOf(ref, p, 'image-default')] : undefined;
  }
  if (shellEntrypoint(s)) return undefined;
  return flagValues(s, '--config').map(({ value, path }) => {
    const v = value.replace(/^file:/, '');
    if (/^[a-z][a-z0-9+.-]*:/i.test(v) || !v.startsWith('/')) return { path: value, origin: 'flag', file: false, argPath: path };
    return readOf(ref, posix.normalize(v), 'flag', path);
  });
}

function prometheusReads(ref: ServiceRef): ConfigRead[] | undefined {
  const s = ref.service;
  if (!overridesCmd(s)) return [readOf(ref, PROMETHEUS_IMAGE_CONFIG, 'image-default')];
  if (shellEntrypoint(s)) return undefined;
  const flags = flagValues(s, '--config.file');
  if (flags.length === 0) return [readOf(ref, `${PROMETHEUS_WORKDIR}/prometheus.yml`, 'working-dir-default')];
  const { value, path } = flags[flags.length - 1];
  return [readOf(ref, value.startsWith('/') ? posix.normalize(value) : posix.join(PROMETHEUS_WORKDIR, value), 'flag', path)];
}

/** Whether a host path (or an unresolved `~/…` source) stands for a workspace file. */
function sameFile(hostPath: string, file: string): boolean {
  if (hostPath === file) return true;
  return /^~|\$/.test(hostPath) && basename(hostPath) === basename(file);
}

function buildTopology(stack: Stack): Topology {
  // A service switched off (`deploy.replicas: 0`, `scale: 0`) runs no container: it reads, serves and publishes nothing.
  const services: ServiceRef[] = stack.composes.flatMap((compose) =>
    compose.services.filter((service) => composeReplicaCount(service)?.count !== 0).map((service) => ({ compose, service })),
  );
  const hostnames = new Set<string>();
  for (const { service } of services) {
    hostnames.add(service.name);
    for (const a of service.aliases) hostnames.add(a);
  }

  const placementsOf = (file: string): Placement[] =>
    services.flatMap((ref) =>
      ref.service.mounts.flatMap((mount): Placement[] => {
        const src = hostSource(mount);
        const target = mount.target.replace(/\/+$/, '');
        if (src.path && (file === src.path || file.startsWith(src.path + sep))) {
          const rest = file.slice(src.path.length).split(sep).join('/');
          return [{ ...ref, file, mount, containerPath: target + rest }];
        }
        if (src.unresolved && sameFile(src.unresolved, file)) return [{ ...ref, file, mount, containerPath: target }];
        return [];
      }),
    );

  const collectors: CollectorService[] = services
    .filter((r) => isCollectorImage(r.service.repository))
    .map((ref) => {
      const reads = collectorReads(ref);
      const runs = stack.collectors.filter((c) => reads?.some((r) => r.hostPath && sameFile(r.hostPath, c.file)));
      const bundledDefault = !!reads && reads.length === 1 && reads[0].origin === 'image-default' && !reads[0].mount;
      return { ...ref, kind: 'collector', reads, runs, bundledDefault };
    });
  const prometheus: ContainerService[] = services
    .filter((r) => isPrometheusImage(r.service.repository))
    .map((ref) => ({ ...ref, kind: 'prometheus', reads: prometheusReads(ref) }));
  const grafana: ContainerService[] = services.filter((r) => isGrafanaImage(r.service.repository)).map((ref) => ({ ...ref, kind: 'grafana' }));

  const sameService = (a: ServiceRef, b: ServiceRef) => a.service === b.service;
  const runnerOf = (config: CollectorConfig) => collectors.find((c) => c.runs.includes(config));

  return {
    services,
    hostnames,
    collectors,
    prometheus,
    grafana,
    placementsOf,
    runnerOf,
    containerOf: (config) => runnerOf(config) ?? collectors.find((c) => placementsOf(config.file).some((p) => sameService(p, c))),
    prometheusOf: (config) =>
      prometheus.find((p) => p.reads?.some((r) => r.hostPath && sameFile(r.hostPath, config.file))) ??
      prometheus.find((p) => placementsOf(config.file).some((pl) => sameService(pl, p))),
    publisherOf(hostPort) {
      // A service with `profiles:` starts only when one is active: an always-started publisher is the one reached.
      return publisherAmong(false) ?? publisherAmong(true);
      function publisherAmong(gated: boolean) {
        const among = (r: ServiceRef) => r.service.profiles.length > 0 === gated;
        for (const ref of services.filter(among)) {
          for (const port of ref.service.ports) {
            if (port.protocol !== 'tcp' || port.hostPort !== hostPort || !LOCAL_BIND.has(port.hostIp ?? '')) continue;
            return { ref, containerPort: port.containerPort, port };
          }
        }
        // Host networking: the container's ports are the host's. Only a collector is assumed to listen there.
        const hostNet = collectors.filter(among).find((c) => c.service.networkMode === 'host');
        return hostNet ? { ref: hostNet, containerPort: hostPort } : undefined;
      }
    },
    serviceNamed: (host) => services.find((r) => r.service.name === host || r.service.aliases.includes(host)),
  };
}

/**
 * Whether receivers without an endpoint listen on localhost: from v0.104.0 (component.UseLocalHostAsDefaultHost),
 * unless the service turns the gate off, which works up to v0.111.x (the gate is gone from v0.112.0).
 */
export function localhostDefault(stack: Stack, service?: ComposeService): boolean {
  const version = stack.collector.version;
  if (!atLeast(version, '0.104.0')) return false;
  if (service && !atLeast(version, '0.112.0')) {
    const gates = flagValues(service, '--feature-gates').flatMap((f) => f.value.split(','));
    if (gates.some((g) => g.trim() === '-component.UseLocalHostAsDefaultHost')) return false;
  }
  return true;
}

/** Prometheus `--enable-feature` values of a service. */
export function prometheusFeatures(service: ComposeService): string[] {
  return flagValues(service, '--enable-feature').flatMap((f) => f.value.split(',').map((x) => x.trim()));
}
