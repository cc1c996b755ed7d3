import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/paths.js';
import { runCli } from '../helpers/cli.js';

/**
 * The corpus: real public Claude Code monitoring stacks, re-typed under corpus/<case>/files, each finding the doctor
 * reports on them judged by hand in corpus/<case>/verdicts.json. A verdict matches a finding by rule, file, line and
 * an excerpt of its message or detail. Every finding needs a verdict, every verdict a finding (stale ones must go), and no error may be
 * false unless the verdict names the class of issue #14 it belongs to in `known` (the baseline before that work).
 */
const CORPUS_DIR = join(packageRoot, 'corpus');
const FIGURES_FILE = join(packageRoot, '.vitest-results', 'corpus-figures.json');
// The classes of false findings in issue #14.
const KNOWN_CLASSES = new Set(['1', '2', '3', '4', '5', '6']);

interface Verdict {
  rule: string;
  file: string;
  line: number;
  excerpt: string;
  severity?: string;
  verdict: boolean;
  reason: string;
  known?: string;
}

interface Finding {
  rule: string;
  file: string;
  line: number;
  severity: string;
  message: string;
}

interface Judged {
  finding: Finding;
  verdict: Verdict;
}

interface CaseResult {
  name: string;
  judged: Judged[];
  unjudged: Finding[];
  stale: Verdict[];
  malformed: string[];
}

interface Figures {
  errorsTrue: number;
  errorsFalse: number;
  warningsTrue: number;
  warningsFalse: number;
  infosTrue: number;
  infosFalse: number;
  warningPrecision: number | null;
}

function runCase(name: string): CaseResult {
  const files = join(CORPUS_DIR, name, 'files');
  const res = runCli(['check', '--format', 'json', '--no-shell-env', '--claude-version', '2.1.197', files], { CLAUDE_CONFIG_DIR: undefined });
  const report = JSON.parse(res.stdout) as {
    findings: { ruleId: string; severity: string; file?: string; range?: { start: { line: number } }; message: string; detail?: string }[];
  };
  const findings: Finding[] = report.findings.map((f) => ({
    rule: f.ruleId,
    file: f.file ? relative(files, f.file) : '(environment)',
    line: f.range?.start.line ?? 0,
    severity: f.severity,
    // The headline and its detail (an excerpt may quote either); paths relative to the case, so a verdict's excerpt
    // holds wherever the repo is checked out.
    message: `${f.message}${f.detail ? ` ${f.detail}` : ''}`.replaceAll(`${files}/`, ''),
  }));
  const verdicts = JSON.parse(readFileSync(join(CORPUS_DIR, name, 'verdicts.json'), 'utf8')) as Verdict[];
  const malformed = verdicts
    .filter((v) => !v.reason || typeof v.verdict !== 'boolean' || (v.known !== undefined && (v.verdict || !KNOWN_CLASSES.has(v.known))))
    .map((v) => `${v.rule} ${v.file}:${v.line} "${v.excerpt}"`);
  const unused = [...verdicts];
  const judged: Judged[] = [];
  const unjudged: Finding[] = [];
  for (const finding of findings) {
    const i = unused.findIndex((v) => v.rule === finding.rule && v.file === finding.file && v.line === finding.line && finding.message.includes(v.excerpt));
    if (i < 0) unjudged.push(finding);
    else judged.push({ finding, verdict: unused.splice(i, 1)[0]! });
  }
  return { name, judged, unjudged, stale: unused, malformed };
}

function figures(judged: Judged[]): Figures {
  const count = (severity: string, verdict: boolean) => judged.filter((j) => j.finding.severity === severity && j.verdict.verdict === verdict).length;
  const warningsTrue = count('warning', true);
  const warningsFalse = count('warning', false);
  return {
    errorsTrue: count('error', true),
    errorsFalse: count('error', false),
    warningsTrue,
    warningsFalse,
    infosTrue: count('info', true),
    infosFalse: count('info', false),
    warningPrecision: warningsTrue + warningsFalse ? warningsTrue / (warningsTrue + warningsFalse) : null,
  };
}

const show = (f: Finding) => `${f.severity} ${f.rule} ${f.file}:${f.line} ${f.message}`;

describe('corpus of real setups', () => {
  const names = readdirSync(CORPUS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const results = names.map(runCase);

  // The baseline figures, printed and kept beside the other test results.
  const all = results.flatMap((r) => r.judged);
  const byClass: Record<string, number> = {};
  for (const j of all.filter((j) => !j.verdict.verdict)) byClass[j.verdict.known ?? 'none'] = (byClass[j.verdict.known ?? 'none'] ?? 0) + 1;
  const summary = {
    cases: Object.fromEntries(results.map((r) => [r.name, figures(r.judged)])),
    total: figures(all),
    falseFindingsByClass: byClass,
  };
  const pct = (p: number | null) => (p === null ? 'n/a' : `${(p * 100).toFixed(1)}%`);
  const line = (name: string, f: Figures) =>
    `${name.padEnd(34)} errors ${f.errorsTrue} true / ${f.errorsFalse} false   warnings ${f.warningsTrue} true / ${f.warningsFalse} false   precision ${pct(f.warningPrecision)}`;
  console.log(
    [
      'corpus figures:',
      ...results.map((r) => line(r.name, summary.cases[r.name]!)),
      line('TOTAL', summary.total),
      `false findings by #14 class: ${JSON.stringify(byClass)}`,
    ].join('\n'),
  );
  mkdirSync(join(packageRoot, '.vitest-results'), { recursive: true });
  writeFileSync(FIGURES_FILE, `${JSON.stringify(summary, null, 2)}\n`);

  it('has at least 15 cases, each with its source named', () => {
    expect(names.length).toBeGreaterThanOrEqual(15);
    for (const name of names) expect(existsSync(join(CORPUS_DIR, name, 'SOURCE.md')), `${name} has no SOURCE.md`).toBe(true);
  });

  for (const r of results) {
    describe(r.name, () => {
      it('has a well-formed verdict for every finding, and no stale verdict', () => {
        expect(r.malformed, 'verdicts without a reason, or with `known` on a true verdict or outside classes 1-6').toEqual([]);
        expect(r.unjudged.map(show), 'findings without a verdict in verdicts.json').toEqual([]);
        expect(
          r.stale.map((v) => `${v.rule} ${v.file}:${v.line} "${v.excerpt}"`),
          'verdicts that match no finding any more: delete them (a known false finding that went away is progress)',
        ).toEqual([]);
      });
      it('has no false error outside the known classes of #14', () => {
        const falseErrors = r.judged.filter((j) => j.finding.severity === 'error' && !j.verdict.verdict && !j.verdict.known);
        expect(falseErrors.map((j) => `${show(j.finding)} — ${j.verdict.reason}`)).toEqual([]);
      });
    });
  }
});
