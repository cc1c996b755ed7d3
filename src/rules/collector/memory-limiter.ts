import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlReorderList } from '../../model/edits.js';
import { canonicalId, parseGoDuration, type Component } from '../../model/collector.js';

const messages = {
  /** `problem`: the collector's validation error. */
  settings: {
    message: (d: { processor: string }) => `processor "${d.processor}" has invalid settings: the collector refuses this config and does not start`,
    detail: (d: { processor: string; problem: string; unused: boolean }) =>
      `the collector says processors::${d.processor}: ${d.problem}${d.unused ? '; it is validated even though no pipeline uses it' : ''}`,
  },
  notFirst: {
    message: (d: { processor: string; pipeline: string }) =>
      `${d.processor} is not the first processor of pipeline "${d.pipeline}": it does not protect the collector`,
    detail: (d: { before: string[] }) =>
      `after ${d.before.join(', ')}: data is already held in memory by ${d.before.length > 1 ? 'those' : 'that'} before the limiter can refuse it`,
  },
} as const;

export default defineRule({
  id: 'collector/memory-limiter',
  severity: 'error',
  title: 'memory_limiter without its settings, or not the first processor',
  checks:
    'Every `memory_limiter` processor has `check_interval` above zero and `limit_mib` or `limit_percentage` (spike limits below the limits, percentages at most 100); and in each pipeline that uses it, it is the first processor.',
  why: "Its settings default to zero, so a bare `memory_limiter:` fails validation and the collector does not start: \"processors::memory_limiter: 'check_interval' must be greater than zero\", then \"'limit_mib' or 'limit_percentage' must be greater than zero\" (this happens even when no pipeline uses it). Placed after other processors it is accepted, but data is already batched or transformed in memory before the limiter can refuse it, so it does not protect the collector (processor README: put it first).",
  fix: 'safe',
  fixDescription:
    "Moves `memory_limiter` to the front of the pipeline's processor list, keeping the other processors in their order. Missing settings are not invented: the hint suggests values.",
  versions: 'all collector versions',
  bad: {
    file: 'otel-collector-config.yml',
    text: 'processors:\n  batch:\n  memory_limiter:\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      processors: [batch, memory_limiter]\n      exporters: [prometheus]\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'processors:\n  batch:\n  memory_limiter:\n    check_interval: 1s\n    limit_percentage: 80\n    spike_limit_percentage: 25\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      processors: [memory_limiter, batch]\n      exporters: [prometheus]\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/internal/memorylimiter/config.go (the validation errors)',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/processor/memorylimiterprocessor/README.md (placement is a recommendation)',
  ],
  oracle: 'collector',
  stage: 'Collector',
  // Settings errors fail `validate`; the order is advice.
  messages,
  fatalIn: (_version, finding) => finding.kind === 'settings',
  check(ws) {
    const findings: RuleFinding<typeof messages>[] = [];
    for (const c of ws.stack.collectors.filter((x) => x.yaml.problems.length === 0)) {
      const limiters = c.components.filter((x) => x.kind === 'processors' && x.type === 'memory_limiter');
      const used = new Set(c.pipelines.flatMap((p) => p.processors.map((r) => canonicalId(r.id))));
      for (const m of limiters) {
        for (const problem of settingsProblems(m)) {
          const option = problem.key ? m.value.get(problem.key) : undefined;
          findings.push({
            ...(option ? option.location('value') : m.value.location()),
            severity: 'error',
            kind: 'settings',
            data: { processor: m.id, problem: problem.text, unused: !used.has(canonicalId(m.id)) },
            hint: problem.hint,
          });
        }
      }
      const ids = new Set(limiters.map((m) => canonicalId(m.id)));
      for (const p of c.pipelines) {
        const index = p.processors.findIndex((r) => ids.has(canonicalId(r.id)));
        if (index <= 0) continue;
        const ref = p.processors[index];
        const before = p.processors.slice(0, index).map((r) => r.id);
        const order = [index, ...p.processors.map((_, i) => i).filter((i) => i !== index)];
        findings.push({
          ...ref.value.location('value'),
          severity: 'warning',
          kind: 'notFirst',
          data: { processor: ref.id, pipeline: p.id, before },
          hint: `list ${ref.id} first: [${order.map((i) => p.processors[i].id).join(', ')}]`,
          fix: fix('safe', `move ${ref.id} to the front of the ${p.id} pipeline's processors`, yamlReorderList(c.yaml, [...p.path, 'processors'], order)),
        });
      }
    }
    return findings;
  },
});

interface Problem {
  key?: string;
  text: string;
  hint: string;
}

const LIMIT_HINT = 'set limit_percentage: 80 and spike_limit_percentage: 25 (or limit_mib with spike_limit_mib about a fifth of it)';

/** The validation errors of a memory_limiter's settings (internal/memorylimiter/config.go Validate), unknown values skipped. */
export function settingsProblems(m: Component): Problem[] {
  const cfg = m.value;
  const out: Problem[] = [];
  const interval = cfg.get('check_interval');
  const seconds = !interval || interval.isNull() ? 0 : goDurationSeconds(interval.number() ?? interval.string());
  if (seconds !== undefined && seconds <= 0)
    out.push({ key: 'check_interval', text: "'check_interval' must be greater than zero", hint: 'set check_interval: 1s' });
  // Unset or empty is zero; anything but a number is not judged.
  const num = (key: string): number | undefined => {
    const v = cfg.get(key);
    return !v || v.isNull() ? 0 : v.number();
  };
  const limitMib = num('limit_mib');
  const limitPct = num('limit_percentage');
  const spikeMib = num('spike_limit_mib');
  const spikePct = num('spike_limit_percentage');
  if (limitMib === undefined || limitPct === undefined || spikeMib === undefined || spikePct === undefined) return out;
  if (limitMib === 0 && limitPct === 0) {
    out.push({
      key: cfg.has('limit_mib') ? 'limit_mib' : cfg.has('limit_percentage') ? 'limit_percentage' : undefined,
      text: "'limit_mib' or 'limit_percentage' must be greater than zero",
      hint: LIMIT_HINT,
    });
  } else if (limitPct > 100 || spikePct > 100) {
    out.push({
      key: limitPct > 100 ? 'limit_percentage' : 'spike_limit_percentage',
      text: "'limit_percentage' and 'spike_limit_percentage' must be greater than zero and less than or equal to hundred",
      hint: LIMIT_HINT,
    });
  } else if (limitMib > 0 && limitMib <= spikeMib) {
    out.push({ key: 'spike_limit_mib', text: "'spike_limit_mib' must be smaller than 'limit_mib'", hint: 'make spike_limit_mib about a fifth of limit_mib' });
  } else if (limitPct > 0 && limitPct <= spikePct) {
    out.push({
      key: 'spike_limit_percentage',
      text: "'spike_limit_percentage' must be smaller than 'limit_percentage'",
      hint: 'e.g. limit_percentage: 80 with spike_limit_percentage: 25',
    });
  }
  return out;
}

/** A Go duration (`1s`, `500ms`, `1m30s`; a bare integer is nanoseconds) in seconds; undefined when unknown. */
export function goDurationSeconds(v: unknown): number | undefined {
  if (typeof v === 'number') return v / 1e9;
  return typeof v === 'string' ? parseGoDuration(v) : undefined;
}
