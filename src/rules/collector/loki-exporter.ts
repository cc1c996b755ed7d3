import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlDeleteMapEntry, yamlReplaceInList, yamlReplaceScalar } from '../../model/edits.js';
import { absence, distributionText, lifecycleOf, OTLP_HTTP_RENAMED_FROM, shippedAt } from '../../model/components.js';
import type { Component, CollectorConfig } from '../../model/collector.js';
import type { Stack } from '../../model/stack.js';
import { atLeast, collectorVersionKnown, collectorVersionText, PIN_COLLECTOR, unknownCollectorText } from '../../model/collector-version-text.js';

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

const REFUSED = 'the collector refuses to start';
const SAYS = 'says unknown type: "loki" for id: "{{exporter}}" (valid values: [...])';

const messages = {
  notInBuild: { message: `exporter "{{exporter}}" uses the loki exporter, which is not in {{distribution}}: ${REFUSED}`, detail: `{{version}} ${SAYS}` },
  removed: { message: `exporter "{{exporter}}" uses the loki exporter, removed from contrib in v0.131.0: ${REFUSED}`, detail: `{{version}} ${SAYS}` },
  removedFromUnknown: {
    message: 'exporter "{{exporter}}" uses the loki exporter, removed from contrib in v0.131.0: collectors from v0.131.0 on refuse to start',
    detail: 'they say unknown type: "loki"; {{unknown}}',
  },
  missingInGap: {
    message: `exporter "{{exporter}}" uses the loki exporter, missing from contrib in v0.122.x: ${REFUSED}`,
    detail: `{{version}} ${SAYS}; contrib v0.123.0 has it again`,
  },
  deprecated: {
    message: 'exporter "{{exporter}}" uses the loki exporter, removed from contrib in v0.131.0; an upgrade will not start',
    detail: 'deprecated since July 2024; {{version}} still has it',
  },
} as const;

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
  const endpoint = e.value.get('endpoint');
  const url = lokiOtlpEndpoint(endpoint?.string());
  const edits = [
    ...yamlReplaceScalar(c.yaml, e.path, 'key', newId),
    ...c.pipelines.flatMap((p) => yamlReplaceInList(c.yaml, [...p.path, 'exporters'], e.id, newId)),
  ];
  if (endpoint?.string() === undefined) return { newId, fix: undefined };
  edits.push(...yamlReplaceScalar(endpoint.doc, endpoint.path, 'value', url));
  for (const [key, option] of e.value.entries()) if (!OTLPHTTP_KEYS.has(key)) edits.push(...yamlDeleteMapEntry(option.doc, option.path));
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
  versions: 'error from v0.131.0, on v0.122.x and with the core image; warning (deprecated) before, and when the version is unknown (it names the assumption)',
  bad: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  loki:\n    endpoint: http://loki:3100/loki/api/v1/push\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [loki]\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  otlphttp/loki:\n    endpoint: http://loki:3100/otlp\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [otlphttp/loki]\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector-releases/pull/854',
    'https://github.com/open-telemetry/opentelemetry-collector-releases/pull/892',
    'https://github.com/open-telemetry/opentelemetry-collector-releases/pull/1044',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/pull/41413 (removed from the repo)',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/issues/33916 (deprecation)',
    'https://github.com/open-telemetry/opentelemetry-collector-releases/blob/v0.131.0/distributions/otelcol-contrib/manifest.yaml (no loki exporter from v0.131.0)',
    'https://grafana.com/docs/loki/latest/send-data/otel/ (Ingesting logs to Loki using OpenTelemetry Collector)',
  ],
  oracle: 'collector',
  stage: 'Collector',
  messages,
  fatalIn: (version, finding) => finding.severity === 'error' && (finding.kind === 'notInBuild' || !shippedAt(LOKI, version)),
  check(ws) {
    const findings: RuleFinding<typeof messages>[] = [];
    for (const c of ws.stack.collectors) {
      for (const e of c.components.filter((x) => x.kind === 'exporters' && x.type === 'loki')) {
        const missing = absence(ws.stack, 'exporters', 'loki');
        const r = replacement(c, e, ws.stack);
        const version = collectorVersionText(ws.stack);
        const hint = `send logs to Loki's OTLP endpoint instead: exporter "${r.newId}" with endpoint ${r.url ?? lokiOtlpEndpoint(e.value.get('endpoint')?.string())} (Loki 3.0 or later)`;
        const byVersionOnly = missing?.reason === 'version' && !collectorVersionKnown(ws.stack);
        const at = { ...e.value.location(), severity: missing && !byVersionOnly ? ('error' as const) : ('warning' as const) };
        findings.push({
          ...at,
          ...(missing?.reason === 'distribution' || missing?.reason === 'manifest'
            ? { kind: 'notInBuild' as const, data: { exporter: e.id, distribution: distributionText(ws.stack), version } }
            : byVersionOnly
              ? { kind: 'removedFromUnknown' as const, data: { exporter: e.id, unknown: unknownCollectorText(ws.stack) } }
              : missing
                ? { kind: atLeast(ws.stack.collector.version, '0.131.0') ? ('removed' as const) : ('missingInGap' as const), data: { exporter: e.id, version } }
                : { kind: 'deprecated' as const, data: { exporter: e.id, version } }),
          hint: byVersionOnly ? `${hint}; ${PIN_COLLECTOR}` : hint,
          fix: r.fix,
        });
      }
    }
    return findings;
  },
});
