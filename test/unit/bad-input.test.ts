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
    ['a format typo gets a suggestion', ['check', '--format', 'jsn'], /not "jsn" \(did you mean "json"\?\)/],
    ['rules takes only its formats', ['rules', '--format', 'sarif'], /--format of rules must be pretty or json, not "sarif"/],
    ['a command typo gets a suggestion', ['chek'], /unknown command "chek" \(did you mean "check"\?\)/],
    ['an option typo gets a suggestion', ['check', '--formt', 'json'], /unknown option --formt \(did you mean --format\?\)/],
    ['a rule id typo gets a suggestion', ['explain', 'settings/missing-protcol'], /did you mean "settings\/missing-protocol"\?/],
    ['a rule name typo without its area', ['explain', 'missing-protcol'], /did you mean "settings\/missing-protocol"\?/],
    ['an area typo in --select', ['check', '--select', 'setings/'], /did you mean "settings\/"\?/],
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

  it('explain finds a rule by its name without the area', () => {
    const res = runCli(['explain', 'missing-protocol']);
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toMatch(/^settings\/missing-protocol/);
  });

  it('config errors say the key, the value and what is allowed', () => {
    const cases: [string, RegExp][] = [
      ['{\n  "ignorePaths": "vendor"\n}\n', /:2:3: invalid config: ignorePaths is a string \("vendor"\), must be array$/],
      ['{\n  "rulez": {}\n}\n', /:2:3: invalid config: rulez is not a known key here$/],
      ['{\n  "ignore": [{ "rules": [] }]\n}\n', /:2:14: invalid config: ignore\[0\] lacks the key "path"$/],
      [
        '{\n  "ignore": [{ "path": "a", "rules": ["settings/missing-protocl"] }]\n}\n',
        /:2:39: unknown rule id "settings\/missing-protocl" \(did you mean "settings\/missing-protocol"\?\)/,
      ],
    ];
    for (const [text, expected] of cases) {
      const cfg = join(root, 'config-words.json');
      writeFileSync(cfg, text);
      const res = runCli(['check', '--config', cfg, '--no-shell-env', '--home', join(root, 'none')]);
      expect(res.exitCode, text).toBe(2);
      expect(res.stderr.trim(), text).toMatch(expected);
    }
  });

  it('an invalid config file names its location', () => {
    const cfg = join(root, 'bad-config.json');
    writeFileSync(cfg, '{\n  "rules": { "settings/missing-protocol": "loud" }\n}\n');
    const res = runCli(['check', '--config', cfg, '--no-shell-env', '--home', join(root, 'none')]);
    expect(res.exitCode).toBe(2);
    // The key, the bad value and the allowed ones, at the key's line and column: not ajv's pointer text.
    expect(res.stderr.trim()).toMatch(
      /bad-config\.json:2:14: invalid config: rules\["settings\/missing-protocol"\] is "loud", not one of "error", "warning", "info", "off"$/,
    );
    writeFileSync(cfg, '{\n  "rules": {,}\n}\n');
    const res2 = runCli(['check', '--config', cfg]);
    expect(res2.exitCode).toBe(2);
    expect(res2.stderr).toMatch(/bad-config\.json:2:\d+: invalid JSON in config/);
  });
});
