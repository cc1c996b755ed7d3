import { NEWEST_KNOWN_COLLECTOR, NEWEST_KNOWN_PROMETHEUS } from '../model/versions.js';
import type { MetricsPipeline } from '../model/naming.js';

/**
 * What `init` pins and where things listen. The collector and Prometheus pins are the newest releases the
 * doctor's version-gated rules know (the same pins compose/unpinned-image suggests), so the doctor judges the
 * stack at exactly the versions that run. Loki and Grafana have no version-gated rules; their pins are
 * releases with native OTLP ingestion (Loki >= 3.0) and file provisioning of datasources and dashboards.
 */
export const IMAGES = {
  collector: `otel/opentelemetry-collector-contrib:${NEWEST_KNOWN_COLLECTOR}`,
  prometheus: `prom/prometheus:v${NEWEST_KNOWN_PROMETHEUS}`,
  loki: 'grafana/loki:3.5.0',
  grafana: 'grafana/grafana:12.0.0',
} as const;

export interface CollectorPorts {
  grpc: number;
  http: number;
  /** The prometheus exporter Prometheus scrapes. */
  prometheus: number;
  /** The health_check extension. */
  health: number;
}

export const DEFAULT_PORTS: CollectorPorts = { grpc: 4317, http: 4318, prometheus: 8889, health: 13133 };

/** Fixed datasource UIDs, so the dashboard's references resolve on any Grafana this stack provisions. */
export const DATASOURCE_UIDS = { prometheus: 'prometheus', loki: 'loki' } as const;

/** The compose service names, which are also the host names inside the stack's network. */
export const SERVICES = { collector: 'otel-collector', prometheus: 'prometheus', loki: 'loki', grafana: 'grafana' } as const;

/**
 * How the generated collector config brings metrics to Prometheus: the prometheus exporter without a namespace
 * (Claude Code's names already start with claude_code) and the default translation (units and _total added).
 * The dashboard takes its series names from the naming model for exactly this pipeline.
 */
export const STACK_PIPELINE: MetricsPipeline = { kind: 'collector-prometheus', collectorVersion: NEWEST_KNOWN_COLLECTOR };

/** Claude Code's user settings for the local stack (gRPC to the published 4317). */
export const LOCAL_SETTINGS: Record<string, string> = {
  CLAUDE_CODE_ENABLE_TELEMETRY: '1',
  OTEL_METRICS_EXPORTER: 'otlp',
  OTEL_LOGS_EXPORTER: 'otlp',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
  OTEL_EXPORTER_OTLP_ENDPOINT: `http://localhost:${DEFAULT_PORTS.grpc}`,
};
