// What counter queries show when a session's cumulative series does not simply grow from its first sample to its
// end: a collector restart (between sessions and inside one), a series that ends (the collector's prometheus
// exporter forgets it after metric_expiration, Prometheus marks it stale) and a session idle for longer than that
// (the exporter forgets it and starts again from the next delta). Real Claude Code (scripted mock API, http/json so
// a pass-through can keep what the collector accepted: the truth) → real collector 0.165 (prometheus exporter) →
// Debian's Prometheus scraping every second. Backs docs/counters.md.
import { expect, it } from 'vitest';
import { describeWithComponents as suite } from '../helpers/real-components.js';
import { longSession, METRICS, missing, sessionTokens, settledTokens, sleep, startPipeline, type Pipeline } from './counter-pipeline.js';
import { runClaudeAgent } from './pipeline.js';
import { stepGrowth } from '../../src/bootstrap/enterprise.js';

/** The query forms compared, for series `x`, a range of `r` seconds and a graph step of `s` seconds. */
const FORMS: Record<string, { graph?: true; expr: (x: string, r: number, s: number) => string }> = {
  plainSum: { expr: (x) => `sum(${x})` },
  maxOverTime: { expr: (x, r) => `sum(max_over_time(${x}[${r}s]))` },
  increase: { expr: (x, r) => `sum(increase(${x}[${r}s]))` },
  /** The last value in the range minus the last before it (counter-queries.test.ts: usage inside a range). */
  offset: { expr: (x, r) => `sum(max_over_time(${x}[${r}s]) - (last_over_time(${x}[10m] offset ${r}s) or max_over_time(${x}[${r}s]) * 0))` },
  /** A graph's bars, max in the step minus last before it: blind to a drop. */
  stepMax: {
    graph: true,
    expr: (x, _r, s) => `sum(max_over_time(${x}[${s}s]) - (last_over_time(${x}[${s}s] offset ${s}s) or max_over_time(${x}[${s}s]) * 0))`,
  },
  /** A graph's bars, a drop or a gap longer than 2 s (two scrapes) counted as a new start (ROLLOUT.md's steps). */
  step: { graph: true, expr: (x, _r, s) => `sum(${stepGrowth(x, `${s}s`, '2s')})` },
  /** The bars added up by Prometheus: one number for the range (summed inside: last_over_time keeps the metric name, so the steps of one series would not line up). */
  stepTotal: { expr: (x, r, s) => `sum_over_time(sum(${stepGrowth(x, `${s}s`, '2s')})[${r}s:${s}s])` },
};

const STEP = 5;

/** Every form for every metric, at `end` (a whole number of steps after `start`), next to the truth and what the collector still exports. */
async function measure(p: Pipeline, start: number) {
  const end = start + Math.ceil((Date.now() / 1000 + 3 - start) / STEP) * STEP;
  while (Date.now() / 1000 < end + 1.5) await sleep(250);
  const r = end - start;
  const rows: Record<string, Record<string, number>> = {};
  for (const m of METRICS) {
    const row: Record<string, number> = { truth: [...p.recorder.sent(m.otel).values()].reduce((a, b) => a + b, 0) };
    for (const [name, form] of Object.entries(FORMS)) {
      const expr = form.expr(m.prom, r, STEP);
      row[name] = form.graph ? await p.rangeSum(expr, start, end, STEP) : await p.query(expr, end);
    }
    row.exported = (await p.exportedSessions(m.prom)).reduce((n, s) => n + s.value, 0);
    rows[m.otel] = row;
  }
  if (process.env.COD_DEBUG) console.log(JSON.stringify(rows)); // the figures of docs/counters.md
  return rows;
}

/** A range start on a whole step (subqueries evaluate at multiples of their step), once Prometheus scrapes the collector. */
async function rangeStart(p: Pipeline): Promise<number> {
  for (let i = 0; i < 60 && (await p.query('up', Date.now() / 1000)) !== 1; i++) await sleep(250);
  const start = Math.ceil(Date.now() / 1000 / STEP) * STEP;
  while (Date.now() / 1000 < start) await sleep(100);
  return start;
}

/**
 * What every form shows when the long session's series started again (its exporter lost the sum) and everything
 * else is a plain per-session total: only the step forms give what the collector accepted.
 */
function expectFigures(rows: Record<string, Record<string, number>>, long: { before: number; after: number }): void {
  const tokens = rows['claude_code.token.usage'];
  // The restart or expiry came between the long session's API calls: its tokens are split in two runs, the later smaller.
  expect(long.after).toBeGreaterThan(0);
  expect(long.after).toBeLessThan(long.before);
  // A plain sum at the end: only what the collector still exports (the long session's run after the drop, or nothing).
  expect(tokens.plainSum).toBe(tokens.exported);
  // The largest value of each series: the long session's later, smaller run is lost. Likewise minus the value before the range.
  expect(tokens.maxOverTime).toBe(tokens.truth - long.after);
  expect(tokens.offset).toBe(tokens.truth - long.after);
  // Steps blind to the drop subtract the earlier run (the long session counts only its later one), unless the series
  // was gone for a whole step: then it comes back as new and counts whole. Which one depends on timing.
  expect([tokens.truth - long.before, tokens.truth]).toContain(tokens.stepMax);
  // Steps that count a drop as a new start, as bars or added up by Prometheus: exactly what was accepted.
  expect(tokens.step).toBe(tokens.truth);
  expect(tokens.stepTotal).toBe(tokens.truth);
  // increase(): each series' first sample lost, the rest extrapolated. How much the long session's later exports
  // add depends on how many there were (timing, load): only that it falls short is certain.
  expect(tokens.increase).toBeLessThan(tokens.truth);

  // Lines come in one delta per session (the Write), never split: every per-session form is exact.
  const lines = rows['claude_code.lines_of_code.count'];
  expect(lines.truth).toBe(6);
  for (const form of ['maxOverTime', 'offset', 'stepMax', 'step', 'stepTotal']) expect(lines[form], form).toBe(lines.truth);
  expect(lines.increase).toBe(0);
  expect(lines.plainSum).toBe(0);
}

suite('counter queries across collector restarts, ended series and idle sessions (real components)', missing, () => {
  it('a collector restart: between sessions, and inside a long one', async () => {
    const p = await startPipeline('5m');
    try {
      const start = await rangeStart(p);
      expect((await runClaudeAgent({ env: p.env })).exitCode).toBe(0);
      await sleep(2000);
      await p.restartCollector(); // between sessions: the first session's series ends
      await sleep(2000);
      let session = '';
      await longSession(p, 8, async (s) => {
        session = s;
        await settledTokens(p, s);
        await p.restartCollector();
      });
      const rows = await measure(p, start);
      expect([...p.recorder.temporalities()]).toEqual([1]); // delta
      // After the restart the collector holds only what came since: the long session's later run.
      const after = await sessionTokens(p, session);
      expect(rows['claude_code.token.usage'].exported).toBe(after);
      expectFigures(rows, { after, before: p.recorder.sent(METRICS[0].otel).get(session)! - after });
    } finally {
      await p.stop();
    }
  }, 90_000);

  it('series that end, and a session idle for longer than metric_expiration (3s here)', async () => {
    const p = await startPipeline('3s');
    try {
      const start = await rangeStart(p);
      expect((await runClaudeAgent({ env: p.env })).exitCode).toBe(0);
      await sleep(4000);
      // Idle (a Bash sleep) well past the expiration: the collector forgets the series, the next delta starts it again.
      let mark = 0;
      let session = '';
      await longSession(p, 10, async (s) => {
        session = s;
        await settledTokens(p, s);
        for (let i = 0; i < 40 && (await p.exportedSessions(METRICS[0].prom)).some((e) => e.session === s); i++) await sleep(250);
        mark = Date.now(); // the collector forgot the session
      });
      await sleep(5000);
      const rows = await measure(p, start);
      const total = p.recorder.sent(METRICS[0].otel).get(session)!;
      const after = p.recorder.sent(METRICS[0].otel, mark).get(session) ?? 0;
      // Every session ended and expired: a plain sum shows nothing, however much was used.
      expect(rows['claude_code.token.usage'].exported).toBe(0);
      expectFigures(rows, { after, before: total - after });
    } finally {
      await p.stop();
    }
  }, 90_000);
});
