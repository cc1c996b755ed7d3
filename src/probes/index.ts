import type { Workspace } from '../model/workspace.js';
import type { Probe, ProbeContext, ProbeResult } from './define.js';
import { planProbes, sentCredentials, type ProbeFlags } from './plan.js';
import { answerText } from './http.js';
import { helperSecrets } from './headers-helper.js';
import otlpGrpc from './checks/otlp-grpc.js';
import otlpHttp from './checks/otlp-http.js';
import collectorHealth from './checks/collector-health.js';
import prometheus from './checks/prometheus.js';
import loki from './checks/loki.js';
import grafana from './checks/grafana.js';
import dataFlow from './checks/data-flow.js';

/** Every probe, in pipeline order. */
export const PROBES: Probe[] = [otlpGrpc, otlpHttp, collectorHealth, prometheus, loki, grafana, dataFlow];
export const PROBES_BY_ID = new Map(PROBES.map((p) => [p.id, p]));

export interface ProbeRun {
  results: ProbeResult[];
  /** Header values the otelHeadersHelper scripts printed and the credentials the probes send: to mask in every output. */
  secrets: Set<string>;
}

/** What a caller hears while the probes run: each probe's results as it ends, and the waits in between. */
export interface ProbeHooks {
  /** One probe has ended: its results, and the headers helpers' values known so far (to mask). */
  onProbe?: (probe: Probe, results: ProbeResult[], secrets: Set<string>) => void;
  onWait?: ProbeContext['onWait'];
}

/**
 * Runs every probe (or those selected) for one workspace, all at once; each request has its own hard timeout, and
 * a probe that throws becomes a failed result rather than an aborted run.
 */
export async function runProbes(ws: Workspace, flags: ProbeFlags, selected: (id: string) => boolean = () => true, hooks: ProbeHooks = {}): Promise<ProbeRun> {
  const plan = planProbes(ws, flags);
  const runs = PROBES.filter((p) => selected(p.id)).map(async (p): Promise<ProbeResult[]> => {
    let results: ProbeResult[];
    try {
      results = await p.run({ ws, plan, flags, onWait: hooks.onWait });
    } catch (err) {
      const message = 'the probe itself failed';
      const detail = answerText(String((err as Error)?.message ?? err)) ?? '';
      results = [{ probeId: p.id, stage: p.stage, status: 'failed', summary: message, finding: { ruleId: p.id, severity: 'error', message, detail } }];
    }
    for (const r of results) if (r.finding && ws.mode === 'files') r.finding.workspace = ws.name;
    hooks.onProbe?.(p, results, new Set([...helperSecrets(plan.otlp), ...sentCredentials(plan)]));
    return results;
  });
  const all = (await Promise.all(runs)).flat();
  return { results: all, secrets: new Set([...helperSecrets(plan.otlp), ...sentCredentials(plan)]) };
}

export type { ProbeResult, ProbeFlags };
