import { defineProbe, results, type Probe, type ProbeResult } from '../define.js';
import { FAILED_HOW, answered, answerText, displayUrl, httpRequest, jsonBody, httpStatus, serverSays } from '../http.js';
import { prometheusExporterListeners } from '../../model/collector.js';
import { atUse, dashboardName, groupUses, knownNames, looksLikeClaudeName, metricUses, usedIn } from '../../model/dashboard-queries.js';
import type { Workspace } from '../../model/workspace.js';
import { flowWaitMs } from '../plan.js';

/** An active target as read from /api/v1/targets, its texts cut for findings. */
interface ActiveTarget {
  job: string;
  scrapeUrl: string;
  health: string;
  lastError: string;
}

/** Scrape results listed one by one; more become one line (a Prometheus can have thousands of targets). */
const MAX_LISTED = 20;

const messages = {
  unreachable: { message: 'no usable answer from Prometheus ({{how}})', detail: 'GET {{url}}: {{error}}' },
  notReady: { message: 'Prometheus is not ready', detail: 'GET {{url}}: {{answer}}' },
  targetsUnreadable: { message: "Prometheus' target list could not be read", detail: 'GET {{url}}: {{answer}}' },
  scrapeDown: {
    message: "Prometheus cannot scrape the collector's exporter: the target is {{health}}",
    detail: (d: { target: string; job: string; error: string }) => `target ${d.target} (job ${d.job})${d.error ? `: ${d.error}` : ''}`,
  },
  noScrapeTarget: {
    message: "no active Prometheus target scrapes the collector's prometheus exporter",
    detail: 'GET {{url}}: no active target on port {{ports}}',
  },
  namesUnreadable: { message: "Prometheus' series names could not be read", detail: 'GET {{url}}: {{answer}}' },
  noSeries: { message: 'Prometheus has no Claude Code series yet', detail: 'GET {{url}}: no series name matches .*claude_code.*' },
  dashboardName: {
    message: 'dashboard {{dashboard}} queries {{queried}}, not the name Prometheus stores',
    detail: 'in {{panels}}; Prometheus stores that metric as {{stored}}',
  },
} as const;

const probe: Probe<typeof messages> = defineProbe({
  id: 'probe/prometheus',
  stage: 'Prometheus',
  title: 'Prometheus is ready, scrapes the collector and has Claude Code series',
  checks:
    "GET /-/ready; /api/v1/targets: the targets that scrape the collector's prometheus exporter and whether they are up (with the scrape error); /api/v1/label/__name__/values: the Claude Code series Prometheus holds, compared with the names the workspace's dashboards query.",
  why: 'Dashboards show "No data" when Prometheus is down, its scrape of the collector fails (connection refused to a localhost-bound exporter, wrong host or port), no Claude Code data has arrived yet, or the dashboards query another name than the one stored (claude_code_… vs claude_code_claude_code_…).',
  references: [
    'https://github.com/prometheus/prometheus/blob/v3.14.0/docs/querying/api.md (/api/v1/targets, /api/v1/label/__name__/values)',
    'https://github.com/prometheus/prometheus/blob/v3.14.0/docs/management_api.md (/-/ready)',
    'test/pipeline/naming-oracle.test.ts (series names per pipeline)',
  ],
  messages,
  async run({ ws, plan, flags, onWait }) {
    const r = results(probe);
    const t = plan.prometheus;
    const base = t.url;
    const shown = displayUrl(base);
    const ready = await httpRequest(`${base}/-/ready`, { timeoutMs: flags.timeoutMs });
    if (!ready.ok) {
      if (t.guessed && !answered(ready)) return [r.skipped(shown, `nothing answers (${ready.error}); pass --prometheus-url to check a Prometheus elsewhere`)];
      return [
        r.failed(shown, {
          kind: 'unreachable',
          data: { how: FAILED_HOW[ready.kind], url: `${shown}/-/ready`, error: ready.error },
          refused: ready.kind === 'refused',
          origin: t.origin,
          hint: ready.kind === 'refused' ? 'start Prometheus, or publish its port 9090 to this host' : undefined,
        }),
      ];
    }
    if (ready.status !== 200)
      return [
        r.failed(shown, {
          kind: 'notReady',
          data: { url: `${shown}/-/ready`, answer: `${httpStatus(ready.status)}${serverSays(ready.body)}` },
          origin: t.origin,
        }),
      ];
    const out: ProbeResult[] = [r.ok(shown, 'Prometheus is ready')];

    const readTargets = async () => {
      const answer = await httpRequest(`${base}/api/v1/targets?state=active`, { timeoutMs: flags.timeoutMs });
      return { answer, active: answer.ok ? activeTargets(jsonBody<{ data?: { activeTargets?: unknown } }>(answer)?.data?.activeTargets) : undefined };
    };
    let { answer: targets, active } = await readTargets();
    // Right after a start, a target's health is `unknown` until its first scrape: wait one scrape interval (within
    // the flow timeout) before judging it.
    const notYet = (list: ActiveTarget[] | undefined) => !!list && collectorTargets(ws, list).some((a) => a.health === 'unknown');
    const waitMs = Math.min(flowWaitMs(plan, flags), ((plan.scrapeIntervalSeconds ?? 15) + 1) * 1000);
    const start = Date.now();
    const deadline = start + waitMs;
    const what = 'Prometheus to scrape the collector';
    let waited = false;
    while (notYet(active) && Date.now() < deadline) {
      waited = true;
      onWait?.({ what, elapsedMs: Date.now() - start, timeoutMs: waitMs });
      await new Promise((res) => setTimeout(res, Math.min(1000, deadline - Date.now())));
      ({ answer: targets, active } = await readTargets());
    }
    if (waited) onWait?.({ what, elapsedMs: Date.now() - start, timeoutMs: waitMs, done: true });
    if (!active) {
      out.push(
        r.failed(shown, {
          kind: 'targetsUnreadable',
          data: { url: `${shown}/api/v1/targets`, answer: targets.ok ? `${httpStatus(targets.status)}, no target list` : targets.error },
          origin: t.origin,
        }),
      );
    } else {
      const scraping = collectorTargets(ws, active);
      out.push(
        ...scraping.slice(0, MAX_LISTED).map((a) =>
          a.health === 'up'
            ? r.ok(shown, `scrapes ${a.scrapeUrl} (job ${a.job}): up`)
            : a.health === 'unknown'
              ? r.skipped(shown, `${a.scrapeUrl} (job ${a.job}) not scraped yet (health unknown after ${Math.round(waitMs / 1000)} s)`)
              : r.failed(shown, {
                  kind: 'scrapeDown',
                  data: { health: a.health, target: a.scrapeUrl, job: a.job, error: a.lastError },
                  hint: scrapeHint(a.lastError),
                }),
        ),
      );
      if (scraping.length > MAX_LISTED) out.push(r.skipped(shown, `… and ${scraping.length - MAX_LISTED} more targets scraping the collector, not listed`));
      const exporterPorts = collectorPorts(ws);
      if (exporterPorts.length > 0 && scraping.length === 0) {
        out.push(
          r.failed(shown, {
            kind: 'noScrapeTarget',
            data: { url: `${shown}/api/v1/targets`, ports: exporterPorts.join(', ') },
            hint: 'the running prometheus.yml is not the one here, or its job targets another port; see /api/v1/status/config',
          }),
        );
      }
    }

    const names = await httpRequest(`${base}/api/v1/label/__name__/values?match[]=${encodeURIComponent('{__name__=~".*claude_code.*"}')}`, {
      timeoutMs: flags.timeoutMs,
    });
    const data = names.ok ? jsonBody<{ data?: unknown }>(names)?.data : undefined;
    const list = Array.isArray(data) ? data.filter((n): n is string => typeof n === 'string') : undefined;
    if (!list) {
      out.push(
        r.failed(shown, {
          kind: 'namesUnreadable',
          data: { url: `${shown}/api/v1/label/__name__/values`, answer: names.ok ? `${httpStatus(names.status)}, no name list` : names.error },
          origin: t.origin,
        }),
      );
      return out;
    }
    const claudeSends = ws.claude.prediction.signals.some((s) => s.signal === 'metrics' && s.exported);
    if (list.length === 0) {
      if (claudeSends) {
        out.push(
          r.failed(shown, {
            kind: 'noSeries',
            data: { url: `${shown}/api/v1/label/__name__/values` },
            severity: 'warning',
            hint: 'Claude Code exports metrics every 60 s (OTEL_METRIC_EXPORT_INTERVAL) while a session runs; after a session, the end-to-end probe shows which hop loses data',
          }),
        );
      } else out.push(r.skipped(shown, 'no Claude Code series (Claude Code does not export metrics with these settings)'));
      return out;
    }
    out.push(
      r.ok(
        shown,
        `holds ${list.length} Claude Code series name${list.length === 1 ? '' : 's'}, e.g. ${list
          .slice(0, 2)
          .map((n) => answerText(n, 80))
          .join(', ')}`,
      ),
    );
    out.push(...dashboardNames(ws, list).map((m) => r.failed(shown, { kind: 'dashboardName', data: m.data, origin: m.origin, hint: m.hint })));
    return out;
  },
});

/** The target list of an answer, whatever its shape: undefined when it is no list, entries that are no object left out. */
function activeTargets(value: unknown): ActiveTarget[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value
    .filter((a): a is Record<string, unknown> => typeof a === 'object' && a !== null)
    .map((a) => ({
      job: answerText((a.labels as { job?: unknown } | null)?.job) ?? '',
      scrapeUrl: answerText(a.scrapeUrl) ?? '',
      health: answerText(a.health, 20) ?? 'unknown',
      lastError: answerText(a.lastError) ?? '',
    }));
}

function collectorPorts(ws: Workspace): number[] {
  return [...new Set(ws.stack.collectors.flatMap((c) => prometheusExporterListeners(c).map((l) => l.port)))];
}

/** Active targets that scrape the collector's exporter: by port, else by a job of the workspace's prometheus.yml targeting that port. */
function collectorTargets(ws: Workspace, active: ActiveTarget[]): ActiveTarget[] {
  const ports = collectorPorts(ws);
  const jobs = new Set(
    ws.stack.prometheus.flatMap((p) => p.jobs.filter((j) => j.targets.some((t) => t.port !== undefined && ports.includes(t.port))).map((j) => j.name)),
  );
  return active.filter((a) => {
    let port: number | undefined;
    try {
      port = Number(new URL(a.scrapeUrl).port) || undefined;
    } catch {
      port = undefined;
    }
    return (port !== undefined && ports.includes(port)) || jobs.has(a.job);
  });
}

function scrapeHint(error: string): string | undefined {
  if (/connection refused/i.test(error))
    return "the exporter is not reachable from Prometheus: in a container it must listen on 0.0.0.0 (not localhost), and the target must name the collector's service and exporter port";
  if (/no such host|server misbehaving/i.test(error)) return 'the target host is not a name Prometheus resolves: use the compose service name of the collector';
  if (/deadline exceeded|timeout/i.test(error)) return 'the scrape timed out: is the host and port right, and is a firewall in the way?';
  if (/404/.test(error)) return 'the exporter serves /metrics: check metrics_path';
  return undefined;
}

/** Dashboard queries naming a Claude Code series Prometheus does not have, while it holds the same metric under another name. */
function dashboardNames(ws: Workspace, present: string[]) {
  const have = new Set(present);
  const known = knownNames(ws);
  const out: {
    data: { dashboard: string; queried: string; panels: string; stored: string };
    origin: { file?: string; range?: import('../../types.js').Range; path?: string; kind: 'config'; describe: string };
    hint: string;
  }[] = [];
  const missing = metricUses(ws).filter((u) => looksLikeClaudeName(ws, u.name) && !have.has(u.name) && !u.name.endsWith('_created'));
  for (const uses of groupUses(missing)) {
    const u = uses[0];
    const otel = known.get(u.name)?.otel;
    const stored = otel ? present.filter((n) => known.get(n)?.otel === otel) : [];
    if (stored.length === 0) continue; // that metric has not arrived at all (e.g. no commit yet): not a naming problem
    out.push({
      data: { dashboard: dashboardName(u.aq.dashboard), queried: u.name, panels: usedIn(uses), stored: stored.join(', ') },
      origin: { kind: 'config', describe: 'dashboard', ...atUse(u) },
      hint: `query ${stored[0]} (or change the exporter's namespace or translation strategy to produce ${u.name})`,
    });
  }
  return out;
}

export default probe;
