import type { Finding, Severity, Waiting } from '../types.js';
import type { Workspace } from '../model/workspace.js';
import { renderMessage, type MessageData, type Messages } from '../rules/define.js';
import type { ProbeFlags, ProbePlan, TargetOrigin } from './plan.js';

/**
 * A live probe, one per file like a rule: metadata beside an async `run` that reads the plan (where to look) and
 * returns what it saw. A failure carries a finding of the same type the rules return (rule id = probe id), so
 * every report format, `--fail-on` and SARIF treat it alike. Its words are the probe's `messages`, as a rule's: a
 * short headline that says what is wrong, and a detail with what was probed and the exact answer ("GET
 * http://localhost:3100/ready: HTTP 503 Service Unavailable", "timed out: no answer … within 5 s"). Probes never
 * print secrets: they only ever show URLs through `displayUrl`, and every report masks header values and tokens.
 */

export type ProbeStage = 'OTLP endpoint' | 'Collector' | 'Prometheus' | 'Loki' | 'Grafana' | 'End to end';

export interface ProbeMeta<M extends Messages = Messages> {
  id: string;
  stage: ProbeStage;
  title: string;
  /** What it does on the wire, in a sentence or two. */
  checks: string;
  /** Why it matters: the symptom the user sees when it fails. */
  why: string;
  references: string[];
  /** Its failures' messages by kind (headline, and the detail with what was probed and answered). */
  messages: M;
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
  /** One line: what was seen (a failure's headline; its finding has the detail). */
  summary: string;
  /** Nothing listens at the target (connection refused): a stack that is not running, when several say so. */
  refused?: boolean;
  finding?: Finding;
}

export interface Probe<M extends Messages = Messages> extends ProbeMeta<M> {
  run(ctx: ProbeContext): Promise<ProbeResult[]>;
}

export function defineProbe<const M extends Messages>(probe: Probe<M>): Probe<M> {
  return probe;
}

/** What a probe saw go wrong: which of its messages, with its data; severity error unless said. */
export type ProbeFailure<M extends Messages> = {
  [K in keyof M & string]: { kind: K; origin?: TargetOrigin; hint?: string; severity?: Severity; refused?: boolean } & MessageData<M[K]>;
}[keyof M & string];

/** The kind of the info finding on a target withheld on purpose (plan.ts says why, in WITHHELD's words). */
const DECLINED = 'declined';

/** Result helpers bound to one probe. */
export function results<M extends Messages>(probe: ProbeMeta<M>) {
  const base = { probeId: probe.id, stage: probe.stage };
  return {
    ok: (target: string | undefined, summary: string): ProbeResult => ({ ...base, status: 'ok', target, summary }),
    skipped: (target: string | undefined, summary: string): ProbeResult => ({ ...base, status: 'skipped', target, summary }),
    /**
     * Not checked on purpose (a command or credential untrusted content must not get): skipped, with an info finding
     * so every format says why: the plan's short headline, and its reason in the detail.
     */
    declined: (target: string, withheld: { headline: string; reason: string; origin: TargetOrigin }): ProbeResult => ({
      ...base,
      status: 'skipped',
      target,
      summary: `not probed: ${withheld.reason}`,
      finding: {
        ruleId: probe.id,
        severity: 'info',
        kind: DECLINED,
        message: withheld.headline,
        detail: `${withheld.reason} (${target})`,
        ...at(withheld.origin),
      },
    }),
    /** A failure: its finding's headline and detail rendered from the probe's message `kind` and its data. */
    failed(target: string | undefined, f: ProbeFailure<M>): ProbeResult {
      const { kind, data, origin, hint, severity, refused } = f as ProbeFailure<Messages> & { data?: Record<string, unknown> };
      const text = renderMessage(probe, kind, data);
      const finding: Finding = { ruleId: probe.id, severity: severity ?? 'error', kind, data, ...text, ...at(origin), hint };
      return { ...base, status: 'failed', target, summary: text.message, ...(refused && { refused }), finding };
    },
  };
}

/** Where a finding points: the file, line and path the target came from, when it came from a file. */
function at(origin: TargetOrigin | undefined): Pick<Finding, 'file' | 'range' | 'path'> {
  return origin?.file ? { file: origin.file, range: origin.range, path: origin.path } : {};
}
