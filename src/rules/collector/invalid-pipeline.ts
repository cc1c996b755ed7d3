import { defineRule, type RuleFinding } from '../define.js';
import { canonicalId, splitId, type CollectorConfig, type ComponentKind, type ComponentRef } from '../../model/collector.js';
import { nodeAt } from '../../load/yaml.js';
import type { Stack } from '../../model/stack.js';
import { atYaml } from '../../model/yaml-locate.js';
import { atLeast, collectorVersionText } from '../../model/collector-version-text.js';

export const SIGNALS = ['traces', 'metrics', 'logs'] as const;
export type Signal = (typeof SIGNALS)[number];

/**
 * Signals a component type supports, where that is narrower than all three (the component's factory
 * registers only these; anything else fails with "telemetry type is not supported"). Types not listed
 * are not judged.
 */
export const SIGNAL_SUPPORT: Partial<Record<ComponentKind, Record<string, Signal[]>>> = {
  exporters: { prometheus: ['metrics'], prometheusremotewrite: ['metrics'], loki: ['logs'], zipkin: ['traces'], jaeger: ['traces'], jaeger_thrift: ['traces'] },
  receivers: { prometheus: ['metrics'], hostmetrics: ['metrics'], zipkin: ['traces'], jaeger: ['traces'], filelog: ['logs'] },
  processors: {
    deltatocumulative: ['metrics'],
    cumulativetodelta: ['metrics'],
    metricstransform: ['metrics'],
    tail_sampling: ['traces'],
    groupbytrace: ['traces'],
    probabilistic_sampler: ['traces', 'logs'],
  },
};

/** component.ID rules (component/identifiable.go): type regex since v0.87, name character set since v0.106.0 (#10674). */
const TYPE_RE = /^[a-zA-Z][0-9a-zA-Z_]{0,62}$/;
const NAME_RE = /^[^\p{Z}\p{C}\p{S}]+$/u;
const NAME_RULES_FROM = '0.106.0';
/** `validate` builds the pipeline graph (and so catches unsupported signals) from v0.124.0 (#8721). */
const VALIDATE_GRAPH_FROM = '0.124.0';
const NAME_MARK = 'invalid character(s) in name';

export default defineRule({
  id: 'collector/invalid-pipeline',
  severity: 'error',
  title: 'Pipelines the collector rejects',
  checks:
    'The service has at least one pipeline; every pipeline has a receiver and an exporter; pipeline ids are `traces|metrics|logs[/name]` and component ids `type[/name]` with valid characters; no processor is listed twice in one pipeline; every component supports the pipeline\'s signal (e.g. `prometheus` and `prometheusremotewrite` only take metrics, `loki` only logs); the file has no top-level key besides receivers, processors, exporters, connectors, extensions and service (a `pipelines:` written at the top level instead of under `service:` is the usual one).',
  why: 'The collector refuses to start, and the container restarts in a loop: "service must have at least one pipeline", "service::pipelines::metrics: must have at least one receiver", "references processor "batch" multiple times", "unknown pipeline signal: "metric"", "invalid character(s) in type "bad.type"". An exporter in a pipeline of a signal it does not support passes `otelcol validate` before v0.124.0 and only fails when the collector starts: "failed to build pipelines: failed to create "prometheus" exporter for data type "traces": telemetry type is not supported".',
  fix: 'none',
  versions: 'all collector versions; unsupported signals are caught by `validate` from v0.124.0 (at start before); name characters are checked from v0.106.0',
  bad: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n    traces:\n      receivers: [otlp]\n      exporters: [prometheus]\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n  debug:\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n',
  },
  references: [
    'collector.md §3 (what `otelcol validate` enforces, with the exact texts)',
    'opentelemetry-collector service/pipelines/config.go, component/identifiable.go, pipeline/pipeline.go, service/internal/graph',
    'opentelemetry-collector CHANGELOG v0.124.0 (#8721: validate builds the pipeline graph); PR #10674 (name characters, v0.106.0)',
  ],
  oracle: 'collector',
  stage: 'Collector',
  fatalIn: (version, finding) => (finding.message.includes(NAME_MARK) ? atLeast(version, NAME_RULES_FROM) : true),
  check(ws) {
    return ws.stack.collectors.filter((c) => c.yaml.problems.length === 0).flatMap((c) => [...topLevelKeys(c), ...componentIds(c, ws.stack), ...pipelines(c, ws.stack)]);
  },
});

const TOP_LEVEL = new Set(['receivers', 'processors', 'exporters', 'connectors', 'extensions', 'service']);

/** A top-level key the collector does not know makes it refuse the whole file (`'' has invalid keys: <key>`). */
function topLevelKeys(c: CollectorConfig): RuleFinding[] {
  const root = c.yaml.value;
  if (!root || typeof root !== 'object' || Array.isArray(root)) return [];
  return Object.keys(root)
    .filter((k) => !TOP_LEVEL.has(k))
    .map((k) => ({
      ...atYaml(c.yaml, [k]),
      message: `unknown top-level key "${k}": the collector refuses this config and does not start ("has invalid keys: ${k}")`,
      hint: k === 'pipelines' || k === 'telemetry' || k === 'extensions' ? `"${k}" belongs under service:` : `remove "${k}" or move it under the section it belongs to`,
    }));
}

/** The problem with a `type[/name]` id, as the collector words it, or undefined. */
export function idProblem(id: string, what: 'type' | 'signal'): { text: string; name?: boolean } | undefined {
  const { type, name } = splitId(id);
  if (name !== undefined && type === '') return { text: `in "${id}" id: the part before / should not be empty` };
  if (name !== undefined && name.trim() === '') return { text: `in "${id}" id: the part after / should not be empty` };
  if (type === '') return { text: 'id must not be empty' };
  if (what === 'type' && !TYPE_RE.test(type)) return { text: `in "${id}" id: invalid character(s) in type "${type}"` };
  if (name !== undefined && !NAME_RE.test(name.trim())) return { text: `in "${id}" id: ${NAME_MARK} "${name.trim()}"`, name: true };
  return undefined;
}

function nameFinding(stack: Stack, base: Omit<RuleFinding, 'message'>, text: string, subject: string): RuleFinding {
  const enforced = stack.collector.source === 'assumed' || atLeast(stack.collector.version, NAME_RULES_FROM);
  return enforced
    ? { ...base, message: `${subject}: ${text}: ${collectorVersionText(stack)} refuses this config`, hint: 'use letters, digits, `_`, `-` or `.` in the name (no spaces or symbols)' }
    : {
        ...base,
        severity: 'warning',
        message: `${subject}: ${text} from v${NAME_RULES_FROM}; ${collectorVersionText(stack)} still accepts it, but an upgrade will not start`,
        hint: 'use letters, digits, `_`, `-` or `.` in the name (no spaces or symbols)',
      };
}

function componentIds(c: CollectorConfig, stack: Stack): RuleFinding[] {
  const findings: RuleFinding[] = [];
  for (const comp of c.components) {
    const problem = idProblem(comp.id, 'type');
    if (!problem) continue;
    const base = atYaml(c.yaml, comp.path);
    findings.push(
      problem.name
        ? nameFinding(stack, base, problem.text, comp.kind)
        : { ...base, message: `${comp.kind}: ${problem.text}: the collector cannot read this config and does not start`, hint: 'a component id is `type` or `type/name`; the type starts with a letter and holds only letters, digits and `_`' },
    );
  }
  return findings;
}

function pipelines(c: CollectorConfig, stack: Stack): RuleFinding[] {
  const findings: RuleFinding[] = [];
  if (c.pipelines.length === 0) {
    const path = nodeAt(c.yaml, ['service', 'pipelines']) !== undefined ? ['service', 'pipelines'] : nodeAt(c.yaml, ['service']) !== undefined ? ['service'] : [];
    findings.push({
      ...atYaml(c.yaml, path),
      message: 'service::pipelines: service must have at least one pipeline: the collector refuses this config and does not start',
      hint: 'add a pipeline under service.pipelines, e.g. metrics: {receivers: [otlp], exporters: [prometheus]}',
    });
    return findings;
  }
  const byId = new Map(c.components.map((x) => [`${x.kind}:${canonicalId(x.id)}`, x]));
  for (const p of c.pipelines) {
    const where = `service::pipelines::${p.id}`;
    const at = atYaml(c.yaml, p.path);
    const problem = idProblem(p.id, 'signal');
    if (problem) {
      findings.push(problem.name ? nameFinding(stack, at, problem.text, 'service::pipelines') : { ...at, message: `service::pipelines: ${problem.text}: the collector cannot read this config and does not start` });
      continue;
    }
    const signal = p.signal;
    if (signal === 'profiles') {
      if (!profilesGate(stack)) {
        findings.push({
          ...at,
          message: `service::pipelines: pipeline "${p.id}": profiling signal support is at alpha level, gated under the "service.profilesSupport" feature gate: the collector refuses this config and does not start`,
          hint: 'remove the pipeline (Claude Code sends no profiles), or start the collector with --feature-gates=service.profilesSupport',
        });
        continue;
      }
    } else if (!(SIGNALS as readonly string[]).includes(signal)) {
      findings.push({
        ...at,
        message: `service::pipelines: in "${p.id}" id: unknown pipeline signal: "${signal}": the collector cannot read this config and does not start`,
        hint: `a pipeline id starts with traces, metrics or logs${nearSignal(signal) ? ` (did you mean "${nearSignal(signal)}"?)` : ''}`,
      });
      continue;
    }
    if (p.receivers.length === 0) findings.push({ ...at, message: `${where}: must have at least one receiver: the collector refuses this config and does not start`, hint: 'add receivers: [otlp]' });
    if (p.exporters.length === 0) findings.push({ ...at, message: `${where}: must have at least one exporter: the collector refuses this config and does not start`, hint: 'add the exporter this signal should go to' });
    const seen = new Set<string>();
    for (const r of p.processors) {
      const id = canonicalId(r.id);
      if (seen.has(id)) {
        findings.push({ ...atYaml(c.yaml, r.path, 'value'), message: `${where}: references processor "${r.id}" multiple times: the collector refuses this config and does not start`, hint: 'list each processor once per pipeline' });
      }
      seen.add(id);
    }
    const unsupported = (ref: ComponentRef, kind: ComponentKind) => {
      const comp = byId.get(`${kind}:${canonicalId(ref.id)}`);
      const supported = comp && SIGNAL_SUPPORT[kind]?.[comp.type];
      if (!supported || supported.includes(signal as Signal)) return;
      const singular = kind.replace(/s$/, '');
      const text =
        kind === 'processors'
          ? `failed to build pipelines: failed to create "${ref.id}" processor, in pipeline "${p.id}": telemetry type is not supported`
          : `failed to build pipelines: failed to create "${ref.id}" ${singular} for data type "${signal}": telemetry type is not supported`;
      const validates = stack.collector.source === 'assumed' || atLeast(stack.collector.version, VALIDATE_GRAPH_FROM);
      findings.push({
        ...atYaml(c.yaml, ref.path, 'value'),
        message: `${singular} "${ref.id}" (${comp!.type}) supports only ${supported.join(' and ')}, not ${signal}: ${
          validates ? `${collectorVersionText(stack)} refuses this config` : `otelcol validate passes on ${collectorVersionText(stack)}, but it exits at start`
        } ("${text}")`,
        hint: `remove "${ref.id}" from the ${p.id} pipeline${kind === 'exporters' ? `, or send ${signal} to an exporter that takes them (otlp, otlphttp, debug)` : ''}`,
      });
    };
    for (const r of p.receivers) unsupported(r, 'receivers');
    for (const r of p.processors) unsupported(r, 'processors');
    for (const r of p.exporters) unsupported(r, 'exporters');
  }
  return findings;
}

/** Whether a compose service starts the collector with the profiles feature gate on. */
function profilesGate(stack: Stack): boolean {
  return stack.composes.some((f) => f.services.some((s) => [...s.entrypoint, ...s.command].some((w) => /(^|[=,+])service\.profilesSupport(,|$)/.test(w) && !/-service\.profilesSupport/.test(w))));
}

function nearSignal(signal: string): string | undefined {
  const s = signal.toLowerCase();
  return SIGNALS.find((x) => x === s || x === `${s}s` || x.startsWith(s.slice(0, 4)) || s.startsWith(x.slice(0, 4)));
}
