import type { YamlPath } from '../load/yaml.js';
import type { ComponentKind } from './collector.js';
import { moduleKey } from './components.js';

/**
 * Options a component cannot run without: the collector validates them (or fails creating the component)
 * and refuses to start. Each entry's error is the collector's own text, as the oracle builds print it
 * (v0.105.0 and v0.165.0; where they differ, the newer). Values still holding `${…}` count as present:
 * what they expand to is judged by collector/unset-variable.
 */
export interface RequiredOptionFailure {
  /** The option to point at, below the component's key. */
  path: YamlPath;
  /** What the collector says. */
  error: string;
  /**
   * `validate`: checked for every configured component, used or not; `create`: only when a pipeline builds
   * it (or, for extensions, service.extensions lists it).
   */
  stage: 'validate' | 'create';
}

type Check = (config: Record<string, unknown>) => RequiredOptionFailure[];

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
const unresolved = (v: unknown) => typeof v === 'string' && v.includes('${');

/** Go's url.ParseRequestURI, roughly: an absolute URL with a scheme, or an absolute path. */
function requestUri(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  if (unresolved(v)) return true;
  return /^[A-Za-z][A-Za-z0-9+.-]*:\S*$/.test(v) || v.startsWith('/');
}

const CHECKS: Record<string, Check> = {
  'exporters:otlp': (c) => (blank(c.endpoint) ? [{ path: ['endpoint'], error: 'requires a non-empty "endpoint"', stage: 'validate' }] : []),
  'exporters:otlphttp': (c) =>
    ['endpoint', 'traces_endpoint', 'metrics_endpoint', 'logs_endpoint'].every((k) => blank(c[k]))
      ? [{ path: ['endpoint'], error: 'at least one endpoint must be specified', stage: 'validate' }]
      : [],
  'exporters:prometheus': (c) =>
    blank(c.endpoint) ? [{ path: ['endpoint'], error: 'expecting a non-blank address to run the Prometheus metrics handler', stage: 'create' }] : [],
  'exporters:prometheusremotewrite': (c) =>
    !requestUri(c.endpoint ?? 'http://some.url:9411/api/prom/push') ? [{ path: ['endpoint'], error: 'invalid endpoint', stage: 'create' }] : [],
  'exporters:loki': (c) => (!requestUri(c.endpoint) ? [{ path: ['endpoint'], error: '"endpoint" must be a valid URL', stage: 'validate' }] : []),
  'extensions:bearertokenauth': (c) =>
    blank(c.token) && blank(c.filename) && !(Array.isArray(c.tokens) && c.tokens.length)
      ? [{ path: ['token'], error: 'no bearer token provided', stage: 'validate' }]
      : [],
  'extensions:healthcheck': (c) =>
    'endpoint' in c && blank(c.endpoint) ? [{ path: ['endpoint'], error: 'endpoint must be specified', stage: 'validate' }] : [],
  'processors:memorylimiter': (c) => {
    const zero = (v: unknown) => blank(v) || v === 0 || v === '0s';
    const out: RequiredOptionFailure[] = [];
    if (zero(c.check_interval)) out.push({ path: ['check_interval'], error: "'check_interval' must be greater than zero", stage: 'validate' });
    if (zero(c.limit_mib) && zero(c.limit_percentage))
      out.push({ path: ['limit_mib'], error: "'limit_mib' or 'limit_percentage' must be greater than zero", stage: 'validate' });
    return out;
  },
  'processors:resource': (c) => {
    const attributes = Array.isArray(c.attributes) ? c.attributes : [];
    return attributes.flatMap((a, i) => {
      if (!isObject(a) || !['insert', 'update', 'upsert'].includes(String(a.action))) return [];
      if (['value', 'from_attribute', 'from_context', 'default_value'].some((k) => a[k] !== undefined && a[k] !== null)) return [];
      return [
        {
          path: ['attributes', i, 'value'],
          error: `error with key ${JSON.stringify(String(a.key ?? ''))} (${i}-th action): Either field "value", "from_attribute", "from_context", or "default_value" must be specified`,
          stage: 'create',
        },
      ];
    });
  },
};

/** Required options the (plain) config of a component misses; [] for components without such rules. */
export function requiredOptionFailures(kind: ComponentKind, type: string, config: unknown): RequiredOptionFailure[] {
  const check = CHECKS[moduleKey(kind, type)];
  return check ? check(isObject(config) ? config : {}) : [];
}
