import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';
import { runCli, type CliResult } from './cli.js';

export const FIXTURES_DIR = join(packageRoot, 'fixtures');

/**
 * A fixture folder looks like a real setup:
 *   home/            a home folder (~/.claude/settings.json, ~/.claude.json)
 *   project/         a project (project/.claude/settings.json, settings.local.json)
 *   managed/         what would be /etc/claude-code (managed-settings.json, managed-settings.d/)
 *   shell.env        the shell's exported variables
 *   files/           CI mode: a config repo checked with `check files/`
 *   case.json        optional: {"args": [...], "claudeVersion": "…", "description": "…"}
 *   expected.txt     the findings, one per line: `path:line:col severity rule-id` (paths relative to the fixture)
 */
export interface FixtureCase {
  name: string;
  dir: string;
  args: string[];
  description?: string;
}

export function listFixtures(): FixtureCase[] {
  return readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => loadFixture(d.name));
}

export function loadFixture(name: string): FixtureCase {
  const dir = join(FIXTURES_DIR, name);
  const meta = existsSync(join(dir, 'case.json')) ? JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) : {};
  const args: string[] = ['check', '--format', 'json', '--no-shell-env', '--claude-version', meta.claudeVersion ?? '2.1.197'];
  if (existsSync(join(dir, 'files'))) {
    args.push(join(dir, 'files'));
  } else {
    args.push('--home', join(dir, 'home'), '--project', join(dir, 'project'), '--managed-dir', join(dir, 'managed'));
    if (existsSync(join(dir, 'shell.env'))) args.push('--env-file', join(dir, 'shell.env'));
  }
  args.push(...(meta.args ?? []).map((a: string) => a.replaceAll('{{dir}}', dir)));
  return { name, dir, args, description: meta.description };
}

export interface FixtureRun extends CliResult {
  lines: string[];
  report: {
    findings: { ruleId: string; severity: string; file?: string; range?: { start: { line: number; column: number } }; message: string; detail?: string }[];
  };
}

export function runFixture(fx: FixtureCase): FixtureRun {
  const res = runCli(fx.args, { CLAUDE_CONFIG_DIR: undefined });
  const report = JSON.parse(res.stdout);
  const lines = report.findings.map((f: FixtureRun['report']['findings'][number]) => {
    const file = f.file ? (f.file.startsWith('/') ? relative(fx.dir, f.file) : f.file) : '(environment)';
    const pos = f.range ? `:${f.range.start.line}:${f.range.start.column}` : '';
    return `${file}${pos} ${f.severity} ${f.ruleId}`;
  });
  return { ...res, report, lines };
}
