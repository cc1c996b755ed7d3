import { defineRule, type RuleFinding } from '../define.js';
import { currentPeriod, lokiExports, schemaNumber, type LokiConfig } from '../../model/loki.js';
import type { Stack } from '../../model/stack.js';

/** Loki's major version when a compose image tag gives it. */
function lokiMajor(stack: Stack): number | undefined {
  const v = stack.lokiVersion?.version;
  return v ? Number(v.split('.')[0]) : undefined;
}

/** Loki 3's start-up refusal: its CONFIG ERROR text, then what the current period needs. */
const refuses = (error: string, from: string | undefined) =>
  `Loki 3 says "CONFIG ERROR: ${error}": the current schema period${from ? ` (from ${from})` : ''} must use schema v13 with the tsdb index for structured metadata, which is on by default`;

const messages = {
  lokiBefore3: {
    message: 'exporter "{{exporter}}" sends logs to Loki over OTLP, which Loki {{version}} lacks: every export fails with HTTP 404',
    detail: '{{evidence}} is Loki {{version}}; OTLP ingestion (/otlp) exists from Loki 3.0',
  },
  structuredMetadataOff: {
    message: "allow_structured_metadata is false: Loki rejects OTLP log records, so Claude Code's events never arrive",
    detail: 'Loki says "structured metadata is not allowed" to every record sent through an otlphttp exporter',
  },
  schemaBeforeV13: {
    message: 'the current schema period is not v13: Loki 3 refuses this config and does not start',
    detail: (d: { schema: string; from?: string }) =>
      refuses(`schema v13 is required to store Structured Metadata and use native OTLP ingestion, your schema version is ${d.schema}`, d.from),
  },
  storeNotTsdb: {
    message: 'the current schema period does not use the tsdb index: Loki 3 refuses this config and does not start',
    detail: (d: { store: string; from?: string }) =>
      refuses(`\`tsdb\` index type is required to store Structured Metadata and use native OTLP ingestion, your index type is \`${d.store}\``, d.from),
  },
} as const;
type OtlpIngestionFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'loki/otlp-ingestion',
  severity: 'error',
  title: 'Loki cannot take OTLP logs',
  checks:
    'Loki 2.x (from its compose image tag) while a collector sends it logs over OTLP/HTTP; a Loki config whose current schema period is not `schema: v13` with `store: tsdb` (Loki 3 keeps structured metadata on by default and then refuses to start); and `limits_config.allow_structured_metadata: false` while a collector sends Loki OTLP logs, which Loki then rejects.',
  why: 'Loki ingests OTLP natively only from 3.0, and only with structured metadata, which needs schema v13 and the tsdb index. Configs copied from older guides (schema v11 or v12, boltdb-shipper) stop Loki 3 at start with "CONFIG ERROR: schema v13 is required to store Structured Metadata and use native OTLP ingestion"; with structured metadata turned off Loki starts but answers OTLP with 400 ("structured metadata is not allowed"); Loki 2.x has no /otlp endpoint at all. Claude Code\'s events then never reach Grafana.',
  fix: 'none',
  versions: 'Loki 3.0 or later for OTLP; the schema check applies to Loki 3.x (and an unknown version)',
  bad: {
    file: 'loki-config.yaml',
    text: 'auth_enabled: false\nserver:\n  http_listen_port: 3100\nschema_config:\n  configs:\n    - from: 2020-10-24\n      store: boltdb-shipper\n      object_store: filesystem\n      schema: v11\n      index:\n        prefix: index_\n        period: 24h\n',
  },
  good: {
    file: 'loki-config.yaml',
    text: 'auth_enabled: false\nserver:\n  http_listen_port: 3100\nschema_config:\n  configs:\n    - from: 2020-10-24\n      store: boltdb-shipper\n      object_store: filesystem\n      schema: v11\n      index:\n        prefix: index_\n        period: 24h\n    - from: 2026-12-01\n      store: tsdb\n      object_store: filesystem\n      schema: v13\n      index:\n        prefix: index_\n        period: 24h\n',
  },
  references: [
    'https://grafana.com/docs/loki/latest/send-data/otel/ (structured metadata, schema v13, tsdb)',
    'https://github.com/grafana/loki/pull/12453 (structured metadata on by default in 3.0)',
    'https://github.com/ssanj/enter-the-metrics/pull/1 (the CONFIG ERROR texts)',
  ],
  messages,
  oracle: 'fixtures',
  certainty:
    'Loki 2.x has no OTLP endpoint, Loki 3 refuses to start without schema v13 and tsdb while structured metadata is on, and answers OTLP with 400 when it is off (Loki docs and the CONFIG ERROR texts). Error only for a Loki version read from its image tag or a config that says so, with a collector that sends it OTLP logs.',
  stage: 'Loki',
  check(ws) {
    const findings: OtlpIngestionFinding[] = [];
    const major = lokiMajor(ws.stack);
    const sends = lokiExports(ws.stack);
    if (major !== undefined && major < 3 && sends.length > 0) {
      const x = sends[0];
      findings.push({
        ...x.value.location('value'),
        kind: 'lokiBefore3',
        data: { exporter: x.exporter.id, evidence: ws.stack.lokiVersion!.evidence ?? 'its compose image', version: ws.stack.lokiVersion!.version },
        hint: 'upgrade Loki to 3.0 or later (its config then needs schema v13 with the tsdb index)',
      });
    }
    if (major === undefined || major >= 3)
      for (const c of ws.stack.loki.filter((l) => l.yaml.problems.length === 0)) findings.push(...configFindings(c, sends.length > 0));
    return findings;
  },
});

function configFindings(c: LokiConfig, otlpSent: boolean): OtlpIngestionFinding[] {
  const allow = c.allowStructuredMetadata;
  if (allow && !allow.allowed) {
    // Without structured metadata Loki 3 starts with any schema and takes its own push API: only OTLP is refused.
    if (!otlpSent) return [];
    return [
      {
        ...allow.value.location('value'),
        kind: 'structuredMetadataOff',
        hint: 'remove it (true is the default from Loki 3.0); the current schema period must then be v13 with the tsdb index',
      },
    ];
  }
  const period = currentPeriod(c);
  if (!period) return [];
  const schema = schemaNumber(period.schema);
  const hint =
    'add a schema period starting tomorrow with store: tsdb and schema: v13 (older data keeps its period), or set limits_config.allow_structured_metadata: false (but then Loki takes no OTLP)';
  const at = (key: 'schema' | 'store') => (period.value.get(key) ?? period.value).location('value');
  if (schema !== undefined && schema < 13) return [{ ...at('schema'), kind: 'schemaBeforeV13', data: { schema: period.schema!, from: period.from }, hint }];
  if (period.store !== undefined && period.store !== 'tsdb')
    return [{ ...at('store'), kind: 'storeNotTsdb', data: { store: period.store, from: period.from }, hint }];
  return [];
}
