// init's stack, end to end, with no Docker: `init --no-start` into a temp home, the compose file it wrote run as
// native processes (test/harness/native-stack.ts: the real collector and Prometheus, the Loki and Grafana doubles,
// service names resolving to loopback), real Claude Code (the oldest supported and the newest known version) doing
// real work with the settings init wrote, then every panel query of the generated dashboard evaluated on the real
// Prometheus (and the Loki double) through the datasource its UID names, and compared with what Claude Code says it
// spent (its --output-format json result) and did (the scripted agent's Write, commit and `gh pr create`). Then the
// doctor on the running stack, and init's own post-start verification on this healthy path.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { series } from '../../src/bootstrap/dashboard.js';
import { NEWEST_KNOWN_CLAUDE, OLDEST_SUPPORTED_CLAUDE } from '../../src/model/versions.js';
import { describeWithComponents as suite } from '../helpers/real-components.js';
import { claudeBinary } from '../harness/claude-path.js';
import { nativeStackMissing, startNativeStack, type NativeStack } from '../harness/native-stack.js';
import { runClaude } from '../harness/run-claude.js';
import { startMockAgent } from '../pipeline/mock-agent.js';
import { versions } from '../oracles/paths.js';
import { newMachine, type Machine } from './machine.js';

const CLAUDE_VERSIONS = [OLDEST_SUPPORTED_CLAUDE, NEWEST_KNOWN_CLAUDE];
const missing =
  nativeStackMissing() ??
  CLAUDE_VERSIONS.map((v) => (claudeBinary(v) ? undefined : `Claude Code ${v} is not provisioned (node scripts/provision-claude.mjs ${v})`)).find(Boolean);

/** What one Claude Code session says it used (`--output-format json`). */
interface SessionResult {
  total_cost_usd: number;
  modelUsage: Record<string, { inputTokens: number; outputTokens: number; cacheReadInputTokens: number; cacheCreationInputTokens: number; costUSD: number }>;
}

/**
 * The scripted agent's work per session: a Write (accepted: --allowedTools), a commit, a pull request. The file is
 * two lines and a final newline, which Claude Code (both versions) counts as 3 added lines.
 */
const PER_SESSION = { linesAdded: 3, commits: 1, pullRequests: 1 };
/** A `gh` that answers `gh pr create` as GitHub's CLI does on success: the new PR's URL, exit 0. */
const GH = '#!/bin/sh\necho "https://github.com/example/repo/pull/1"\n';

interface Panel {
  title: string;
  type: string;
  datasource: { uid: string };
  targets: { expr: string; instant?: boolean; legendFormat?: string }[];
}

let m: Machine;
let stack: NativeStack;
const sessions: SessionResult[] = [];
/** The dashboard's time range (now-24h to now), fixed once the data is in. */
let to = 0;
const RANGE_S = 24 * 3600;

suite("init's stack run natively: real Claude Code → collector → Prometheus and Loki → every dashboard panel", missing, () => {
  beforeAll(async () => {
    m = newMachine();
    const r = await m.init(['--no-start']);
    if (r.exitCode !== 0) throw new Error(`init failed:\n${r.stdout}${r.stderr}`);
    stack = await startNativeStack(join(m.stack, 'docker-compose.yml'));
    const bin = join(m.root, 'gh-bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'gh'), GH);
    chmodSync(join(bin, 'gh'), 0o755);
    for (const [i, version] of CLAUDE_VERSIONS.entries()) sessions.push(await runSession(version, join(m.root, `project-${i}`), bin));
    // Claude Code exports on exit; the data is in once Prometheus (scraping every 15 s) holds every session's cost.
    const cost = sessions.reduce((n, s) => n + s.total_cost_usd, 0);
    const deadline = Date.now() + 40_000;
    let held = 0;
    while (Math.abs(held - cost) > 1e-9 || !(await collectorSettled())) {
      if (Date.now() > deadline) throw new Error(`Prometheus holds a cost of ${held} after 40 s, Claude Code says ${cost}:\n${stack.output()}`);
      await new Promise((r) => setTimeout(r, 1000));
      held = (await promInstant(`sum(last_over_time(${series('claude_code.cost.usage')}[5m]))`, Date.now() / 1000))[0]?.value ?? 0;
    }
    to = Math.ceil(Date.now() / 1000);
  }, 150_000);
  afterAll(async () => {
    await stack?.stop();
    m?.cleanup();
  });

  async function runSession(version: string, project: string, ghBin: string): Promise<SessionResult> {
    mkdirSync(project);
    const git = (...args: string[]) => spawnSync('git', args, { cwd: project, stdio: 'ignore' });
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'e2e@example.invalid');
    git('config', 'user.name', 'E2E');
    git('config', 'commit.gpgsign', 'false');
    const agent = await startMockAgent({ thenBash: ['gh pr create --fill'] });
    try {
      const run = await runClaude({
        home: m.home,
        project,
        anthropicUrl: agent.url,
        claudeVersion: version,
        prompt: 'Write hello.py, commit it and open a pull request.',
        extraArgs: ['--allowedTools', 'Write', 'Bash', '--output-format', 'json'],
        shellEnv: { PATH: `${ghBin}:${process.env.PATH ?? '/usr/bin:/bin'}` },
        timeoutMs: 60_000,
      });
      if (run.exitCode !== 0) throw new Error(`Claude Code ${version} exited ${run.exitCode}:\n${run.stderr}`);
      expect(agent.toolCalls, `Claude Code ${version} ran the scripted work`).toEqual(['Write', 'Bash', 'Bash']);
      return JSON.parse(run.stdout) as SessionResult;
    } finally {
      await agent.close();
    }
  }

  /** The collector's exporter holds what Prometheus last scraped: nothing newer is on its way. */
  async function collectorSettled(): Promise<boolean> {
    const text = await (await fetch('http://127.0.0.1:8889/metrics')).text();
    const exported = [...text.matchAll(/^claude_code_session_count_total\{.*\} (\S+)$/gm)].length;
    return exported === sessions.length;
  }

  const dashboard = () =>
    JSON.parse(readFileSync(join(m.stack, 'grafana/dashboards/claude-code.json'), 'utf8')) as { panels: Panel[]; time: { from: string; to: string } };

  /** The provisioned datasource a panel's UID names, as the Grafana double (loaded from the provisioning folder) lists it. */
  async function datasourceUrl(uid: string): Promise<string> {
    const password = /GF_SECURITY_ADMIN_PASSWORD=(.*)/.exec(readFileSync(join(m.stack, '.env'), 'utf8'))![1];
    const res = await fetch('http://127.0.0.1:3000/api/datasources', {
      headers: { authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` },
    });
    const list = (await res.json()) as { uid: string; url: string }[];
    const ds = list.find((d) => d.uid === uid);
    if (!ds) throw new Error(`no provisioned datasource with uid ${uid}`);
    // The URL names a compose service; on this host every service name is 127.0.0.1 (the stack's hosts file).
    const url = new URL(ds.url);
    expect(stack.hostnames).toContain(url.hostname);
    url.hostname = '127.0.0.1';
    return url.toString().replace(/\/$/, '');
  }

  type Sample = { labels: Record<string, string>; value: number };
  async function promInstant(expr: string, time: number, base = 'http://127.0.0.1:9090'): Promise<Sample[]> {
    const res = await fetch(`${base}/api/v1/query?time=${time}&query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
    return body.data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
  }
  const grafanaVars = (expr: string) => expr.replaceAll('$__range', `${RANGE_S}s`);
  /** The series' name as the panel shows it: its legendFormat with the label values. */
  const legend = (format: string | undefined, labels: Record<string, string>) => (format ?? '').replace(/\{\{(\w+)\}\}/g, (_, l: string) => labels[l] ?? '');

  /** What Claude Code sent, per panel: the expected result of its query, by the series' label values. */
  function expected(): Record<string, Record<string, number>> {
    const n = sessions.length;
    const usage = sessions.flatMap((s) => Object.entries(s.modelUsage));
    const sum = (f: (u: SessionResult['modelUsage'][string]) => number) => usage.reduce((t, [, u]) => t + f(u), 0);
    const tokens = {
      input: sum((u) => u.inputTokens),
      output: sum((u) => u.outputTokens),
      cacheRead: sum((u) => u.cacheReadInputTokens),
      cacheCreation: sum((u) => u.cacheCreationInputTokens),
    };
    const costByModel: Record<string, number> = {};
    for (const [model, u] of usage) costByModel[model] = (costByModel[model] ?? 0) + u.costUSD;
    return {
      Cost: { '': sessions.reduce((t, s) => t + s.total_cost_usd, 0) },
      Tokens: { '': Object.values(tokens).reduce((a, b) => a + b, 0) },
      Sessions: { '': n },
      'Lines of code added': { '': n * PER_SESSION.linesAdded },
      Commits: { '': n * PER_SESSION.commits },
      'Pull requests': { '': n * PER_SESSION.pullRequests },
      'Cost by model': costByModel,
      'Tokens by type': tokens,
      'Lines of code': { added: n * PER_SESSION.linesAdded, removed: 0 },
      'Edit tool decisions': { 'Write accept': n },
    };
  }

  /** Every stage of the live report passes, the end-to-end probe's metric and log record included. */
  function expectHealthy(report: string): void {
    for (const stage of ['OTLP endpoint', 'Collector', 'Prometheus', 'Loki', 'Grafana', 'End to end']) expect(report).toMatch(new RegExp(`^✓ ${stage}$`, 'm'));
    expect(report).not.toMatch(/^\s*[✗!×]/m);
    expect(report).toMatch(/metrics flow: the probe counter reached Prometheus as \w+/);
    expect(report).toMatch(/logs flow: the probe log record reached Loki/);
    expect(report).toMatch(/^✓ no problems found$/m);
  }

  it('starts every service of the compose file: the real collector and Prometheus, the Loki and Grafana doubles', () => {
    expect(stack.notStarted).toEqual([]);
    expect(stack.started.map((s) => `${s.name}: ${s.runs}`)).toEqual([
      `otel-collector: otelcol ${versions.collector.current} (the image's version)`,
      expect.stringMatching(/^prometheus: prometheus 2\.\d+\.\d+\S* \(Debian\) for prom\/prometheus:v3\.\d+\.\d+$/),
      'loki: the Loki double (documented API, test/harness/fake-loki.ts)',
      'grafana: the Grafana double (documented API, test/harness/fake-grafana.ts)',
    ]);
  });

  it('every Prometheus panel returns what Claude Code sent, over the dashboard time range, through its datasource UID', async () => {
    const d = dashboard();
    expect(d.time).toEqual({ from: 'now-24h', to: 'now' });
    const want = expected();
    const got: Record<string, Record<string, number>> = {};
    for (const p of d.panels.filter((x) => x.type !== 'logs')) {
      const base = await datasourceUrl(p.datasource.uid);
      for (const t of p.targets) {
        const expr = grafanaVars(t.expr);
        // Each panel shows totals: an instant query at the end of the range, over the whole range.
        expect(t.instant, p.title).toBe(true);
        const values = Object.fromEntries((await promInstant(expr, to, base)).map((r) => [legend(t.legendFormat, r.labels), r.value]));
        got[p.title] = { ...got[p.title], ...values };
      }
    }
    const active = got['Active time'];
    delete got['Active time'];
    // Active time: Claude Code measures it itself; what counts here is that the panel has it, split by type.
    expect(Object.keys(active ?? {}), stack.output()).toEqual(['cli']);
    expect(active.cli).toBeGreaterThan(0);
    const rounded = (o: Record<string, Record<string, number>>) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([l, x]) => [l, Number(x.toPrecision(9))]))]));
    expect(rounded(got)).toEqual(rounded(want));
  }, 30_000);

  it('the LogQL panel returns the Claude Code events from the Loki double', async () => {
    const p = dashboard().panels.find((x) => x.type === 'logs')!;
    const base = await datasourceUrl(p.datasource.uid);
    const [target] = p.targets;
    const res = await fetch(
      `${base}/loki/api/v1/query_range?query=${encodeURIComponent(target.expr)}&start=${BigInt(to - RANGE_S) * 1_000_000_000n}&end=${BigInt(to) * 1_000_000_000n}&limit=1000`,
    );
    const body = (await res.json()) as { data: { result: { values: [string, string][] }[] } };
    const lines = body.data.result.flatMap((r) => r.values.map(([, line]) => line));
    // One prompt per session, and an API request for each request Claude Code made (at least one per tool turn).
    expect(lines.filter((l) => l === 'claude_code.user_prompt').length).toBe(sessions.length);
    expect(lines.filter((l) => l === 'claude_code.api_request').length).toBeGreaterThanOrEqual(4 * sessions.length);
    expect(lines.filter((l) => l === 'claude_code.tool_result').length).toBe(3 * sessions.length);
  }, 30_000);

  it('the doctor on the running stack reports every stage healthy, its end-to-end probe reaching Prometheus and Loki', async () => {
    const r = await m.cli(['--home', m.home, '--project', m.project, '--managed-dir', m.managed, '--no-shell-env']);
    expect(r.exitCode, `${r.stdout}${r.stderr}`).toBe(0);
    expectHealthy(r.stdout);
  }, 90_000);

  it("init's post-start verification passes on the running stack", async () => {
    // The docker CLI double (as in init-local.test.ts): an engine answers and `compose up -d` succeeds; the stack it
    // would have started is the native one already running.
    const bin = join(m.root, 'docker-bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'docker'), '#!/bin/sh\ncase "$1" in\n  info|compose) exit 0 ;;\nesac\nexit 1\n');
    chmodSync(join(bin, 'docker'), 0o755);
    const r = await m.init(['--wait', '30'], { PATH: bin });
    expect(r.stdout).toContain('every service answers; the live checks:');
    expectHealthy(r.stdout);
    expect(r.exitCode, r.stdout).toBe(0);
  }, 90_000);
});

suite("the native stack on a fixture's compose file (fixtures/healthy-full-stack), not only init's", nativeStackMissing(), () => {
  it('runs each service with what is here, says what stands in, and the services reach each other by name', async () => {
    const compose = fileURLToPath(new URL('../../fixtures/healthy-full-stack/files/docker-compose.yml', import.meta.url));
    const s = await startNativeStack(compose);
    try {
      expect(s.started.map((x) => `${x.name}: ${x.runs}`)).toEqual([
        `otel-collector: otelcol ${versions.collector.current}: no build of the image's version 0.115.1 is provisioned`,
        expect.stringMatching(/^prometheus: prometheus 2\.\d+\.\d+\S* \(Debian\) for prom\/prometheus:v2\.55\.1$/),
        'loki: the Loki double (documented API, test/harness/fake-loki.ts)',
        'grafana: the Grafana double (documented API, test/harness/fake-grafana.ts)',
      ]);
      // The Grafana double, in the stack's namespace, checks its provisioned datasources at http://prometheus:9090
      // and http://loki:3100 (the fixture mounts the provisioning files one by one; no password: admin/admin).
      const auth = { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` };
      for (const uid of ['prometheus', 'loki']) {
        const health = await (await fetch(`http://127.0.0.1:3000/api/datasources/uid/${uid}/health`, { headers: auth })).json();
        expect(health, uid).toMatchObject({ status: 'OK' });
      }
      const search = (await (await fetch('http://127.0.0.1:3000/api/search?type=dash-db', { headers: auth })).json()) as { uid: string }[];
      expect(search.length, 'the dashboards of the provider folder').toBeGreaterThan(0);
    } finally {
      await s.stop();
    }
  }, 60_000);
});
