import { defineProbe, results, type ProbeResult } from '../define.js';
import { displayUrl, httpRequest, jsonBody } from '../http.js';

const probe = defineProbe({
  id: 'probe/loki',
  stage: 'Loki',
  title: "Loki is ready and holds Claude Code's events",
  checks: "GET /ready, then /loki/api/v1/label/service_name/values: Claude Code's service.name (claude-code unless changed) is there once its events arrived over OTLP.",
  why: 'Event panels (prompts, tool results, API errors) stay empty when Loki is down, still starting, or no Claude Code log has arrived (OTEL_LOGS_EXPORTER unset, no logs pipeline, an exporter pointing at the old /loki/api/v1/push path).',
  references: ['grafana-loki.md §9 (OTLP ingestion, service_name), §10 (API endpoints for probes)'],
  async run({ ws, plan, flags }) {
    const r = results(probe);
    const t = plan.loki;
    const shown = displayUrl(t.url);
    const ready = await httpRequest(`${t.url}/ready`, { timeoutMs: flags.timeoutMs });
    if (!ready.ok) {
      if (t.guessed) return [r.skipped(shown, `nothing answers (${ready.error}); pass --loki-url to check a Loki elsewhere`)];
      return [r.failed(shown, `Loki: ${ready.error}`, { origin: t.origin, hint: ready.kind === 'refused' ? 'start Loki, or publish its port 3100 to this host' : undefined })];
    }
    if (ready.status !== 200) return [r.failed(shown, `Loki is not ready: HTTP ${ready.status} ${ready.body.trim().slice(0, 120)}`, { origin: t.origin, hint: 'Loki reports services still starting (wait ~15 s after start) or a config error in its log' })];
    const out: ProbeResult[] = [r.ok(shown, 'Loki is ready')];
    const values = await httpRequest(`${t.url}/loki/api/v1/label/service_name/values`, { timeoutMs: flags.timeoutMs });
    const list = values.ok ? jsonBody<{ data?: string[] }>(values)?.data : undefined;
    if (!Array.isArray(list)) {
      out.push(r.failed(shown, `the service_name values could not be read${values.ok ? ` (HTTP ${values.status})` : `: ${values.error}`}`, { origin: t.origin }));
      return out;
    }
    const logsSent = ws.claude.prediction.signals.some((s) => s.signal === 'logs' && s.exported);
    if (list.includes(plan.serviceName)) out.push(r.ok(shown, `holds logs of service_name="${plan.serviceName}"`));
    else if (logsSent) {
      out.push(r.failed(shown, `Loki has no logs with service_name="${plan.serviceName}" yet${list.length ? ` (it has: ${list.slice(0, 5).join(', ')})` : ''}`, {
        severity: 'warning',
        hint: 'Claude Code sends events while a session runs (every 5 s by default); after one, the end-to-end probe shows which hop loses them',
      }));
    } else out.push(r.skipped(shown, 'Claude Code does not export logs with these settings (OTEL_LOGS_EXPORTER)'));
    return out;
  },
});

export default probe;
