import { defineProbe, results, type Probe, type ProbeResult } from '../define.js';
import { FAILED_HOW, answered, answerText, displayUrl, httpRequest, jsonBody, httpStatus, serverSays } from '../http.js';
import { PROBE_LOG_PREFIX } from '../otlp-payload.js';

/** How far back Claude Code's events are looked for: Loki's own default for label queries. */
const LOOKBACK_NS = 6n * 3600n * 1_000_000_000n;

const messages = {
  unreachable: { message: 'no usable answer from Loki ({{how}})', detail: 'GET {{url}}: {{error}}' },
  notReady: { message: 'Loki is not ready', detail: 'GET {{url}}: {{answer}}' },
  queryFailed: { message: "Claude Code's logs could not be queried in Loki", detail: 'GET {{url}}: {{answer}}' },
  noLogs: {
    message: 'Loki has no logs from Claude Code in the last 6 h',
    detail: (d: { service: string; others: string }) => `none with service_name="${d.service}"${d.others ? `; Loki has logs of: ${d.others}` : ''}`,
  },
} as const;

const probe: Probe<typeof messages> = defineProbe({
  id: 'probe/loki',
  stage: 'Loki',
  title: "Loki is ready and holds Claude Code's events",
  checks:
    "GET /ready, then a /loki/api/v1/query_range for the last 6 h of logs with Claude Code's service_name (claude-code unless changed), leaving out the doctor's own probe records; when there are none, /loki/api/v1/label/service_name/values says what Loki does hold.",
  why: 'Event panels (prompts, tool results, API errors) stay empty when Loki is down, still starting, or no Claude Code log has arrived (OTEL_LOGS_EXPORTER unset, no logs pipeline, an exporter pointing at the old /loki/api/v1/push path).',
  references: [
    'https://grafana.com/docs/loki/latest/send-data/otel/ (OTLP ingestion, service_name)',
    'https://grafana.com/docs/loki/latest/reference/loki-http-api/ (API endpoints)',
  ],
  messages,
  async run({ ws, plan, flags }) {
    const r = results(probe);
    const t = plan.loki;
    const shown = displayUrl(t.url);
    const ready = await httpRequest(`${t.url}/ready`, { timeoutMs: flags.timeoutMs });
    if (!ready.ok) {
      if (t.guessed && !answered(ready)) return [r.skipped(shown, `nothing answers (${ready.error}); pass --loki-url to check a Loki elsewhere`)];
      return [
        r.failed(shown, {
          kind: 'unreachable',
          data: { how: FAILED_HOW[ready.kind], url: `${shown}/ready`, error: ready.error },
          refused: ready.kind === 'refused',
          origin: t.origin,
          hint: ready.kind === 'refused' ? 'start Loki, or publish its port 3100 to this host' : undefined,
        }),
      ];
    }
    if (ready.status !== 200)
      return [
        r.failed(shown, {
          kind: 'notReady',
          data: { url: `${shown}/ready`, answer: `${httpStatus(ready.status)}${serverSays(ready.body)}` },
          origin: t.origin,
          hint: 'Loki reports services still starting (wait ~15 s after start) or a config error in its log',
        }),
      ];
    const out: ProbeResult[] = [r.ok(shown, 'Loki is ready')];
    // The end-to-end probe sends log records as Claude Code's service too: they prove the path, not that Claude
    // Code's own events arrive, so they are left out here.
    const svc = plan.serviceName.replace(/["\\]/g, '\\$&');
    const now = BigInt(Date.now()) * 1_000_000n;
    const logql = `{service_name="${svc}"} != "${PROBE_LOG_PREFIX}"`;
    const events = await httpRequest(
      `${t.url}/loki/api/v1/query_range?query=${encodeURIComponent(logql)}&start=${now - LOOKBACK_NS}&end=${now}&limit=1&direction=backward`,
      { timeoutMs: flags.timeoutMs },
    );
    const streams = events.ok && events.status === 200 ? jsonBody<{ data?: { result?: unknown[] } }>(events)?.data?.result : undefined;
    if (!Array.isArray(streams)) {
      out.push(
        r.failed(shown, {
          kind: 'queryFailed',
          data: { url: `${shown}/loki/api/v1/query_range`, answer: events.ok ? `${httpStatus(events.status)}, no result list` : events.error },
          origin: t.origin,
        }),
      );
      return out;
    }
    const logsSent = ws.claude.prediction.signals.some((s) => s.signal === 'logs' && s.exported);
    if (streams.length > 0) out.push(r.ok(shown, `holds Claude Code's logs (service_name="${plan.serviceName}")`));
    else if (logsSent) {
      const values = await httpRequest(`${t.url}/loki/api/v1/label/service_name/values`, { timeoutMs: flags.timeoutMs });
      const data = values.ok ? jsonBody<{ data?: unknown }>(values)?.data : undefined;
      const list = (Array.isArray(data) ? data : []).filter((v): v is string => typeof v === 'string' && v !== plan.serviceName);
      const others = list
        .slice(0, 5)
        .map((v) => answerText(v, 60))
        .join(', ');
      out.push(
        r.failed(shown, {
          kind: 'noLogs',
          data: { service: plan.serviceName, others: list.length ? `${others}${list.length > 5 ? ', …' : ''}` : '' },
          severity: 'warning',
          hint: 'Claude Code sends events while a session runs (every 5 s by default); after one, the end-to-end probe shows which hop loses them',
        }),
      );
    } else out.push(r.skipped(shown, 'Claude Code does not export logs with these settings (OTEL_LOGS_EXPORTER)'));
    return out;
  },
});

export default probe;
