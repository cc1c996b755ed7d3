// Each field of the SARIF report (src/report/sarif.ts) from a known input, written out: what code scanning shows
// (level, region, message with hint, rule help and links) and how it finds the file (URIs inside and outside the
// working folder). The fixture-wide comparison with the JSON report is in reports.test.ts.
import { describe, expect, it } from 'vitest';
import type { ReportInput } from '../../src/report/context.js';
import { formatSarif } from '../../src/report/sarif.js';
import type { AnyRule } from '../../src/rules/define.js';
import type { Finding } from '../../src/types.js';

const rule = (id: string, more: Partial<AnyRule> = {}): AnyRule =>
  ({
    id,
    severity: 'warning',
    title: `title of ${id}`,
    checks: `checks of ${id}`,
    why: `why of ${id}`,
    fix: 'none',
    versions: `versions of ${id}`,
    bad: { file: 'f', text: '' },
    good: { file: 'f', text: '' },
    references: [],
    oracle: 'fixtures',
    check: () => [],
    ...more,
  }) as AnyRule;

const RULES = [
  rule('collector/logging-exporter', { severity: 'error', fix: 'safe', fixDescription: 'renames it' }),
  rule('settings/missing-protocol', { severity: 'info' }),
  rule('probe/otlp-http', { severity: 'warning' }),
];

const range = { start: { line: 3, column: 7, offset: 0 }, end: { line: 4, column: 12, offset: 0 } };

function sarif(findings: Finding[], secrets = new Set<string>()) {
  const input = { findings, workspaces: [], problems: [], cwd: '/work/repo', color: false, command: 'check', secrets } as unknown as ReportInput;
  const text = formatSarif(input, RULES, '9.9.9');
  return { text, json: JSON.parse(text) };
}

// Reports are made inside each test, not while tests are collected: a mutation run switches mutants on per test.
describe('SARIF results', () => {
  const results = () =>
    sarif([
      { ruleId: 'collector/logging-exporter', severity: 'error', message: 'removed exporter', hint: 'rename it', file: '/work/repo/stack/otel.yml', range },
      { ruleId: 'settings/missing-protocol', severity: 'info', message: 'no protocol', file: '/home/dev/.claude/settings.json' },
      { ruleId: 'probe/otlp-http', severity: 'warning', message: 'refused' },
      { ruleId: 'doctor/internal-error', severity: 'error', message: 'a bug', file: 'relative/not-a-path' },
    ]).json.runs[0].results;

  it('level from severity: error, warning, note', () => {
    const [removed, info, probe, unknown] = results();
    expect([removed.level, info.level, probe.level, unknown.level]).toEqual(['error', 'note', 'warning', 'error']);
  });

  it('the rule it belongs to, by id and index into the rule descriptors; no index for a rule not listed', () => {
    const [removed, info, probe, unknown] = results();
    expect([removed.ruleId, removed.ruleIndex, info.ruleIndex, probe.ruleIndex]).toEqual(['collector/logging-exporter', 0, 1, 2]);
    expect('ruleIndex' in unknown).toBe(false);
  });

  it('the message, with the hint on its own line', () => {
    const [removed, info] = results();
    expect(removed.message).toEqual({ text: 'removed exporter\nHint: rename it' });
    expect(info.message).toEqual({ text: 'no protocol' });
  });

  it('a file inside the working folder by relative URI and %SRCROOT%, one outside by file URL, exact region', () => {
    const [removed, info, probe, unknown] = results();
    expect(removed.locations).toEqual([
      {
        physicalLocation: {
          artifactLocation: { uri: 'stack/otel.yml', uriBaseId: '%SRCROOT%' },
          region: { startLine: 3, startColumn: 7, endLine: 4, endColumn: 12 },
        },
      },
    ]);
    expect(info.locations).toEqual([{ physicalLocation: { artifactLocation: { uri: 'file:///home/dev/.claude/settings.json' } } }]);
    expect('locations' in probe).toBe(false);
    expect('locations' in unknown).toBe(false);
  });

  it('the other places of one cause as relatedLocations, numbered from 1, each with its region', () => {
    const other = { start: { line: 9, column: 2 }, end: { line: 9, column: 5 } };
    const [grouped] = sarif([
      {
        ruleId: 'collector/logging-exporter',
        severity: 'error',
        message: 'm',
        file: '/work/repo/a.yml',
        range,
        locations: [{ file: '/work/repo/a.yml', range: other }],
      },
    ]).json.runs[0].results;
    expect(grouped.relatedLocations).toEqual([
      {
        id: 1,
        physicalLocation: {
          artifactLocation: { uri: 'a.yml', uriBaseId: '%SRCROOT%' },
          region: { startLine: 9, startColumn: 2, endLine: 9, endColumn: 5 },
        },
      },
    ]);
    const [single] = results();
    expect('relatedLocations' in single).toBe(false);
  });

  it('masks secrets in messages and hints', () => {
    const { text } = sarif([{ ruleId: 'probe/otlp-http', severity: 'warning', message: 'sent s3cr3tv4l', hint: 'rotate s3cr3tv4l' }], new Set(['s3cr3tv4l']));
    expect(text).not.toContain('s3cr3tv4l');
    expect(JSON.parse(text).runs[0].results[0].message.text).toBe('sent ****\nHint: rotate ****');
  });

  it('writes terminal-active characters JSON leaves raw as \\u escapes, and ends with a newline', () => {
    const { text } = sarif([{ ruleId: 'probe/otlp-http', severity: 'warning', message: 'a\u2028b\u202ec\u009bd' }]);
    expect(text).toContain('a\\u2028b\\u202ec\\u009bd');
    expect(text.endsWith('}\n')).toBe(true);
  });
});

describe('SARIF run and rule descriptors', () => {
  const sarifRun = () => sarif([]).json;

  it('SARIF 2.1.0, the tool and the working folder as %SRCROOT%', () => {
    const json = sarifRun();
    const run = json.runs[0];
    expect(json.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(json.version).toBe('2.1.0');
    expect(run.tool.driver).toMatchObject({
      name: 'claude-otel-doctor',
      version: '9.9.9',
      informationUri: 'https://github.com/claude-otel-doctor/claude-otel-doctor',
    });
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///work/repo/' } });
    expect(run.results).toEqual([]);
  });

  it('each rule: a camelCase name, title, checks, why with the fix, docs link, default level, fix and versions', () => {
    expect(sarifRun().runs[0].tool.driver.rules).toEqual([
      {
        id: 'collector/logging-exporter',
        name: 'collectorLoggingExporter',
        shortDescription: { text: 'title of collector/logging-exporter' },
        fullDescription: { text: 'checks of collector/logging-exporter' },
        help: { text: 'why of collector/logging-exporter\nFix: renames it' },
        helpUri: 'https://github.com/claude-otel-doctor/claude-otel-doctor/blob/main/docs/rules/collector/logging-exporter.md',
        defaultConfiguration: { level: 'error' },
        properties: { fix: 'safe', versions: 'versions of collector/logging-exporter' },
      },
      {
        id: 'settings/missing-protocol',
        name: 'settingsMissingProtocol',
        shortDescription: { text: 'title of settings/missing-protocol' },
        fullDescription: { text: 'checks of settings/missing-protocol' },
        help: { text: 'why of settings/missing-protocol' },
        helpUri: 'https://github.com/claude-otel-doctor/claude-otel-doctor/blob/main/docs/rules/settings/missing-protocol.md',
        defaultConfiguration: { level: 'note' },
        properties: { fix: 'none', versions: 'versions of settings/missing-protocol' },
      },
      {
        id: 'probe/otlp-http',
        name: 'probeOtlpHttp',
        shortDescription: { text: 'title of probe/otlp-http' },
        fullDescription: { text: 'checks of probe/otlp-http' },
        help: { text: 'why of probe/otlp-http' },
        helpUri: 'https://github.com/claude-otel-doctor/claude-otel-doctor/blob/main/docs/probes.md#probeotlp-http',
        defaultConfiguration: { level: 'warning' },
        properties: { fix: 'none', versions: 'versions of probe/otlp-http' },
      },
    ]);
  });
});
