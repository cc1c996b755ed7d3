// Issue #15 item 5: the first sentence of a message is short. A finding's headline says what is wrong and what it
// breaks; its detail holds this case's evidence (which variable, which file, the real tool's words, what was
// assumed); the rule's general why is in `explain`. Pretty shows the detail under the headline, concise does not,
// and every machine format carries it, redacted as the headline is.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/api.js';
import { formatReport } from '../../src/report/output.js';
import type { Finding } from '../../src/types.js';
import { FIXTURES_DIR, listFixtures, runFixture } from '../helpers/fixtures.js';

/** The most a headline may take, names filled in; most are far shorter. */
const MAX_HEADLINE = 140;
/** The engine's count of a grouped finding's other places: not the rule's words. */
const GROUPED = / \(and \d+ more places? in this file\)$/;

describe('headlines', () => {
  it(`every finding of every fixture has a headline of at most ${MAX_HEADLINE} characters, with no assumed version in it`, () => {
    const offenders = new Map<string, string>();
    const assumed = new Set<string>();
    for (const fx of listFixtures()) {
      for (const f of runFixture(fx).report.findings as (Finding & { kind?: string })[]) {
        const headline = f.message.replace(GROUPED, '');
        const key = `${f.ruleId}|${f.kind}`;
        if (headline.length > MAX_HEADLINE && (offenders.get(key)?.length ?? 0) < headline.length) offenders.set(key, headline);
        // The assumed-version wording (model/assumed-version-text.ts) is evidence: it belongs in the detail.
        if (/\(assumed: /.test(headline)) assumed.add(`${key}: ${headline}`);
      }
    }
    expect([...offenders].map(([key, h]) => `${key} (${h.length}): ${h}`)).toEqual([]);
    expect([...assumed]).toEqual([]);
  }, 300_000);
});

describe('detail in each format', () => {
  const dir = join(FIXTURES_DIR, 'collector-delta-dropped-fail-remote-write', 'files');
  const result = check({ paths: [dir], cwd: dir });
  const finding = result.findings.find((f) => f.ruleId === 'collector/delta-dropped' && f.detail);
  const options = { command: 'check', failOn: 'error', color: false, cwd: dir } as const;

  it('the fixture has a finding with a detail', () => {
    expect(finding?.detail).toMatch(/OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE/);
  });

  it('pretty shows the detail under the headline; concise shows the headline only', () => {
    const pretty = formatReport(result, { ...options, format: 'pretty' });
    const lines = pretty.split('\n');
    const at = lines.findIndex((l) => l.includes(finding!.message));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(lines[at + 1]).toBe(`  ${finding!.detail}`);
    const concise = formatReport(result, { ...options, format: 'concise' });
    expect(concise).toContain(finding!.message);
    expect(concise).not.toContain(finding!.detail);
  });

  it('JSON has it as `detail`; SARIF and GitHub annotations put it after the headline', () => {
    const json = JSON.parse(formatReport(result, { ...options, format: 'json' }));
    expect(json.findings).toContainEqual(expect.objectContaining({ message: finding!.message, detail: finding!.detail }));
    const sarif = JSON.parse(formatReport(result, { ...options, format: 'sarif' }));
    const texts = sarif.runs[0].results.map((r: { message: { text: string } }) => r.message.text);
    expect(texts.some((t: string) => t.startsWith(`${finding!.message} ${finding!.detail}`))).toBe(true);
    const github = formatReport(result, { ...options, format: 'github' });
    expect(github).toContain(`::${finding!.message} ${finding!.detail}`.replace(/%/g, '%25'));
  });

  it('a secret in the detail never shows, in any format', () => {
    const secretDir = join(FIXTURES_DIR, 'settings-secret-in-shared-file-fail-api-key');
    const key = 'sk-ant-api03-Xq7vR2mN8pL4kT1wZ9yB6cD3fG5hJ0aS';
    const run = check({ home: join(secretDir, 'home'), project: join(secretDir, 'project'), managedDir: join(secretDir, 'managed'), shellEnv: false });
    const planted: Finding = { ruleId: 'settings/secret-in-shared-file', severity: 'error', message: 'headline', detail: `the key is ${key} here` };
    for (const format of ['pretty', 'concise', 'json', 'sarif', 'github'] as const) {
      const text = formatReport({ ...run, findings: [planted] }, { ...options, cwd: secretDir, format });
      expect(text, format).not.toContain(key);
      expect(text, format).not.toContain(key.slice(10));
    }
  });
});
