import { collectorListeners, parseGoDuration, prometheusExporterListeners, type CollectorConfig, type Component } from './collector.js';
import type { PrometheusConfig, ScrapeJob, ScrapeTarget } from './prometheus.js';
import { topology, type ServiceRef } from './topology.js';
import type { YamlPath } from '../load/yaml.js';
import type { Workspace } from './workspace.js';
import { checkPrometheusConfig } from './prometheus-check.js';
import { isLocalTarget } from '../util/hosts.js';
import { fact } from './facts.js';
import { jobTargets, type OperatorScrapeConfig } from './kubernetes-scrape.js';
import { kubeRunnerOf, runsConfig } from './kubernetes-routes.js';
import type { Stack } from './stack.js';

/**
 * Which scrape targets reach the collector's prometheus exporter. The collector's host comes from the compose
 * topology (the service that runs or mounts the config; with one collector service and one config, that service).
 */

/** Names other containers reach a service by: its name, container_name, hostname, network aliases, links. */
export function hostnamesOf(ref: ServiceRef | undefined): string[] {
  return ref ? [ref.service.name, ...ref.service.aliases].map((n) => n.toLowerCase()) : [];
}

export interface CollectorSide {
  collector: CollectorConfig;
  service?: ServiceRef;
  hostnames: string[];
  /** Prometheus exporters named in a pipeline (unused exporters never start). */
  exporters: { exporter: Component; port: number; path: YamlPath; expiration?: { seconds: number; text: string; isDefault: boolean } }[];
  /** Every port the collector serves metrics on: its prometheus exporters and internal telemetry. */
  metricsPorts: Set<number>;
}

const COLLECTOR_SIDES = fact<CollectorSide[]>('collector sides');
const PROMETHEUS_SIDES = fact<PrometheusSide[]>('prometheus sides');
const COLLECTOR_SCRAPES = fact<CollectorScrape[]>('collector scrapes');

/** The collectors that serve metrics, computed once per stack (several rules and probes read them). */
export function collectorSides(ws: Workspace): CollectorSide[] {
  return ws.stack.facts.get(COLLECTOR_SIDES, () => computeCollectorSides(ws));
}

function computeCollectorSides(ws: Workspace): CollectorSide[] {
  const only = ws.stack.collectors.length === 1;
  return ws.stack.collectors.flatMap((c) => {
    const used = new Set(c.pipelines.flatMap((p) => p.exporters.map((r) => r.id.trim())));
    const exporters = prometheusExporterListeners(c)
      .filter((l) => used.has(l.exporter.id.trim()))
      .map((l) => {
        const raw = l.exporter.config.metric_expiration;
        const text = raw === undefined || raw === null ? '5m' : String(raw);
        const seconds = parseGoDuration(text);
        return {
          exporter: l.exporter,
          port: l.port,
          path: l.path,
          expiration: seconds === undefined ? undefined : { seconds, text, isDefault: raw === undefined },
        };
      });
    if (exporters.length === 0) return [];
    const t = topology(ws.stack);
    const service: ServiceRef | undefined = t.containerOf(c) ?? (only && t.collectors.length === 1 ? t.collectors[0] : undefined);
    const metricsPorts = new Set<number>([
      8888,
      ...collectorListeners(c, ws.stack.collector.version)
        .filter((l) => /^(exporters|service\.telemetry)/.test(l.owner))
        .map((l) => l.port),
    ]);
    return [{ collector: c, service, hostnames: hostnamesOf(service), exporters, metricsPorts }];
  });
}

export interface PrometheusSide {
  prometheus: PrometheusConfig;
  service?: ServiceRef;
  /** Prometheus runs in a container of its own network namespace, so localhost is Prometheus itself. */
  inContainer: boolean;
  /** A job discovers targets dynamically, so what it scrapes is unknown. */
  dynamic: boolean;
  /** Every host name on the compose network (lower case). */
  knownHosts: Set<string>;
  /** The jobs the Prometheus Operator generates from ServiceMonitors and PodMonitors (kubernetes-scrape.ts), when these are. */
  operator?: OperatorScrapeConfig;
}

/** prometheus.yml files Prometheus can load at the version in force (invalid ones are prometheus/invalid-config's). */
export function prometheusSides(ws: Workspace): PrometheusSide[] {
  // Checking each prometheus.yml is the costly part: once per stack, not once per rule.
  return ws.stack.facts.get(PROMETHEUS_SIDES, () => computePrometheusSides(ws));
}

function computePrometheusSides(ws: Workspace): PrometheusSide[] {
  const only = ws.stack.prometheus.length === 1;
  const t = topology(ws.stack);
  const knownHosts = new Set([...t.hostnames].map((h) => h.toLowerCase()));
  const v = ws.stack.prometheusVersion;
  const written = ws.stack.prometheus
    .filter((p) => p.yaml.problems.length === 0 && checkPrometheusConfig(p.yaml, v.version, v.source === 'assumed').length === 0)
    .map((p) => {
      const service: ServiceRef | undefined = t.prometheusOf(p) ?? (only && t.prometheus.length === 1 ? t.prometheus[0] : undefined);
      const dynamic = p.jobs.some((j) => j.discovers);
      return { prometheus: p, service, inContainer: !!service && service.service.networkMode !== 'host', dynamic, knownHosts };
    });
  // The operator's jobs discover their targets, which the manifests resolve (analyzeMonitorScrapes): not dynamic.
  const generated = ws.stack.operatorScrapes.map((o) => ({ prometheus: o.config, inContainer: true, dynamic: false, knownHosts, operator: o }));
  return [...written, ...generated];
}

const HOST_ALIASES = ['host.docker.internal', 'gateway.docker.internal', 'host-gateway'];

export interface TargetRef {
  job: ScrapeJob;
  target: ScrapeTarget;
}

export interface ScrapeAnalysis {
  /** Targets that reach each exporter, by exporter port. */
  scraped: Map<number, TargetRef[]>;
  /** `localhost:<exporter port>` from a containerized Prometheus. */
  localhost: TargetRef[];
  /** The collector's host on a port where it serves no metrics. */
  wrongPort: TargetRef[];
  /** The exporter's port on a host no compose service answers to (a misspelt service name: compose/unknown-host). */
  unknownHost: TargetRef[];
  /**
   * What the jobs scrape is not all known: an operator job whose monitor selects nothing in the manifests (it may
   * select something elsewhere; or its port is another rule's finding, kubernetes/monitor-selects-nothing), or a
   * collector that runs in no workload here.
   */
  partial?: boolean;
}

export function analyzeScrapes(stack: Stack, side: PrometheusSide, c: CollectorSide): ScrapeAnalysis {
  if (side.operator) return analyzeMonitorScrapes(stack, side, side.operator, c);
  const known = side.knownHosts;
  const ports = new Set(c.exporters.map((e) => e.port));
  const published = (port: number) => c.service?.service.ports.find((p) => p.containerPort === port)?.hostPort ?? port;
  const scraped = new Map<number, TargetRef[]>(c.exporters.map((e) => [e.port, []]));
  const out: ScrapeAnalysis = { scraped, localhost: [], wrongPort: [], unknownHost: [] };
  for (const job of side.prometheus.jobs) {
    for (const target of job.targets) {
      const host = target.host.toLowerCase();
      const port = target.port;
      const ref = { job, target };
      const hostMatch = c.hostnames.includes(host);
      const hit = (p: number) => scraped.get(p)?.push(ref);
      if (hostMatch && port !== undefined && ports.has(port)) hit(port);
      else if (isLocalTarget(host) && port !== undefined && ports.has(port) && side.inContainer) out.localhost.push(ref);
      else if ((isLocalTarget(host) && !side.inContainer) || HOST_ALIASES.includes(host)) {
        for (const e of c.exporters) if (port === e.port || port === published(e.port)) hit(e.port);
      } else if (!c.service && port !== undefined && ports.has(port)) hit(port);
      else if (hostMatch && (port === undefined || !c.metricsPorts.has(port))) out.wrongPort.push(ref);
      else if (!hostMatch && port !== undefined && ports.has(port) && !known.has(host) && !isLocalTarget(host)) out.unknownHost.push(ref);
    }
  }
  return out;
}

/** One prometheus.yml Prometheus can load and one collector that serves metrics, with what the targets reach. */
export interface CollectorScrape {
  prometheus: PrometheusSide;
  collector: CollectorSide;
  scrapes: ScrapeAnalysis;
}

/** Every scrape target of every Prometheus, analysed against every collector it may be meant to scrape. */
export function collectorScrapes(ws: Workspace): CollectorScrape[] {
  return ws.stack.facts.get(COLLECTOR_SCRAPES, () => {
    const collectors = collectorSides(ws);
    return prometheusSides(ws).flatMap((prometheus) =>
      collectors.map((collector) => ({ prometheus, collector, scrapes: analyzeScrapes(ws.stack, prometheus, collector) })),
    );
  });
}

/**
 * The operator's jobs against a collector that runs in a workload of the manifests: each job's targets (a Service's
 * endpoints or a pod's container ports, kubernetes-scrape.ts `jobTargets`) that land in the container running the
 * collector's config, on the exporter's port (scraped) or on a port where it serves no metrics (wrongPort).
 */
function analyzeMonitorScrapes(stack: Stack, side: PrometheusSide, o: OperatorScrapeConfig, c: CollectorSide): ScrapeAnalysis {
  const ports = new Set(c.exporters.map((e) => e.port));
  const scraped = new Map<number, TargetRef[]>(c.exporters.map((e) => [e.port, []]));
  const out: ScrapeAnalysis = { scraped, localhost: [], wrongPort: [], unknownHost: [], partial: !kubeRunnerOf(stack, c.collector) };
  for (const generated of o.jobs) {
    const job = side.prometheus.jobs.find((j) => j.name === generated.name);
    // Not in the rendered config (a name YAML could not read back): what it scrapes is not judged.
    if (!job) {
      out.partial = true;
      continue;
    }
    const { targets, complete, noSuchPort } = jobTargets(stack.kubernetes, generated);
    if (!complete || noSuchPort) out.partial = true;
    // The keep on the endpoint's port: it maps to the monitor's `port` (or portNumber, targetPort).
    const portKeep = job.value
      .get('relabel_configs')
      ?.items()
      .find((r) => JSON.stringify(r.get('source_labels')?.js ?? []).includes('_port_'));
    const value = portKeep?.get('regex') ?? job.value;
    for (const t of targets) {
      if (runsConfig(stack, t.workload, t.container) !== c.collector) continue;
      const host = t.service?.object.name ?? t.workload.object.name ?? '?';
      const target = { raw: `${host}:${t.port ?? '?'}`, host, port: t.port, path: value.path, value };
      if (t.port !== undefined && ports.has(t.port)) scraped.get(t.port)?.push({ job, target });
      else if (t.port === undefined || !c.metricsPorts.has(t.port)) out.wrongPort.push({ job, target });
    }
  }
  return out;
}
