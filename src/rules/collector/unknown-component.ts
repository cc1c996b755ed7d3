import { defineRule, type RuleFinding } from '../define.js';
import { fix } from '../../model/edits.js';
import { misspeltName, moduleKey, nearestTypes, TYPES_UNKNOWN_FROM, unknownToReleases } from '../../model/components.js';
import type { ComponentKind } from '../../model/collector.js';
import { collectorVersionKnown, collectorVersionText, PIN_COLLECTOR, unknownCollectorText } from '../../model/collector-version-text.js';
import { atLeast } from '../../model/versions.js';
import type { Stack } from '../../model/stack.js';
import { renameEdits } from './renamed-component.js';

const singular = (kind: string) => kind.replace(/s$/, '');

/** The component as written, the types it may have meant, and the version that decides. */
interface Unknown {
  section: ComponentKind;
  component: string;
  type: string;
  /** The build's types nearest to `type`, nearest first (empty when none is close). */
  suggestions: string[];
  version: string;
}

const what = (d: Unknown) => `${singular(d.section)} "${d.component}"`;
const didYouMean = (d: Unknown) => (d.suggestions.length ? ` (did you mean ${d.suggestions.map((s) => `"${s}"`).join(' or ')}?)` : '');
const refused = (d: Unknown) => `unknown type: "${d.type}" for id: "${d.component}" (valid values: [...])`;

const messages = {
  unknown: {
    message: (d: Unknown) => `${what(d)} has an unknown type${didYouMean(d)}: the collector refuses to start`,
    detail: (d: Unknown) => `${d.version} says ${refused(d)}`,
  },
  notInBuild: {
    message: (d: Unknown) => `${what(d)} has a type the custom build lacks${didYouMean(d)}: the collector refuses to start`,
    detail: (d: Unknown) => `${d.version} (--collector-manifest) says ${refused(d)}`,
  },
  /** `assumption`: what the verdict rests on that the doctor cannot see. */
  unknownAssumed: {
    message: (d: Unknown) => `${what(d)} has an unknown type${didYouMean(d)}: collector releases before v${TYPES_UNKNOWN_FROM} refuse to start`,
    detail: (d: Unknown & { assumption: string }) =>
      `no official collector release before v${TYPES_UNKNOWN_FROM} has it, and they say ${refused(d)}; ${d.assumption}`,
  },
} as const;

/**
 * Why an unknown type is not certainly refused here, or undefined when it is (an official image of a known release);
 * `pin` when pinning the image's version would make it certain.
 */
function assumption(stack: Stack): { text: string; pin: boolean } | undefined {
  const c = stack.collector;
  if (c.distribution === 'unknown')
    return { text: 'no compose service names the collector image, so this assumes an official one (another distribution may add components)', pin: false };
  if (!collectorVersionKnown(stack)) return { text: unknownCollectorText(stack), pin: true };
  if (atLeast(c.version, TYPES_UNKNOWN_FROM))
    return { text: `collector ${c.version} is newer than the releases the doctor knows (before v${TYPES_UNKNOWN_FROM}) and may have added it`, pin: false };
  return undefined;
}

export default defineRule({
  id: 'collector/unknown-component',
  severity: 'error',
  title: 'A component type the collector does not know (a typo)',
  checks:
    'Every configured receiver, processor, exporter, connector and extension has a type (the part of its id before `/`) that some official collector release has (core or contrib, v0.34.0 to v0.159.0, under its current or an older name), or, with --collector-manifest, that the builder manifest lists. The nearest type the build has is suggested. Types of the official releases that a given build lacks are collector/not-in-distribution, collector/removed-component and collector/renamed-component.',
  why: 'The collector looks each type up among the factories compiled into it and refuses the whole config when one is missing: `error decoding \'exporters\': unknown type: "promethus" for id: "promethus" (valid values: [debug otlp otlphttp prometheus ...])`. The container restarts in a loop and nothing reaches Prometheus or Loki; a pipeline that lists the misspelt id looks consistent, so nothing else points at it.',
  fix: 'unsafe',
  fixDescription:
    'When exactly one known type is nearest, renames the component to it (keeping any `/name`) in its definition and in the pipelines or `service.extensions` that list it. Unsafe: it guesses which component was meant.',
  versions:
    'all versions; error with an official image of a pinned release before v0.160.0, or with --collector-manifest; warning that names its assumption when the image, its version or a later release could have the type',
  bad: {
    file: 'otel-collector-config.yml',
    text: 'receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\nexporters:\n  promethus:\n    endpoint: 0.0.0.0:8889\n  otlphttp/loki:\n    endpoint: http://loki:3100/otlp\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [promethus]\n    logs:\n      receivers: [otlp]\n      exporters: [otlphttp/loki]\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\nexporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n  otlphttp/loki:\n    endpoint: http://loki:3100/otlp\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n    logs:\n      receivers: [otlp]\n      exporters: [otlphttp/loki]\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/otelcol/internal/configunmarshaler/configs.go ("unknown type: %q for id: %q (valid values: %v)")',
    'https://github.com/open-telemetry/opentelemetry-collector-releases/blob/v0.159.0/distributions/otelcol/manifest.yaml',
    'https://github.com/open-telemetry/opentelemetry-collector-releases/blob/v0.159.0/distributions/otelcol-contrib/manifest.yaml',
  ],
  oracle: 'collector',
  stage: 'Collector',
  messages,
  fatalIn: (_version, finding) => finding.severity === 'error',
  check(ws) {
    const stack = ws.stack;
    const manifest = stack.collector.distribution === 'custom' ? stack.collector.manifestComponents : undefined;
    const assumed = manifest ? undefined : assumption(stack);
    const findings: RuleFinding<typeof messages>[] = [];
    for (const c of stack.collectors) {
      for (const e of c.components) {
        if (!unknownToReleases(e.kind, e.type)) continue;
        // A manifest's own component (a type no release has) is no typo; a known type spelt otherwise still is.
        if (manifest?.has(moduleKey(e.kind, e.type)) && !misspeltName(e.kind, e.type)) continue;
        const suggestions = nearestTypes(stack, e.kind, e.type).slice(0, 3);
        const data: Unknown = { section: e.kind, component: e.id, type: e.type, suggestions, version: collectorVersionText(stack) };
        const rename = suggestions.length === 1 ? renameEdits(c, e, suggestions[0]) : undefined;
        findings.push({
          ...e.value.location(),
          ...(manifest
            ? { severity: 'error' as const, kind: 'notInBuild' as const, data }
            : assumed
              ? { severity: 'warning' as const, kind: 'unknownAssumed' as const, data: { ...data, assumption: assumed.text } }
              : { severity: 'error' as const, kind: 'unknown' as const, data }),
          hint: [
            rename
              ? `call it "${rename.newId}" here and where pipelines list it`
              : manifest
                ? "add the component's module to the builder manifest and rebuild, or correct the type"
                : "correct the type (the collector's `components` command lists the types its build has), or remove the component",
            ...(assumed?.pin ? [PIN_COLLECTOR] : []),
          ].join('; '),
          fix: rename?.edits.length ? fix('unsafe', `rename ${singular(e.kind)} ${e.id} to ${rename.newId}`, rename.edits) : undefined,
        });
      }
    }
    return findings;
  },
});
