// The GitHub Action (action.yml): its check step run as the runner runs it (bash, inputs as environment variables,
// $GITHUB_OUTPUT), on a fixture stack; and its metadata checked for what makes an action safe to use.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packageRoot } from '../../src/util/paths.js';

const temp = mkdtempSync(join(tmpdir(), 'cod-action-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
}
const action = parse(readFileSync(join(packageRoot, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, unknown>;
  runs: { using: string; steps: Step[] };
};

/** The check step's script with these inputs; the doctor runs from src/ through tsx (the action builds dist/ first). */
function checkStep(inputs: { paths?: string; failOn?: string; args?: string }, name: string) {
  const dir = join(temp, name);
  const output = join(temp, `${name}.out`);
  writeFileSync(output, '');
  spawnSync('mkdir', ['-p', dir]);
  const r = spawnSync('bash', [join(packageRoot, 'scripts', 'action-check.sh')], {
    cwd: packageRoot,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      NODE_OPTIONS: '--import tsx',
      NO_COLOR: '1',
      DOCTOR: join(packageRoot, 'src', 'cli.ts'),
      INPUT_PATHS: inputs.paths ?? '.',
      INPUT_FAIL_ON: inputs.failOn ?? 'error',
      INPUT_ARGS: inputs.args ?? '',
      RUNNER_TEMP: dir,
      GITHUB_OUTPUT: output,
    },
    timeout: 60_000,
  });
  const outputs = Object.fromEntries(
    readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { ...r, outputs };
}

describe('action.yml', () => {
  it('is a composite action whose scripts never paste an input into their text', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs).sort()).toEqual(['args', 'fail-on', 'paths', 'sarif']);
    for (const step of action.runs.steps) expect(step.run ?? '', step.name).not.toMatch(/\$\{\{/);
  });

  it('uses the current major versions of the actions it calls', () => {
    const uses = action.runs.steps.flatMap((s) => (s.uses ? [s.uses] : []));
    expect(uses).toEqual(['actions/setup-node@v6', 'github/codeql-action/upload-sarif@v4']);
  });

  it('skips the SARIF upload for pull requests from forks (their token cannot write security events)', () => {
    const upload = action.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'));
    expect(upload?.if).toMatch(/github\.event\.pull_request\.head\.repo\.fork/);
    expect(upload?.if).toMatch(/always\(\)/);
  });
});

describe('the check step', () => {
  it('annotates with repo-relative paths, writes a complete SARIF file, and passes the exit code on', () => {
    const stack = 'fixtures/seed-template-stack/files';
    const r = checkStep({ paths: stack }, 'stack');
    expect(r.status, r.stderr).toBe(0);
    const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(annotations.length).toBeGreaterThan(0);
    for (const a of annotations) expect(a).toMatch(new RegExp(`^::(error|warning|notice) file=${stack}/`));
    expect(r.outputs['exit-code']).toBe('1');
    const sarif = JSON.parse(readFileSync(r.outputs['sarif-file'], 'utf8')) as { runs: { results: unknown[] }[] };
    expect(sarif.runs[0].results).toHaveLength(annotations.length);
  });

  it('fail-on and args reach the doctor', () => {
    const r = checkStep({ paths: 'fixtures/seed-template-stack/files', failOn: 'info', args: '--ignore collector/' }, 'args');
    expect(r.outputs['exit-code']).toBe('1');
    expect(r.stdout).not.toMatch(/title=collector%2F/);
    const clean = checkStep({ paths: 'fixtures/healthy-full-stack', failOn: 'info' }, 'clean');
    expect(clean.outputs['exit-code']).toBe('0');
  });

  it('takes a path input as words, never as shell: no command runs, no glob expands', () => {
    const marker = join(temp, 'ran');
    const r = checkStep({ paths: `$(touch ${marker}) \`touch ${marker}\` fixtures/*` }, 'hostile');
    expect(existsSync(marker)).toBe(false);
    expect(r.outputs['exit-code']).toBe('2');
    expect(r.outputs['sarif-file']).toBeDefined();
  });
});

describe('.pre-commit-hooks.yaml', () => {
  const hooks = parse(readFileSync(join(packageRoot, '.pre-commit-hooks.yaml'), 'utf8')) as {
    id: string;
    entry: string;
    language: string;
    pass_filenames: boolean;
    files: string;
  }[];

  it('one hook that checks the whole repository, since the rules span files', () => {
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({ id: 'claude-otel-doctor', entry: 'claude-otel-doctor check .', language: 'node', pass_filenames: false });
  });

  it('runs when a telemetry config changes, not for other files', () => {
    const files = new RegExp(hooks[0].files);
    for (const path of [
      '.claude/settings.json',
      'team/.claude/settings.local.json',
      'etc/managed-settings.json',
      'docker-compose.yml',
      'stack/compose.override.yaml',
      'otel-collector-config.yaml',
      'prometheus/prometheus.yml',
      'grafana/provisioning/datasources/datasources.yaml',
      'grafana/dashboards/claude-code-dashboard.json',
      '.claude-otel-doctor.json',
    ])
      expect(files.test(path), path).toBe(true);
    for (const path of ['src/index.ts', 'package.json', 'README.md', '.github/workflows/ci.yml']) expect(files.test(path), path).toBe(false);
  });
});
