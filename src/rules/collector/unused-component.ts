import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlAppendToList, yamlDeleteMapEntry, yamlInsertMapEntry } from '../../model/edits.js';
import { canonicalId, type CollectorConfig, type Component, type ComponentKind } from '../../model/collector.js';
import { unknownToReleases } from '../../model/components.js';
import { isChartDefault } from '../../model/helm/embedded.js';

const SINGULAR = { receivers: 'receiver', processors: 'processor', exporters: 'exporter', connectors: 'connector', extensions: 'extension' } as const;

const messages = {
  /** `endpoint`: the address it would listen on, when written. */
  extensionNotListed: (d: { component: string; endpoint?: string }) =>
    `extension "${d.component}" is not in service.extensions: the collector never starts it${d.endpoint !== undefined ? `; nothing listens on ${d.endpoint}` : ''}`,
  notInPipeline: (d: { section: Exclude<ComponentKind, 'extensions'>; component: string }) => inNoPipeline(d),
  /** A component the collector chart's defaults configure, which the values' own pipelines (lists replace) leave out. */
  chartDefaultNotInPipeline: {
    message: (d: { section: Exclude<ComponentKind, 'extensions'>; component: string }) => inNoPipeline(d),
    detail: () => "the chart's defaults configure it, not the values, and no pipeline of the config the chart renders lists it",
  },
} as const;
type UnusedFinding = RuleFinding<typeof messages>;

function inNoPipeline(d: { section: Exclude<ComponentKind, 'extensions'>; component: string }): string {
  const what = d.section === 'exporters' ? ', so nothing is sent through it' : d.section === 'receivers' ? ', so nothing it would receive arrives' : '';
  return `${SINGULAR[d.section]} "${d.component}" is in no pipeline: the collector never builds it${what}`;
}

export default defineRule({
  id: 'collector/unused-component',
  severity: 'warning',
  title: 'Component configured but never used',
  checks: 'A receiver, processor, exporter or connector that no pipeline lists, and an extension that `service.extensions` does not list.',
  why: 'The collector accepts it without a word (`validate` does not warn) and never builds it: an exporter you configured for Loki or Prometheus receives nothing, an unlisted health_check extension never opens its port, so probes fail while the config "looks right".',
  fix: 'unsafe',
  fixDescription:
    'For an extension: adds it to `service.extensions` (it then starts and may open a port). For a receiver, processor, exporter or connector: deletes its definition (the file may have meant to wire it into a pipeline instead). Comments and other lines stay byte-identical.',
  versions: 'all collector versions',
  bad: {
    file: 'otel-collector-config.yml',
    text: 'extensions:\n  health_check:\n    endpoint: 0.0.0.0:13133\nexporters:\n  debug:\n  otlphttp/loki:\n    endpoint: http://loki:3100/otlp\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [debug]\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'extensions:\n  health_check:\n    endpoint: 0.0.0.0:13133\nexporters:\n  debug:\n  otlphttp/loki:\n    endpoint: http://loki:3100/otlp\nservice:\n  extensions: [health_check]\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [debug, otlphttp/loki]\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/pull/5512 (unused receivers are legal)',
    'https://github.com/open-telemetry/opentelemetry-collector/issues/9195 (an extension not in service.extensions is not started, no warning)',
  ],
  messages,
  oracle: 'fixtures',
  stage: 'Collector',
  check(ws) {
    return ws.stack.collectors
      .filter((c) => c.yaml.problems.length === 0)
      .flatMap((c) => unused(c, (path) => isChartDefault(ws.stack.helmValues, c.yaml, path)));
  },
});

/** `chartDefault`: whether a path of this config is the collector chart's default, not the user's (values files only). */
function unused(c: CollectorConfig, chartDefault: (path: (string | number)[]) => boolean): UnusedFinding[] {
  // Keyed by section: a receiver and an exporter may share an id (`otlp`). Connectors sit in either list.
  const inPipelines = new Set<string>();
  for (const p of c.pipelines) {
    for (const r of p.receivers) inPipelines.add(`receivers:${canonicalId(r.id)}`).add(`connectors:${canonicalId(r.id)}`);
    for (const r of p.processors) inPipelines.add(`processors:${canonicalId(r.id)}`);
    for (const r of p.exporters) inPipelines.add(`exporters:${canonicalId(r.id)}`).add(`connectors:${canonicalId(r.id)}`);
  }
  const listedExtensions = new Set(c.serviceExtensions.map((r) => canonicalId(r.id)));
  // A reference to an undefined id of the same type is most likely a typo for this component:
  // collector/undefined-component reports it (and deleting this one would be the wrong fix).
  const defined = new Set(c.components.map((x) => `${x.kind}:${canonicalId(x.id)}`));
  const typoTargets = new Set<string>();
  for (const p of c.pipelines) {
    for (const [kind, refs] of [
      ['receivers', p.receivers],
      ['processors', p.processors],
      ['exporters', p.exporters],
    ] as const) {
      for (const r of refs) if (!defined.has(`${kind}:${canonicalId(r.id)}`)) typoTargets.add(`${kind}:${r.type}`);
    }
  }
  for (const r of c.serviceExtensions) if (!defined.has(`extensions:${canonicalId(r.id)}`)) typoTargets.add(`extensions:${r.type}`);
  const findings: UnusedFinding[] = [];
  for (const comp of c.components) {
    const id = canonicalId(comp.id);
    if (typoTargets.has(`${comp.kind}:${comp.type}`)) continue;
    // A type no release has stops the collector whether used or not: collector/unknown-component says so.
    if (unknownToReleases(comp.kind, comp.type)) continue;
    if (comp.kind === 'extensions') {
      if (listedExtensions.has(id)) continue;
      const listed = c.root.at('service', 'extensions');
      const edits = listed ? yamlAppendToList(listed.doc, listed.path, comp.id) : yamlInsertMapEntry(c.yaml, ['service'], 'extensions', `[${comp.id}]`);
      findings.push({
        ...comp.value.location(),
        kind: 'extensionNotListed',
        data: { component: comp.id, endpoint: endpointOf(comp) },
        hint: `add it to service.extensions, or delete it`,
        fix: fix('unsafe', `add ${comp.id} to service.extensions`, edits),
      });
      continue;
    }
    // Without any pipeline the collector does not start at all (collector/invalid-pipeline says so).
    if (inPipelines.has(`${comp.kind}:${id}`) || c.pipelines.length === 0) continue;
    if (chartDefault(comp.path)) {
      findings.push({
        ...comp.value.location(),
        kind: 'chartDefaultNotInPipeline',
        data: { section: comp.kind, component: comp.id },
        hint: `drop the chart's default with \`${comp.kind}: {${comp.id}: null}\` under config in the values, or list it in a pipeline`,
      });
      continue;
    }
    findings.push({
      ...comp.value.location(),
      kind: 'notInPipeline',
      data: { section: comp.kind, component: comp.id },
      hint: `list it in a pipeline under service.pipelines, or delete it`,
      fix: fix('unsafe', `delete the unused ${SINGULAR[comp.kind]} ${comp.id}`, yamlDeleteMapEntry(c.yaml, comp.path)),
    });
  }
  return findings;
}

function endpointOf(comp: Component): string | undefined {
  return comp.value.get('endpoint')?.string();
}
