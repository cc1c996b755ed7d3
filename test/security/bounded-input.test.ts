// Issue #11, item 5 (bounded reads, depth and time) and item 10 (an unreadable settings file never passes).
// Every input the doctor reads, whether a flag names it or a walk finds it, is refused with one line and exit 2
// when it is no regular file, too big, or nested too deep; a rule or a file that makes the doctor throw costs one
// finding, not the run.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import consoleExporter from '../../src/rules/settings/console-exporter.js';
import { MAX_NESTING } from '../../src/load/nesting.js';

// A collector file named `boom-*` makes the collector model throw, as a bug would.
vi.mock('../../src/model/collector.js', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../src/model/collector.js')>();
  return {
    ...orig,
    loadCollector: (y: Parameters<typeof orig.loadCollector>[0]) => {
      if (y.source.path.includes('boom-')) throw new Error('injected failure');
      return orig.loadCollector(y);
    },
  };
});

const root = mkdtempSync(join(tmpdir(), 'cod-bounded-'));
const empty = join(root, 'empty');
mkdirSync(empty);
const children: ChildProcess[] = [];
const servers: Server[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const s of servers) s.close();
  rmSync(root, { recursive: true, force: true });
});

function write(rel: string, text: string | Buffer): string {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** Machine mode on nothing but what the test names: no real home, project, /etc or shell. */
const isolated = ['--no-shell-env', '--home', empty, '--project', empty, '--managed-dir', empty];

function timed(args: string[]): CliResult & { ms: number } {
  const start = Date.now();
  const res = runCli(args, { NO_COLOR: '1' });
  return { ...res, ms: Date.now() - start };
}

/** One line naming the path, exit 2, quickly, bounded output, no stack trace. */
function expectRefused(res: CliResult & { ms: number }, path: string, reason: RegExp) {
  const out = res.stdout + res.stderr;
  expect(res.exitCode, out).toBe(2);
  expect(res.ms).toBeLessThan(5000);
  expect(out.length).toBeLessThan(5000);
  expect(out).not.toMatch(/\n\s+at .+:\d+:\d+/);
  const lines = out.split('\n').filter((l) => l.includes(path));
  expect(lines, out).toHaveLength(1);
  expect(lines[0]).toMatch(reason);
  expect(out).not.toMatch(/no problems found/);
}

// The kinds of hostile input, each made once. A FIFO "fed forever" has a writer waiting on it.
const inputs: Record<string, { path: () => string; reason: RegExp }> = {};
beforeAll(async () => {
  const fifo = join(root, 'inputs/fifo.json');
  mkdirSync(dirname(fifo), { recursive: true });
  execFileSync('mkfifo', [fifo]);
  const fed = join(root, 'inputs/fed.json');
  execFileSync('mkfifo', [fed]);
  const writer = spawn('sh', ['-c', 'exec yes "{" > "$1"', 'sh', fed], { stdio: 'ignore' });
  children.push(writer);
  const sock = join(root, 'inputs/sock.json');
  await listenOn(sock);
  const big = write('inputs/big.json', Buffer.alloc(20 * 1024 * 1024, 0x20));
  Object.assign(inputs, {
    'dev-zero': { path: () => '/dev/zero', reason: /is a device, not a file/ },
    'fifo without writer': { path: () => fifo, reason: /is a FIFO \(named pipe\), not a file/ },
    'fifo fed forever': { path: () => fed, reason: /is a FIFO \(named pipe\), not a file/ },
    'unix socket': { path: () => sock, reason: /is a socket, not a file/ },
    '20 MB file': { path: () => big, reason: /is 20\.0 MB, over the 10 MB limit/ },
  });
});

const KINDS = ['dev-zero', 'fifo without writer', 'fifo fed forever', 'unix socket', '20 MB file'];
const FLAGS: [string, (p: string) => string[]][] = [
  ['--settings', (p) => ['check', ...isolated, '--settings', p]],
  ['--env-file', (p) => ['check', ...isolated, '--env-file', p]],
  ['--config', (p) => ['check', ...isolated, '--config', p]],
  ['--collector-manifest', (p) => ['check', empty, '--collector-manifest', p]],
  ['--collector-env-file', (p) => ['check', empty, '--collector-env-file', p]],
  ['check <path>', (p) => ['check', p]],
];

describe('bounded reads: every flag and the walk refuse what is no config file, with one line and exit 2', () => {
  for (const kind of KINDS) {
    for (const [flag, args] of FLAGS) {
      it(`${kind} through ${flag}`, () => {
        const { path, reason } = inputs[kind];
        expectRefused(timed(args(path())), path(), reason);
      });
    }
  }

  // --project and a walk find the file in a known place: the file there is the hostile one (a link to /dev/zero
  // leads out of the project, so it is refused as such).
  for (const kind of KINDS) {
    it(`${kind} as a project's .claude/settings.json (--project)`, async () => {
      const project = join(root, 'projects', kind.replace(/\W/g, '-'));
      const target = join(project, '.claude/settings.json');
      mkdirSync(dirname(target), { recursive: true });
      await placeAt(kind, target);
      const res = timed(['check', '--no-shell-env', '--home', empty, '--managed-dir', empty, '--project', project]);
      expectRefused(res, target, inputs[kind].reason);
    });

    it(`${kind} as a collector config found by a walk`, async () => {
      const repo = join(root, 'walks', kind.replace(/\W/g, '-'));
      mkdirSync(repo, { recursive: true });
      const target = join(repo, 'otel-collector.yaml');
      await placeAt(kind, target);
      const res = timed(['check', repo]);
      expectRefused(res, target, inputs[kind].reason);
    });
  }
});

describe('--dry-run and --fix do not turn a refused file into "nothing to fix"', () => {
  it('--dry-run on a repo with a FIFO collector config: exit 2, the FIFO named', async () => {
    const repo = join(root, 'dry-run');
    write('dry-run/.claude/settings.json', '{"env": {"CLAUDE_CODE_ENABLE_TELEMETRY": "1"}}\n');
    await placeAt('fifo without writer', join(repo, 'otel-collector.yaml'));
    for (const flag of ['--dry-run', '--fix']) {
      const res = timed(['check', repo, flag]);
      expect(res.exitCode, flag).toBe(2);
      expect(res.ms).toBeLessThan(5000);
      expect(res.stdout + res.stderr).toMatch(/otel-collector\.yaml.*is a FIFO/);
    }
  });
});

/** Puts the kind of input at a path: a link to /dev/zero, a new FIFO or socket, a 20 MB file. */
async function placeAt(kind: string, target: string) {
  if (kind === 'dev-zero') symlinkSync('/dev/zero', target);
  else if (kind.startsWith('fifo')) execFileSync('mkfifo', [target]);
  else if (kind === 'unix socket') await listenOn(target);
  else writeFileSync(target, Buffer.alloc(20 * 1024 * 1024, 0x20));
}

function listenOn(path: string): Promise<void> {
  return new Promise((ok) => {
    servers.push(createServer().listen(path, () => ok()));
  });
}

describe('nesting deeper than the limit: one finding where it is crossed, never a stack overflow', () => {
  const N = 100000;
  const json = (prefix: string) => `${prefix + '['.repeat(N) + ']'.repeat(N)}}`;

  it('JSON settings (machine mode)', () => {
    const home = join(root, 'deep-home');
    // `{"env":` opens level 1; the 64th `[` (offset 7 + 63) opens level 65.
    write('deep-home/.claude/settings.json', json('{"env":'));
    const res = runCli(['check', '--format', 'json', '--no-shell-env', '--home', home, '--project', empty, '--managed-dir', empty]);
    expect(res.exitCode).toBe(2);
    const findings = JSON.parse(res.stdout).findings;
    expect(findings).toEqual([
      expect.objectContaining({
        ruleId: 'doctor/unreadable-file',
        range: { start: { line: 1, column: 7 + MAX_NESTING }, end: { line: 1, column: 8 + MAX_NESTING } },
      }),
    ]);
    expect(findings[0].message).toMatch(/nested deeper than 64 levels .* at line 1, column 71/);
  });

  it('inline --settings JSON', () => {
    const res = runCli(['check', '--format', 'json', ...isolated, '--settings', json('{"env":')]);
    expect(res.exitCode).toBe(2);
    expect(JSON.parse(res.stdout).findings).toEqual([
      expect.objectContaining({ ruleId: 'doctor/unreadable-file', file: '--settings', range: expect.objectContaining({ start: { line: 1, column: 71 } }) }),
    ]);
  });

  it('collector YAML found by a walk, in flow and in block style', () => {
    const flow = write('deep-yaml/flow/otel-collector.yaml', `receivers:\n  otlp: ${'['.repeat(N)}${']'.repeat(N)}\n`);
    const block = write('deep-yaml/block/otel-collector.yaml', `receivers:\n  otlp:\n    ${'- '.repeat(N)}x\n`);
    const res = runCli(['check', '--format', 'json', join(root, 'deep-yaml')]);
    expect(res.exitCode).toBe(2);
    const findings = JSON.parse(res.stdout).findings.map((f: { file: string; range: { start: unknown } }) => [f.file, f.range?.start]);
    // receivers (1) > otlp (2) > 63 collections more: the 63rd opens level 65.
    expect(findings).toEqual([
      [block, { line: 3, column: 5 + 2 * (MAX_NESTING - 2) }],
      [flow, { line: 2, column: 9 + MAX_NESTING - 2 }],
    ]);
  });

  it('dashboard JSON found by a walk', () => {
    const dash = write('deep-dash/dashboards/claude.json', json('{"panels":'));
    const res = runCli(['check', '--format', 'json', join(root, 'deep-dash')]);
    expect(res.exitCode).toBe(2);
    expect(JSON.parse(res.stdout).findings).toEqual([
      expect.objectContaining({
        ruleId: 'doctor/unreadable-file',
        file: dash,
        range: expect.objectContaining({ start: { line: 1, column: 10 + MAX_NESTING } }),
      }),
    ]);
  });

  it('a builder manifest (--collector-manifest): one line with the position', () => {
    const manifest = write('deep-manifest.yaml', `receivers:\n  - ${'['.repeat(N)}${']'.repeat(N)}\n`);
    const res = runCli(['check', empty, '--collector-manifest', manifest]);
    expect(res.exitCode).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/deep-manifest\.yaml: is nested deeper than 64 levels .* at line 2, column \d+/);
  });

  it('nesting at the limit is read as usual', () => {
    const ok = write(
      'at-limit/.claude/settings.json',
      `{"env": {"CLAUDE_CODE_ENABLE_TELEMETRY": "1"}, "x": ${'['.repeat(MAX_NESTING - 1)}${']'.repeat(MAX_NESTING - 1)}}`,
    );
    const res = runCli(['check', '--format', 'json', dirname(dirname(ok))]);
    expect(JSON.parse(res.stdout).findings.map((f: { ruleId: string }) => f.ruleId)).not.toContain('doctor/unreadable-file');
  });
});

describe('an internal error costs one finding, not the run', () => {
  const repo = join(root, 'throwing');
  beforeAll(() => {
    write(
      'throwing/settings.json',
      '{"env": {"CLAUDE_CODE_ENABLE_TELEMETRY": "1", "OTEL_METRICS_EXPORTER": "console,otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}}\n',
    );
  });
  const ruleIds = (res: CliResult) => (JSON.parse(res.stdout).findings as { ruleId: string }[]).map((f) => f.ruleId);

  it('(control: without the failure, the rule reports and nothing is internal)', () => {
    const res = runCli(['check', '--format', 'json', '--claude-version', '2.1.197', repo]);
    expect(ruleIds(res)).toEqual(expect.arrayContaining(['settings/console-exporter', 'settings/missing-logs-exporter']));
    expect(ruleIds(res)).not.toContain('doctor/internal-error');
  });

  it('a rule that throws: one doctor/internal-error finding naming the rule; the other rules still report; exit 2', () => {
    const spy = vi.spyOn(consoleExporter, 'check').mockImplementation(() => {
      throw new Error('injected rule failure');
    });
    try {
      const res = runCli(['check', '--format', 'json', '--claude-version', '2.1.197', repo]);
      expect(res.exitCode).toBe(2);
      expect(res.stderr).toBe('');
      const findings = JSON.parse(res.stdout).findings as { ruleId: string; message: string }[];
      const internal = findings.filter((f) => f.ruleId === 'doctor/internal-error');
      expect(internal).toHaveLength(1);
      expect(internal[0].message).toMatch(/rule settings\/console-exporter failed \(injected rule failure\)/);
      expect(findings.map((f) => f.ruleId)).toContain('settings/missing-logs-exporter');
      expect(findings.map((f) => f.ruleId)).not.toContain('settings/console-exporter');
    } finally {
      spy.mockRestore();
    }
  });

  it('a file whose loading throws: one finding for that file; the other files are still examined', () => {
    const boom = write('throwing-files/boom-collector.yaml', 'receivers:\n  otlp:\n    protocols:\n      grpc:\n');
    const other = write('throwing-files/otel-collector.yaml', 'receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: localhost:4317\n');
    const res = runCli(['check', '--format', 'json', join(root, 'throwing-files')]);
    expect(res.exitCode).toBe(2);
    const findings = JSON.parse(res.stdout).findings as { ruleId: string; file: string; message: string }[];
    expect(findings.filter((f) => f.ruleId === 'doctor/internal-error')).toEqual([
      expect.objectContaining({ file: boom, message: expect.stringMatching(/injected failure/) }),
    ]);
    expect(findings.some((f) => f.file === other && f.ruleId.startsWith('collector/'))).toBe(true);
  });
});

describe('a settings file Claude Code cannot read is never "no problems found" (UTF-16)', () => {
  const text = '{"env": {"CLAUDE_CODE_ENABLE_TELEMETRY": "1"}}';
  const le = Buffer.from(text, 'utf16le');
  const be = Buffer.from(le).swap16();
  const variants: [string, Buffer, RegExp][] = [
    ['UTF-16 LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), le]), /UTF-16 LE \(with a byte order mark\)/],
    ['UTF-16 BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), be]), /UTF-16 BE \(with a byte order mark\)/],
    ['UTF-16 LE without BOM', le, /UTF-16 LE \(without a byte order mark\)/],
    ['UTF-16 BE without BOM', be, /UTF-16 BE \(without a byte order mark\)/],
  ];
  for (const [name, bytes, encoding] of variants) {
    const slug = name.replace(/\W/g, '-');
    const home = join(root, 'utf16', slug);
    beforeAll(() => {
      write(`utf16/${slug}/.claude/settings.json`, bytes);
    });
    for (const format of ['pretty', 'concise', 'json', 'sarif', 'github']) {
      it(`${name}, --format ${format}: exit 2 and the encoding named`, () => {
        const res = runCli(['check', '--format', format, '--no-shell-env', '--home', home, '--project', empty, '--managed-dir', empty], { NO_COLOR: '1' });
        expect(res.exitCode).toBe(2);
        expect(res.stdout).toMatch(encoding);
        expect(res.stdout).toMatch(/Claude Code does not read it either/);
        expect(res.stdout).not.toMatch(/no problems found/);
        if (format === 'sarif') expect(JSON.parse(res.stdout).runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toEqual(['doctor/unreadable-file']);
        if (format === 'json') expect(JSON.parse(res.stdout).summary.error).toBe(1);
        if (format === 'github') expect(res.stdout).toMatch(/^::error file=.*settings\.json/m);
      });
    }
  }

  it('the same settings in a scanned repo (check <path>)', () => {
    const repo = join(root, 'utf16-repo');
    write('utf16-repo/.claude/settings.json', variants[0][1]);
    const res = runCli(['check', repo], { NO_COLOR: '1' });
    expect(res.exitCode).toBe(2);
    expect(res.stdout).toMatch(/settings\.json: error is UTF-16 LE \(with a byte order mark\), not UTF-8; Claude Code does not read it either/);
  });
});
