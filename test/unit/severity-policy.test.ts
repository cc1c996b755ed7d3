import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/rules/index.js';
import { loadFixture, runFixture } from '../helpers/fixtures.js';

// The severity policy (docs/architecture.md, "Severity policy"): `error` only where it is certain: the real tool
// refuses it, Claude Code drops or does not send the data, or the data is certainly lost. A rule that can say
// error has a real tool as its oracle (the differential and conformance suites hold it to that), or states in its
// metadata (`certainty`) the documented behaviour it relies on and what it checks before it says error.
const REAL_ORACLES = new Set(['claude-code', 'collector', 'promtool', 'pipeline']);
const root = join(import.meta.dirname, '..', '..');

/** A check that sets `error` on some of its findings (`severity: certain ? 'error' : 'warning'`). */
const SETS_ERROR = /severity:[^,\n]*'error'/;

/** Whether a rule can report an error: its default severity, or an `error` its check sets on some findings. */
function canError(id: string, severity: string): boolean {
  return severity === 'error' || SETS_ERROR.test(readFileSync(join(root, 'src/rules', `${id}.ts`), 'utf8'));
}

describe('severity policy', () => {
  const errorRules = RULES.filter((r) => canError(r.id, r.severity));

  it('lists every rule that can report an error, with its oracle', () => {
    // The list is printed so a reviewer sees it whole; it must not be empty (the scan reads the rules).
    console.log(errorRules.map((r) => `${r.id.padEnd(42)} ${r.oracle}${r.certainty ? ' + certainty' : ''}`).join('\n'));
    expect(errorRules.length).toBeGreaterThan(30);
  });

  it('every rule that can report an error has a real tool as its oracle, or says why its errors are certain', () => {
    const unjustified = errorRules.filter((r) => !REAL_ORACLES.has(r.oracle) && (r.certainty ?? '').trim().length < 80).map((r) => r.id);
    expect(unjustified, 'add `certainty` to these rules, or make their findings warnings').toEqual([]);
  });

  it('the scan sees errors set by a check, not only default severities', () => {
    expect(SETS_ERROR.test("severity: p.certain ? 'error' : 'warning',")).toBe(true);
    expect(SETS_ERROR.test("severity: 'warning',")).toBe(false);
    expect(canError('settings/console-exporter', 'warning')).toBe(false);
  });
});

describe('severity policy: datasource references', () => {
  const findings = (fixture: string) => runFixture(loadFixture(fixture)).report.findings.filter((f) => f.ruleId === 'dashboard/datasource-not-found');

  it('a uid no datasource a compose Grafana is seen to provision has is an error (UI-made datasources get random uids)', () => {
    expect(findings('dashboard-datasource-not-found-fail').map((f) => [f.severity, f.message.includes('"PBFA97CFB590B2093"')])).toContainEqual(['error', true]);
  });

  it('a name, or a uid where provisioning is not seen, is a warning that says what it assumed', () => {
    const open = [
      ...findings('dashboard-datasource-not-found-fail-by-name').filter((f) => f.message.includes('"Prometheus (prod)"')),
      ...findings('dashboard-datasource-not-found-fail-provisioning-unseen'),
    ];
    expect(open.length).toBe(2);
    for (const f of open) {
      expect(f.severity, f.message).toBe('warning');
      expect(f.detail).toMatch(/\(.*assuming .*\)/);
    }
  });

  it('with no datasource provisioned at all, a uid reference is a note of what the panel needs, not a verdict', () => {
    const [f, ...rest] = findings('dashboard-datasource-not-found-fail-monitoring-guide');
    expect(rest).toEqual([]);
    expect(f.severity).toBe('info');
    expect(f.message).toMatch(/needs a datasource with uid .*, which must come from elsewhere/);
    expect(f.detail).toMatch(/no datasource is provisioned in this workspace, so it must come from elsewhere/);
  });
});
