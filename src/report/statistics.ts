import type { Finding, Severity } from '../types.js';

/** One rule's line of `--statistics`. */
export interface RuleCount {
  ruleId: string;
  count: number;
  /** The highest severity among its findings. */
  severity: Severity;
  /** How many of them --fix fixes (safe), and how many more with --unsafe-fixes. */
  fixable: number;
  unsafeFixable: number;
  title: string;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** Findings counted per rule, most first (then by id), as `ruff --statistics` counts per code. */
export function ruleCounts(findings: Finding[], titleOf: (ruleId: string) => string): RuleCount[] {
  const byRule = new Map<string, RuleCount>();
  for (const f of findings) {
    const c = byRule.get(f.ruleId) ?? { ruleId: f.ruleId, count: 0, severity: f.severity, fixable: 0, unsafeFixable: 0, title: titleOf(f.ruleId) };
    c.count++;
    if (RANK[f.severity] > RANK[c.severity]) c.severity = f.severity;
    if (f.fix?.safety === 'safe') c.fixable++;
    if (f.fix?.safety === 'unsafe') c.unsafeFixable++;
    byRule.set(f.ruleId, c);
  }
  return [...byRule.values()].sort((a, b) => b.count - a.count || a.ruleId.localeCompare(b.ruleId));
}

/** `   3  settings/missing-protocol  error  [*]  OTLP exporter without a protocol`: `[*]` fixable, `[-]` with --unsafe-fixes. */
export function formatStatistics(counts: RuleCount[]): string {
  if (counts.length === 0) return 'no findings\n';
  const countWidth = Math.max(...counts.map((c) => String(c.count).length));
  const idWidth = Math.max(...counts.map((c) => c.ruleId.length));
  const lines = counts.map((c) => {
    const mark = c.fixable ? '[*]' : c.unsafeFixable ? '[-]' : '   ';
    return `${String(c.count).padStart(countWidth)}  ${c.ruleId.padEnd(idWidth)}  ${c.severity.padEnd(7)}  ${mark}  ${c.title}`;
  });
  return `${lines.join('\n')}\n`;
}
