import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { NEWEST_KNOWN_CLAUDE } from '../../src/model/versions.js';

const root = mkdtempSync(join(tmpdir(), 'cod-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const home = join(FIXTURES_DIR, 'settings-missing-protocol-fail-grpc-port', 'home');
const base = [
  'check',
  '--format',
  'json',
  '--no-shell-env',
  '--claude-version',
  '2.1.197',
  '--home',
  home,
  '--project',
  join(root, 'p'),
  '--managed-dir',
  join(root, 'm'),
];
const ids = (stdout: string) => (JSON.parse(stdout).findings as { ruleId: string; severity: string }[]).map((f) => `${f.ruleId}:${f.severity}`);

function config(name: string, value: unknown): string {
  const file = join(root, name);
  writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

describe('doctor configuration', () => {
  it('without config: the rule reports at its default severity', () => {
    expect(ids(runCli(base).stdout)).toEqual(['settings/missing-protocol:error', 'settings/missing-protocol:error']);
  });

  it('rules: a severity override and off', () => {
    const warn = config('warn.json', { rules: { 'settings/missing-protocol': 'warning' } });
    const res = runCli([...base, '--config', warn]);
    expect(ids(res.stdout)).toEqual(['settings/missing-protocol:warning', 'settings/missing-protocol:warning']);
    expect(res.exitCode).toBe(0); // below the default --fail-on error
    expect(runCli([...base, '--config', warn, '--fail-on', 'warning']).exitCode).toBe(1);
    const off = config('off.json', { rules: { 'settings/missing-protocol': 'off' } });
    expect(ids(runCli([...base, '--config', off]).stdout)).toEqual([]);
  });

  it('--select and --ignore take rule ids and areas', () => {
    expect(ids(runCli([...base, '--ignore', 'settings/missing-protocol']).stdout)).toEqual([]);
    expect(ids(runCli([...base, '--ignore', 'settings/']).stdout)).toEqual([]);
    expect(ids(runCli([...base, '--select', 'settings/invalid-json']).stdout)).toEqual([]);
    expect(ids(runCli([...base, '--select', 'settings']).stdout)).toHaveLength(2);
  });

  it('ignorePaths and per-path ignores, relative to the config folder', () => {
    const dir = join(root, 'repo');
    mkdirSync(dir, { recursive: true });
    // A glob leaves the config's folder with ../ as a path does (resolved, not matched against `..` segments).
    const byPath = config('repo/.claude-otel-doctor.json', { ignorePaths: [`${relative(dir, FIXTURES_DIR)}/**/home/**`] });
    expect(ids(runCli([...base, '--config', byPath]).stdout)).toEqual([]);
  });

  it('the config is found upward from the working folder', () => {
    const dir = join(root, 'up', 'a', 'b');
    mkdirSync(dir, { recursive: true });
    config('up/.claude-otel-doctor.json', { rules: { 'settings/missing-protocol': 'info' } });
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(ids(runCli(base).stdout)).toEqual(['settings/missing-protocol:info', 'settings/missing-protocol:info']);
    } finally {
      process.chdir(cwd);
    }
  });

  it('versions.claudeCode is used when no flag gives one (in CI mode as written; on this machine not below 2.1.282)', () => {
    const args = base.filter((a, i) => a !== '--claude-version' && base[i - 1] !== '--claude-version');
    const version = (cfg: string, extra: string[]) => JSON.parse(runCli([...extra, '--config', cfg], { PATH: root }).stdout).effective[0].claudeVersion;
    const newer = config('version-new.json', { versions: { claudeCode: '2.1.290' } });
    expect(version(newer, args)).toEqual({ version: '2.1.290', source: 'config' });
    // 2.1.281 still applies project settings (measured), so on this machine a repo may not pin it.
    const justBefore = config('version-281.json', { versions: { claudeCode: '2.1.281' } });
    expect(version(justBefore, args)).toEqual({ version: NEWEST_KNOWN_CLAUDE, source: 'newest known' });
    const older = config('version.json', { versions: { claudeCode: '2.1.150' } });
    expect(version(older, ['check', '--format', 'json', join(home, '.claude')])).toEqual({ version: '2.1.150', source: 'config' });
    // On this machine an older pin would let project settings choose the destination: only the flag or `claude --version` can.
    expect(version(older, args)).toEqual({ version: NEWEST_KNOWN_CLAUDE, source: 'newest known' });
  });

  it('an installed or flagged Claude Code newer than the newest known is said once, in pretty and JSON output', () => {
    const bin = join(root, 'newer-bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'claude'), '#!/bin/sh\necho "2.1.400 (Claude Code)"\n', { mode: 0o755 });
    const args = base.filter((a, i) => a !== '--claude-version' && base[i - 1] !== '--claude-version');
    const sentence = `Claude Code 2.1.400 is newer than the newest version this doctor was proven on, ${NEWEST_KNOWN_CLAUDE}: behaviour may have changed`;
    const json = JSON.parse(runCli(args, { PATH: `${bin}:${process.env.PATH}` }).stdout);
    expect(json.effective[0].claudeVersion).toEqual({ version: '2.1.400', source: 'installed' });
    expect(json.findings.filter((f: { message: string }) => f.message === sentence)).toHaveLength(1);
    const pretty = runCli(['check', '--no-shell-env', '--claude-version', '2.1.400', ...args.slice(4)]).stdout;
    expect(pretty.split(sentence).length - 1).toBe(1);
    // Nothing said on the newest known version, nor when the version is only the fallback.
    expect(JSON.parse(runCli([...args, '--claude-version', NEWEST_KNOWN_CLAUDE]).stdout).findings.map((f: { ruleId: string }) => f.ruleId)).not.toContain(
      'settings/newer-claude-version',
    );
    expect(JSON.parse(runCli(args, { PATH: root }).stdout).findings.map((f: { ruleId: string }) => f.ruleId)).not.toContain('settings/newer-claude-version');
  });

  it('an unknown rule id in the config is bad usage', () => {
    const cfg = config('unknown.json', { rules: { 'settings/does-not-exist': 'off' } });
    const res = runCli([...base, '--config', cfg]);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(/unknown rule id "settings\/does-not-exist"/);
  });
});
