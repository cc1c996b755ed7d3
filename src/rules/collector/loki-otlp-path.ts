import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlReplaceScalar } from '../../model/edits.js';
import { lokiExports, type LokiExport } from '../../model/loki.js';

const DROPPED = 'no Claude Code event reaches Loki';
const ANSWER = 'Loki answers 404 or rejects them';

/** `url`: where the exporter ends up posting logs. */
const messages = {
  pushApi: {
    message: `exporter "{{exporter}}" posts logs to the old push API, not Loki's OTLP endpoint: ${DROPPED}`,
    detail: `it posts to {{url}}, a path under the old loki exporter's push API (/loki/api/v1/push): ${ANSWER}`,
  },
  pathTwice: {
    message: `exporter "{{exporter}}" posts logs to the OTLP path twice: ${DROPPED}`,
    detail: `it posts to {{url}} (the exporter appends /v1/logs to \`endpoint\`): ${ANSWER}`,
  },
  notOtlp: {
    message: `exporter "{{exporter}}" posts logs where Loki has no OTLP endpoint: ${DROPPED}`,
    detail: `it posts to {{url}}; Loki ingests OTLP at /otlp/v1/logs: ${ANSWER}`,
  },
} as const;

/** What Loki makes of the path the exporter ends up posting to. */
function problem(posted: string): keyof typeof messages | undefined {
  if (/^\/otlp\/v1\/logs\/?$/.test(posted)) return undefined;
  if (posted.includes('/loki/api/v1/push')) return 'pushApi';
  if (/\/otlp\/v1\/logs\/v1\/logs$/.test(posted)) return 'pathTwice';
  return 'notOtlp';
}

export default defineRule({
  id: 'collector/loki-otlp-path',
  severity: 'error',
  title: 'OTLP/HTTP exporter to Loki on the wrong path',
  checks:
    "An `otlphttp` (`otlp_http`) exporter in a logs pipeline whose endpoint is Loki (a host named loki, port 3100, or a compose service running grafana/loki), when the URL it posts logs to is not Loki's `/otlp/v1/logs`: `endpoint` gets `/v1/logs` appended, so it must be `http://<loki>:3100/otlp`; a `logs_endpoint` is used as written, so it must end in `/otlp/v1/logs`.",
  why: 'Loki answers every other path with 404 (or rejects the payload on its push API), the collector logs "Exporting failed. Dropping data." and Claude Code\'s events never reach Loki, while the collector and Loki both look healthy. The usual mistakes: the old loki exporter\'s `/loki/api/v1/push` carried over, `http://loki:3100` without `/otlp`, or `/otlp/v1/logs` in `endpoint` (appended again).',
  fix: 'safe',
  fixDescription:
    'Sets `endpoint` to `<scheme>://<loki host>:<port>/otlp` (or `logs_endpoint` to `…/otlp/v1/logs`): the same Loki, on the path it ingests OTLP at.',
  versions: 'all collector versions; Loki 3.0 or later (native OTLP ingestion)',
  bad: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  otlphttp/loki:\n    endpoint: http://loki:3100/loki/api/v1/push\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [otlphttp/loki]\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  otlphttp/loki:\n    endpoint: http://loki:3100/otlp\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [otlphttp/loki]\n',
  },
  references: [
    'https://grafana.com/docs/loki/latest/send-data/otel/ (endpoint http://loki:3100/otlp; the exporter appends /v1/logs)',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/exporter/otlphttpexporter/README.md',
  ],
  oracle: 'fixtures',
  certainty:
    "Loki serves OTLP logs only at /otlp/v1/logs (Loki docs); otlphttp appends /v1/logs to `endpoint` and uses `logs_endpoint` as written (exporter docs), so any other URL gets 404 and the collector drops the batch. Error only when the endpoint is Loki's: a compose service running a Loki image, or a host named loki on port 3100.",
  stage: 'Collector',
  messages,
  fatalIn: () => false,
  check(ws) {
    return lokiExports(ws.stack).flatMap((x) => {
      const finding = check(x);
      return finding ? [finding] : [];
    });
  },
});

function check({ collector: c, exporter: e, key, url }: LokiExport): RuleFinding<typeof messages> | undefined {
  const posted = key === 'endpoint' ? `${url.path.replace(/\/+$/, '')}/v1/logs` : url.path;
  const kind = problem(posted);
  if (!kind) return undefined;
  const right = key === 'endpoint' ? `${url.base}/otlp` : `${url.base}/otlp/v1/logs`;
  const written = e.value.get(key);
  return {
    ...(written ?? e.value).location('value'),
    kind,
    data: { exporter: e.id, url: `${url.base}${posted}` },
    hint: `${key}: ${right}${key === 'endpoint' ? ' (the exporter appends /v1/logs)' : ''}`,
    fix: fix('safe', `point ${e.id} at ${right}`, yamlReplaceScalar(c.yaml, [...e.path, key], 'value', right)),
  };
}
