import type { YamlDocument, YamlPath } from '../load/yaml.js';
import { YamlValue } from '../load/yaml-value.js';

export interface ScrapeTarget {
  /** As written, e.g. `otel-collector:8889`. */
  raw: string;
  host: string;
  port?: number;
  path: YamlPath;
  /** The target as written (when `targets` is an alias, the alias: the nearest place in the file). */
  value: YamlValue;
}

/** How often a job scrapes, as Prometheus applies it: its own interval, else the global one (zero or invalid: unset), else 1m. */
export interface EffectiveInterval {
  seconds: number;
  text: string;
  /** The `scrape_interval` it comes from; undefined for the 1m default. */
  from?: YamlValue;
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
  /** The `scrape_configs` entry. */
  value: YamlValue;
  interval: EffectiveInterval;
  /** It discovers targets dynamically (`*_sd_configs`), so what it scrapes is unknown. */
  discovers: boolean;
}

export interface PrometheusConfig {
  yaml: YamlDocument;
  file: string;
  globalIntervalRaw?: string;
  jobs: ScrapeJob[];
  /** The whole document. */
  root: YamlValue;
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

/** A `scrape_interval` that sets one: written, not null, and a valid non-zero duration. */
function ownInterval(v: YamlValue | undefined): EffectiveInterval | undefined {
  const text = v === undefined || v.isNull() ? undefined : String(v.js);
  const seconds = text === undefined ? undefined : parsePromDuration(text);
  return seconds ? { seconds, text: text!, from: v } : undefined;
}

/**
 * The values are read from the plain document (aliases resolved); each YAML value is the one at the same index,
 * or the nearest enclosing one when an alias stands for the list.
 */
export function loadPrometheus(yaml: YamlDocument): PrometheusConfig {
  const rootValue = YamlValue.root(yaml);
  const root = isObject(yaml.value) ? yaml.value : {};
  const global = isObject(root.global) ? root.global : {};
  const globalIntervalRaw = typeof global.scrape_interval === 'string' ? global.scrape_interval : undefined;
  const globalInterval = ownInterval(rootValue.at('global', 'scrape_interval')) ?? { seconds: 60, text: '1m' };
  const jobValues = rootValue.get('scrape_configs')?.items() ?? [];
  const jobs = (Array.isArray(root.scrape_configs) ? root.scrape_configs : []).map((j, i): ScrapeJob => {
    const job = isObject(j) ? j : {};
    const path = ['scrape_configs', i];
    const jobValue = jobValues[i] ?? rootValue.get('scrape_configs')!;
    const intervalRaw = typeof job.scrape_interval === 'string' ? job.scrape_interval : globalIntervalRaw;
    const targets: ScrapeTarget[] = [];
    const groupValues = jobValue.get('static_configs')?.items() ?? [];
    (Array.isArray(job.static_configs) ? job.static_configs : []).forEach((sc, k) => {
      const list = isObject(sc) && Array.isArray(sc.targets) ? sc.targets : [];
      const listValue = groupValues[k]?.get('targets') ?? groupValues[k] ?? jobValue;
      const targetValues = listValue.items();
      list.forEach((t, n) => {
        const raw = String(t);
        const m = /^(?:[a-z]+:\/\/)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?/i.exec(raw);
        const value = targetValues[n] ?? listValue;
        targets.push({
          raw,
          host: (m?.[1] ?? raw).replace(/^\[|\]$/g, ''),
          port: m?.[2] ? Number(m[2]) : undefined,
          path: [...path, 'static_configs', k, 'targets', n],
          value,
        });
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
      value: jobValue,
      interval: ownInterval(jobValue.get('scrape_interval')) ?? globalInterval,
      discovers: Object.keys(job).some((k) => k.endsWith('_sd_configs')),
    };
  });
  return { yaml, file: yaml.source.path, globalIntervalRaw, jobs, root: rootValue };
}
