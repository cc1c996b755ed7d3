import { claudeDashboard } from './dashboard.js';
import { DATASOURCE_UIDS, DEFAULT_PORTS, IMAGES, SERVICES, type CollectorPorts } from './pins.js';

/**
 * The files of `init`'s local stack (Mode 1), as text: Claude Code → OTLP → collector → Prometheus (metrics) and
 * Loki (events) → Grafana. Each file says briefly why it is the way it is; docs/init.md has the longer story.
 */

export interface GeneratedFile {
  /** Path relative to the output folder, with `/`. */
  rel: string;
  text: string;
  /** 0644 for what containers read (their users are not yours), 0600 for the password, 0755 for scripts. */
  mode: number;
}

export const ENV_FILE = '.env';
export const PASSWORD_VARIABLE = 'GF_SECURITY_ADMIN_PASSWORD';

/** Metric series Prometheus keeps after Claude Code stops sending: far above the scrape interval. */
const METRIC_EXPIRATION = '60m';
const SCRAPE_INTERVAL = '15s';

export function collectorConfig(ports: CollectorPorts = DEFAULT_PORTS): string {
  return `# OpenTelemetry Collector for Claude Code, written by claude-otel-doctor init.
# Claude Code sends OTLP here; metrics go to the prometheus exporter (scraped by Prometheus), events to Loki.

extensions:
  health_check:
    # 0.0.0.0, not the default localhost: inside a container localhost is unreachable through a published port.
    endpoint: 0.0.0.0:${ports.health}

receivers:
  otlp:
    protocols:
      # Explicit 0.0.0.0: since v0.104.0 receivers default to localhost, which a published port cannot reach.
      grpc:
        endpoint: 0.0.0.0:${ports.grpc}
      http:
        endpoint: 0.0.0.0:${ports.http}

processors:
  # First in every pipeline: refuses data before the collector runs out of memory (it has no defaults).
  memory_limiter:
    check_interval: 1s
    limit_mib: 400
    spike_limit_mib: 100
  batch: {}

exporters:
  prometheus:
    endpoint: 0.0.0.0:${ports.prometheus}
    # No namespace: Claude Code's metric names already start with claude_code (a namespace would double it:
    # claude_code_claude_code_...). The default translation adds units and _total: claude_code_cost_usage_USD_total.
    # Claude Code sends deltas; this exporter sums them and forgets a series idle for longer than this.
    metric_expiration: ${METRIC_EXPIRATION}
  otlp_http/loki:
    # Loki's native OTLP ingestion; the exporter appends /v1/logs. (The old loki exporter left the collector in v0.131.0.)
    endpoint: http://${SERVICES.loki}:3100/otlp

service:
  extensions: [health_check]
  pipelines:
    metrics:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [prometheus]
    logs:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [otlp_http/loki]
`;
}

export function prometheusConfig(): string {
  return `# Prometheus for Claude Code's metrics, written by claude-otel-doctor init.

global:
  # Well below the collector exporter's metric_expiration (${METRIC_EXPIRATION}) and the 5m lookback.
  scrape_interval: ${SCRAPE_INTERVAL}
  evaluation_interval: ${SCRAPE_INTERVAL}

scrape_configs:
  - job_name: ${SERVICES.collector}
    # Keep job="claude-code" from Claude Code's service.name instead of renaming it to exported_job.
    honor_labels: true
    static_configs:
      # The compose service name: inside the Prometheus container localhost is Prometheus itself.
      - targets: ["${SERVICES.collector}:${DEFAULT_PORTS.prometheus}"]
`;
}

export function lokiConfig(): string {
  return `# Loki for Claude Code's events (OTLP log records from the collector), written by claude-otel-doctor init.
# Native OTLP ingestion (POST /otlp/v1/logs) needs structured metadata, schema v13 and the tsdb index.

auth_enabled: false

server:
  http_listen_port: 3100

common:
  instance_addr: 127.0.0.1
  path_prefix: /loki
  storage:
    filesystem:
      chunks_directory: /loki/chunks
      rules_directory: /loki/rules
  replication_factor: 1
  ring:
    kvstore:
      store: inmemory

schema_config:
  configs:
    - from: 2024-01-01
      store: tsdb
      object_store: filesystem
      schema: v13
      index:
        prefix: index_
        period: 24h

limits_config:
  allow_structured_metadata: true

analytics:
  reporting_enabled: false
`;
}

export function composeFile(): string {
  const p = DEFAULT_PORTS;
  return `# Claude Code telemetry stack, written by claude-otel-doctor init.
# Claude Code → OTLP (gRPC ${p.grpc}, HTTP ${p.http}) → collector → Prometheus (metrics) + Loki (events) → Grafana.
# Every port is published on 127.0.0.1 only: nothing here is reachable from other machines.
# Start: docker compose -f <this file> up -d   (Compose reads the Grafana password from .env beside it)

name: claude-code-telemetry

services:
  ${SERVICES.collector}:
    image: ${IMAGES.collector}
    command: ["--config=/etc/otelcol-contrib/config.yaml"]
    volumes:
      - ./otel-collector-config.yaml:/etc/otelcol-contrib/config.yaml:ro
    ports:
      - "127.0.0.1:${p.grpc}:${p.grpc}"     # OTLP gRPC: Claude Code sends here
      - "127.0.0.1:${p.http}:${p.http}"     # OTLP HTTP
      - "127.0.0.1:${p.prometheus}:${p.prometheus}"     # the prometheus exporter, to see what Prometheus scrapes
      - "127.0.0.1:${p.health}:${p.health}"   # health_check
    # No healthcheck: the image is built FROM scratch (no shell, curl or wget); probe ${p.health} from the host.
    depends_on: [${SERVICES.loki}]
    restart: unless-stopped

  ${SERVICES.prometheus}:
    image: ${IMAGES.prometheus}
    command:
      - "--config.file=/etc/prometheus/prometheus.yml"
      - "--storage.tsdb.path=/prometheus"
      - "--storage.tsdb.retention.time=30d"
    volumes:
      - ./prometheus.yml:/etc/prometheus/prometheus.yml:ro
      - prometheus-data:/prometheus
    ports:
      - "127.0.0.1:9090:9090"
    restart: unless-stopped

  ${SERVICES.loki}:
    image: ${IMAGES.loki}
    command: ["-config.file=/etc/loki/local-config.yaml"]
    volumes:
      - ./loki-config.yaml:/etc/loki/local-config.yaml:ro
      - loki-data:/loki
    ports:
      - "127.0.0.1:3100:3100"
    restart: unless-stopped

  ${SERVICES.grafana}:
    image: ${IMAGES.grafana}
    environment:
      GF_SECURITY_ADMIN_USER: admin
      # From .env (mode 0600), never written here; it only seeds the admin on Grafana's first start.
      ${PASSWORD_VARIABLE}: "\${${PASSWORD_VARIABLE}:?is not set: init writes it to .env beside this file}"
      GF_USERS_ALLOW_SIGN_UP: "false"
      GF_ANALYTICS_REPORTING_ENABLED: "false"
    volumes:
      - ./grafana/provisioning:/etc/grafana/provisioning:ro
      - ./grafana/dashboards:/etc/grafana/dashboards:ro
      - grafana-data:/var/lib/grafana
    ports:
      - "127.0.0.1:3000:3000"
    depends_on: [${SERVICES.prometheus}, ${SERVICES.loki}]
    restart: unless-stopped

volumes:
  prometheus-data:
  loki-data:
  grafana-data:
`;
}

export function datasourcesFile(): string {
  return `# Grafana datasources, written by claude-otel-doctor init. Fixed UIDs: the dashboards reference them.
apiVersion: 1

datasources:
  - name: Prometheus
    type: prometheus
    uid: ${DATASOURCE_UIDS.prometheus}
    access: proxy
    # Service names: inside the Grafana container localhost is Grafana itself.
    url: http://${SERVICES.prometheus}:9090
    isDefault: true
    jsonData:
      timeInterval: ${SCRAPE_INTERVAL}
  - name: Loki
    type: loki
    uid: ${DATASOURCE_UIDS.loki}
    access: proxy
    url: http://${SERVICES.loki}:3100
`;
}

export function dashboardProviderFile(): string {
  return `# Grafana dashboard provider, written by claude-otel-doctor init: loads the JSON files mounted at its path.
apiVersion: 1

providers:
  - name: claude-code
    type: file
    folder: Claude Code
    allowUiUpdates: true
    options:
      path: /etc/grafana/dashboards
`;
}

export function envFile(password: string): string {
  return `# Grafana's admin password (user admin) for the Claude Code telemetry stack, generated by claude-otel-doctor init.
# Docker Compose reads this file from the folder of docker-compose.yml. Keep it private (mode 0600).
${PASSWORD_VARIABLE}=${password}
`;
}

/** Every file of the local stack. */
export function localStackFiles(password: string): GeneratedFile[] {
  const shared = 0o644;
  return [
    { rel: 'docker-compose.yml', text: composeFile(), mode: shared },
    { rel: 'otel-collector-config.yaml', text: collectorConfig(), mode: shared },
    { rel: 'prometheus.yml', text: prometheusConfig(), mode: shared },
    { rel: 'loki-config.yaml', text: lokiConfig(), mode: shared },
    { rel: 'grafana/provisioning/datasources/datasources.yaml', text: datasourcesFile(), mode: shared },
    { rel: 'grafana/provisioning/dashboards/dashboards.yaml', text: dashboardProviderFile(), mode: shared },
    { rel: 'grafana/dashboards/claude-code.json', text: `${JSON.stringify(claudeDashboard(), null, 2)}\n`, mode: shared },
    { rel: ENV_FILE, text: envFile(password), mode: 0o600 },
  ];
}
