import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlReplaceInList, yamlReplaceScalar } from '../../fixers/edits.js';
import { absence, distributionText, NEW_NAME, OLD_NAME, RENAMED_FROM } from '../../model/components.js';
import type { CollectorConfig, Component } from '../../model/collector.js';
import { atYaml } from '../yaml-locate.js';
import { atLeast, collectorVersionText } from './version.js';

/** Renames an exporter here and in every pipeline, unless the new id is taken. */
function renameEdits(c: CollectorConfig, e: Component, type: string) {
  const newId = e.name !== undefined ? `${type}/${e.name}` : type;
  if (c.components.some((x) => x.kind === 'exporters' && x.id === newId)) return { newId, edits: [] };
  return {
    newId,
    edits: [...yamlReplaceScalar(c.yaml, e.path, 'key', newId), ...c.pipelines.flatMap((p) => yamlReplaceInList(c.yaml, [...p.path, 'exporters'], e.id, newId))],
  };
}

export default defineRule({
  id: 'collector/renamed-component',
  severity: 'error',
  title: 'OTLP exporter names from the other side of the v0.144.0 rename',
  checks:
    'The `otlp_grpc` and `otlp_http` exporters, which exist only from v0.144.0 (before, they are `otlp` and `otlphttp`); and, on a collector pinned to v0.144.0 or later, the old names, which still work as deprecated aliases.',
  why: 'A config written for a new collector (or from current docs) fails on an older one: `unknown type: "otlp_http" for id: "otlp_http/loki" (valid values: [...])`, and the collector does not start. The other way round only logs `"otlphttp" alias is deprecated; use "otlp_http" instead` at startup.',
  fix: 'safe',
  fixDescription:
    'Renames the exporter (keeping any `/name`) in its definition and in every pipeline: to `otlp`/`otlphttp` on collectors before v0.144.0, to `otlp_grpc`/`otlp_http` on a pinned v0.144.0 or later. No fix when the new id is already taken.',
  versions: 'error before v0.144.0 for `otlp_grpc`/`otlp_http`; info from v0.144.0 for `otlp`/`otlphttp`, only when an image tag, --collector-version or the doctor config gives the version',
  bad: {
    file: 'otel-collector-config.yml',
    text: '# otel/opentelemetry-collector-contrib:0.115.1\nexporters:\n  otlp_http/loki:\n    endpoint: http://loki:3100/otlp\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [otlp_http/loki]\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: '# otel/opentelemetry-collector-contrib:0.115.1\nexporters:\n  otlphttp/loki:\n    endpoint: http://loki:3100/otlp\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [otlphttp/loki]\n',
  },
  references: [
    'collector.md §1 (v0.144.0), §2.10',
    'open-telemetry/opentelemetry-collector CHANGELOG v1.50.0/v0.144.0 (#14403, #14396)',
    'service/internal/builders/builders.go (the alias warning)',
  ],
  oracle: 'collector',
  fatalIn: (version, finding) => finding.severity === 'error' && (/is not in the custom build/.test(finding.message) || !atLeast(version, RENAMED_FROM)),
  check(ws) {
    const stack = ws.stack;
    const pinned = stack.collector.source !== 'assumed';
    const findings: RuleFinding[] = [];
    for (const c of stack.collectors) {
      for (const e of c.components.filter((x) => x.kind === 'exporters')) {
        const old = OLD_NAME[e.type];
        if (old !== undefined) {
          const missing = absence(stack, 'exporters', e.type);
          if (!missing) continue;
          const { newId, edits } = renameEdits(c, e, old);
          findings.push({
            ...atYaml(c.yaml, e.path),
            severity: 'error',
            message:
              missing.reason === 'version'
                ? `exporter "${e.id}" uses the name ${e.type}, which exists only from v${RENAMED_FROM}: ${collectorVersionText(stack)} refuses to start: unknown type: "${e.type}" for id: "${e.id}" (valid values: [...])`
                : `exporter "${e.id}" (${e.type}) is not in ${distributionText(stack)}: ${collectorVersionText(stack)} refuses to start: unknown type: "${e.type}" for id: "${e.id}" (valid values: [...])`,
            hint: `call it "${newId}" (the name before v${RENAMED_FROM}, still accepted after it)`,
            fix: missing.reason === 'version' ? fix('safe', `rename exporter ${e.id} to ${newId}`, edits) : undefined,
          });
          continue;
        }
        const renamed = NEW_NAME[e.type];
        if (renamed === undefined || !pinned || !atLeast(stack.collector.version, RENAMED_FROM)) continue;
        const { newId, edits } = renameEdits(c, e, renamed);
        findings.push({
          ...atYaml(c.yaml, e.path),
          severity: 'info',
          message: `exporter "${e.id}" uses the old name ${e.type}, a deprecated alias of ${renamed} since v${RENAMED_FROM}; ${collectorVersionText(stack)} logs at startup: "${e.type}" alias is deprecated; use "${renamed}" instead`,
          hint: `rename it to "${newId}" here and in the pipelines (only if every collector that reads this file is v${RENAMED_FROM} or later)`,
          fix: fix('safe', `rename exporter ${e.id} to ${newId}`, edits),
        });
      }
    }
    return findings;
  },
});
