// Each field of the JSON report (src/report/json.ts) from a known input, written out: paths relative to the working
// folder, every string from input masked and bounded (file paths excepted, consumers open them), header values
// never shown, probes as the live checks saw them. Reports are made inside each test (mutation runs switch
// mutants on per test).
import { docsUrl } from '../../src/version.js';
import { describe, expect, it } from 'vitest';
import type { ReportInput } from '../../src/report/context.js';
import { formatJson } from '../../src/report/json.js';
import type { Finding } from '../../src/types.js';
import { MAX_WORD } from '../../src/util/escape.js';
import { workspaceOf } from '../helpers/setup-workspace.js';

const LONG = 'x'.repeat(MAX_WORD + 10);

function report(over: Partial<ReportInput> = {}) {
  const ws = workspaceOf({
    user: {
      env: {
        OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer s3cr3t, x-team = t34m ,bare',
        MY_HEADERS_FILE: '/etc/h=1',
        OTEL_SERVICE_NAME: `svc-${LONG}`,
        OTEL_RESOURCE_ATTRIBUTES: 'team=k3yw0rd',
      },
    },
  });
  const input = {
    findings: [],
    workspaces: [ws],
    problems: [],
    cwd: '/work/repo',
    color: false,
    command: 'check',
    secrets: new Set(['k3yw0rd']),
    ...over,
  } as ReportInput;
  const text = formatJson(input, '9.9.9');
  return { text, json: JSON.parse(text) };
}

const finding = (over: Partial<Finding>): Finding => ({ ruleId: 'collector/logging-exporter', severity: 'error', message: 'm', ...over });

describe('JSON report fields', () => {
  it('version, tool, counts by severity; ends with a newline', () => {
    const { text, json } = report({ findings: [finding({}), finding({ severity: 'info' }), finding({ severity: 'info' })] });
    expect(json.version).toBe(1);
    expect(json.tool).toEqual({ name: 'claude-otel-doctor', version: '9.9.9' });
    expect(json.summary).toEqual({ error: 1, warning: 0, info: 2 });
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('a finding: its path relative to the working folder (POSIX and Windows absolute paths), fatal flag, fix safety', () => {
    const { json } = report({
      findings: [
        finding({
          file: '/work/repo/stack/otel.yml',
          fatal: true,
          fix: { safety: 'safe', description: 'rename', edits: [] },
          hint: 'h',
          path: 'exporters.logging',
        }),
        finding({ file: 'C:\\repo\\otel.yml' }),
        finding({ file: 'settings (inline)' }),
        finding({ file: 'rel/dir/' }),
        finding({ file: 'see C:\\repo' }),
      ],
    });
    const [posix, windows, inline, trailing, notDrive] = json.findings;
    expect(notDrive.relativeFile).toBeUndefined();
    expect(posix).toEqual({
      ruleId: 'collector/logging-exporter',
      helpUri: docsUrl('collector/logging-exporter'),
      severity: 'error',
      message: 'm',
      file: '/work/repo/stack/otel.yml',
      relativeFile: 'stack/otel.yml',
      path: 'exporters.logging',
      hint: 'h',
      fatal: true,
      fix: { safety: 'safe', description: 'rename' },
    });
    expect(windows.relativeFile).toBeDefined();
    expect(inline.relativeFile).toBeUndefined();
    expect(trailing.relativeFile).toBeUndefined();
  });

  it('the other places of one cause: range and path each (paths masked and bounded); absent for a single place', () => {
    const other = { start: { line: 9, column: 2 }, end: { line: 9, column: 5 } };
    const { json } = report({
      findings: [
        finding({ file: '/work/repo/a.yml', locations: [{ file: '/work/repo/a.yml', range: other, path: 'x.k3yw0rd' }, { file: '/work/repo/a.yml' }] }),
        finding({ file: '/work/repo/a.yml', subject: 'label' }),
      ],
    });
    expect(json.findings[0].locations).toEqual([{ range: other, path: 'x.****' }, {}]);
    expect(json.findings[1]).not.toHaveProperty('locations');
    expect(json.findings[1]).not.toHaveProperty('subject');
  });

  it("a finding's kind (which of its rule's messages) is shown, its data is not (values a message shows only masked)", () => {
    const { json } = report({ findings: [finding({ kind: 'fatal', data: { endpoint: 'https://h:4318/?token=s3cr3t' } })] });
    expect(json.findings[0].kind).toBe('fatal');
    expect(json.findings[0]).not.toHaveProperty('data');
    expect(JSON.stringify(json)).not.toContain('s3cr3t');
  });

  it('masks secrets in messages, hints, paths and read problems', () => {
    const { json } = report({
      findings: [finding({ message: 'sent k3yw0rd', hint: 'rotate k3yw0rd', path: 'headers.k3yw0rd' })],
      problems: [{ path: '/work/repo/x.yml', reason: 'holds k3yw0rd' }],
    });
    expect([json.findings[0].message, json.findings[0].hint, json.findings[0].path]).toEqual(['sent ****', 'rotate ****', 'headers.****']);
    expect(json.problems).toEqual([{ path: '/work/repo/x.yml', reason: 'holds ****' }]);
  });

  it('the effective environment: header values never (names kept), other values masked and bounded, file paths whole', () => {
    const { json } = report();
    const env = json.effective[0].env;
    expect(env.OTEL_EXPORTER_OTLP_HEADERS.value).toBe('Authorization=****,x-team=****,****');
    expect(env.MY_HEADERS_FILE.value).toBe('/etc/h=1'); // *_HEADERS only at the end of the name
    expect(env.OTEL_RESOURCE_ATTRIBUTES.value).toBe('team=****');
    expect(env.OTEL_SERVICE_NAME.value).toMatch(/^svc-x+…x+$/);
    expect(env.OTEL_SERVICE_NAME.value.length).toBeLessThanOrEqual(MAX_WORD);
    expect(env.OTEL_SERVICE_NAME).toMatchObject({ scope: 'user', file: '/home/dev/.claude/settings.json' });
    expect(json.effective[0].claudeVersion).toMatchObject({ version: '2.1.197' });
    expect(typeof json.effective[0].prediction).toBe('object');
  });

  it('a file path in the effective setup is kept whole even when long; every other long string is cut', () => {
    const long = `/work/repo/${'d'.repeat(MAX_WORD + 5)}/settings.json`;
    const ws = workspaceOf({ user: { env: { OTEL_SERVICE_NAME: 'svc' } } });
    const origin = [...ws.claude.env.values()][0].origin;
    (origin as { file: string }).file = long;
    const json = JSON.parse(
      formatJson({ findings: [], workspaces: [ws], problems: [], cwd: '/work/repo', color: false, command: 'check' } as ReportInput, '1'),
    );
    expect(json.effective[0].env.OTEL_SERVICE_NAME.file).toBe(long);
  });

  it('probes: id, stage, status, target and the summary masked; absent when nothing was probed', () => {
    const { json } = report({
      probes: [
        {
          probeId: 'probe/otlp-http',
          stage: 'OTLP endpoint',
          status: 'failed',
          target: 'http://127.0.0.1:4318',
          summary: 'refused k3yw0rd',
          finding: finding({}),
        },
      ],
    });
    expect(json.probes).toEqual([
      { probeId: 'probe/otlp-http', stage: 'OTLP endpoint', status: 'failed', target: 'http://127.0.0.1:4318', summary: 'refused ****' },
    ]);
    expect('probes' in report().json).toBe(false);
  });
});
