import type { YamlDocument, YamlPath } from '../load/yaml.js';
import { YamlValue } from '../load/yaml-value.js';
import { compareVersions } from './versions.js';

export const COMPONENT_KINDS = ['receivers', 'processors', 'exporters', 'connectors', 'extensions'] as const;
export type ComponentKind = (typeof COMPONENT_KINDS)[number];

/** One configured component, e.g. `otlphttp/loki` under `exporters`. */
export interface Component {
  kind: ComponentKind;
  /** Full id as written: `type[/name]`. */
  id: string;
  type: string;
  name?: string;
  /** Its settings as plain values (`{}` when not a map), for models that only compare values. */
  config: Record<string, unknown>;
  /** Its value as plain data, whatever its type (`null` for `otlp:`), as option checking reads it. */
  plain: unknown;
  /** Its entry in the file: settings by `value.get(...)`, and where it is (`value.location()` points at the id). */
  value: YamlValue;
  /** Path of its key, e.g. ['exporters', 'otlphttp/loki'] (`value.path`). */
  path: YamlPath;
}

/** A reference to a component from a pipeline or service.extensions list. */
export interface ComponentRef {
  id: string;
  type: string;
  path: YamlPath;
  /** The list item that names it. */
  value: YamlValue;
}

export interface Pipeline {
  /** `signal[/name]` as written. */
  id: string;
  signal: string;
  receivers: ComponentRef[];
  processors: ComponentRef[];
  exporters: ComponentRef[];
  path: YamlPath;
  /** Its entry under service.pipelines. */
  value: YamlValue;
}

/** A listener the collector opens: receivers, the prometheus exporter, internal telemetry, extensions. */
export interface Listener {
  /** What opens it, e.g. `receivers.otlp (grpc)`. */
  owner: string;
  host: string;
  port: number;
  /** Whether the address came from a default (not written in the file). */
  implicit: boolean;
  path: YamlPath;
}

/** Where a listener is written: its endpoint, or (a default) the entry that leaves it out. */
export function listenerValue(c: CollectorConfig, l: Pick<Listener, 'path'>): YamlValue {
  return valueAt(c.root, l.path) ?? new YamlValue(c.yaml, l.path, null);
}

export interface CollectorConfig {
  yaml: YamlDocument;
  file: string;
  /** The whole file. */
  root: YamlValue;
  components: Component[];
  pipelines: Pipeline[];
  serviceExtensions: ComponentRef[];
  /** Plain value of `service.telemetry`, if any. */
  telemetry?: Record<string, unknown>;
}

/** The value at a path of keys and list indexes below `from`, or undefined when something on the way is missing. */
export function valueAt(from: YamlValue, path: YamlPath): YamlValue | undefined {
  let v: YamlValue | undefined = from;
  for (const k of path) v = typeof k === 'number' ? v?.items()[k] : v?.get(k);
  return v;
}

/** Where pipelines are (or would be) written: service.pipelines, else service, else the file. */
export function pipelinesValue(c: CollectorConfig): YamlValue {
  return c.root.at('service', 'pipelines') ?? c.root.get('service') ?? c.root;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export function splitId(id: string): { type: string; name?: string } {
  const slash = id.indexOf('/');
  return slash < 0 ? { type: id.trim() } : { type: id.slice(0, slash).trim(), name: id.slice(slash + 1) };
}

/** Builds the model from a parsed collector config; tolerant of any shape (rules report what is wrong). */
export function loadCollector(yaml: YamlDocument): CollectorConfig {
  const root = isObject(yaml.value) ? yaml.value : {};
  const top = YamlValue.root(yaml);
  // Entries come from the plain value (as the collector reads them: the last duplicate wins) and are found in the
  // file by their key; one that only a merge key (`<<: *base`) brings in has no node of its own.
  const located = (path: YamlPath) => valueAt(top, path) ?? new YamlValue(yaml, path, null);
  const components: Component[] = [];
  for (const kind of COMPONENT_KINDS) {
    const section = root[kind];
    if (!isObject(section)) continue;
    for (const [id, config] of Object.entries(section)) {
      components.push({ kind, id, ...splitId(id), config: isObject(config) ? config : {}, plain: config, value: located([kind, id]), path: [kind, id] });
    }
  }
  const service = isObject(root.service) ? root.service : {};
  const pipelinesValue = isObject(service.pipelines) ? service.pipelines : {};
  const refs = (list: unknown, path: YamlPath): ComponentRef[] =>
    Array.isArray(list)
      ? list.filter((x) => typeof x === 'string').map((id, i) => ({ id, type: splitId(id).type, path: [...path, i], value: located([...path, i]) }))
      : [];
  const pipelines: Pipeline[] = Object.entries(pipelinesValue).map(([id, p]) => {
    const path = ['service', 'pipelines', id];
    const v = isObject(p) ? p : {};
    return {
      id,
      signal: splitId(id).type,
      receivers: refs(v.receivers, [...path, 'receivers']),
      processors: refs(v.processors, [...path, 'processors']),
      exporters: refs(v.exporters, [...path, 'exporters']),
      path,
      value: located(path),
    };
  });
  return {
    yaml,
    file: yaml.source.path,
    root: top,
    components,
    pipelines,
    serviceExtensions: refs(service.extensions, ['service', 'extensions']),
    telemetry: isObject(service.telemetry) ? service.telemetry : undefined,
  };
}

/** Whether the collector builds the component: listed in a pipeline, or (extensions) in service.extensions. */
export function componentRuns(c: CollectorConfig, comp: Component): boolean {
  const id = canonicalId(comp.id);
  if (comp.kind === 'extensions') return c.serviceExtensions.some((r) => canonicalId(r.id) === id);
  return c.pipelines.some((p) => {
    const refs = comp.kind === 'receivers' ? p.receivers : comp.kind === 'processors' ? p.processors : comp.kind === 'exporters' ? p.exporters : [];
    return refs.some((r) => canonicalId(r.id) === id);
  });
}

export function findComponent(c: CollectorConfig, kind: ComponentKind, id: string): Component | undefined {
  return c.components.find((x) => x.kind === kind && x.id === id);
}

/** `host:port` → parts; `:4317` and `4317`-less forms handled; env references keep the host as written. */
export function parseHostPort(endpoint: string): { host: string; port: number } | undefined {
  // A host from a variable (`${env:MY_POD_IP}:4317`, as the Helm chart writes it) still listens on the port written.
  const m = /^(?:[a-z]+:\/\/)?(\$\{[^}]*\}|\[[^\]]*\]|[^:/]*)?:(\d+)/i.exec(endpoint.trim());
  return m ? { host: (m[1] ?? '').replace(/^\[|\]$/g, ''), port: Number(m[2]) } : undefined;
}

/**
 * The OTLP receivers' listeners. Default host: 0.0.0.0 before v0.104.0, localhost from then on
 * (component.UseLocalHostAsDefaultHost); default ports 4317 (grpc) and 4318 (http).
 */
/** An OTLP receiver's listener: which receiver, which protocol, and for HTTP the path it serves each signal at. */
export type OtlpListener = Listener & {
  receiver: string;
  protocol: 'grpc' | 'http';
  /**
   * HTTP: the path each signal is served at (`<signal>_url_path`, default `/v1/<signal>`; the collector puts a `/`
   * before one written without), with where it is written; `unknown` when its value is left to the environment.
   */
  urlPaths?: Record<'metrics' | 'logs' | 'traces', { path: string; at?: YamlPath } | 'unknown'>;
};

export function otlpListeners(c: CollectorConfig, localhostDefault: boolean): OtlpListener[] {
  const out: OtlpListener[] = [];
  for (const r of c.components.filter((x) => x.kind === 'receivers' && x.type === 'otlp')) {
    const protocols = isObject(r.config.protocols) ? r.config.protocols : {};
    for (const protocol of ['grpc', 'http'] as const) {
      if (!(protocol in protocols)) continue;
      const cfg = isObject(protocols[protocol]) ? (protocols[protocol] as Record<string, unknown>) : {};
      const endpoint = typeof cfg.endpoint === 'string' ? cfg.endpoint : undefined;
      const parsed = endpoint ? parseHostPort(endpoint) : undefined;
      const defaultPort = protocol === 'grpc' ? 4317 : 4318;
      out.push({
        owner: `receivers.${r.id} (${protocol})`,
        receiver: r.id,
        protocol,
        // An endpoint that does not parse (`${env:MY_POD_IP}:4317`) keeps its text as the host: not a default.
        host: parsed ? parsed.host : endpoint !== undefined ? endpoint : localhostDefault ? 'localhost' : '0.0.0.0',
        port: parsed?.port ?? defaultPort,
        implicit: !endpoint,
        path: endpoint ? [...r.path, 'protocols', protocol, 'endpoint'] : [...r.path, 'protocols', protocol],
        urlPaths: protocol === 'http' ? httpUrlPaths(cfg, [...r.path, 'protocols', protocol]) : undefined,
      });
    }
  }
  return out;
}

/** The paths an OTLP/HTTP receiver serves (otlpreceiver's Config: `traces_url_path` etc., made absolute). */
function httpUrlPaths(cfg: Record<string, unknown>, at: YamlPath): NonNullable<OtlpListener['urlPaths']> {
  const one = (signal: 'metrics' | 'logs' | 'traces') => {
    const written = cfg[`${signal}_url_path`];
    if (written === undefined || written === null) return { path: `/v1/${signal}` };
    if (typeof written !== 'string' || written.includes('${')) return 'unknown' as const;
    return { path: written.startsWith('/') ? written : `/${written}`, at: [...at, `${signal}_url_path`] };
  };
  return { metrics: one('metrics'), logs: one('logs'), traces: one('traces') };
}

/** Listeners of prometheus exporters (default endpoint: none is valid; the exporter requires one). */
export function prometheusExporterListeners(c: CollectorConfig): (Listener & { exporter: Component })[] {
  return c.components
    .filter((x) => x.kind === 'exporters' && x.type === 'prometheus')
    .flatMap((e) => {
      const endpoint = typeof e.config.endpoint === 'string' ? e.config.endpoint : undefined;
      const parsed = endpoint ? parseHostPort(endpoint) : undefined;
      return parsed ? [{ owner: `exporters.${e.id}`, exporter: e, host: parsed.host, port: parsed.port, implicit: false, path: [...e.path, 'endpoint'] }] : [];
    });
}

/**
 * An id as the collector reads it: type and name trimmed (component.ID unmarshalling), so `batch /a`
 * and `batch/a` are the same component.
 */
export function canonicalId(id: string): string {
  const { type, name } = splitId(id);
  return name === undefined ? type : `${type}/${name.trim()}`;
}

/**
 * Every listener the collector opens at a version, for components that actually start: receivers and
 * exporters named in a pipeline (unused ones are never built), extensions named in service.extensions,
 * and internal telemetry. Endpoints the file leaves to an env variable are skipped (unknown address).
 *
 * Internal telemetry (service/telemetry source at v0.105.0, v0.110.0, v0.111.0, v0.118.0, v0.165.0):
 * up to v0.110 the `address` (default `:8888`) is served besides any pull readers; from v0.111.0 the
 * default is one pull reader on localhost:8888, replaced by configured readers; a set `address` adds a
 * reader and drops the default one (v0.111–v0.122); from v0.123.0 `address` is ignored.
 * `level: none` opens nothing.
 */
export function collectorListeners(c: CollectorConfig, version: string): Listener[] {
  const out: Listener[] = [];
  for (const spec of listenEndpoints(c, version)) {
    if (typeof spec.endpoint === 'string') {
      const parsed = spec.endpoint.includes('${') ? undefined : parseHostPort(spec.endpoint);
      if (parsed) out.push({ owner: spec.owner, host: parsed.host, port: parsed.port, implicit: false, path: spec.path });
    } else if ((spec.endpoint === undefined || spec.endpoint === null) && spec.fallback) {
      out.push({ owner: spec.owner, ...spec.fallback, implicit: true, path: spec.fallbackPath });
    }
  }
  out.push(...telemetryListeners(c, version));
  return out;
}

/** A component endpoint the collector listens on when it starts, as written (any value), with its default. */
export interface ListenEndpoint {
  owner: string;
  endpoint: unknown;
  fallback?: { host: string; port: number };
  path: YamlPath;
  fallbackPath: YamlPath;
}

/** Endpoints of the components that run (in a pipeline, or listed in service.extensions) and listen. */
export function listenEndpoints(c: CollectorConfig, version: string): ListenEndpoint[] {
  const localhostDefault = compareVersions(version, '0.104.0') >= 0;
  const defaultHost = localhostDefault ? 'localhost' : '0.0.0.0';
  // Keyed by section: a receiver and an exporter may share an id (`otlp`, `prometheus`).
  const used = new Set<string>();
  for (const p of c.pipelines) {
    for (const r of p.receivers) used.add(`receivers:${canonicalId(r.id)}`);
    for (const r of p.exporters) used.add(`exporters:${canonicalId(r.id)}`);
  }
  const extensions = new Set(c.serviceExtensions.map((r) => canonicalId(r.id)));
  const out: ListenEndpoint[] = [];
  for (const comp of c.components) {
    const id = canonicalId(comp.id);
    if (comp.kind === 'receivers' && used.has(`receivers:${id}`) && comp.type === 'otlp') {
      const protocols = isObject(comp.config.protocols) ? comp.config.protocols : {};
      for (const protocol of ['grpc', 'http'] as const) {
        if (!(protocol in protocols)) continue;
        const cfg = isObject(protocols[protocol]) ? (protocols[protocol] as Record<string, unknown>) : {};
        const port = protocol === 'grpc' ? 4317 : 4318;
        out.push({
          owner: `receivers.${comp.id} (${protocol})`,
          endpoint: cfg.endpoint,
          fallback: { host: defaultHost, port },
          path: [...comp.path, 'protocols', protocol, 'endpoint'],
          fallbackPath: [...comp.path, 'protocols', protocol],
        });
      }
    } else if (comp.kind === 'receivers' && used.has(`receivers:${id}`) && comp.type === 'zipkin') {
      out.push({
        owner: `receivers.${comp.id}`,
        endpoint: comp.config.endpoint,
        fallback: { host: defaultHost, port: 9411 },
        path: [...comp.path, 'endpoint'],
        fallbackPath: comp.path,
      });
    } else if (comp.kind === 'exporters' && used.has(`exporters:${id}`) && comp.type === 'prometheus') {
      out.push({ owner: `exporters.${comp.id}`, endpoint: comp.config.endpoint, path: [...comp.path, 'endpoint'], fallbackPath: comp.path });
    } else if (comp.kind === 'extensions' && extensions.has(id)) {
      const defaults: Record<string, { host: string; port: number }> = {
        health_check: { host: defaultHost, port: 13133 },
        pprof: { host: 'localhost', port: 1777 },
        zpages: { host: 'localhost', port: 55679 },
      };
      if (comp.type in defaults)
        out.push({
          owner: `extensions.${comp.id}`,
          endpoint: comp.config.endpoint,
          fallback: defaults[comp.type],
          path: [...comp.path, 'endpoint'],
          fallbackPath: comp.path,
        });
    }
  }
  return out;
}

function telemetryListeners(c: CollectorConfig, version: string): Listener[] {
  const metrics = isObject(c.telemetry?.metrics) ? c.telemetry.metrics : {};
  if (metrics.level === 'none') return [];
  const base: YamlPath = ['service', 'telemetry', 'metrics'];
  const owner = 'service.telemetry.metrics';
  const out: Listener[] = [];
  const readers = Array.isArray(metrics.readers) ? metrics.readers : undefined;
  (readers ?? []).forEach((r, i) => {
    const prom = isObject(r) && isObject(r.pull) && isObject(r.pull.exporter) && isObject(r.pull.exporter.prometheus) ? r.pull.exporter.prometheus : undefined;
    if (!prom || typeof prom.port !== 'number') return;
    const host =
      prom.host === undefined || prom.host === null ? 'localhost' : typeof prom.host === 'string' && !prom.host.includes('${') ? prom.host : undefined;
    if (host !== undefined)
      out.push({ owner: `${owner} (reader)`, host, port: prom.port, implicit: false, path: [...base, 'readers', i, 'pull', 'exporter', 'prometheus', 'port'] });
  });
  const address = typeof metrics.address === 'string' ? metrics.address : undefined;
  const addressListener = (text: string, implicit: boolean): Listener[] => {
    const parsed = text !== '' && !text.includes('${') ? parseHostPort(text) : undefined;
    return parsed ? [{ owner, host: parsed.host, port: parsed.port, implicit, path: implicit ? ['service'] : [...base, 'address'] }] : [];
  };
  const defaultReader: Listener = { owner, host: 'localhost', port: 8888, implicit: true, path: ['service'] };
  if (compareVersions(version, '0.111.0') < 0) {
    // Up to v0.110 the address (default ":8888") is served besides the readers.
    out.push(...addressListener(address ?? ':8888', address === undefined));
  } else if (compareVersions(version, '0.123.0') < 0 && address) {
    // v0.111–v0.122: a set address becomes one more reader; the default reader goes unless readers are set.
    out.push(...addressListener(address, false));
  } else if (!readers) {
    out.push(defaultReader);
  }
  return out;
}

/**
 * Whether two listeners cannot both bind (Linux): same port and overlapping addresses. The wildcard
 * (`0.0.0.0`, empty host) overlaps every IPv4 address, `::` every address; `localhost` is 127.0.0.1.
 * Different specific addresses, or names other than localhost that differ, are not reported.
 */
export function listenersCollide(a: Pick<Listener, 'host' | 'port'>, b: Pick<Listener, 'host' | 'port'>): boolean {
  if (a.port !== b.port) return false;
  const norm = (h: string) => (h === 'localhost' ? '127.0.0.1' : h === '[::]' ? '::' : h);
  const ha = norm(a.host);
  const hb = norm(b.host);
  const ipv6 = (h: string) => h.includes(':');
  const covers = (w: string, other: string) => w === '' || w === '::' || (w === '0.0.0.0' && !ipv6(other));
  return ha === hb || covers(ha, hb) || covers(hb, ha);
}

/**
 * A Go duration (`time.ParseDuration`, what collector options such as `metric_expiration` use) in seconds:
 * `1h30m`, `1.5h`, `300ms`; units ns, us/µs, ms, s, m, h (no `d`); bare `0`. Undefined when invalid.
 */
export function parseGoDuration(text: string): number | undefined {
  const s = text.trim();
  if (/^[-+]?0$/.test(s)) return 0;
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, μs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  // µs and μs (micro sign, Greek mu) escaped: scripts/build.mjs keeps the bundle ASCII.
  const m = /^([-+]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$/.exec(s);
  if (!m) return undefined;
  let total = 0;
  for (const part of m[2].matchAll(/(\d+\.?\d*|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/g)) total += Number(part[1]) * units[part[2]];
  return m[1] === '-' ? -total : total;
}
