import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDoctor } from '../../src/report/doctor.js';
import { formatPretty } from '../../src/report/pretty.js';
import type { ReportInput } from '../../src/report/context.js';
import type { ProbeResult } from '../../src/probes/define.js';
import { escapeControl, excerpt } from '../../src/util/escape.js';
import { runCli } from '../helpers/cli.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

// Untrusted input may not change what the terminal shows beyond the doctor's own text: clear the screen (ESC[2J),
// hide text (ESC[8m), plant a hyperlink (OSC 8), overwrite a line (\r), ring the bell, or use the 8-bit CSI (C1
// 0x9b), DEL, or a raw newline to forge a line of the doctor's own.
const ATTACK = '\u001b[2J\u001b[8m\u001b]8;;https://evil.example/\u0007click\u001b]8;;\u0007\rFORGED\u009b31m\u007f\u0007';
const FORGED_LINE = '\nsettings.json:1:1: error all good [settings/none]\n';
// File names cannot hold "/": the same attack without the hyperlink.
const NAME_ATTACK = '\u001b[2J\u001b[8m\rFORGED\u009b31m\u007f\u0007';

/** Every control character a terminal acts on, except tab and newline (the doctor's own line breaks). */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/** The SGR colour codes picocolors writes for the doctor's own text (bold, dim, colours, resets). */
const OWN_COLOR = /\u001b\[(0|1|2|22|31|32|33|34|36|39)m/g;

const root = mkdtempSync(join(tmpdir(), 'cod-forgery-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const write = (rel: string, text: string) => {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
};

// Settings: a value and a key (both end up in messages), on this machine's files.
write(
  'home/.claude/settings.json',
  JSON.stringify(
    { env: { CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_METRICS_EXPORTER: `otlp${ATTACK}`, [`OTEL_EVIL_KEY${ATTACK}`]: `1${FORGED_LINE}` } },
    null,
    2,
  ),
);
// A repo: a YAML comment on the line a finding shows, a dashboard title, a file name.
const repo = join(root, 'repo');
cpSync(join(FIXTURES_DIR, 'collector-logging-exporter-fail', 'files'), join(repo, 'collector'), { recursive: true });
const collectorFile = join(repo, 'collector', 'otel-collector-config.yml');
writeFileSync(collectorFile, readFileSync(collectorFile, 'utf8').replace('  logging:\n', `  logging: # ${ATTACK}\n`));
cpSync(join(FIXTURES_DIR, 'dashboard-unknown-metric-fail', 'files'), join(repo, 'dashboards'), { recursive: true });
const dashboardFile = join(repo, 'dashboards', 'dashboards', 'claude-code.json');
const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8'));
dashboard.title = `Costs${ATTACK}`;
dashboard.panels[0].title = `Hours${ATTACK}${FORGED_LINE}`;
writeFileSync(dashboardFile, JSON.stringify(dashboard, null, 2));
const evilName = join(repo, 'named', `otel-collector-config${NAME_ATTACK}.yml`);
mkdirSync(dirname(evilName), { recursive: true });
writeFileSync(evilName, readFileSync(join(FIXTURES_DIR, 'collector-logging-exporter-fail', 'files', 'otel-collector-config.yml')));

const machine = [
  '--no-shell-env',
  '--claude-version',
  '2.1.197',
  '--home',
  join(root, 'home'),
  '--project',
  join(root, 'none'),
  '--managed-dir',
  join(root, 'none'),
];

/** What is left after removing the doctor's own colour codes must hold no control character a terminal acts on. */
function expectClean(text: string, colored: boolean) {
  const rest = colored ? text.replace(OWN_COLOR, '') : text;
  if (!colored) expect(text).not.toContain('\u001b');
  const bad = RAW_CONTROL.exec(rest);
  expect(bad, bad ? `raw ${JSON.stringify(bad[0])} at …${JSON.stringify(rest.slice(Math.max(0, bad.index - 60), bad.index + 20))}` : '').toBeNull();
  expect(rest).not.toMatch(/^settings\.json:1:1: error all good/m); // no forged line of the doctor's own
}

describe('input cannot forge or paint the terminal', () => {
  const runs: [string, string[]][] = [
    ['settings value and key (check)', ['check', ...machine]],
    ['settings value and key (doctor)', ['--offline', ...machine]],
    ['YAML comment, dashboard and panel titles, file name (CI mode)', ['check', repo]],
    ['github annotations', ['check', '--format', 'github', repo]],
  ];
  for (const [name, args] of runs) {
    for (const colored of [true, false]) {
      it(`${name}, ${colored ? 'FORCE_COLOR' : 'NO_COLOR'}`, () => {
        const res = runCli(args, colored ? { FORCE_COLOR: '1', NO_COLOR: undefined } : { NO_COLOR: '1', FORCE_COLOR: undefined });
        expect(res.exitCode).toBe(1);
        expectClean(res.stdout, colored && !args.includes('github'));
        expectClean(res.stderr, false);
        // Not vacuous: the attack was read and is shown, escaped.
        expect(res.stdout).toContain('\\x1b[2J');
        if (colored && !args.includes('github')) expect(res.stdout).toMatch(OWN_COLOR);
      });
    }
  }

  it('each kind of input reaches the output escaped', () => {
    const settings = runCli(['check', ...machine], { NO_COLOR: '1' }).stdout;
    expect(settings).toContain(`otlp${escapeControl(ATTACK)}`); // the value, in a message
    expect(settings).toContain(`OTEL_EVIL_KEY${escapeControl(ATTACK)}`); // the key
    const ci = runCli(['check', repo], { NO_COLOR: '1' }).stdout;
    expect(ci).toContain(`logging: # ${escapeControl(ATTACK)}`); // the comment, in the source excerpt
    expect(ci).toContain(`Costs${escapeControl(ATTACK)}`); // the dashboard title
    expect(ci).toContain(`Hours${escapeControl(ATTACK)}\\nsettings.json:1:1`); // a panel title with a newline
    expect(ci).toContain(`otel-collector-config${escapeControl(NAME_ATTACK)}.yml:`); // the file name
  });

  it('JSON and SARIF print no DEL or C1 character (escaped as \\u, the parsed value unchanged)', () => {
    for (const format of ['json', 'sarif']) {
      const res = runCli(['check', '--format', format, repo]);
      expect(res.stdout).not.toMatch(RAW_CONTROL);
      expect(res.stdout).toContain('\\u009b');
      expect(JSON.stringify(JSON.parse(res.stdout))).toContain('Costs\\u001b[2J');
    }
  });

  it('the --dry-run diff of a file holding control characters is escaped and commented out', () => {
    const res = runCli(['check', join(repo, 'collector'), '--dry-run'], { NO_COLOR: '1' });
    expect(res.exitCode).toBe(1);
    expectClean(res.stdout, false);
    expect(res.stdout).toContain(`# -  logging: # ${escapeControl(ATTACK)}\n`);
    expect(res.stdout).toMatch(/^# claude-otel-doctor: the change to .* control characters escaped/m);
    expect(res.stdout.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([]);
  });

  it('an error line quoting a flag is escaped', () => {
    const res = runCli(['check', '--format', `x${ATTACK}`]);
    expect(res.exitCode).toBe(2);
    expectClean(res.stderr, false);
    expect(res.stderr).toContain('\\x1b[2J');
  });
});

describe('server answers in probe output', () => {
  const answer = `upstream says${ATTACK}${FORGED_LINE}`;
  const probes: ProbeResult[] = [
    { probeId: 'probe/prometheus', stage: 'Prometheus', status: 'ok', target: `http://127.0.0.1:9090${ATTACK}`, summary: `ready: ${answer}` },
    { probeId: 'probe/loki', stage: 'Loki', status: 'skipped', target: 'http://127.0.0.1:3100', summary: `skipped: ${answer}` },
    {
      probeId: 'probe/otlp-http',
      stage: 'OTLP endpoint',
      status: 'failed',
      target: 'http://127.0.0.1:4318',
      summary: answer,
      finding: { ruleId: 'probe/otlp-http', severity: 'error', message: `metrics over HTTP: HTTP 400 "${answer}"`, hint: answer },
    },
  ];
  const input = (color: boolean): ReportInput => ({
    findings: [probes[2].finding!],
    workspaces: [],
    problems: [{ path: join(root, `bad${NAME_ATTACK}.json`), reason: `cannot read${ATTACK}` }],
    cwd: root,
    color,
    command: 'probe',
    probes,
  });
  for (const color of [true, false]) {
    it(`doctor and probe output escape what a server answered (${color ? 'colour' : 'plain'})`, () => {
      for (const text of [formatDoctor(input(color)), formatPretty(input(color))]) {
        expectClean(text, color);
        expect(text).toContain(`upstream says${escapeControl(ATTACK)}\\nsettings.json:1:1`);
      }
      expect(formatDoctor(input(color))).toContain(`9090${escapeControl(ATTACK)}`);
    });
  }
});

describe('source excerpts', () => {
  it('are cut to a fixed width around the caret, with … at the cut ends', () => {
    const line = `${'a'.repeat(5000)}MARK${'b'.repeat(5000)}`;
    const e = excerpt(line, 5000, 5004);
    expect(e.text.length).toBeLessThanOrEqual(122);
    expect(e.text.startsWith('…') && e.text.endsWith('…')).toBe(true);
    expect(e.text.slice(e.caret, e.caret + e.width)).toBe('MARK');
    // Escaping widens the text; the caret still lands under the mark.
    const esc = excerpt('\u001b\u001b x=BAD', 5, 8);
    expect(esc.text.slice(esc.caret, esc.caret + esc.width)).toBe('BAD');
  });
});
