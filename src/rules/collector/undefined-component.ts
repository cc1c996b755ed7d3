import { nearest as nearestNames } from '../../util/distance.js';
import { defineRule, type RuleFinding } from '../define.js';
import { canonicalId, type CollectorConfig, type ComponentKind, type ComponentRef } from '../../model/collector.js';
import { unknownToReleases } from '../../model/components.js';

const SINGULAR: Record<ComponentKind, string> = {
  receivers: 'receiver',
  processors: 'processor',
  exporters: 'exporter',
  connectors: 'connector',
  extensions: 'extension',
};

const messages = {
  /** `where`: the collector's name for the list, e.g. `service::pipelines::metrics`. */
  notConfigured: {
    message: (d: { section: ComponentKind; component: string }) =>
      `${SINGULAR[d.section]} "${d.component}" is not configured: the collector refuses this config and does not start`,
    detail: (d: { where: string; section: ComponentKind; component: string }) =>
      `the collector says ${d.where}: references ${SINGULAR[d.section]} "${d.component}" which is not configured`,
  },
} as const;
type UndefinedFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'collector/undefined-component',
  severity: 'error',
  title: 'Pipeline or service.extensions names a component that is not configured',
  checks:
    'Every receiver, processor and exporter a pipeline lists, and every extension `service.extensions` lists, is defined in its section (connectors count as receivers and exporters). Ids are compared as the collector reads them: type and name trimmed.',
  why: 'The collector refuses the whole config, at `validate` and at start: "service::pipelines::metrics: references exporter "prometheus" which is not configured" (or "service::extensions: references extension "health_check" which is not configured"). The container restarts in a loop and nothing is received.',
  fix: 'none',
  versions: 'all collector versions',
  bad: {
    file: 'otel-collector-config.yml',
    text: 'receivers:\n  otlp: {protocols: {grpc: {endpoint: 0.0.0.0:4317}}}\nexporters:\n  otlphttp/loki:\n    endpoint: http://loki:3100/otlp\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [otlphttp]\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'receivers:\n  otlp: {protocols: {grpc: {endpoint: 0.0.0.0:4317}}}\nexporters:\n  otlphttp/loki:\n    endpoint: http://loki:3100/otlp\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [otlphttp/loki]\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/otelcol/config.go ("references receiver … which is not configured")',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/service/pipelines/config.go (a pipeline needs a receiver and an exporter)',
  ],
  oracle: 'collector',
  stage: 'Collector',
  messages,
  fatalIn: () => true,
  check(ws) {
    return ws.stack.collectors.filter((c) => c.yaml.problems.length === 0).flatMap((c) => undefinedRefs(c));
  },
});

function undefinedRefs(c: CollectorConfig): UndefinedFinding[] {
  const defined = (kind: ComponentKind) => new Set(c.components.filter((x) => x.kind === kind).map((x) => canonicalId(x.id)));
  const sets = Object.fromEntries((['receivers', 'processors', 'exporters', 'connectors', 'extensions'] as const).map((k) => [k, defined(k)])) as Record<
    ComponentKind,
    Set<string>
  >;
  const findings: UndefinedFinding[] = [];
  const check = (ref: ComponentRef, kind: ComponentKind, where: string, allowed: ComponentKind[]) => {
    const id = canonicalId(ref.id);
    if (allowed.some((k) => sets[k].has(id))) return;
    const elsewhere = (Object.keys(sets) as ComponentKind[]).find((k) => !allowed.includes(k) && sets[k].has(id));
    // A defined id of a misspelt type (`promethus` for a listed `prometheus`) is the typo, not what was meant.
    const candidates = allowed.flatMap((k) => [...sets[k]].filter((x) => !unknownToReleases(k, x.split('/')[0])));
    const near = nearest(id, candidates);
    findings.push({
      ...ref.value.location('value'),
      kind: 'notConfigured',
      data: { where, section: kind, component: ref.id },
      // One missing component listed in several pipelines is one cause.
      subject: `${kind} ${id}`,
      hint: elsewhere
        ? `"${ref.id}" is defined under ${elsewhere}, not under ${kind}; list it in the matching section of the pipeline`
        : near
          ? `did you mean "${near}"? Otherwise define ${SINGULAR[kind]} "${ref.id}" under ${kind}`
          : candidates.length
            ? `define ${SINGULAR[kind]} "${ref.id}" under ${kind}, or use one that is defined: ${candidates.join(', ')}`
            : `define ${SINGULAR[kind]} "${ref.id}" under ${kind}`,
    });
  };
  for (const p of c.pipelines) {
    const where = `service::pipelines::${p.id}`;
    for (const r of p.receivers) check(r, 'receivers', where, ['receivers', 'connectors']);
    for (const r of p.processors) check(r, 'processors', where, ['processors']);
    for (const r of p.exporters) check(r, 'exporters', where, ['exporters', 'connectors']);
  }
  for (const r of c.serviceExtensions) check(r, 'extensions', 'service::extensions', ['extensions']);
  return findings;
}

/** A defined id close to a missing one: same type with another name, or a small edit distance. */
function nearest(id: string, candidates: string[]): string | undefined {
  const type = id.split('/')[0];
  const sameType = candidates.filter((x) => x.split('/')[0] === type);
  if (sameType.length === 1) return sameType[0];
  return nearestNames(id, candidates, Math.max(1, Math.floor(id.length / 4)))?.names[0];
}
