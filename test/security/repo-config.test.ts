// Issue #11: a repo's .claude-otel-doctor.json (found upward from the working folder) is the repo's content, so it may
// not lead a read out of the folder it sits in. A symlink that does is refused with one line and exit 2, before any
// check runs: its target is never read, and what it would have turned off stays on. --config names a file the user
// chose, and is read wherever it leads.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { scratchFolder } from '../helpers/scratch.js';

const { root, write, link } = scratchFolder('cod-repo-config-');

// Outside every repo: a config that would silence the repo's one error.
const CANARY = 'canary-reason-7f3a';
const outside = write(
  'elsewhere/doctor.json',
  JSON.stringify({ rules: { 'settings/missing-protocol': 'off' }, ignore: [{ path: '**', rules: ['settings/missing-protocol'], reason: CANARY }] }),
);
const SETTINGS = JSON.stringify({
  env: { CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317' },
});

/** A repo with settings that lack a protocol (one error), and its config at `link`. */
function repo(name: string, configTarget: string): string {
  write(`${name}/.claude/settings.json`, SETTINGS);
  link(configTarget, `${name}/.claude-otel-doctor.json`);
  mkdirSync(join(root, name, 'sub'), { recursive: true });
  return join(root, name);
}

function inFolder<T>(dir: string, fn: () => T): T {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    return fn();
  } finally {
    process.chdir(cwd);
  }
}

const check = (...args: string[]) =>
  runCli(['check', '.claude', '--no-shell-env', '--claude-version', '2.1.197', '--format', 'json', ...args], { NO_COLOR: '1' });

describe("a repo's config that links out of its folder is not read", () => {
  for (const [what, target] of [
    ['an absolute link', outside],
    ['a relative link', '../elsewhere/doctor.json'],
  ] as const) {
    it(`${what}: one line naming the link, exit 2, the target never applied`, () => {
      const dir = repo(`absrel-${what.split(' ')[1]}`, target);
      const res = inFolder(dir, () => check());
      expect(res.exitCode).toBe(2);
      expect(res.stdout).toBe('');
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(res.stderr).toMatch(
        /\.claude-otel-doctor\.json: is a symlink to .*elsewhere\/doctor\.json, outside .*; not read \(name it with --config to use it\)/,
      );
      expect(res.stderr).not.toContain(CANARY);
    });
  }

  it('found upward from a subfolder: refused the same way', () => {
    const dir = repo('upward', outside);
    const res = inFolder(join(dir, 'sub'), () => runCli(['check', '../.claude', '--no-shell-env', '--claude-version', '2.1.197']));
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(/upward\/\.claude-otel-doctor\.json: is a symlink to .*, outside .*upward; not read/);
  });

  it('a link to a file inside the same folder is read as usual', () => {
    write('inside/configs/doctor.json', JSON.stringify({ rules: { 'settings/missing-protocol': 'off' } }));
    const dir = repo('inside', 'configs/doctor.json');
    const res = inFolder(dir, () => check());
    expect(res.exitCode, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout).findings.map((f: { ruleId: string }) => f.ruleId)).not.toContain('settings/missing-protocol');
  });

  it('(control: without a config the repo has its error)', () => {
    write('plain/.claude/settings.json', SETTINGS);
    const res = inFolder(join(root, 'plain'), () => check());
    expect(res.exitCode).toBe(1);
    expect(JSON.parse(res.stdout).findings.map((f: { ruleId: string }) => f.ruleId)).toContain('settings/missing-protocol');
  });

  it("--config naming the link is the user's choice: read wherever it leads", () => {
    const dir = repo('named', outside);
    const res = inFolder(dir, () => check('--config', join(dir, '.claude-otel-doctor.json')));
    expect(res.exitCode, res.stderr).toBe(0);
  });
});
