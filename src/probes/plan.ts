import type { Range } from '../types.js';
import type { Workspace } from '../model/workspace.js';
import { isLokiImage, type PublishedPort } from '../model/compose.js';
import { componentRuns, parseHostPort, prometheusExporterListeners, type CollectorConfig } from '../model/collector.js';
import { isLoopback } from '../util/hosts.js';
import { parseHeaderList, SIGNAL_UPPER, type Protocol, type Signal } from '../model/prediction.js';
import { topology, type ServiceRef } from '../model/topology.js';
import { atYaml } from '../model/yaml-locate.js';
import { atNode } from '../model/settings-locate.js';
import { describeOrigin, type EffectiveVar } from '../model/claude-env.js';
import { isTrustedScope, SCOPE_LABEL, type Scope } from '../model/scopes.js';
import { prometheusListenPort } from '../model/service-flags.js';
import { headerValueSecrets } from '../util/secrets.js';
import { percentDecoded } from './http.js';

/**
 * Where the live probes look, worked out from the workspace the static rules read: the OTLP destinations Claude Code
 * will use (with the headers it sends), and the host URLs of the collector's health check and exporter, Prometheus,
 * Loki and Grafana, from flags, else from the compose file's published ports, else from a collector or Prometheus
 * config running on this host, else the well-known local defaults (then "nothing answers" is no failure).
 */

export interface ProbeFlags {
  prometheusUrl?: string;
  grafanaUrl?: string;
  lokiUrl?: string;
  /** A Grafana service-account token (from the environment, never a flag); sent only where grafanaAuth allows. */
  grafanaToken?: string;
  /** --trust-project: this project's settings count as the user's own (its otelHeadersHelper runs, credentials follow its endpoint). */
  trustProject?: boolean;
  timeoutMs: number;
  /** How long the end-to-end check waits for the probe data to show up; default from the scrape interval. */
  flowTimeoutMs?: number;
  /** Send probe telemetry (the end-to-end check). */
  send: boolean;
}

/** Where a target came from: a setting, a compose port, a flag or a default; findings point there. */
export interface TargetOrigin {
  kind: 'setting' | 'compose' | 'config' | 'flag' | 'default';
  /** For messages: "OTEL_EXPORTER_OTLP_ENDPOINT in ~/.claude/settings.json", "compose service prometheus". */
  describe: string;
  file?: string;
  range?: Range;
  path?: string;
}

export interface OtlpTarget {
  protocol: Protocol;
  /** gRPC: the endpoint dialled; HTTP: the exact URL posted to (one target per URL). */
  url: string;
  signals: Signal[];
  /** Header values Claude Code sends: secrets, never printed. */
  headers: Record<string, string>;
  temporality: 'delta' | 'cumulative';
  origin: TargetOrigin;
  /** HTTP only: otelHeadersHelper, whose output Claude Code adds to the headers (see headers-helper.ts). */
  headersHelper?: { command: string; origin: TargetOrigin };
  /**
   * Why the probes do not send to this target as Claude Code would: its helper is a command untrusted content
   * chose, or a trusted credential would go to a host untrusted content chose. The probes skip it and say why
   * (headers are then empty and the helper never runs).
   */
  withheld?: { headline: string; reason: string; origin: TargetOrigin };
}

/** Why a target is withheld, in a headline; the reason (the files and variables) goes in the finding's detail. */
export const WITHHELD = {
  elsewhere: 'endpoint not probed: its headers come from otelHeadersHelper, which runs on each machine',
  untrustedHelper: "endpoint not probed: the doctor runs no otelHeadersHelper from the repository's settings",
  untrustedEndpoint: 'endpoint not probed: your credentials would go to an endpoint the repository chose',
} as const;

export interface HttpTarget {
  url: string;
  origin: TargetOrigin;
  /** A well-known default nobody configured: silence there is no failure. */
  guessed: boolean;
}

export interface GrafanaTarget extends HttpTarget {
  /** Authorization header value (Bearer token or Basic), never printed. */
  authorization?: string;
  /** The credentials are Grafana's defaults (admin/admin): working means anyone can sign in. */
  defaultCredentials: boolean;
  /** Why GRAFANA_TOKEN was not sent to this target, when it is set. */
  tokenWithheld?: string;
}

export interface ProbePlan {
  otlp: OtlpTarget[];
  /** Claude Code's resource (service.name and OTEL_RESOURCE_ATTRIBUTES) for the probe's own telemetry. */
  resource: Record<string, string>;
  serviceName: string;
  collectorHealth?: HttpTarget;
  /** The collector's prometheus exporter, as this host reaches it. */
  exporterMetrics?: HttpTarget;
  prometheus: HttpTarget;
  loki: HttpTarget;
  grafana: GrafanaTarget;
  /** The scrape interval of the job that scrapes the collector, when known (seconds). */
  scrapeIntervalSeconds?: number;
}

/**
 * The credentials the probes themselves send that no file names as they are sent: the Basic header made of a URL's
 * user and password, and Grafana's Authorization. A server may echo them in an answer a finding's detail quotes.
 */
export function sentCredentials(plan: ProbePlan): string[] {
  const urls = [plan.prometheus, plan.loki, plan.grafana, plan.collectorHealth, plan.exporterMetrics].flatMap((t) => (t ? [t.url] : []));
  const basic = urls.flatMap((url) => {
    try {
      const u = new URL(url);
      if (!u.username && !u.password) return [];
      // As httpRequest makes the header.
      return [Buffer.from(`${percentDecoded(u.username)}:${percentDecoded(u.password)}`).toString('base64')];
    } catch {
      return [];
    }
  });
  return [...basic, ...(plan.grafana.authorization ? headerValueSecrets(plan.grafana.authorization) : [])];
}

const LOCAL = 'localhost';

/** How long a probe may wait for data to show up (--flow-timeout, else about two scrape intervals). */
export function flowWaitMs(plan: ProbePlan, flags: ProbeFlags): number {
  return flags.flowTimeoutMs ?? Math.min(90_000, Math.max(10_000, ((plan.scrapeIntervalSeconds ?? 15) * 2 + 5) * 1000));
}

export function planProbes(ws: Workspace, flags: ProbeFlags): ProbePlan {
  const prediction = ws.claude.prediction;
  const topo = topology(ws.stack);
  const services = topo.services;
  const collector = runningCollector(ws);
  const collectorService = collector ? topo.runnerOf(collector) : undefined;
  const native = services.length === 0;

  const prometheusService = topo.prometheus[0];
  const grafanaService = topo.grafana[0];
  const lokiService = services.find((r) => isLokiImage(r.service.repository));

  const prometheus =
    flagTarget(flags.prometheusUrl, '--prometheus-url') ??
    serviceTarget(prometheusService, prometheusListenPort(prometheusService?.service), '') ??
    defaultTarget(9090, 'Prometheus', native && ws.stack.prometheus.length > 0);
  const loki = flagTarget(flags.lokiUrl, '--loki-url') ?? serviceTarget(lokiService, 3100, '') ?? defaultTarget(3100, 'Loki', false);
  const grafanaPort = Number(grafanaService?.service.environment.GF_SERVER_HTTP_PORT) || 3000;
  const grafanaBase = flagTarget(flags.grafanaUrl, '--grafana-url') ?? serviceTarget(grafanaService, grafanaPort, '') ?? defaultTarget(3000, 'Grafana', false);

  return {
    otlp: otlpTargets(ws, flags),
    resource: { ...prediction.resource.attributes, 'service.name': prediction.resource.serviceName },
    serviceName: prediction.resource.serviceName,
    collectorHealth: collector ? collectorTarget(collector, collectorService, native, 'health') : undefined,
    exporterMetrics: collector ? collectorTarget(collector, collectorService, native, 'exporter') : undefined,
    prometheus,
    loki,
    grafana: { ...grafanaBase, ...grafanaAuth(ws, flags, grafanaBase, grafanaService) },
    scrapeIntervalSeconds: scrapeInterval(ws, collector),
  };
}

/** The collector config that runs: the one a compose collector service runs, else the only one. */
function runningCollector(ws: Workspace): CollectorConfig | undefined {
  const topo = topology(ws.stack);
  return ws.stack.collectors.find((c) => topo.runnerOf(c)) ?? (ws.stack.collectors.length === 1 ? ws.stack.collectors[0] : undefined);
}

function otlpTargets(ws: Workspace, flags: ProbeFlags): OtlpTarget[] {
  const env = ws.claude.env;
  const byKey = new Map<string, OtlpTarget>();
  for (const s of ws.claude.prediction.signals) {
    if (!s.exported || !s.exporters.includes('otlp') || !s.protocol || !s.url) continue;
    const key = `${s.protocol} ${s.url}`;
    const existing = byKey.get(key);
    if (existing) {
      existing.signals.push(s.signal);
      continue;
    }
    const upper = SIGNAL_UPPER[s.signal];
    const headers: Record<string, string> = {};
    const headerVars: EffectiveVar[] = [];
    for (const name of ['OTEL_EXPORTER_OTLP_HEADERS', `OTEL_EXPORTER_OTLP_${upper}_HEADERS`]) {
      const v = env.get(name);
      if (v === undefined) continue;
      headerVars.push(v);
      for (const h of parseHeaderList(v.value)) if (h.ok) headers[h.name.toLowerCase()] = h.value;
    }
    const endpointVar = env.get(`OTEL_EXPORTER_OTLP_${upper}_ENDPOINT`) ?? env.get('OTEL_EXPORTER_OTLP_ENDPOINT');
    const origin: TargetOrigin = endpointVar
      ? {
          kind: 'setting',
          describe: `${endpointVar.name}${endpointVar.origin.file ? ` in ${endpointVar.origin.file}` : ' in the shell'}`,
          file: endpointVar.origin.file,
          range: endpointVar.origin.valueRange,
        }
      : { kind: 'default', describe: `Claude Code's default endpoint` };
    const helper = ws.claude.otelHeadersHelper && s.headersFromHelper ? ws.claude.otelHeadersHelper : undefined;
    const headersHelper = helper && {
      command: helper.value,
      origin: { kind: 'setting' as const, describe: `otelHeadersHelper in ${helper.file.path}`, ...atNode(helper.file, helper.node) },
    };
    const withheld = withheldFrom(ws, flags, { endpointVar, origin, headerVars, helper: headersHelper && { ...headersHelper, scope: helper!.file.scope } });
    byKey.set(key, {
      protocol: s.protocol,
      url: s.url,
      signals: [s.signal],
      headers: withheld ? {} : headers,
      temporality: ws.claude.prediction.signals.find((m) => m.signal === 'metrics')?.temporality ?? 'delta',
      origin,
      headersHelper,
      withheld,
    });
  }
  return [...byKey.values()];
}

/**
 * Whether the probes may send to an OTLP target as Claude Code would. Untrusted content (project and local
 * settings without --trust-project, and every file of a scanned repo) never runs a command here, and a trusted
 * credential (headers or a helper from the user's own settings or shell) goes only to an endpoint that is not
 * untrusted content's choice: Claude Code's default, or one set in a trusted scope.
 */
function withheldFrom(
  ws: Workspace,
  flags: ProbeFlags,
  t: { endpointVar?: EffectiveVar; origin: TargetOrigin; headerVars: EffectiveVar[]; helper?: { command: string; scope: Scope; origin: TargetOrigin } },
): OtlpTarget['withheld'] {
  const { helper } = t;
  // A shared config names a helper path on the machines that use it: not something to run here.
  if (helper && ws.mode === 'files')
    return {
      headline: WITHHELD.elsewhere,
      reason: `the headers come from otelHeadersHelper (${helper.command}), which runs on each machine; run the doctor there`,
      origin: helper.origin,
    };
  const trusted = (scope: Scope) => ws.mode === 'machine' && isTrustedScope(scope, flags.trustProject);
  if (helper && !trusted(helper.scope)) {
    return {
      headline: WITHHELD.untrustedHelper,
      reason: `otelHeadersHelper in ${helper.origin.file} was not run: it comes from ${SCOPE_LABEL[helper.scope]}, which come with the repository, and the doctor runs no command from them (--trust-project runs it)`,
      origin: helper.origin,
    };
  }
  if (!t.endpointVar || trusted(t.endpointVar.origin.scope)) return undefined;
  const credentials = [
    ...t.headerVars.filter((v) => trusted(v.origin.scope)).map((v) => `${v.name} (${describeOrigin(v.origin)})`),
    ...(helper ? [`otelHeadersHelper's output (${helper.origin.file})`] : []),
  ];
  if (credentials.length === 0) return undefined;
  return {
    headline: WITHHELD.untrustedEndpoint,
    reason: `${credentials.join(' and ')} not sent: ${t.endpointVar.name} comes from ${describeOrigin(t.endpointVar.origin)}, which the repository chose, and the doctor sends your credentials only where your own settings or a flag point (--trust-project sends them)`,
    origin: t.origin,
  };
}

function flagTarget(url: string | undefined, flag: string): HttpTarget | undefined {
  return url ? { url: url.replace(/\/+$/, ''), origin: { kind: 'flag', describe: flag }, guessed: false } : undefined;
}

function defaultTarget(port: number, what: string, configured: boolean): HttpTarget {
  return { url: `http://${LOCAL}:${port}`, origin: { kind: 'default', describe: `${what}'s default port on this host` }, guessed: !configured };
}

/** The host URL of a compose service's container port: its published port, or the port itself with host networking. */
function serviceTarget(ref: ServiceRef | undefined, containerPort: number, pathSuffix: string): HttpTarget | undefined {
  if (!ref) return undefined;
  const s = ref.service;
  // Each in the file it is written in (a port an override file publishes points there).
  const origin = (port?: PublishedPort): TargetOrigin => ({
    kind: 'compose',
    describe: `compose service ${s.name}`,
    ...(port ? atYaml(port.value.doc, port.path, 'value') : atYaml(s.value.doc, s.path)),
  });
  if (s.networkMode === 'host') return { url: `http://${LOCAL}:${containerPort}${pathSuffix}`, origin: origin(), guessed: false };
  const port = s.ports.find((p) => p.containerPort === containerPort && p.protocol === 'tcp' && p.hostPort !== undefined);
  if (!port) return undefined;
  const host = port.hostIp && !['0.0.0.0', '::', '[::]'].includes(port.hostIp) ? port.hostIp : LOCAL;
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port.hostPort}${pathSuffix}`, origin: origin(port), guessed: false };
}

/** The health_check extension or the prometheus exporter of the running collector, as this host reaches it. */
function collectorTarget(c: CollectorConfig, service: ServiceRef | undefined, native: boolean, what: 'health' | 'exporter'): HttpTarget | undefined {
  let endpoint: { host: string; port: number; path: string; yamlPath: (string | number)[] } | undefined;
  if (what === 'health') {
    const ext = c.components.find((x) => x.kind === 'extensions' && x.type === 'health_check' && componentRuns(c, x));
    if (!ext) return undefined;
    const written = typeof ext.config.endpoint === 'string' ? parseHostPort(ext.config.endpoint) : undefined;
    const path = typeof ext.config.path === 'string' && ext.config.path.startsWith('/') ? ext.config.path : '/';
    endpoint = { host: written?.host ?? LOCAL, port: written?.port ?? 13133, path, yamlPath: written ? [...ext.path, 'endpoint'] : ext.path };
  } else {
    const listener = prometheusExporterListeners(c).find((l) => componentRuns(c, l.exporter));
    if (!listener) return undefined;
    endpoint = { host: listener.host, port: listener.port, path: '/metrics', yamlPath: listener.path };
  }
  if (service) return serviceTarget(service, endpoint.port, endpoint.path);
  if (!native) return undefined;
  const host = endpoint.host === '' || endpoint.host === '0.0.0.0' || endpoint.host === '::' ? LOCAL : endpoint.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${endpoint.port}${endpoint.path}`,
    origin: { kind: 'config', describe: `the collector config ${c.file}`, ...atYaml(c.yaml, endpoint.yamlPath) },
    guessed: false,
  };
}

/** The interval of the job scraping the collector's exporter (else the first job's), for the end-to-end wait. */
function scrapeInterval(ws: Workspace, c: CollectorConfig | undefined): number | undefined {
  const port = c ? prometheusExporterListeners(c)[0]?.port : undefined;
  const jobs = ws.stack.prometheus.flatMap((p) => p.jobs);
  const job = jobs.find((j) => j.targets.some((t) => t.port === port)) ?? jobs[0];
  return job?.intervalSeconds;
}

/**
 * Grafana credentials. GRAFANA_TOKEN (a service-account token) goes only to --grafana-url, or to a Grafana on this
 * host that the default or the user's own stack (machine mode) names, never to one a scanned repo's compose file
 * names. Else the user and password in --grafana-url. Else the compose service's GF_SECURITY_ADMIN_USER/PASSWORD,
 * written literally or as a `${VAR}` filled from the `.env` beside the compose file (as `init` writes it) or a
 * default, and only to that service's own published port on loopback. Else Grafana's admin/admin.
 */
function grafanaAuth(
  ws: Workspace,
  flags: ProbeFlags,
  target: HttpTarget,
  grafana: ServiceRef | undefined,
): Pick<GrafanaTarget, 'authorization' | 'defaultCredentials' | 'tokenWithheld'> {
  const onThisHost = isLoopbackUrl(target.url);
  let tokenWithheld: string | undefined;
  if (flags.grafanaToken) {
    const mayGo = target.origin.kind === 'flag' || (onThisHost && (target.origin.kind === 'default' || ws.mode === 'machine'));
    if (mayGo) return { authorization: `Bearer ${flags.grafanaToken}`, defaultCredentials: false };
    tokenWithheld = `GRAFANA_TOKEN was not sent: this Grafana comes from ${target.origin.describe}${target.origin.file ? ` in ${target.origin.file}` : ''}, and the token goes only to --grafana-url or a Grafana on this host that your own files name`;
  }
  try {
    if (new URL(target.url).username) return { authorization: undefined, defaultCredentials: false };
  } catch {
    // an invalid URL fails in the probe, with its own message
  }
  const env = grafana?.service.environment ?? {};
  if (env.GF_SECURITY_ADMIN_PASSWORD === undefined)
    return { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}`, defaultCredentials: true, tokenWithheld };
  const own = grafana && target.origin.kind === 'compose' && onThisHost;
  // The compose model has interpolated them as compose does (the .env beside the file, defaults, `$$`), never from
  // this process's environment: a value it could not know (a variable only the shell could set) is not sent.
  const value = (name: string) => {
    const v = grafana && !grafana.service.unknownEnvironment.has(name) ? env[name] : undefined;
    return v === undefined || v === '' ? undefined : v;
  };
  const password = own ? value('GF_SECURITY_ADMIN_PASSWORD') : undefined;
  if (password === undefined) return { authorization: undefined, defaultCredentials: false, tokenWithheld };
  const user = value('GF_SECURITY_ADMIN_USER') ?? 'admin';
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`, defaultCredentials: false, tokenWithheld };
}

function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopback(new URL(url).hostname.replace(/^\[|\]$/g, ''));
  } catch {
    return false;
  }
}
