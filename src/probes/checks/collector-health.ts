import { defineProbe, results, type Probe } from '../define.js';
import { answerText, displayUrl, FAILED_HOW, httpRequest, jsonBody, httpStatus } from '../http.js';

const messages = {
  unreachable: { message: "no usable answer from the collector's health check ({{how}})", detail: 'GET {{url}}: {{error}}' },
  unhealthy: { message: 'the collector runs but reports it is not healthy', detail: 'GET {{url}}: {{answer}}' },
} as const;

const probe: Probe<typeof messages> = defineProbe({
  id: 'probe/collector-health',
  stage: 'Collector',
  title: "The collector's health_check extension answers",
  checks:
    'GET on the health_check extension\'s endpoint and path (as published to this host): 200 with status "Server available" means the collector has started its pipelines.',
  why: 'A collector that exited at start (a config error, a port already in use) or is still starting takes no telemetry; its health endpoint tells that apart from a network problem.',
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/v0.159.0/extension/healthcheckextension/README.md (endpoint, path, body)',
  ],
  messages,
  async run({ ws, plan, flags }) {
    const r = results(probe);
    const t = plan.collectorHealth;
    if (!t) {
      if (ws.stack.collectors.length === 0) return [];
      return [
        r.skipped(
          undefined,
          'no health_check extension in service.extensions reachable from this host (add one on 0.0.0.0:13133 and publish it to check the collector directly)',
        ),
      ];
    }
    const shown = displayUrl(t.url);
    const a = await httpRequest(t.url, { timeoutMs: flags.timeoutMs });
    if (!a.ok) {
      return [
        r.failed(shown, {
          kind: 'unreachable',
          data: { how: FAILED_HOW[a.kind], url: shown, error: a.error },
          refused: a.kind === 'refused',
          origin: t.origin,
          hint:
            a.kind === 'refused'
              ? 'is the collector running? `docker compose ps` and `docker compose logs <collector>` show whether it exited at start'
              : undefined,
        }),
      ];
    }
    const body = jsonBody<{ status?: unknown; uptime?: unknown }>(a);
    const status = answerText(body?.status);
    const uptime = answerText(body?.uptime, 40);
    if (a.status === 200) return [r.ok(shown, `collector healthy${status ? `: ${status}` : ''}${uptime ? `, up ${uptime}` : ''}`)];
    return [
      r.failed(shown, {
        kind: 'unhealthy',
        data: { url: shown, answer: `${httpStatus(a.status)}${status ? ` ${status}` : ''}` },
        origin: t.origin,
        hint: 'the collector runs but reports not ready: check its log',
      }),
    ];
  },
});

export default probe;
