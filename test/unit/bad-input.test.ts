import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'cod-bad-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const p = join(dir, name);
    try {
      if (statSync(p).isFile()) out[name] = createHash('sha256').update(readFileSync(p)).digest('hex');
    } catch {
      out[name] = 'unreadable';
    }
  }
  return out;
}

function setup(name: string, write: (claudeDir: string) => void): string {
  const home = join(root, name, 'home');
  mkdirSync(join(home, '.claude'), { recursive: true });
  write(join(home, '.claude'));
  return home;
}

const cases: [string, (d: string) => void, RegExp][] = [
  ['binary', (d) => writeFileSync(join(d, 'settings.json'), Buffer.from([0x7b, 0x00, 0x01, 0x02, 0x7d])), /settings\.json: .*looks binary/],
  ['not UTF-8', (d) => writeFileSync(join(d, 'settings.json'), Buffer.from('{"env":{"A":"\xff\xfe"}}', 'latin1')), /settings\.json: .*not valid UTF-8/],
  ['huge', (d) => writeFileSync(join(d, 'settings.json'), `{"env":{"A":"${'x'.repeat(10 * 1024 * 1024 + 10)}"}}`), /settings\.json: .*over the 10 MB limit/],
  ['symlink loop', (d) => symlinkSync(join(d, 'settings.json'), join(d, 'settings.json')), /settings\.json: .*(symlink loop|broken symlink)/],
  ['a folder', (d) => mkdirSync(join(d, 'settings.json')), /settings\.json: .*is a folder/],
];

describe('bad input: one clear line with the path, no stack trace, nothing written', () => {
  for (const [name, write, expected] of cases) {
    it(name, () => {
      const home = setup(name.replace(/\W/g, '-'), write);
      const before = tree(root);
      const res = runCli(['check', '--no-shell-env', '--home', home, '--project', join(root, 'none'), '--managed-dir', join(root, 'none')], { NO_COLOR: '1' });
      expect(res.stdout + res.stderr).toMatch(expected);
      expect(res.stdout + res.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack frames
      expect([0, 1, 2]).toContain(res.exitCode);
      expect(tree(root)).toEqual(before);
    });
  }

  it('a path argument that does not exist ends with exit 2 and names it', () => {
    const res = runCli(['check', join(root, 'missing-folder')]);
    expect(res.exitCode).toBe(2);
    expect(res.stdout + res.stderr).toContain('missing-folder');
  });

  it('a malformed settings file is a finding with a position, not a crash', () => {
    const home = setup('malformed', (d) => writeFileSync(join(d, 'settings.json'), '{ "env": { "A": "1" '));
    const res = runCli(['check', '--format', 'json', '--no-shell-env', '--home', home, '--project', join(root, 'none'), '--managed-dir', join(root, 'none')]);
    const report = JSON.parse(res.stdout);
    expect(report.findings[0]).toMatchObject({ ruleId: 'settings/invalid-json', range: { start: { line: 1 } } });
    expect(res.exitCode).toBe(1);
  });
});

describe('bad usage: exit 2 with a one-line message', () => {
  const usage: [string, string[], RegExp][] = [
    ['unknown format', ['check', '--format', 'xml'], /--format must be one of/],
    ['unknown fail-on', ['check', '--fail-on', 'fatal'], /--fail-on must be/],
    ['unknown rule in --select', ['check', '--select', 'settings/nope'], /unknown rule or area "settings\/nope"/],
    ['unknown option', ['check', '--frobnicate'], /unknown option --frobnicate/],
    ['unknown command', ['frobnicate'], /unknown command "frobnicate"/],
    ['explain unknown rule', ['explain', 'settings/nope'], /unknown rule "settings\/nope"/],
    [
      'missing --collector-env-file',
      ['check', '.', '--collector-env-file', '/nonexistent/collector.env'],
      /--collector-env-file \/nonexistent\/collector\.env: does not exist/,
    ],
    [
      'missing --collector-manifest',
      ['check', '.', '--collector-manifest', '/nonexistent/manifest.yaml'],
      /--collector-manifest \/nonexistent\/manifest\.yaml: does not exist/,
    ],
  ];
  for (const [name, args, expected] of usage) {
    it(name, () => {
      const res = runCli(args);
      expect(res.exitCode).toBe(2);
      expect(res.stderr).toMatch(expected);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
    });
  }

  it('an invalid config file names its location', () => {
    const cfg = join(root, 'bad-config.json');
    writeFileSync(cfg, '{\n  "rules": { "settings/missing-protocol": "loud" }\n}\n');
    const res = runCli(['check', '--config', cfg, '--no-shell-env', '--home', join(root, 'none')]);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(/bad-config\.json: invalid config: \/rules\/settings~1missing-protocol must be equal to one of the allowed values/);
    writeFileSync(cfg, '{\n  "rules": {,}\n}\n');
    const res2 = runCli(['check', '--config', cfg]);
    expect(res2.exitCode).toBe(2);
    expect(res2.stderr).toMatch(/bad-config\.json:2:\d+: invalid JSON in config/);
  });
});
