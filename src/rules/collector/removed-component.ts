import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlDeleteFromList, yamlDeleteMapEntry } from '../../model/edits.js';
import { absence, distributionText, LIFECYCLE, lifecycleOf, shippedAt } from '../../model/components.js';
import type { CollectorConfig, Component, ComponentKind } from '../../model/collector.js';
import { collectorVersionKnown, collectorVersionText, PIN_COLLECTOR, unknownCollectorText } from '../../model/collector-version-text.js';
import type { Severity } from '../../types.js';

const OWNED = LIFECYCLE.filter((l) => l.retired === 'removed');
const singular = (kind: string) => kind.replace(/s$/, '');

/** The component and its lifecycle, as every message names them. */
interface Removed {
  section: ComponentKind;
  component: string;
  type: string;
  removedIn: string;
  deprecatedIn?: string;
  contribOnly: boolean;
  version: string;
}

/** "removed from the distributions in v0.108.0 (last in v0.107.x)". */
function removedText(d: Removed): string {
  const [major, minor] = d.removedIn.split('.').map(Number);
  return `removed from the ${d.contribOnly ? 'contrib ' : ''}distributions in v${d.removedIn} (last in v${major}.${minor - 1}.x)`;
}

const what = (d: Removed) => `${singular(d.section)} "${d.component}"`;
const refused = (d: Removed) => `unknown type: "${d.type}" for id: "${d.component}" (valid values: [...])`;

const messages = {
  stillShipped: {
    message: (d: Removed) => `${what(d)} was removed in v${d.removedIn}: an upgrade will not start`,
    detail: (d: Removed) => `${d.deprecatedIn ? `deprecated since v${d.deprecatedIn} and ` : ''}${removedText(d)}; ${d.version} still has it`,
  },
  removed: {
    message: (d: Removed) => `${what(d)} was removed in v${d.removedIn}: the collector refuses to start`,
    detail: (d: Removed) => `${removedText(d)}; ${d.version} says ${refused(d)}`,
  },
  /** `version` here is unknownCollectorText's sentence. */
  removedFromUnknown: {
    message: (d: Removed) => `${what(d)} was removed in v${d.removedIn}: collectors from v${d.removedIn} on refuse to start`,
    detail: (d: Removed) => `${removedText(d)}; they say unknown type: "${d.type}"; ${d.version}`,
  },
  notInBuild: {
    message: (d: Removed & { distribution: string }) => `${what(d)} is not in ${d.distribution}: the collector refuses to start`,
    detail: (d: Removed) => `${d.version} says ${refused(d)}`,
  },
} as const;

/**
 * Whether an error about a component the collector lacks stops it from starting at `version`: always when its build
 * lacks the component, else when `lacksAt` says the version does. Shared with collector/renamed-component.
 */
export function lackingIsFatal(
  finding: { severity?: Severity; kind: string; data: { section: ComponentKind; type: string } },
  lacksAt: (section: ComponentKind, type: string) => boolean,
): boolean {
  if (finding.severity !== 'error') return false;
  return finding.kind === 'notInBuild' || lacksAt(finding.data.section, finding.data.type);
}

/** Deleting memory_ballast: its definition and its service.extensions entry (or the whole section it was alone in). */
function ballastEdits(c: CollectorConfig, e: Component) {
  const alone = c.components.filter((x) => x.kind === 'extensions').length === 1;
  const listed = c.serviceExtensions.filter((r) => r.id === e.id);
  const onlyListed = listed.length > 0 && listed.length === c.serviceExtensions.length;
  const definition = alone ? yamlDeleteMapEntry(c.yaml, ['extensions']) : yamlDeleteMapEntry(c.yaml, e.path);
  const listing =
    listed.length === 0 ? [] : onlyListed ? yamlDeleteMapEntry(c.yaml, ['service', 'extensions']) : yamlDeleteFromList(c.yaml, ['service', 'extensions'], e.id);
  // Both halves or nothing: a definition removed while still listed would not start either.
  if (definition.length === 0 || (listed.length > 0 && listing.length === 0)) return undefined;
  return fix('safe', `remove the memory_ballast extension ${e.id}`, [...definition, ...listing]);
}

export default defineRule({
  id: 'collector/removed-component',
  severity: 'error',
  title: 'A component the collector no longer ships',
  checks:
    'Components removed from the official distributions: the `memory_ballast` extension (last in v0.107.0), the `jaeger` and `jaeger_thrift` exporters (last in v0.84.0), the `spanmetrics` (last in v0.95.0) and `servicegraph` (last in v0.93.0) processors, and the `opencensus` receiver and exporter (last in v0.131.x). With --collector-manifest the manifest decides.',
  why: 'Configs copied from older posts keep these components; from the release that dropped them the collector refuses to start with `unknown type: "memory_ballast" for id: "memory_ballast" (valid values: [...])`, and with an unpinned `latest` image that happens on the next pull.',
  fix: 'safe',
  fixDescription:
    'memory_ballast only: removes the extension and its `service.extensions` entry (set GOMEMLIMIT instead). The others need a replacement configured by hand: the `otlp` exporter to Jaeger’s OTLP port, the `spanmetrics`/`servicegraph` connectors, OTLP instead of OpenCensus.',
  versions:
    'memory_ballast from v0.108.0, jaeger and jaeger_thrift exporters from v0.85.0, spanmetrics processor from v0.96.0, servicegraph processor from v0.94.0, opencensus from v0.132.0; warning before, and when the version is unknown (it names the assumption); error at every version where the build (core image, manifest) lacks it',
  bad: {
    file: 'otel-collector-config.yml',
    text: 'extensions:\n  health_check:\n    endpoint: 0.0.0.0:13133\n  memory_ballast:\n    size_mib: 512\nservice:\n  extensions: [health_check, memory_ballast]\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'extensions:\n  health_check:\n    endpoint: 0.0.0.0:13133\nservice:\n  extensions: [health_check]\n# docker-compose.yml: environment: GOMEMLIMIT: 400MiB\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/pull/8343 (memory_ballast deprecated, v0.92.0)',
    'https://github.com/open-telemetry/opentelemetry-collector/pull/10671 (removed, v0.109.0)',
    'https://github.com/open-telemetry/opentelemetry-collector-releases/pull/1056 (opencensus removed from the distributions)',
    'https://github.com/open-telemetry/opentelemetry-collector-releases/blob/v0.159.0/distributions/otelcol-contrib/manifest.yaml',
  ],
  oracle: 'collector',
  stage: 'Collector',
  messages,
  fatalIn: (version, finding) =>
    lackingIsFatal(finding, (section, type) => {
      const l = lifecycleOf(section, type);
      return !!l && !shippedAt(l, version);
    }),
  check(ws) {
    const findings: RuleFinding<typeof messages>[] = [];
    const known = collectorVersionKnown(ws.stack);
    for (const c of ws.stack.collectors) {
      for (const e of c.components) {
        const l = lifecycleOf(e.kind, e.type);
        if (!l || !OWNED.includes(l)) continue;
        const missing = absence(ws.stack, e.kind, e.type);
        const data: Removed = {
          section: e.kind,
          component: e.id,
          type: e.type,
          removedIn: l.removedIn!,
          deprecatedIn: l.deprecatedIn,
          contribOnly: !l.distributions.includes('core'),
          version: collectorVersionText(ws.stack),
        };
        findings.push({
          ...e.value.location(),
          ...(!missing
            ? { severity: 'warning' as const, kind: 'stillShipped' as const, data }
            : missing.reason !== 'version'
              ? { severity: 'error' as const, kind: 'notInBuild' as const, data: { ...data, distribution: distributionText(ws.stack) } }
              : known
                ? { severity: 'error' as const, kind: 'removed' as const, data }
                : { severity: 'warning' as const, kind: 'removedFromUnknown' as const, data: { ...data, version: unknownCollectorText(ws.stack) } }),
          hint: missing?.reason === 'version' && !known ? `use ${l.replacement}; ${PIN_COLLECTOR}` : `use ${l.replacement}`,
          fix: l.type === 'memory_ballast' ? ballastEdits(c, e) : undefined,
        });
      }
    }
    return findings;
  },
});
