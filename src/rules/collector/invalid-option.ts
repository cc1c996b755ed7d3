import { defineRule, type RuleFinding } from '../define.js';
import { parseGoDuration, type Component } from '../../model/collector.js';
import type { YamlPath } from '../../load/yaml.js';
import { atYaml } from '../yaml-locate.js';

/** Options that hold Go durations in the components Claude Code stacks use (batch, memory_limiter, prometheus, exporter helpers). */
const DURATION_KEYS = new Set(['timeout', 'check_interval', 'metric_expiration', 'initial_interval', 'max_interval', 'max_elapsed_time', 'max_stale', 'flush_interval']);

export default defineRule({
  id: 'collector/invalid-option',
  severity: 'error',
  title: 'A component option the collector cannot read',
  checks:
    'Option values the collector rejects when it loads the config: a duration that is not a Go duration (`1d`, `30 s`, a bare number), and an `otlp` (gRPC) exporter without `endpoint`.',
  why: 'The collector refuses the whole config and does not start: `time: unknown unit "d" in duration "1d"` (durations are Go durations: ns, us, ms, s, m, h; there are no days), `exporters::otlp: requires a non-empty "endpoint"`. Prometheus durations (`1d`, `2w`) copied into a collector config are the usual cause.',
  fix: 'none',
  versions: 'all collector versions (observed on 0.105.0 and 0.165.0)',
  bad: { file: 'otel-collector-config.yml', text: 'exporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n    metric_expiration: 1d\n' },
  good: { file: 'otel-collector-config.yml', text: 'exporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n    metric_expiration: 24h\n' },
  references: ['prometheus.md §1 (three duration formats in one stack)', 'collector.md §2.10 (otlp exporter: requires a non-empty "endpoint")'],
  oracle: 'collector',
  fatalIn: () => true,
  check(ws) {
    const findings: RuleFinding[] = [];
    for (const c of ws.stack.collectors.filter((x) => x.yaml.problems.length === 0)) {
      for (const comp of c.components) {
        walk(comp.config, comp.path, (key, value, path) => {
          if (!DURATION_KEYS.has(key) || typeof value !== 'string' || value.includes('${')) return;
          if (parseGoDuration(value) !== undefined) return;
          findings.push({
            ...atYaml(c.yaml, path, 'value'),
            message: `${comp.kind}.${comp.id}: ${key}: ${JSON.stringify(value)} is not a Go duration: the collector refuses this config and does not start`,
            hint: `use ns, us, ms, s, m or h, e.g. ${suggest(value)}`,
          });
        });
        if (comp.kind === 'exporters' && isOtlpGrpc(comp) && !(typeof comp.config.endpoint === 'string' && comp.config.endpoint.trim() !== '')) {
          findings.push({
            ...atYaml(c.yaml, comp.path),
            message: `exporters.${comp.id} has no endpoint: the collector refuses this config ("requires a non-empty \\"endpoint\\"") and does not start`,
            hint: 'set endpoint to the receiving host and port, e.g. tempo:4317',
          });
        }
      }
    }
    return findings;
  },
});

function isOtlpGrpc(comp: Component): boolean {
  return comp.type === 'otlp' || comp.type === 'otlp_grpc';
}

function walk(value: unknown, path: YamlPath, visit: (key: string, value: unknown, path: YamlPath) => void): void {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value)) {
    visit(k, v, [...path, k]);
    walk(v, [...path, k], visit);
  }
}

/** `1d` → `24h`, `2w` → `336h`, a bare number → seconds; otherwise a generic example. */
function suggest(value: string): string {
  const m = /^(\d+)\s*(d|w)$/.exec(value.trim());
  if (m) return `${Number(m[1]) * (m[2] === 'd' ? 24 : 168)}h`;
  if (/^\d+$/.test(value.trim())) return `${value.trim()}s`;
  return '5m or 180m';
}
