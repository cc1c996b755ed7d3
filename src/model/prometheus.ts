import type { YamlDocument, YamlPath } from '../load/yaml.js';

export interface ScrapeTarget {
  /** As written, e.g. `otel-collector:8889`. */
  raw: string;
  host: string;
  port?: number;
  path: YamlPath;
}

export interface ScrapeJob {
  name: string;
  /** Effective interval in seconds (job's, else global, else 60). */
  intervalSeconds?: number;
  intervalRaw?: string;
  honorLabels: boolean;
  targets: ScrapeTarget[];
  metricsPath: string;
  path: YamlPath;
}

export interface PrometheusConfig {
  yaml: YamlDocument;
  file: string;
  globalIntervalRaw?: string;
  jobs: ScrapeJob[];
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Prometheus durations (`model.ParseDuration`): `[0-9]+(ms|s|m|h|d|w|y)` concatenated from the largest unit to
 * the smallest, each unit at most once (1h30m, not 30m1h), or bare 0; undefined when invalid.
 */
export function parsePromDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const m = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(text);
  if (!m || text === '') return undefined;
  const mult = [31536000, 604800, 86400, 3600, 60, 1, 0.001];
  return mult.reduce((total, k, i) => total + Number(m[i + 1] ?? 0) * k, 0);
}

export function loadPrometheus(yaml: YamlDocument): PrometheusConfig {
  const root = isObject(yaml.value) ? yaml.value : {};
  const global = isObject(root.global) ? root.global : {};
  const globalIntervalRaw = typeof global.scrape_interval === 'string' ? global.scrape_interval : undefined;
  const jobs = (Array.isArray(root.scrape_configs) ? root.scrape_configs : []).map((j, i): ScrapeJob => {
    const job = isObject(j) ? j : {};
    const path = ['scrape_configs', i];
    const intervalRaw = typeof job.scrape_interval === 'string' ? job.scrape_interval : globalIntervalRaw;
    const targets: ScrapeTarget[] = [];
    (Array.isArray(job.static_configs) ? job.static_configs : []).forEach((sc, k) => {
      const list = isObject(sc) && Array.isArray(sc.targets) ? sc.targets : [];
      list.forEach((t, n) => {
        const raw = String(t);
        const m = /^(?:[a-z]+:\/\/)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?/i.exec(raw);
        targets.push({ raw, host: (m?.[1] ?? raw).replace(/^\[|\]$/g, ''), port: m?.[2] ? Number(m[2]) : undefined, path: [...path, 'static_configs', k, 'targets', n] });
      });
    });
    return {
      name: String(job.job_name ?? ''),
      intervalRaw,
      intervalSeconds: intervalRaw === undefined ? 60 : parsePromDuration(intervalRaw),
      honorLabels: job.honor_labels === true,
      targets,
      metricsPath: typeof job.metrics_path === 'string' ? job.metrics_path : '/metrics',
      path,
    };
  });
  return { yaml, file: yaml.source.path, globalIntervalRaw, jobs };
}
