import { defineRule, type RuleFinding } from '../define.js';
import { canonicalId, pipelinesValue, splitId, type CollectorConfig, type ComponentKind, type ComponentRef } from '../../model/collector.js';
import type { Stack } from '../../model/stack.js';
import type { Location } from '../../types.js';
import { atLeast, collectorVersionKnown, collectorVersionText, PIN_COLLECTOR, unknownCollectorText } from '../../model/collector-version-text.js';
import { embeddedCollector, embeddedGateOn } from '../../model/embedded-collectors.js';
import { collectorContainers } from '../../model/kubernetes.js';

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
const REFUSED = 'the collector refuses this config and does not start';
const UNREADABLE = 'the collector cannot read this config and does not start';

const messages = {
  unknownTopLevelKey: `unknown top-level key "{{key}}": ${REFUSED} ("has invalid keys: {{key}}")`,
  /** `problem`: the collector's own error text for the id. */
  badId: { message: `invalid id in {{subject}}: ${UNREADABLE}`, detail: 'the collector says {{subject}}: {{problem}}' },
  badName: { message: 'invalid id in {{subject}}: the collector refuses this config', detail: '{{version}} says {{subject}}: {{problem}}' },
  badNameLater: {
    message: 'invalid id in {{subject}} from v{{since}} on: an upgrade will not start',
    detail: 'collectors from v{{since}} say {{subject}}: {{problem}}; {{version}} still accepts it',
  },
  badNameFromUnknown: {
    message: 'invalid id in {{subject}}: collectors from v{{since}} on refuse this config',
    detail: 'they say {{subject}}: {{problem}}; {{unknown}}',
  },
  noPipeline: `service::pipelines: service must have at least one pipeline: ${REFUSED}`,
  profilesGated: {
    message: `pipeline "{{pipeline}}" needs the service.profilesSupport feature gate: ${REFUSED}`,
    detail: 'service::pipelines: pipeline "{{pipeline}}": profiling signal support is at alpha level, gated under the "service.profilesSupport" feature gate',
  },
  profilesGatedCustom: {
    message: 'pipeline "{{pipeline}}" needs the service.profilesSupport feature gate, which nothing here turns on',
    detail:
      'a collector without the gate refuses this config ("profiling signal support is at alpha level, gated under the "service.profilesSupport" feature gate"); this assumes the custom image\'s own entrypoint does not turn it on',
  },
  unknownSignal: `service::pipelines: in "{{pipeline}}" id: unknown pipeline signal: "{{signal}}": ${UNREADABLE}`,
  noReceiver: `service::pipelines::{{pipeline}}: must have at least one receiver: ${REFUSED}`,
  noExporter: `service::pipelines::{{pipeline}}: must have at least one exporter: ${REFUSED}`,
  duplicateProcessor: `service::pipelines::{{pipeline}}: references processor "{{processor}}" multiple times: ${REFUSED}`,
  unsupportedSignal: {
    message: (d: { section: ComponentKind; component: string; type: string; supported: string[]; signal: string; validates: boolean }) =>
      `${d.section.replace(/s$/, '')} "${d.component}" (${d.type}) supports only ${d.supported.join(' and ')}, not ${d.signal}: the collector ${d.validates ? 'refuses this config' : 'exits at start'}`,
    detail: (d: {
      section: ComponentKind;
      component: string;
      type: string;
      supported: string[];
      signal: string;
      pipeline: string;
      validates: boolean;
      version: string;
    }) => {
      const singular = d.section.replace(/s$/, '');
      const text =
        d.section === 'processors'
          ? `failed to build pipelines: failed to create "${d.component}" processor, in pipeline "${d.pipeline}": telemetry type is not supported`
          : `failed to build pipelines: failed to create "${d.component}" ${singular} for data type "${d.signal}": telemetry type is not supported`;
      return `${d.validates ? `${d.version} refuses this config` : `otelcol validate passes on ${d.version}, but it exits at start`}: "${text}"`;
    },
  },
} as const;
type InvalidPipelineFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'collector/invalid-pipeline',
  severity: 'error',
  title: 'Pipelines the collector rejects',
  checks:
    "The service has at least one pipeline; every pipeline has a receiver and an exporter; pipeline ids are `traces|metrics|logs[/name]` and component ids `type[/name]` with valid characters; no processor is listed twice in one pipeline; every component supports the pipeline's signal (e.g. `prometheus` and `prometheusremotewrite` only take metrics, `loki` only logs); the file has no top-level key besides receivers, processors, exporters, connectors, extensions and service (a `pipelines:` written at the top level instead of under `service:` is the usual one).",
  why: 'The collector refuses to start, and the container restarts in a loop: "service must have at least one pipeline", "service::pipelines::metrics: must have at least one receiver", "references processor "batch" multiple times", "unknown pipeline signal: "metric"", "invalid character(s) in type "bad.type"". An exporter in a pipeline of a signal it does not support passes `otelcol validate` before v0.124.0 and only fails when the collector starts: "failed to build pipelines: failed to create "prometheus" exporter for data type "traces": telemetry type is not supported".',
  fix: 'none',
  versions:
    'all collector versions; unsupported signals are caught by `validate` from v0.124.0 (at start before); name characters are checked from v0.106.0 (a warning when the version is unknown)',
  bad: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n    traces:\n      receivers: [otlp]\n      exporters: [prometheus]\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n  debug:\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.124.0/service/pipelines/config.go',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.124.0/component/identifiable.go',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.124.0/pipeline/pipeline.go',
    'https://github.com/open-telemetry/opentelemetry-collector/tree/v0.124.0/service/internal/graph',
    'https://github.com/open-telemetry/opentelemetry-collector/pull/8721 (validate builds the pipeline graph, v0.124.0)',
    'https://github.com/open-telemetry/opentelemetry-collector/pull/10674 (name characters, v0.106.0)',
  ],
  oracle: 'collector',
  stage: 'Collector',
  messages,
  // Name characters are checked from v0.106.0; everything else stops every version.
  fatalIn: (version, finding) =>
    finding.kind === 'badNameFromUnknown' || finding.kind === 'profilesGatedCustom'
      ? false
      : finding.kind === 'badName' || finding.kind === 'badNameLater'
        ? atLeast(version, NAME_RULES_FROM)
        : true,
  check(ws) {
    return ws.stack.collectors
      .filter((c) => c.yaml.problems.length === 0)
      .flatMap((c) => [...topLevelKeys(c), ...componentIds(c, ws.stack), ...pipelines(c, ws.stack)]);
  },
});

const TOP_LEVEL = new Set(['receivers', 'processors', 'exporters', 'connectors', 'extensions', 'service']);

/** A top-level key the collector does not know makes it refuse the whole file (`'' has invalid keys: <key>`). */
function topLevelKeys(c: CollectorConfig): InvalidPipelineFinding[] {
  return c.root
    .entries()
    .filter(([k]) => !TOP_LEVEL.has(k))
    .map(([k, v]) => ({
      ...v.location(),
      kind: 'unknownTopLevelKey',
      data: { key: k },
      hint:
        k === 'pipelines' || k === 'telemetry' || k === 'extensions'
          ? `"${k}" belongs under service:`
          : `remove "${k}" or move it under the section it belongs to`,
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

const NAME_HINT = 'use letters, digits, `_`, `-` or `.` in the name (no spaces or symbols)';

/** An id whose name has characters the collector refuses from v0.106.0. */
function nameFinding(stack: Stack, at: Location, problem: string, subject: string): InvalidPipelineFinding {
  if (!collectorVersionKnown(stack)) {
    const data = { subject, problem, since: NAME_RULES_FROM, unknown: unknownCollectorText(stack) };
    return { ...at, severity: 'warning', kind: 'badNameFromUnknown', data, hint: `${NAME_HINT}; ${PIN_COLLECTOR}` };
  }
  const enforced = atLeast(stack.collector.version, NAME_RULES_FROM);
  const version = collectorVersionText(stack);
  return enforced
    ? { ...at, kind: 'badName', data: { subject, problem, version }, hint: NAME_HINT }
    : { ...at, severity: 'warning', kind: 'badNameLater', data: { subject, problem, since: NAME_RULES_FROM, version }, hint: NAME_HINT };
}

function componentIds(c: CollectorConfig, stack: Stack): InvalidPipelineFinding[] {
  const findings: InvalidPipelineFinding[] = [];
  for (const comp of c.components) {
    const problem = idProblem(comp.id, 'type');
    if (!problem) continue;
    const at = comp.value.location();
    findings.push(
      problem.name
        ? nameFinding(stack, at, problem.text, comp.kind)
        : {
            ...at,
            kind: 'badId',
            data: { subject: comp.kind, problem: problem.text },
            hint: 'a component id is `type` or `type/name`; the type starts with a letter and holds only letters, digits and `_`',
          },
    );
  }
  return findings;
}

function pipelines(c: CollectorConfig, stack: Stack): InvalidPipelineFinding[] {
  const findings: InvalidPipelineFinding[] = [];
  if (c.pipelines.length === 0) {
    findings.push({
      ...pipelinesValue(c).location(),
      kind: 'noPipeline',
      hint: 'add a pipeline under service.pipelines, e.g. metrics: {receivers: [otlp], exporters: [prometheus]}',
    });
    return findings;
  }
  const byId = new Map(c.components.map((x) => [`${x.kind}:${canonicalId(x.id)}`, x]));
  for (const p of c.pipelines) {
    const at = p.value.location();
    const problem = idProblem(p.id, 'signal');
    if (problem) {
      findings.push(
        problem.name
          ? nameFinding(stack, at, problem.text, 'service::pipelines')
          : { ...at, kind: 'badId', data: { subject: 'service::pipelines', problem: problem.text } },
      );
      continue;
    }
    const signal = p.signal;
    if (signal === 'profiles') {
      if (!profilesGate(stack)) {
        // A custom image's own entrypoint may turn the gate on: what the doctor cannot see is a warning.
        const chart = stack.helmValues.find((h) => h.config?.yaml === c.yaml);
        const custom = stack.collector.distribution === 'custom' || (chart !== undefined && chart.reading.image.distribution === undefined);
        findings.push({
          ...at,
          kind: custom ? 'profilesGatedCustom' : 'profilesGated',
          ...(custom ? { severity: 'warning' as const } : {}),
          data: { pipeline: p.id },
          hint: 'remove the pipeline (Claude Code sends no profiles), or start the collector with --feature-gates=service.profilesSupport',
        });
        continue;
      }
    } else if (!(SIGNALS as readonly string[]).includes(signal)) {
      findings.push({
        ...at,
        kind: 'unknownSignal',
        data: { pipeline: p.id, signal },
        hint: `a pipeline id starts with traces, metrics or logs${nearSignal(signal) ? ` (did you mean "${nearSignal(signal)}"?)` : ''}`,
      });
      continue;
    }
    if (p.receivers.length === 0) findings.push({ ...at, kind: 'noReceiver', data: { pipeline: p.id }, hint: 'add receivers: [otlp]' });
    if (p.exporters.length === 0) findings.push({ ...at, kind: 'noExporter', data: { pipeline: p.id }, hint: 'add the exporter this signal should go to' });
    const seen = new Set<string>();
    for (const r of p.processors) {
      const id = canonicalId(r.id);
      if (seen.has(id)) {
        findings.push({
          ...r.value.location('value'),
          kind: 'duplicateProcessor',
          data: { pipeline: p.id, processor: r.id },
          hint: 'list each processor once per pipeline',
        });
      }
      seen.add(id);
    }
    const unsupported = (ref: ComponentRef, kind: ComponentKind) => {
      const comp = byId.get(`${kind}:${canonicalId(ref.id)}`);
      const supported = comp && SIGNAL_SUPPORT[kind]?.[comp.type];
      if (!supported || supported.includes(signal as Signal)) return;
      const validates = stack.collector.source === 'assumed' || atLeast(stack.collector.version, VALIDATE_GRAPH_FROM);
      findings.push({
        ...ref.value.location('value'),
        kind: 'unsupportedSignal',
        data: { section: kind, component: ref.id, type: comp!.type, supported, signal, pipeline: p.id, validates, version: collectorVersionText(stack) },
        hint: `remove "${ref.id}" from the ${p.id} pipeline${kind === 'exporters' ? `, or send ${signal} to an exporter that takes them (otlp, otlphttp, debug)` : ''}`,
      });
    };
    for (const r of p.receivers) unsupported(r, 'receivers');
    for (const r of p.processors) unsupported(r, 'processors');
    for (const r of p.exporters) unsupported(r, 'exporters');
  }
  return findings;
}

/**
 * Whether a compose service starts the collector with the profiles feature gate on, or runs an image whose own
 * entrypoint does, or a collector chart's values pass it (`command.extraArgs`).
 */
function profilesGate(stack: Stack): boolean {
  const gateOn = (w: string) => /(^|[=,+])service\.profilesSupport(,|$)/.test(w) && !/-service\.profilesSupport/.test(w);
  if (stack.helmValues.some((h) => h.reading.args.value.some(gateOn))) return true;
  if (collectorContainers(stack.kubernetes).some(({ container: c }) => [...c.command, ...c.args].some(gateOn))) return true;
  return stack.composes.some((f) =>
    f.services.some((s) => {
      const embedded = embeddedCollector(s.repository);
      if (embedded && embeddedGateOn(embedded, s.tag, 'service.profilesSupport')) return true;
      return [...s.entrypoint, ...s.command].some(gateOn);
    }),
  );
}

function nearSignal(signal: string): string | undefined {
  const s = signal.toLowerCase();
  return SIGNALS.find((x) => x === s || x === `${s}s` || x.startsWith(s.slice(0, 4)) || s.startsWith(x.slice(0, 4)));
}
