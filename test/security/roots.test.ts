// Issue #11, item 3 (reading side): nothing outside the scanned paths is read through a symlink. A link out of the
// roots (to a file, a folder, or `/`) is one finding that names it and where it points; what the outside file
// holds never reaches the output. Links inside the roots still work, and a link cycle ends. In machine mode the
// project's own settings follow the same rule against the project folder.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { scratchFolder } from '../helpers/scratch.js';

const { root, write, link } = scratchFolder('cod-roots-');

const CANARY = 'CANARY-7f3a9c-outside-secret';
// Outside the scanned repo: settings with a credential and a telemetry switch, a collector config with one.
const outside = join(root, 'outside');
write(
  'outside/settings.json',
  `{"env": {"CLAUDE_CODE_ENABLE_TELEMETRY": "1", "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer ${CANARY}", "OTEL_METRICS_EXPORTER": "console"}}\n`,
);
write(
  'outside/team/.claude/settings.json',
  `{"env": {"OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer ${CANARY}", "OTEL_METRICS_EXPORTER": "bogus-${CANARY}"}}\n`,
);
write(
  'outside/otel-collector.yaml',
  `receivers:\n  otlp:\n    protocols:\n      grpc:\nexporters:\n  otlphttp:\n    endpoint: https://${CANARY}.example\n    headers:\n      authorization: Bearer ${CANARY}\n`,
);

const repo = join(root, 'repo');
write(
  'repo/team-a/.claude/settings.json',
  '{"env": {"CLAUDE_CODE_ENABLE_TELEMETRY": "1", "OTEL_METRICS_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}}\n',
);
const fileLink = link(join(outside, 'settings.json'), 'repo/team-b/.claude/settings.json');
const yamlLink = link(join(outside, 'otel-collector.yaml'), 'repo/stack/otel-collector.yaml');
const folderLink = link(outside, 'repo/shared');
const slashLink = link('/', 'repo/everything');
const relativeOut = link('../../outside/team', 'repo/nested/up');

function check(args: string[]) {
  const start = Date.now();
  const res = runCli(['check', ...args], { NO_COLOR: '1' });
  return { ...res, ms: Date.now() - start };
}

describe('paths mode: links out of the scanned paths are not read', () => {
  const expected: [string, string][] = [
    [fileLink, join(outside, 'settings.json')],
    [yamlLink, join(outside, 'otel-collector.yaml')],
    [folderLink, outside],
    [slashLink, '/'],
    [relativeOut, join(outside, 'team')],
  ];

  for (const format of ['pretty', 'concise', 'json', 'sarif', 'github']) {
    it(`--format ${format}: each link named once with its target as a warning (not a failed run), the outside content never shown`, () => {
      const res = check(['--format', format, repo]);
      const out = res.stdout + res.stderr;
      expect(res.exitCode).toBe(0); // left unread by the trust rules: the input itself is fine
      expect(res.ms).toBeLessThan(10000); // a walk of `/` would not end in time
      expect(out).not.toContain(CANARY);
      expect(out).not.toMatch(/\n\s+at .+:\d+:\d+/);
      for (const [path, target] of expected) {
        expect(out).toContain(`is a symlink to ${target}, outside the scanned paths; not read`);
        expect(out).toContain(path.slice(repo.length + 1));
      }
      if (format === 'pretty') expect(out).toMatch(/! 0 errors, \d+ warnings/);
    });
  }

  it('json: one doctor/unreadable-file finding per link, and the files inside the repo are still checked', () => {
    const res = check(['--format', 'json', repo]);
    const report = JSON.parse(res.stdout);
    const unread = report.findings.filter((f: { ruleId: string }) => f.ruleId === 'doctor/unreadable-file');
    expect(unread.map((f: { file: string }) => f.file).sort()).toEqual(expected.map(([p]) => p).sort());
    for (const f of unread)
      expect(f).toMatchObject({ severity: 'warning', message: expect.stringMatching(/^is a symlink to .*, outside the scanned paths; not read$/) });
    // team-a is read: its workspace is there, with its prediction.
    expect(report.effective.map((w: { workspace: string }) => w.workspace)).toContain('team-a');
  });

  it('a file link leading outside is not reported when it could be no config file (a README link)', () => {
    const plain = join(root, 'plain');
    write('plain/.claude/settings.json', '{"env": {"CLAUDE_CODE_ENABLE_TELEMETRY": "0"}}\n');
    link(join(outside, 'settings.json'), 'plain/README.md');
    const res = check(['--format', 'json', plain]);
    expect(res.exitCode).toBe(0);
    expect(res.stdout).not.toContain(CANARY);
  });
});

describe('paths mode: links inside the scanned paths are followed, cycles end', () => {
  const inside = join(root, 'inside');
  write('inside/team/.claude/settings.json', '{"env": {"CLAUDE_CODE_ENABLE_TELEMETRY": "1", "OTEL_METRICS_EXPORTER": "otlp"}}\n');
  link('../team/.claude', 'inside/copy/.claude'); // a folder link inside the repo
  link('..', 'inside/team/loop'); // a cycle back to the repo
  link('self.yaml', 'inside/self.yaml'); // a link to itself

  it('the linked settings are read (a folder reached twice is walked once); the cycle and the self-link end the walk', () => {
    const res = check(['--format', 'json', '--claude-version', '2.1.197', inside]);
    const findings = JSON.parse(res.stdout).findings as { ruleId: string; file: string; message: string }[];
    const missingProtocol = findings.filter((f) => f.ruleId === 'settings/missing-protocol').map((f) => f.file.slice(inside.length + 1));
    expect(missingProtocol).toEqual(['copy/.claude/settings.json']);
    expect(findings.filter((f) => f.ruleId === 'doctor/unreadable-file')).toEqual([
      expect.objectContaining({ file: join(inside, 'self.yaml'), message: 'is a broken symlink or a symlink loop; not read' }),
    ]);
    expect(res.exitCode).toBe(2);
  });

  it('a path given on the command line may itself be a link (the user chose it)', () => {
    write('aliased/real/.claude/settings.json', '{"env": {"CLAUDE_CODE_ENABLE_TELEMETRY": "1", "OTEL_METRICS_EXPORTER": "otlp"}}\n');
    const alias = link(join(root, 'aliased/real'), 'alias-to-real');
    const res = check(['--format', 'json', '--claude-version', '2.1.197', alias]);
    const findings = JSON.parse(res.stdout).findings as { ruleId: string }[];
    expect(findings.map((f) => f.ruleId)).toContain('settings/missing-protocol');
    expect(findings.map((f) => f.ruleId)).not.toContain('doctor/unreadable-file');
  });
});

describe('machine mode: the project settings must stay inside the project', () => {
  const empty = join(root, 'empty');
  mkdirSync(empty, { recursive: true });
  const machine = (project: string, format = 'json') =>
    runCli(['check', '--format', format, '--no-shell-env', '--home', empty, '--managed-dir', empty, '--project', project], { NO_COLOR: '1' });

  it('.claude/settings.json and settings.local.json linked out of the project are not read', () => {
    const project = join(root, 'proj-files');
    const shared = link(join(outside, 'settings.json'), 'proj-files/.claude/settings.json');
    const local = link(join(outside, 'team/.claude/settings.json'), 'proj-files/.claude/settings.local.json');
    for (const format of ['pretty', 'concise', 'json', 'sarif', 'github']) {
      const res = machine(project, format);
      expect(res.exitCode).toBe(0); // a warning: Claude Code reads them, the doctor will not
      expect(res.stdout + res.stderr).not.toContain(CANARY);
      expect(res.stdout).toContain(`is a symlink to ${join(outside, 'settings.json')}, outside the project; not read`);
      expect(res.stdout).toContain(`is a symlink to ${join(outside, 'team/.claude/settings.json')}, outside the project; not read`);
    }
    const files = JSON.parse(machine(project).stdout).findings.map((f: { file: string }) => f.file);
    expect(files).toEqual(expect.arrayContaining([shared, local]));
  });

  it('a .claude folder linked out of the project is not read either', () => {
    const project = join(root, 'proj-folder');
    mkdirSync(project);
    link(join(outside, 'team/.claude'), 'proj-folder/.claude');
    const res = machine(project);
    expect(res.exitCode).toBe(0);
    expect(res.stdout).not.toContain(CANARY);
    expect(JSON.parse(res.stdout).findings).toEqual([
      expect.objectContaining({
        ruleId: 'doctor/unreadable-file',
        file: join(project, '.claude/settings.json'),
        message: `is a symlink to ${join(outside, 'team/.claude/settings.json')}, outside the project; not read`,
      }),
    ]);
  });

  it('a link inside the project is read as usual', () => {
    const project = join(root, 'proj-inside');
    write('proj-inside/config/claude.json', '{"env": {"OTEL_METRICS_EXPORTER": "otlp"}}\n');
    link('../config/claude.json', 'proj-inside/.claude/settings.json');
    const res = machine(project);
    expect(JSON.parse(res.stdout).findings.map((f: { ruleId: string }) => f.ruleId)).not.toContain('doctor/unreadable-file');
  });
});

describe('kustomize builds: a file a kustomization names through a link out of its folder is not read', () => {
  // The walk skips the link itself; the build would read it by name (resources, generators), so it checks the real
  // path too. The outside ConfigMap's collector config names an exporter by the canary: read, it would be reported.
  write(
    'outside/collector-cm.yaml',
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: otel\ndata:\n  relay.yaml: |\n    receivers:\n      otlp:\n        protocols:\n          grpc:\n    exporters:\n      ${CANARY}: {}\n    service:\n      pipelines:\n        metrics:\n          receivers: [otlp]\n          exporters: [${CANARY}]\n`,
  );
  write('outside/relay.yaml', `exporters:\n  ${CANARY}: {}\n`);
  write('kz/base/kustomization.yaml', 'resources:\n  - collector-cm.yaml\nconfigMapGenerator:\n  - name: relay\n    files:\n      - relay.yaml\n');
  link(join(outside, 'collector-cm.yaml'), 'kz/base/collector-cm.yaml');
  link(join(outside, 'relay.yaml'), 'kz/base/relay.yaml');

  it('the outside content never reaches any format (the build is then not modelled, its files read as written)', () => {
    for (const format of ['concise', 'json', 'sarif']) {
      const res = check(['--format', format, join(root, 'kz')]);
      expect(res.stdout + res.stderr).not.toContain(CANARY);
      expect(res.exitCode).toBeLessThan(2);
    }
  });
});
