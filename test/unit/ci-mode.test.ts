import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { packageRoot } from '../../src/util/paths.js';

const root = mkdtempSync(join(tmpdir(), 'cod-ci-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const write = (rel: string, text: string) => {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
};
const broken = '{ "env": { "CLAUDE_CODE_ENABLE_TELEMETRY": "1", } }\n';

// A shared config repo: two team projects, a template folder, and places that must be skipped.
write('repo/team-a/.claude/settings.json', broken);
write('repo/team-b/.claude/settings.json', '{ "model": 123, "env": { "OTEL_RESOURCE_ATTRIBUTES": "team.id=b" } }\n');
write('repo/templates/settings.json.local', '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp"\n  }\n}\n');
write('repo/templates/README.md', '# not a config\n');
write('repo/node_modules/pkg/.claude/settings.json', broken);
write('repo/.git/.claude/settings.json', broken);
// The machine's own files, which CI mode must not read.
write('fakehome/.claude/settings.json', broken);

function findings(args: string[], env: Record<string, string> = {}) {
  const res = runCli(['check', '--format', 'json', ...args], env);
  return { res, list: JSON.parse(res.stdout).findings as { ruleId: string; file: string; workspace?: string }[] };
}

describe('CI mode (check <paths>)', () => {
  it('treats each folder with a .claude/ folder as its own workspace and skips .git and node_modules', () => {
    const { list } = findings([join(root, 'repo')], { HOME: join(root, 'fakehome') });
    const byWs = list.map((f) => `${f.workspace} ${f.ruleId} ${f.file.slice(root.length + 1)}`);
    expect(byWs).toContain('team-a settings/invalid-json repo/team-a/.claude/settings.json');
    expect(byWs).toContain('team-b settings/invalid-schema repo/team-b/.claude/settings.json');
    expect(byWs.some((l) => l.startsWith('. settings/missing-protocol repo/templates/settings.json.local'))).toBe(true);
    expect(byWs.join('\n')).not.toMatch(/node_modules|\.git\/|fakehome/);
  });

  it('reads no real HOME, /etc or shell unless asked', () => {
    const { list } = findings([join(root, 'repo/templates')], { HOME: join(root, 'fakehome'), OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    // The shell's protocol is not applied, so the template's missing protocol is still reported.
    expect(list.map((f) => f.ruleId)).toContain('settings/missing-protocol');
    expect(list.every((f) => !f.file.includes('fakehome'))).toBe(true);
  });

  it('--machine adds this machine (here: a fake home) on request', () => {
    const { list } = findings([
      join(root, 'repo/templates'),
      '--machine',
      '--home',
      join(root, 'fakehome'),
      '--no-shell-env',
      '--managed-dir',
      join(root, 'none'),
    ]);
    expect(list.some((f) => f.file.includes('fakehome'))).toBe(true);
  });

  it('exit code 1 with errors, 0 when clean', () => {
    expect(findings([join(root, 'repo')]).res.exitCode).toBe(1);
    expect(findings([join(root, 'repo/templates/README.md')]).res.exitCode).toBe(0);
  });
});

describe('option values arrive as typed', () => {
  // cac's parser would turn `0.110` into the number 0.11; the CLI reads value options again from argv.
  it('--collector-version 0.110 is collector 0.110, not 0.11 (and no internal error)', () => {
    const fixture = join(packageRoot, 'fixtures/collector-logging-exporter-fail/files');
    for (const args of [['--collector-version', '0.110'], ['--collector-version=0.110']]) {
      const r = runCli(['check', fixture, ...args, '--format', 'json']);
      expect(r.stderr).toBe('');
      const details = (JSON.parse(r.stdout).findings as { ruleId: string; detail: string }[])
        .filter((f) => f.ruleId === 'collector/logging-exporter')
        .map((f) => f.detail);
      expect(details).toEqual([expect.stringContaining('collector 0.110 (--collector-version) still runs it')]);
    }
  });
});
