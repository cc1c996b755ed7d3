import type { YamlDocument } from '../load/yaml.js';
import { YamlValue } from '../load/yaml-value.js';
import { canonicalId, type CollectorConfig, type Component } from './collector.js';
import { isLokiImage } from './compose.js';
import type { Stack } from './stack.js';

/** One `schema_config.configs` period: from when Loki stores data with this schema and index store. */
export interface LokiSchemaPeriod {
  from?: string;
  schema?: string;
  store?: string;
  /** Its item of `schema_config.configs`. */
  value: YamlValue;
}

/** A Loki config file: what decides whether Loki 3 takes OTLP logs (its schema and structured metadata). */
export interface LokiConfig {
  yaml: YamlDocument;
  file: string;
  periods: LokiSchemaPeriod[];
  /** `limits_config.allow_structured_metadata` when written as a boolean (true by default from Loki 3.0). */
  allowStructuredMetadata?: { allowed: boolean; value: YamlValue };
}

export function loadLoki(yaml: YamlDocument): LokiConfig {
  const root = YamlValue.root(yaml);
  const periods = (root.at('schema_config', 'configs')?.items() ?? []).map(
    (value): LokiSchemaPeriod => ({ from: value.get('from')?.text(), schema: value.get('schema')?.text(), store: value.get('store')?.text(), value }),
  );
  const allow = root.at('limits_config', 'allow_structured_metadata');
  const allowed = allow?.boolean();
  return { yaml, file: yaml.source.path, periods, allowStructuredMetadata: allow && allowed !== undefined ? { allowed, value: allow } : undefined };
}

/** The period in force now and for new data: the one with the latest `from` (Loki reads them in date order). */
export function currentPeriod(c: LokiConfig): LokiSchemaPeriod | undefined {
  return [...c.periods].sort((a, b) => (a.from ?? '').localeCompare(b.from ?? '')).pop();
}

/** `v13` → 13; undefined for what is not a `v<n>` schema. */
export function schemaNumber(schema: string | undefined): number | undefined {
  const m = /^v(\d+)$/.exec(schema ?? '');
  return m ? Number(m[1]) : undefined;
}

/** The OTLP/HTTP exporter's type names (`otlp_http` from v0.144.0, `otlphttp` before and as an alias). */
export const OTLP_HTTP_TYPES = ['otlphttp', 'otlp_http'];

/** scheme://host[:port] and the path of an http(s) URL; undefined for anything else. */
export function splitHttpUrl(url: string): { base: string; host: string; port?: number; path: string } | undefined {
  const m = /^(https?:\/\/([^/:\s?#]+|\[[^\]]+\])(?::(\d+))?)([^?#\s]*)/i.exec(url.trim());
  return m ? { base: m[1], host: m[2].toLowerCase(), port: m[3] ? Number(m[3]) : undefined, path: m[4] } : undefined;
}

/** Whether a host (and port) is Loki: named so, Loki's port 3100, or a compose service running the grafana/loki image. */
export function isLokiHost(stack: Stack, host: string, port: number | undefined): boolean {
  if (/loki/.test(host) || port === 3100) return true;
  return stack.composes.some((c) => c.services.some((s) => (s.name === host || s.aliases.includes(host)) && isLokiImage(s.repository)));
}

export interface LokiExport {
  collector: CollectorConfig;
  exporter: Component;
  /** `endpoint` (the exporter appends /v1/logs) or `logs_endpoint` (used as written). */
  key: 'endpoint' | 'logs_endpoint';
  /** That key's value in the collector config (where findings about the URL point). */
  value: YamlValue;
  url: NonNullable<ReturnType<typeof splitHttpUrl>>;
}

/** OTLP/HTTP exporters in a logs pipeline that send to Loki. */
export function lokiExports(stack: Stack): LokiExport[] {
  const out: LokiExport[] = [];
  for (const c of stack.collectors.filter((x) => x.yaml.problems.length === 0)) {
    const inLogs = new Set(c.pipelines.filter((p) => p.signal === 'logs').flatMap((p) => p.exporters.map((r) => canonicalId(r.id))));
    for (const e of c.components.filter((x) => x.kind === 'exporters' && OTLP_HTTP_TYPES.includes(x.type) && inLogs.has(canonicalId(x.id)))) {
      // logs_endpoint wins over endpoint.
      const key = typeof e.config.logs_endpoint === 'string' ? 'logs_endpoint' : 'endpoint';
      const value = e.config[key];
      if (typeof value !== 'string' || value.includes('${')) continue;
      const url = splitHttpUrl(value);
      // The key's value; the exporter itself when the value comes from elsewhere (a YAML merge key).
      const exporter = YamlValue.root(c.yaml).at(...e.path.map(String));
      const located = exporter?.get(key) ?? exporter;
      if (url && located && isLokiHost(stack, url.host, url.port)) out.push({ collector: c, exporter: e, key, value: located, url });
    }
  }
  return out;
}
