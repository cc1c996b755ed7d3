// The PromQL that `init --enterprise` writes into ROLLOUT.md, proven on real components: the managed settings' env
// (team attribution, http/json) on real Claude Code → the pass-through that keeps what the collector accepted →
// real collector (prometheus exporter, its default metric_expiration) restarted inside a long session → Prometheus.
// Each query must give, per team, exactly the cost and tokens the collector accepted; the increase() form it
// replaces gives less.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeWithComponents as suite } from '../helpers/real-components.js';
import { runCliProcess } from '../helpers/cli.js';
import { longSession, missing, settledTokens, sleep, startPipeline } from './counter-pipeline.js';
import { runClaudeAgent } from './pipeline.js';
import { growthQuery } from '../../src/bootstrap/enterprise.js';

const out = mkdtempSync(join(tmpdir(), 'cod-rollout-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

suite("ROLLOUT.md's queries on real Claude Code series (collector restart inside a session)", missing, () => {
  it('give per team exactly the cost and tokens the collector accepted', async () => {
    const init = runCliProcess(
      [
        'init',
        '--enterprise',
        '--out',
        out,
        '--endpoint',
        'http://127.0.0.1:4318',
        '--protocol',
        'http/json',
        '--team',
        'Platform Team',
        '--department',
        'R&D, EU',
      ],
      { XDG_STATE_HOME: join(out, 'state') },
    );
    expect(init.exitCode, init.stderr + init.stdout).toBe(0);
    const managed = JSON.parse(readFileSync(join(out, 'managed-settings.json'), 'utf8')) as { env: Record<string, string> };
    // The guide's queries (as init-enterprise.test.ts checks), scaled to this pipeline's 1 s scrape interval.
    const guide = readFileSync(join(out, 'ROLLOUT.md'), 'utf8');
    const by = 'team_id, department';
    expect(guide).toContain(growthQuery('claude_code_cost_usage_USD_total', by));
    expect(guide).toContain(growthQuery('claude_code_token_usage_tokens_total', `${by}, type`));
    const queries = [
      growthQuery('claude_code_cost_usage_USD_total', by, '1h', '1s', '2s'),
      growthQuery('claude_code_token_usage_tokens_total', `${by}, type`, '1h', '1s', '2s'),
    ];

    // The managed env as written, but to this pipeline's pass-through and exporting every second.
    const { OTEL_EXPORTER_OTLP_ENDPOINT: _, ...env } = managed.env;
    const p = await startPipeline('5m', env);
    try {
      expect((await runClaudeAgent({ env: p.env })).exitCode).toBe(0);
      await longSession(p, 8, async (session) => {
        await settledTokens(p, session);
        await p.restartCollector();
      });
      await sleep(3000);
      const at = Math.floor(Date.now() / 1000);
      const byTeam = async (expr: string) => {
        const res = await fetch(`${p.prometheusUrl}/api/v1/query?time=${at}&query=${encodeURIComponent(expr)}`);
        const body = (await res.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
        if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
        return body.data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
      };
      const team = { team_id: 'Platform Team', department: 'R&D, EU' };

      const cost = await byTeam(queries[0]);
      const sentCost = [...p.recorder.sent('claude_code.cost.usage').values()].reduce((a, b) => a + b, 0);
      expect(sentCost).toBeGreaterThan(0);
      expect(cost.map((r) => r.labels)).toEqual([team]);
      expect(cost[0].value).toBeCloseTo(sentCost, 9);

      const tokens = await byTeam(queries[1]);
      const sentTokens = p.recorder.sent('claude_code.token.usage', 0, 'type');
      expect(Object.fromEntries(tokens.map((r) => [r.labels.type, r.value]))).toEqual(Object.fromEntries(sentTokens));
      for (const r of tokens) expect(r.labels).toMatchObject(team);

      // The increase() form the guide wrote before: far less.
      const increase = await byTeam('sum by (team_id, department) (increase(claude_code_cost_usage_USD_total[1d]))');
      expect(increase[0]?.value ?? 0).toBeLessThan(sentCost / 2);
    } finally {
      await p.stop();
    }
  }, 90_000);
});
