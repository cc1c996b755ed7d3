import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlDeleteMapEntry, yamlReplaceInList, yamlReplaceScalar } from '../../model/edits.js';
import { absence, distributionText, lifecycleOf, OTLP_HTTP_RENAMED_FROM, shippedAt } from '../../model/components.js';
import type { Component, CollectorConfig } from '../../model/collector.js';
import type { Stack } from '../../model/stack.js';
import { atYaml } from '../../model/yaml-locate.js';
import { atLeast, collectorVersionText } from '../../model/collector-version-text.js';

/** Options of the otlphttp exporter a loki exporter block may carry over (confighttp client, queue, retry). */
const OTLPHTTP_KEYS = new Set([
  'endpoint',
  'tls',
  'headers',
  'timeout',
  'auth',
  'compression',
  'compression_params',
  'read_buffer_size',
  'write_buffer_size',
  'max_idle_conns',
  'max_idle_conns_per_host',
  'max_conns_per_host',
  'idle_conn_timeout',
  'disable_keep_alives',
  'http2_read_idle_timeout',
  'http2_ping_timeout',
  'proxy_url',
  'cookies',
  'retry_on_failure',
  'sending_queue',
]);

const LOKI = lifecycleOf('exporters', 'loki')!;

/** `http://loki:3100/loki/api/v1/push` → `http://loki:3100/otlp`; the OTLP path replaces whatever path was there. */
export function lokiOtlpEndpoint(endpoint: unknown): string {
  const m = typeof endpoint === 'string' ? /^(https?:\/\/[^/\s]+)/i.exec(endpoint.trim()) : null;
  return `${m ? m[1] : 'http://loki:3100'}/otlp`;
}

/** The exporter type the replacement uses: `otlp_http` where a pinned version has it, else `otlphttp` (every version). */
function otlpHttpType(stack: Stack): string {
  return stack.collector.source !== 'assumed' && atLeast(stack.collector.version, OTLP_HTTP_RENAMED_FROM) ? 'otlp_http' : 'otlphttp';
}

function replacement(c: CollectorConfig, e: Component, stack: Stack) {
  const newId = `${otlpHttpType(stack)}/${e.name ?? 'loki'}`;
  if (c.components.some((x) => x.kind === 'exporters' && x.id === newId)) return { newId, fix: undefined };
  const url = lokiOtlpEndpoint(e.config.endpoint);
  const edits = [
    ...yamlReplaceScalar(c.yaml, e.path, 'key', newId),
    ...c.pipelines.flatMap((p) => yamlReplaceInList(c.yaml, [...p.path, 'exporters'], e.id, newId)),
  ];
  if (typeof e.config.endpoint !== 'string') return { newId, fix: undefined };
  edits.push(...yamlReplaceScalar(c.yaml, [...e.path, 'endpoint'], 'value', url));
  for (const key of Object.keys(e.config).filter((k) => !OTLPHTTP_KEYS.has(k))) edits.push(...yamlDeleteMapEntry(c.yaml, [...e.path, key]));
  return { newId, url, fix: fix('unsafe', `replace the loki exporter ${e.id} with ${newId} to ${url}`, edits) };
}

export default defineRule({
  id: 'collector/loki-exporter',
  severity: 'error',
  title: 'The removed `loki` exporter',
  checks:
    'An exporter of type `loki`: deprecated since July 2024, missing from the contrib distribution in v0.122.x, back in v0.123.0, removed from v0.131.0 on; never part of the core distribution.',
  why: 'Where the build lacks it the collector refuses to start with `unknown type: "loki" for id: "loki" (valid values: [...])`, so nothing reaches Prometheus or Loki either. Loki 3 ingests OTLP natively; the exporter is not coming back.',
  fix: 'unsafe',
  fixDescription:
    'Renames the exporter to `otlphttp/<name>` (`otlp_http` on a pinned v0.144.0 or later) here and in the pipelines, points it at `http://<loki host>:3100/otlp` and drops loki-only options (`default_labels_enabled`, `labels`, `tenant_id`, `format`). Unsafe: Loki must be 3.0 or later with structured metadata, and labels change (resource attributes become structured metadata; `service_name` is the index label).',
  versions: 'error from v0.131.0, on v0.122.x, with the core image, and when the version is unknown; warning (deprecated) before',
  bad: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  loki:\n    endpoint: http://loki:3100/loki/api/v1/push\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [loki]\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  otlphttp/loki:\n    endpoint: http://loki:3100/otlp\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [otlphttp/loki]\n',
  },
  references: [
    'collector.md §2.4',
    'open-telemetry/opentelemetry-collector-releases PRs #854, #892, #1044',
    'open-telemetry/opentelemetry-collector-contrib PR #41413, issue #33916',
    'Grafana Loki docs, "Ingesting logs to Loki using OpenTelemetry Collector"',
  ],
  oracle: 'collector',
  stage: 'Collector',
  fatalIn: (version, finding) => finding.severity === 'error' && (/is not in the (core distribution|custom build)/.test(finding.message) || !shippedAt(LOKI, version)),
  check(ws) {
    const findings: RuleFinding[] = [];
    for (const c of ws.stack.collectors) {
      for (const e of c.components.filter((x) => x.kind === 'exporters' && x.type === 'loki')) {
        const missing = absence(ws.stack, 'exporters', 'loki');
        const r = replacement(c, e, ws.stack);
        const version = collectorVersionText(ws.stack);
        const refused = `refuses to start: unknown type: "loki" for id: "${e.id}" (valid values: [...])`;
        const message =
          missing?.reason === 'distribution' || missing?.reason === 'manifest'
            ? `exporter "${e.id}" uses the loki exporter, which is not in ${distributionText(ws.stack)}: ${version} ${refused}`
            : missing
              ? `exporter "${e.id}" uses the loki exporter, ${atLeast(ws.stack.collector.version, '0.131.0') ? 'removed from the contrib distribution in v0.131.0' : 'missing from the contrib distribution in v0.122.x (back in v0.123.0)'}: ${version} ${refused}`
              : `exporter "${e.id}" uses the loki exporter, deprecated since July 2024 and removed from the contrib distribution in v0.131.0; ${version} still has it, but an upgrade will not start`;
        findings.push({
          ...atYaml(c.yaml, e.path),
          severity: missing ? 'error' : 'warning',
          message,
          hint: `send logs to Loki's OTLP endpoint instead: exporter "${r.newId}" with endpoint ${r.url ?? lokiOtlpEndpoint(e.config.endpoint)} (Loki 3.0 or later)`,
          fix: r.fix,
        });
      }
    }
    return findings;
  },
});
