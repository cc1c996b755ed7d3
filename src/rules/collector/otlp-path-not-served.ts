import { defineRule, type RuleFinding } from '../define.js';
import { listenerValue, valueAt } from '../../model/collector.js';
import { deliveries, gateText, type Delivery } from '../../model/routes.js';
import { groupBy, sendsText } from '../../model/sends-text.js';
import { otlpSignals } from '../../model/otlp-signals.js';
import type { Workspace } from '../../model/workspace.js';

type WrongPath = Extract<Delivery, { status: 'wrong-path' }>;

const messages = {
  wrongPath: {
    message: (d: { signal: string; sentPath: string; receiver: string; served: string }) =>
      `Claude Code posts ${d.signal} to ${d.sentPath}; receiver "${d.receiver}" serves them at ${d.served}: every export gets 404`,
    detail: (d: { sends: string; paths: string; receiver: string; gate: string }) =>
      `Claude Code sends ${d.sends}; its requests reach receiver "${d.receiver}" (HTTP) as ${d.paths}, paths the receiver does not serve${d.gate}`,
  },
} as const;
type OtlpPathFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'collector/otlp-path-not-served',
  severity: 'error',
  title: "Claude Code's OTLP/HTTP requests arrive at a path the collector's receiver does not serve",
  checks:
    "Cross-file: an OTLP/HTTP export of Claude Code that reaches an OTLP receiver of the workspace (directly, through a compose port, a Kubernetes Service, an Ingress or an HTTPRoute) arrives with a path the receiver does not serve for its signal: `/v1/<signal>`, or the `<signal>_url_path` the receiver sets. Typical: a path in the generic endpoint (`http://collector:4318/otlp`, to which Claude Code appends `/v1/<signal>`), or an Ingress path prefix the controller passes on. Through an Ingress or an HTTPRoute a warning that says it assumes the path passes unchanged; not judged when the route rewrites it (an annotation naming rewrite, strip, middlewares or a snippet; a URLRewrite filter), through the Operator's Ingress, or when the served path is left to the environment. What settings/invalid-endpoint reports (a generic endpoint ending in `/v1` or `/v1/<signal>`, a per-signal endpoint with another path than `/v1/<signal>`) is reported there only.",
  why: 'The receiver\'s HTTP server routes exactly the paths it serves (`/v1/traces`, `/v1/metrics`, `/v1/logs` unless `traces_url_path`, `metrics_url_path`, `logs_url_path` say otherwise) and answers 404 to any other path. Claude Code appends `/v1/<signal>` to the generic endpoint and uses a per-signal endpoint as written; it reports the failed exports only in its debug output ("OTLPExporterError: Not Found"), so nothing arrives and nothing is printed.',
  fix: 'none',
  versions: 'all collector versions (the `*_url_path` options since v0.65)',
  bad: {
    file: 'claude-settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4318/otlp"\n  }\n}\n',
  },
  good: {
    file: 'claude-settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4318"\n  }\n}\n',
  },
  messages,
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.165.0/receiver/otlpreceiver/config.go (traces_url_path, metrics_url_path, logs_url_path; a path without a leading / gets one)',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.165.0/receiver/otlpreceiver/otlp.go (one handler per path on an http.ServeMux: any other path is 404)',
    'measured on the real collector: test/pipeline/otlp-http-paths.test.ts (200 at the served paths, 404 at /otlp/v1/metrics)',
  ],
  oracle: 'fixtures',
  certainty:
    'The receiver answers 404 to a path it does not serve (measured on the real collector, test/pipeline/otlp-http-paths.test.ts). Error only where the request reaches the collector as Claude Code sent it (directly, a compose port, a Service); through an Ingress or an HTTPRoute the controller might rewrite the path by means the doctor cannot see: a warning that says so.',
  stage: 'Collector',
  check(ws) {
    const endpoints = new Map(otlpSignals(ws.claude.env).map((s) => [s.signal, s.endpointVar]));
    const wrong = deliveries(ws).filter((d): d is WrongPath => d.status === 'wrong-path' && !invalidEndpointReports(d, endpoints.get(d.route.signal)?.name));
    return groupBy(wrong, (d) => `${d.collector.file}|${d.listener.receiver}|${d.listener.port}`).map((group) => finding(ws, group));
  },
});

/**
 * Paths settings/invalid-endpoint reports already (one defect, one finding): a generic endpoint ending in `/v1` or
 * `/v1/<signal>`, and a per-signal endpoint whose path is not `/v1/<signal>`.
 */
function invalidEndpointReports(d: WrongPath, variable: string | undefined): boolean {
  if (variable === 'OTEL_EXPORTER_OTLP_ENDPOINT') return /\/v1(\/(metrics|logs|traces))?\/v1\/[a-z]+$/.test(d.sentPath);
  return d.sentPath !== `/v1/${d.route.signal}`;
}

function finding(ws: Workspace, group: WrongPath[]): OtlpPathFinding {
  const d = group[0];
  const served = d.listener.urlPaths?.[d.route.signal];
  const written = served && served !== 'unknown' && served.at ? valueAt(d.collector.root, served.at) : undefined;
  const at = written ?? listenerValue(d.collector, d.listener);
  const gate = `${gateText(d.route)}${d.assumed}`;
  const prefix = d.sentPath.endsWith(d.served) ? d.sentPath.slice(0, -d.served.length) : undefined;
  return {
    ...at.location(written || !d.listener.implicit ? 'value' : 'key'),
    kind: 'wrongPath',
    severity: gate ? 'warning' : undefined,
    data: {
      signal: d.route.signal,
      sentPath: d.sentPath,
      receiver: d.listener.receiver,
      served: d.served,
      sends: sendsText(
        ws,
        group.map((g) => g.route),
      ),
      paths: group.map((g) => `${g.sentPath} (${g.route.signal}; served at ${g.served})`).join(', '),
      gate,
    },
    hint: prefix
      ? `drop ${prefix} from Claude Code's endpoint (${d.route.url.slice(0, d.route.url.indexOf(d.sentPath))}), or have whatever is in front of the collector strip it`
      : `send ${d.route.signal} to ${d.served}, or set ${d.route.signal}_url_path: ${d.sentPath} on the receiver's http protocol`,
    subject: d.listener.receiver,
  };
}
