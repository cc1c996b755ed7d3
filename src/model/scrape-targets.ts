import { collectorListeners, parseGoDuration, prometheusExporterListeners, type CollectorConfig, type Component } from './collector.js';
import type { PrometheusConfig, ScrapeJob, ScrapeTarget } from './prometheus.js';
import { topology, type ServiceRef } from './topology.js';
import type { YamlPath } from '../load/yaml.js';
import type { Workspace } from './workspace.js';
import { checkPrometheusConfig } from './prometheus-check.js';
import { isLocalTarget } from '../util/hosts.js';
import { fact } from './facts.js';

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
  return ws.stack.prometheus
    .filter((p) => p.yaml.problems.length === 0 && checkPrometheusConfig(p.yaml, v.version, v.source === 'assumed').length === 0)
    .map((p) => {
      const service: ServiceRef | undefined = t.prometheusOf(p) ?? (only && t.prometheus.length === 1 ? t.prometheus[0] : undefined);
      const dynamic = p.jobs.some((j) => j.discovers);
      return { prometheus: p, service, inContainer: !!service && service.service.networkMode !== 'host', dynamic, knownHosts };
    });
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
}

export function analyzeScrapes(side: PrometheusSide, c: CollectorSide): ScrapeAnalysis {
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
      collectors.map((collector) => ({ prometheus, collector, scrapes: analyzeScrapes(prometheus, collector) })),
    );
  });
}
