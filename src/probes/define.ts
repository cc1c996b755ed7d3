import type { Finding, Severity, Waiting } from '../types.js';
import type { Workspace } from '../model/workspace.js';
import type { ProbeFlags, ProbePlan, TargetOrigin } from './plan.js';

/**
 * A live probe, one per file like a rule: metadata beside an async `run` that reads the plan (where to look) and
 * returns what it saw. A failure carries a finding of the same type the rules return (rule id = probe id), so
 * every report format, `--fail-on` and SARIF treat it alike. Probes never print secrets: they only ever show URLs
 * through `displayUrl`, and the CLI redacts header values and tokens from all output as well.
 */

export type ProbeStage = 'OTLP endpoint' | 'Collector' | 'Prometheus' | 'Loki' | 'Grafana' | 'End to end';

export interface ProbeMeta {
  id: string;
  stage: ProbeStage;
  title: string;
  /** What it does on the wire, in a sentence or two. */
  checks: string;
  /** Why it matters: the symptom the user sees when it fails. */
  why: string;
  references: string[];
}

export interface ProbeContext {
  ws: Workspace;
  plan: ProbePlan;
  flags: ProbeFlags;
  /** Told while the probe waits for something to happen (a scrape, data arriving), for a live status line. */
  onWait?: (w: Waiting) => void;
}

/** One observation: a target answered as it should (ok), did not (failed), or was not checked (skipped, with why). */
export interface ProbeResult {
  probeId: string;
  stage: ProbeStage;
  status: 'ok' | 'failed' | 'skipped';
  /** The URL or endpoint looked at, without credentials. */
  target?: string;
  /** One line: what was seen. */
  summary: string;
  finding?: Finding;
}

export interface Probe extends ProbeMeta {
  run(ctx: ProbeContext): Promise<ProbeResult[]>;
}

export function defineProbe(probe: Probe): Probe {
  return probe;
}

/** Result helpers bound to one probe. */
export function results(probe: ProbeMeta) {
  const base = { probeId: probe.id, stage: probe.stage };
  return {
    ok: (target: string | undefined, summary: string): ProbeResult => ({ ...base, status: 'ok', target, summary }),
    skipped: (target: string | undefined, summary: string): ProbeResult => ({ ...base, status: 'skipped', target, summary }),
    /** Not checked on purpose (a command or credential untrusted content must not get): skipped, with an info finding so every format says why. */
    declined: (target: string | undefined, summary: string, origin: TargetOrigin): ProbeResult => ({
      ...base,
      status: 'skipped',
      target,
      summary,
      finding: {
        ruleId: probe.id,
        severity: 'info',
        message: target ? `${summary} (${target})` : summary,
        file: origin.file,
        range: origin.file ? origin.range : undefined,
        path: origin.file ? origin.path : undefined,
      },
    }),
    failed(target: string | undefined, summary: string, o: { origin?: TargetOrigin; hint?: string; severity?: Severity } = {}): ProbeResult {
      const finding: Finding = {
        ruleId: probe.id,
        severity: o.severity ?? 'error',
        message: target ? `${summary} (${target})` : summary,
        file: o.origin?.file,
        range: o.origin?.file ? o.origin.range : undefined,
        path: o.origin?.file ? o.origin.path : undefined,
        hint: o.hint,
      };
      return { ...base, status: 'failed', target, summary, finding };
    },
  };
}
