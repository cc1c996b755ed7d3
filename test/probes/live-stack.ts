// The stack the probe tests run against: the real collector (current oracle build) and the real prometheus
// server, on free 127.0.0.1 ports, with the fake Loki and Grafana (see test/harness: neither can be installed
// here). One collector serves two receivers: `otlp` with metrics and logs pipelines, and `otlp/auth` (bearer
// token) with a metrics pipeline only, so a setup that sends logs there meets a receiver without a logs pipeline.
// Each case writes its own Claude Code settings and stack files into a throwaway home: the doctor reads the stack
// from ~/.claude/telemetry as it does on a real machine.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, startCollector, type RunningCollector } from '../pipeline/pipeline.js';
import { startPrometheus, type RunningPrometheus } from '../harness/prometheus-server.js';
import { startFakeLoki, type FakeLoki } from '../harness/fake-loki.js';

export const AUTH_TOKEN = 'cod-probe-token-3f9a1c7e';

export interface Ports {
  grpc: number;
  http: number;
  authGrpc: number;
  authHttp: number;
  health: number;
  exporter: number;
  /** Where nothing listens: a scrape target that is down, an endpoint that refuses. */
  dead: number;
}

export interface LiveStack {
  ports: Ports;
  collectorConfig: string;
  prometheusConfig: string;
  prometheus: RunningPrometheus;
  loki: FakeLoki;
  collector: RunningCollector;
  stop(): Promise<void>;
}

export function collectorConfigText(p: Ports, lokiUrl: string): string {
  return `receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${p.grpc}
      http:
        endpoint: 127.0.0.1:${p.http}
  otlp/auth:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${p.authGrpc}
        auth:
          authenticator: bearertokenauth
      http:
        endpoint: 127.0.0.1:${p.authHttp}
        auth:
          authenticator: bearertokenauth
exporters:
  prometheus:
    endpoint: 127.0.0.1:${p.exporter}
  otlphttp/loki:
    endpoint: ${lokiUrl}/otlp
extensions:
  health_check:
    endpoint: 127.0.0.1:${p.health}
  bearertokenauth:
    token: ${AUTH_TOKEN}
service:
  # No internal metrics: their default listener, localhost:8888, is a fixed port other tests' collectors use.
  telemetry:
    metrics:
      level: none
  extensions: [health_check, bearertokenauth]
  pipelines:
    metrics:
      receivers: [otlp, otlp/auth]
      exporters: [prometheus]
    logs:
      receivers: [otlp]
      exporters: [otlphttp/loki]
`;
}

export function prometheusConfigText(p: Ports): string {
  return `global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: otel-collector
    static_configs:
      - targets: ['127.0.0.1:${p.exporter}']
  - job_name: stale-collector
    static_configs:
      - targets: ['127.0.0.1:${p.dead}']
`;
}

export async function startLiveStack(collectorBinary: string, prometheusBinary: string): Promise<LiveStack> {
  const ports: Ports = { grpc: 0, http: 0, authGrpc: 0, authHttp: 0, health: 0, exporter: 0, dead: 0 };
  const taken = new Set<number>();
  for (const k of Object.keys(ports) as (keyof Ports)[]) {
    let port = await freePort();
    while (taken.has(port)) port = await freePort();
    taken.add(port);
    ports[k] = port;
  }
  const dir = mkdtempSync(join(tmpdir(), 'cod-live-'));
  const loki = await startFakeLoki();
  const collectorConfig = collectorConfigText(ports, loki.url);
  const prometheusConfig = prometheusConfigText(ports);
  const collector = await startCollector(collectorBinary, collectorConfig, `http://127.0.0.1:${ports.health}/`, dir);
  const prometheus = await startPrometheus(prometheusBinary, prometheusConfig);
  await firstScrapes(prometheus.url);
  return {
    ports,
    collectorConfig,
    prometheusConfig,
    prometheus,
    loki,
    collector,
    async stop() {
      await Promise.all([collector.stop(), prometheus.stop(), loki.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Ready is not scraped: Prometheus lists no active target until service discovery has run, and a target's
 * health is "unknown" until its first scrape. Wait until the collector's job is up and the dead one is down.
 */
async function firstScrapes(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let seen = '';
  while (Date.now() < deadline) {
    const body = (await (await fetch(`${url}/api/v1/targets?state=active`)).json()) as {
      data: { activeTargets: { labels: { job: string }; health: string }[] };
    };
    const health = Object.fromEntries(body.data.activeTargets.map((t) => [t.labels.job, t.health]));
    seen = JSON.stringify(health);
    if (health['otel-collector'] === 'up' && health['stale-collector'] === 'down') return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Prometheus did not scrape its targets within 30 s: ${seen}`);
}

/** A collector config as a container runs it: gRPC on 4317, the prometheus exporter on 8889, health_check on 13133. */
export const MINIMAL_COLLECTOR_CONFIG = `receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 0.0.0.0:4317
exporters:
  prometheus:
    endpoint: 0.0.0.0:8889
extensions:
  health_check:
    endpoint: 0.0.0.0:13133
service:
  extensions: [health_check]
  pipelines:
    metrics:
      receivers: [otlp]
      exporters: [prometheus]
`;

/** A throwaway machine: home (settings, with `topLevel` keys such as otelHeadersHelper, + ~/.claude/telemetry files), project and managed folders. */
export interface Machine {
  root: string;
  args: string[];
  remove(): void;
}

export function machine(settings: Record<string, string>, telemetryFiles: Record<string, string>, topLevel: Record<string, unknown> = {}): Machine {
  const root = mkdtempSync(join(tmpdir(), 'cod-probe-machine-'));
  const files: Record<string, string> = {
    'home/.claude/settings.json': `${JSON.stringify({ ...topLevel, env: settings }, null, 2)}\n`,
    ...Object.fromEntries(Object.entries(telemetryFiles).map(([rel, text]) => [`home/.claude/telemetry/${rel}`, text])),
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  for (const d of ['project', 'managed']) mkdirSync(join(root, d), { recursive: true });
  return {
    root,
    args: [
      '--no-shell-env',
      '--claude-version',
      '2.1.197',
      '--home',
      join(root, 'home'),
      '--project',
      join(root, 'project'),
      '--managed-dir',
      join(root, 'managed'),
    ],
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Claude Code's settings for sending metrics and logs to `endpoint` with `protocol`. */
export function telemetrySettings(
  protocol: 'grpc' | 'http/protobuf' | 'http/json',
  endpoint: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    ...extra,
  };
}
