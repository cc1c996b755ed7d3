// The terminal renderer of live progress (src/report/live.ts) with a fake terminal and fake timers: the status line
// is drawn, redrawn as time passes, erased before every real line and at the end; the doctor's report comes out
// stage by stage, in its order, and adds up to exactly the final report.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { check, formatReport, type OutputOptions, type ProbeResult } from '../../src/api.js';
import { ERASE_LINE, isLiveTerminal, liveProgress } from '../../src/report/live.js';

function fakeTerminal(columns = 100) {
  const chunks: string[] = [];
  return { isTTY: true, columns, chunks, write: (t: string) => chunks.push(t), text: () => chunks.join('') };
}

/** What the terminal shows at the end: each \r + erase line removes what the line held. */
function screen(raw: string): string {
  return raw.replace(/[^\n]*\r\x1b\[2K/g, '');
}

/** The real lines on the screen: without the status line below them. */
const printed = (raw: string) => screen(raw).replace(/[^\n]*$/, '');

describe('live progress on a terminal', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('draws one status line, redraws it as time passes, erases it before a real line and draws it again below', () => {
    const tty = fakeTerminal();
    const live = liveProgress(tty, { tickMs: 250, now: Date.now });
    live.progress({ type: 'waiting', what: 'Prometheus to scrape the collector', elapsedMs: 2000, timeoutMs: 35_000 });
    expect(tty.text()).toBe(`${ERASE_LINE}waiting for Prometheus to scrape the collector (2 s of 35 s)`);
    vi.advanceTimersByTime(10_000);
    expect(tty.chunks.at(-1)).toBe(`${ERASE_LINE}waiting for Prometheus to scrape the collector (12 s of 35 s)`);
    // The same text is not written again on every tick.
    const before = tty.chunks.length;
    vi.advanceTimersByTime(250);
    expect(tty.chunks.length).toBe(before);
    tty.chunks.length = 0;
    live.write('a real line\n');
    expect(tty.chunks).toEqual([ERASE_LINE, 'a real line\n', `${ERASE_LINE}waiting for Prometheus to scrape the collector (12 s of 35 s)`]);
    live.progress({ type: 'waiting', what: 'Prometheus to scrape the collector', elapsedMs: 13_000, timeoutMs: 35_000, done: true });
    expect(tty.chunks.at(-1)).toBe(ERASE_LINE);
    expect(live.finish('')).toBe('');
    expect(screen(tty.text())).toBe('a real line\n');
  });

  it('never wraps the status line: cut to the terminal width', () => {
    const tty = fakeTerminal(40);
    const live = liveProgress(tty);
    live.progress({ type: 'waiting', what: 'x'.repeat(100), elapsedMs: 0, timeoutMs: 1000 });
    expect(tty.chunks.at(-1)?.replace(ERASE_LINE, '').length).toBe(39);
    live.stop();
  });

  it('stop (exit, Ctrl-C) erases the status line and nothing is drawn after it', () => {
    const tty = fakeTerminal();
    const live = liveProgress(tty);
    live.progress({ type: 'waiting', what: 'docker compose up', elapsedMs: 0, timeoutMs: 900_000 });
    live.stop();
    expect(tty.chunks.at(-1)).toBe(ERASE_LINE);
    const n = tty.chunks.length;
    vi.advanceTimersByTime(5000);
    live.progress({ type: 'waiting', what: 'docker compose up', elapsedMs: 0, timeoutMs: 900_000 });
    expect(tty.chunks.length).toBe(n);
    expect(screen(tty.text())).toBe('');
  });

  it('compose output is indented, its control characters escaped', () => {
    const tty = fakeTerminal();
    const live = liveProgress(tty);
    live.progress({ type: 'output', line: ' Container loki  Started\x1b]0;pwned\x07\r' });
    expect(screen(tty.text())).toBe('   Container loki  Started\\x1b]0;pwned\\x07\\r\n');
    live.stop();
  });

  it('draws nothing on a stream that is not a terminal: only the real lines reach it', () => {
    const pipe = { ...fakeTerminal(), isTTY: false };
    const live = liveProgress(pipe);
    live.progress({ type: 'waiting', what: 'docker compose up', elapsedMs: 0, timeoutMs: 900_000 });
    vi.advanceTimersByTime(3000);
    live.write('a line\n');
    live.progress({ type: 'output', line: ' Container loki  Started' });
    expect(live.finish('')).toBe('');
    expect(pipe.text()).toBe('a line\n   Container loki  Started\n');
  });

  it('is on only for a terminal that is not a CI log nor dumb', () => {
    expect(isLiveTerminal({ isTTY: true }, {})).toBe(true);
    expect(isLiveTerminal({ isTTY: false }, {})).toBe(false);
    expect(isLiveTerminal({}, {})).toBe(false);
    expect(isLiveTerminal({ isTTY: true }, { CI: 'true' })).toBe(false);
    expect(isLiveTerminal({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });
});

describe("the doctor's report, stage by stage", () => {
  const root = mkdtempSync(join(tmpdir(), 'cod-live-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const statics = () => check({ home: root, project: root, managedDir: root, shellEnv: false, claudeVersion: '2.1.332' });
  const options: OutputOptions = { command: 'doctor', format: 'pretty', failOn: 'error', color: false, cwd: root };
  const result = (stage: ProbeResult['stage'], status: ProbeResult['status'], summary: string): ProbeResult => ({
    probeId: stage === 'Prometheus' ? 'probe/prometheus' : 'probe/loki',
    stage,
    status,
    summary,
    target: 'http://127.0.0.1:1',
  });

  it('prints the head and the stages without probes at once, each later stage when it and those before it are known', () => {
    vi.useFakeTimers();
    const tty = fakeTerminal();
    const live = liveProgress(tty, { report: options });
    const run = statics();
    live.progress({ type: 'static', report: run, probing: ['Prometheus', 'Loki'] });
    const first = printed(tty.text());
    expect(first).toMatch(/^claude-otel-doctor\n\n· Claude Code settings.*\n· OTLP endpoint.*\n· Collector.*\n$/);
    expect(tty.text()).toContain(`${ERASE_LINE}waiting for answers: Prometheus, Loki (0 s)`);
    // Loki ends first: nothing more is printed until Prometheus, before it, has ended too.
    const loki = [result('Loki', 'ok', 'Loki is ready')];
    live.progress({ type: 'stage-finished', stage: 'Loki', results: loki, secrets: [] });
    expect(printed(tty.text())).toBe(first);
    expect(tty.chunks.at(-1)).toBe(`${ERASE_LINE}waiting for answers: Prometheus (0 s)`);
    const prometheus = [result('Prometheus', 'ok', 'Prometheus is ready')];
    live.progress({ type: 'stage-finished', stage: 'Prometheus', results: prometheus, secrets: [] });
    expect(printed(tty.text())).toMatch(/\n✓ Prometheus\n {4}✓ Prometheus is ready .*\n✓ Loki\n {4}✓ Loki is ready .*\n· Grafana.*\n· End to end.*\n$/);
    const final = formatReport({ ...run, probes: [...prometheus, ...loki] }, options);
    const rest = live.finish(final);
    expect(rest.length).toBeGreaterThan(0);
    expect(screen(tty.text()) + rest).toBe(final);
    vi.useRealTimers();
  });

  it("init's closing report: streamed stage by stage between init's own lines, its final text printing only the rest", () => {
    vi.useFakeTimers();
    const tty = fakeTerminal();
    const probeOptions: OutputOptions = { ...options, command: 'probe', stackStarted: true };
    const live = liveProgress(tty, { report: probeOptions });
    live.write('every service answers; the live checks:\n');
    const run = statics();
    live.progress({ type: 'static', report: run, probing: ['Prometheus', 'Loki'] });
    const prometheus = [result('Prometheus', 'ok', 'Prometheus is ready')];
    live.progress({ type: 'stage-finished', stage: 'Prometheus', results: prometheus, secrets: [] });
    // Prometheus is printed before Loki has answered.
    expect(printed(tty.text())).toMatch(/\n✓ Prometheus\n {4}✓ Prometheus is ready .*\n$/);
    const loki = [result('Loki', 'failed', 'Loki is not ready')];
    live.progress({ type: 'stage-finished', stage: 'Loki', results: loki, secrets: [] });
    // init then prints the report's final text (what a pipe gets) and its own last line: nothing is said twice.
    const final = formatReport({ ...run, probes: [...prometheus, ...loki] }, probeOptions);
    live.write(final);
    live.write('next: restart Claude Code\n');
    expect(live.finish()).toBe('');
    expect(screen(tty.text())).toBe(`every service answers; the live checks:\n${final}next: restart Claude Code\n`);
    vi.useRealTimers();
  });
});
