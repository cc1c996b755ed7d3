import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlReplaceInList, yamlReplaceScalar } from '../../model/edits.js';
import { absence, distributionText, renameOf, RENAMES } from '../../model/components.js';
import type { CollectorConfig, Component, ComponentKind } from '../../model/collector.js';
import type { YamlPath } from '../../load/yaml.js';
import { atLeast, collectorVersionText } from '../../model/collector-version-text.js';
import { lackingIsFatal } from './removed-component.js';

const singular = (kind: string) => kind.replace(/s$/, '');

/** The lists a component of this kind is referenced from. */
function referenceLists(c: CollectorConfig, kind: Component['kind']): YamlPath[] {
  if (kind === 'extensions') return [['service', 'extensions']];
  const fields = kind === 'connectors' ? ['receivers', 'exporters'] : [kind];
  return c.pipelines.flatMap((p) => fields.map((f) => [...p.path, f]));
}

/** Renames a component here and wherever it is referenced, unless the new id is taken. Shared with collector/unknown-component. */
export function renameEdits(c: CollectorConfig, e: Component, type: string) {
  const newId = e.name !== undefined ? `${type}/${e.name}` : type;
  if (c.components.some((x) => x.kind === e.kind && x.id === newId)) return { newId, edits: [] };
  return {
    newId,
    edits: [...yamlReplaceScalar(c.yaml, e.path, 'key', newId), ...referenceLists(c, e.kind).flatMap((path) => yamlReplaceInList(c.yaml, path, e.id, newId))],
  };
}

/** The component as written and the version that decides. */
interface Named {
  section: ComponentKind;
  component: string;
  type: string;
  version: string;
}

const what = (d: Named) => `${singular(d.section)} "${d.component}"`;
const refused = (d: Named) => `says unknown type: "${d.type}" for id: "${d.component}" (valid values: [...])`;

const messages = {
  newNameTooEarly: {
    message: (d: Named & { since: string }) => `${what(d)} uses the name ${d.type}, which exists only from v${d.since}: the collector refuses to start`,
    detail: (d: Named) => `${d.version} ${refused(d)}`,
  },
  notInBuild: {
    message: (d: Named & { distribution: string }) => `${what(d)} (${d.type}) is not in ${d.distribution}: the collector refuses to start`,
    detail: (d: Named) => `${d.version} ${refused(d)}`,
  },
  oldName: {
    message: (d: Named & { newType: string }) => `${what(d)} uses the old name ${d.type}, a deprecated alias of ${d.newType}`,
    detail: (d: Named & { newType: string; since: string }) =>
      `deprecated since v${d.since}; ${d.version} logs at startup: "${d.type}" alias is deprecated; use "${d.newType}" instead`,
  },
} as const;

const renamesText = RENAMES.map((r) => `\`${r.old}\` → \`${r.type}\` (v${r.since})`).join(', ');

export default defineRule({
  id: 'collector/renamed-component',
  severity: 'error',
  title: 'A component name from the other side of a rename',
  checks: `Components renamed with the old name kept as a deprecated alias: ${renamesText}. The new name before its release is an unknown type; the old name on a collector pinned to that release or later still works.`,
  why: 'A config written for a new collector (or from current docs) fails on an older one: `unknown type: "otlp_http" for id: "otlp_http/loki" (valid values: [...])`, and the collector does not start. The other way round only logs `"otlphttp" alias is deprecated; use "otlp_http" instead` at startup.',
  fix: 'safe',
  fixDescription:
    'Renames the component (keeping any `/name`) in its definition and wherever pipelines list it: to the old name on collectors before the rename, to the new name on a collector pinned to the rename’s release or later. No fix when the new id is already taken.',
  versions:
    'error before the rename for the new names (otlp_grpc/otlp_http before v0.144.0, prometheus_remote_write before v0.154.0, delta_to_cumulative before v0.158.0); info from the rename for the old names, only when an image tag, --collector-version or the doctor config gives the version',
  bad: {
    file: 'otel-collector-config.yml',
    text: '# otel/opentelemetry-collector-contrib:0.115.1\nexporters:\n  otlp_http/loki:\n    endpoint: http://loki:3100/otlp\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [otlp_http/loki]\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: '# otel/opentelemetry-collector-contrib:0.115.1\nexporters:\n  otlphttp/loki:\n    endpoint: http://loki:3100/otlp\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [otlphttp/loki]\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/releases/tag/v0.144.0 (otlp → otlp_grpc, otlphttp → otlp_http; #14403, #14396)',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/v0.153.0/exporter/prometheusremotewriteexporter/metadata.yaml',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/v0.154.0/exporter/prometheusremotewriteexporter/metadata.yaml',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/v0.157.0/processor/deltatocumulativeprocessor/metadata.yaml',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/v0.158.0/processor/deltatocumulativeprocessor/metadata.yaml',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.144.0/service/internal/builders/builders.go (the alias warning)',
  ],
  oracle: 'collector',
  stage: 'Collector',
  messages,
  fatalIn: (version, finding) =>
    lackingIsFatal(finding, (section, type) => {
      const r = renameOf(section, type);
      return !!r && !r.isOld && !atLeast(version, r.rename.since);
    }),
  check(ws) {
    const stack = ws.stack;
    const pinned = stack.collector.source !== 'assumed';
    const findings: RuleFinding<typeof messages>[] = [];
    for (const c of stack.collectors) {
      for (const e of c.components) {
        const found = renameOf(e.kind, e.type);
        if (!found) continue;
        const { rename: r, isOld } = found;
        const named: Named = { section: e.kind, component: e.id, type: e.type, version: collectorVersionText(stack) };
        if (!isOld) {
          const missing = absence(stack, e.kind, e.type);
          if (!missing) continue;
          const { newId, edits } = renameEdits(c, e, r.old);
          findings.push({
            ...e.value.location(),
            severity: 'error',
            ...(missing.reason === 'version'
              ? { kind: 'newNameTooEarly' as const, data: { ...named, since: r.since } }
              : { kind: 'notInBuild' as const, data: { ...named, distribution: distributionText(stack) } }),
            hint:
              missing.reason === 'version'
                ? `call it "${newId}" (the name before v${r.since}, still accepted after it)`
                : missing.reason === 'distribution'
                  ? 'use the contrib image (otel/opentelemetry-collector-contrib, same tag) or remove the component'
                  : `add the component's module to the builder manifest and rebuild, or remove it`,
            fix: missing.reason === 'version' ? fix('safe', `rename ${singular(e.kind)} ${e.id} to ${newId}`, edits) : undefined,
          });
          continue;
        }
        if (!pinned || !atLeast(stack.collector.version, r.since)) continue;
        const { newId, edits } = renameEdits(c, e, r.type);
        findings.push({
          ...e.value.location(),
          severity: 'info',
          kind: 'oldName',
          data: { ...named, newType: r.type, since: r.since },
          hint: `rename it to "${newId}" here and in the pipelines (only if every collector that reads this file is v${r.since} or later)`,
          fix: fix('safe', `rename ${singular(e.kind)} ${e.id} to ${newId}`, edits),
        });
      }
    }
    return findings;
  },
});
