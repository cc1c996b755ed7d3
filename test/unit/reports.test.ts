import { Ajv } from 'ajv';

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/rules/index.js';
import { schemaPath } from '../../src/util/paths.js';
import { runCli } from '../helpers/cli.js';
import { FIXTURES_DIR, listFixtures, loadFixture, type FixtureCase } from '../helpers/fixtures.js';

const require = createRequire(import.meta.url);
// ajv-draft-04 is CommonJS; require() gives its constructor without ESM interop guesswork.
const AjvDraft04: typeof import('ajv-draft-04').default = require('ajv-draft-04');
const fx = (name: string) => join(FIXTURES_DIR, name);
const seedArgs = (format: string) => [
  'check',
  '--format',
  format,
  '--no-shell-env',
  '--claude-version',
  '2.1.197',
  '--home',
  fx('settings-missing-protocol-fail-grpc-port/home'),
  '--project',
  fx('settings-invalid-schema-fail-permissions/project'),
  '--managed-dir',
  fx('none'),
];

describe('SARIF', () => {
  it('validates against the SARIF 2.1.0 schema and carries rule descriptors from metadata', () => {
    const res = runCli(seedArgs('sarif'));
    expect(res.exitCode).toBe(1);
    const sarif = JSON.parse(res.stdout);
    const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const validate = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false, logger: false }).compile(schema);
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    // The validator is not a rubber stamp: a wrong level is rejected.
    expect(validate({ ...sarif, runs: [{ ...sarif.runs[0], results: [{ ...sarif.runs[0].results[0], level: 'fatal' }] }] })).toBe(false);
    const driver = sarif.runs[0].tool.driver;
    expect(driver.rules.map((r: { id: string }) => r.id)).toEqual(RULES.map((r) => r.id));
    const results = sarif.runs[0].results;
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      expect(driver.rules[r.ruleIndex].id).toBe(r.ruleId);
      const loc = r.locations[0].physicalLocation;
      expect(loc.artifactLocation.uri).not.toMatch(/^\//); // repo-relative
      expect(loc.region.startLine).toBeGreaterThan(0);
    }
  });
});

describe('JSON report', () => {
  it('validates against schemas/report.schema.json and includes the prediction', () => {
    const res = runCli(seedArgs('json'));
    const report = JSON.parse(res.stdout);
    const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(schemaPath('report.schema.json'), 'utf8')));
    expect(validate(report), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(report.version).toBe(1);
    expect(report.effective[0].prediction.initFailure).toMatch(/no OTLP protocol/);
  });
});

describe('one cause in many places', () => {
  // Thirteen findings without grouping: six panels and a variable on a label never attached, six copies of one
  // raw-counter expression. Each report shows two, with every other place attached.
  const grouped = loadFixture('dashboard-label-not-produced-fail-one-label-many-panels');
  const run = (format: string) =>
    runCli(
      grouped.args.map((a, i) => (grouped.args[i - 1] === '--format' ? format : a)),
      { NO_COLOR: '1' },
    );

  it('JSON: one finding per cause, the other places in `locations`, the count in the message; valid against the schema', () => {
    const report = JSON.parse(run('json').stdout);
    const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(schemaPath('report.schema.json'), 'utf8')));
    expect(validate(report), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const [label, counter] = report.findings;
    expect(report.findings).toHaveLength(2);
    expect(label.ruleId).toBe('dashboard/label-not-produced');
    expect(label.message).toMatch(/host_name.* \(and 6 more places in this file\)$/);
    expect(label.locations.map((l: { range: { start: { line: number } } }) => l.range.start.line)).toEqual([53, 78, 103, 128, 153, 318]);
    expect(label.locations[0].path).toMatch(/^\/panels\/1\//);
    expect(counter.ruleId).toBe('dashboard/counter-without-rate');
    expect(counter.locations).toHaveLength(5);
    expect(counter.message).toMatch(/\(and 5 more places in this file\)$/);
  });

  it('SARIF: the other places as relatedLocations, valid SARIF 2.1.0', () => {
    const sarif = JSON.parse(run('sarif').stdout);
    const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const validate = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false, logger: false }).compile(schema);
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const [label] = sarif.runs[0].results;
    expect(label.relatedLocations).toHaveLength(6);
    expect(label.relatedLocations[0]).toEqual({
      id: 1,
      physicalLocation: {
        artifactLocation: label.locations[0].physicalLocation.artifactLocation,
        region: { startLine: 53, startColumn: 86, endLine: 53, endColumn: 95 },
      },
    });
  });

  it('pretty: the count in the message and the other places on one line; GitHub: one annotation per cause', () => {
    const pretty = run('pretty').stdout;
    expect(pretty.match(/\[dashboard\/label-not-produced\]/g)).toHaveLength(1);
    expect(pretty).toContain('also at 53:86, 78:81, 103:80, 128:86, 153:87, 318:66\n');
    expect(pretty).toContain('also at 203:24, 228:24, 253:24, 278:24, 303:24\n');
    expect(run('github').stdout.trim().split('\n')).toHaveLength(2);
  });
});

describe('GitHub annotations', () => {
  it('prints one ::error line per error finding with file, line and col', () => {
    const res = runCli(seedArgs('github'));
    const lines = res.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[a-z]+\/[a-z0-9-]+::.+/);
  });
});

describe('pretty', () => {
  it('shows path:line:col, severity, rule id, the source line with a caret, and the hint', () => {
    const f = loadFixture('settings-missing-protocol-fail-grpc-port');
    const res = runCli(['check', ...f.args.slice(1).filter((a, i, all) => !(a === 'json' && all[i - 1] === '--format') && a !== '--format')], {
      NO_COLOR: '1',
    });
    expect(res.stdout).toMatch(/home\/\.claude\/settings\.json:4:30: error .*\[settings\/missing-protocol\]/);
    expect(res.stdout).toContain('4 |     "OTEL_METRICS_EXPORTER": "otlp",');
    expect(res.stdout).toMatch(/\|\s{30}\^{6}/);
    expect(res.stdout).toContain('hint: add "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"');
    expect(res.stdout).toContain('telemetry init fails');
  });

  it('the bare command prints the stages in pipeline order with a summary', () => {
    const f = loadFixture('settings-missing-protocol-fail-grpc-port');
    const res = runCli(
      [
        '--offline',
        '--no-shell-env',
        '--claude-version',
        '2.1.197',
        '--home',
        join(f.dir, 'home'),
        '--project',
        join(f.dir, 'project'),
        '--managed-dir',
        join(f.dir, 'managed'),
      ],
      { NO_COLOR: '1' },
    );
    expect(res.exitCode).toBe(1);
    const order = ['Claude Code settings', 'OTLP endpoint', 'Collector', 'Prometheus', 'Loki', 'Grafana', 'End to end'].map((s) => res.stdout.indexOf(s));
    expect(order.every((v, i) => v >= 0 && (i === 0 || v > order[i - 1]))).toBe(true);
    expect(res.stdout).toMatch(/✗ Claude Code settings/);
    expect(res.stdout.trim().split('\n').pop()).toMatch(/2 errors/);
  });
});

describe('SARIF says what the JSON report says, for every fixture', () => {
  // Shape alone lets a wrong level or a shifted region through: compare each result with its JSON finding.
  const LEVEL: Record<string, string> = { error: 'error', warning: 'warning', info: 'note' };
  type Stats = { levels: string[]; lineIsNotColumn: number };
  const checked = new Map<string, Stats>();
  /** Compares one fixture's SARIF with its JSON report (once; the coverage test reuses the result, or runs it). */
  const compare = (fx: FixtureCase): Stats => {
    const done = checked.get(fx.name);
    if (done) return done;
    const json = JSON.parse(runCli(fx.args, { CLAUDE_CONFIG_DIR: undefined }).stdout);
    const sarifArgs = fx.args.map((a, i) => (fx.args[i - 1] === '--format' ? 'sarif' : a));
    const results = JSON.parse(runCli(sarifArgs, { CLAUDE_CONFIG_DIR: undefined }).stdout).runs[0].results;
    expect(results).toHaveLength(json.findings.length);
    const stats: Stats = { levels: [], lineIsNotColumn: 0 };
    json.findings.forEach(
      (
        f: {
          ruleId: string;
          severity: string;
          message: string;
          file?: string;
          range?: { start: { line: number; column: number }; end: { line: number; column: number } };
          locations?: { range?: { start: { line: number; column: number }; end: { line: number; column: number } } }[];
        },
        i: number,
      ) => {
        const r = results[i];
        // The other places of one cause: the same regions, in the same order.
        expect(r.relatedLocations?.map((l: { physicalLocation: { region?: unknown } }) => l.physicalLocation.region)).toEqual(
          f.locations?.map(
            (l) => l.range && { startLine: l.range.start.line, startColumn: l.range.start.column, endLine: l.range.end.line, endColumn: l.range.end.column },
          ),
        );
        expect(r.ruleId).toBe(f.ruleId);
        expect(r.level, `${f.ruleId} ${f.severity}`).toBe(LEVEL[f.severity]);
        stats.levels.push(r.level);
        expect(r.message.text.startsWith(f.message)).toBe(true);
        const loc = r.locations?.[0]?.physicalLocation;
        if (f.file?.startsWith('/')) {
          // Redaction is textual: a path holding a secret's text (a header value `sandbox`, and a checkout under
          // Stryker's sandbox-* folder) is masked in JSON; SARIF URIs are not. Compare the folders after the mask.
          const rel = relative(process.cwd(), f.file);
          const afterMask = rel.slice(rel.indexOf('/', rel.lastIndexOf('****')) + 1);
          if (rel.includes('****')) expect(loc.artifactLocation.uri.endsWith(afterMask), `${loc.artifactLocation.uri} vs ${rel}`).toBe(true);
          else expect(loc.artifactLocation.uri).toBe(rel);
        }
        if (!f.range) return expect(loc?.region).toBeUndefined();
        expect(loc.region).toEqual({
          startLine: f.range.start.line,
          startColumn: f.range.start.column,
          endLine: f.range.end.line,
          endColumn: f.range.end.column,
        });
        if (f.range.start.line !== f.range.start.column) stats.lineIsNotColumn++;
      },
    );
    checked.set(fx.name, stats);
    return stats;
  };
  const fixtures = listFixtures();
  for (const fx of fixtures) it(fx.name, () => void compare(fx));
  it('the fixtures cover every level, and regions that tell line from column', () => {
    const all = fixtures.map(compare);
    expect([...new Set(all.flatMap((s) => s.levels))].sort()).toEqual(['error', 'note', 'warning']);
    expect(all.reduce((n, s) => n + s.lineIsNotColumn, 0)).toBeGreaterThan(100);
  });
});
