// Issue #11, item 5 (bounded time and memory): the yaml package parses at several seconds and hundreds of MB per MB
// of input, so a YAML file has a lower size limit than a JSON one (MAX_YAML_BYTES against MAX_FILE_BYTES): past it,
// one line names the file and the limit, exit 2, and the file is never parsed. The figures are in the commit and
// the report, not in a timed test.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES, MAX_YAML_BYTES } from '../../src/load/read.js';
import { runCli } from '../helpers/cli.js';
import { scratchFolder } from '../helpers/scratch.js';

const { root, write } = scratchFolder('cod-yaml-size-');

const COLLECTOR =
  'receivers:\n  otlp:\n    protocols:\n      grpc:\nexporters:\n  debug:\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [debug]\n';
/** A valid collector config of exactly `bytes` bytes: the padding is one comment line (cheap to parse). */
function collectorOf(bytes: number, fill = 'x'): string {
  const padding = bytes - Buffer.byteLength(COLLECTOR) - 3; // "# " and "\n"
  const n = Math.floor(padding / Buffer.byteLength(fill));
  return `# ${fill.repeat(n)}${'x'.repeat(padding - n * Buffer.byteLength(fill))}\n${COLLECTOR}`;
}

const check = (...args: string[]) => runCli(['check', '--no-shell-env', '--format', 'json', ...args], { NO_COLOR: '1' });
type Finding = { ruleId: string; file?: string; message: string };
const findings = (stdout: string): Finding[] => JSON.parse(stdout).findings;

describe('YAML files have a lower size limit than JSON', () => {
  it('the limits', () => {
    expect(MAX_YAML_BYTES).toBe(1024 * 1024);
    expect(MAX_FILE_BYTES).toBe(10 * 1024 * 1024);
  });

  it('a collector config one byte over the YAML limit: one finding naming the limit, exit 2, nothing else read from it', () => {
    const path = write('over/otel-collector-config.yaml', collectorOf(MAX_YAML_BYTES + 1));
    const res = check(join(root, 'over'));
    expect(res.exitCode).toBe(2);
    const own = findings(res.stdout).filter((f) => f.file === path);
    expect(own.map((f) => f.ruleId)).toEqual(['doctor/unreadable-file']);
    expect(own[0].message).toBe('is 1.1 MB, over the 1 MB limit for a YAML file; not read');
  });

  it('at the limit it is read as usual', () => {
    const path = write('at/otel-collector-config.yaml', collectorOf(MAX_YAML_BYTES));
    const res = check(join(root, 'at'));
    expect(res.exitCode, res.stdout).not.toBe(2);
    expect(
      findings(res.stdout)
        .filter((f) => f.file === path)
        .map((f) => f.ruleId),
    ).not.toContain('doctor/unreadable-file');
  });

  it('the limit counts bytes, not characters (600 000 "é" are 1.2 MB)', () => {
    const path = write('utf8/otel-collector-config.yaml', collectorOf(1_200_000, 'é'));
    const res = check(join(root, 'utf8'));
    expect(res.exitCode).toBe(2);
    expect(findings(res.stdout).find((f) => f.file === path)?.message).toMatch(/over the 1 MB limit for a YAML file/);
  });

  it('a builder manifest (--collector-manifest) over the limit: one line, exit 2', () => {
    const path = write('manifest/builder-config.yaml', collectorOf(2 * MAX_YAML_BYTES));
    const res = check(join(root, 'at'), '--collector-manifest', path);
    expect(res.exitCode).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr.trim().split('\n')).toEqual([`claude-otel-doctor: --collector-manifest ${path}: is 2 MB, over the 1 MB limit for a YAML file`]);
  });

  it('a JSON dashboard of 2 MB keeps the 10 MB limit: read as usual', () => {
    const dashboard = { uid: 'big', title: 'big', description: 'x'.repeat(2 * MAX_YAML_BYTES), panels: [] };
    const path = write('json/dashboards/big.json', JSON.stringify(dashboard));
    const res = check(join(root, 'json'));
    expect(res.exitCode, res.stdout).not.toBe(2);
    expect(
      findings(res.stdout)
        .filter((f) => f.file === path)
        .map((f) => f.ruleId),
    ).not.toContain('doctor/unreadable-file');
  });
});
