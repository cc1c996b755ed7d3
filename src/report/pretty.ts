import pc from 'picocolors';
import type { Finding, Severity } from '../types.js';
import { displayPath } from '../util/display.js';
import { countBySeverity, plural, sourceFor, type ReportInput } from './context.js';
import { predictionLines } from './summary.js';

export function colors(enabled: boolean) {
  return pc.createColors(enabled);
}

export function severityLabel(sev: Severity, c: ReturnType<typeof colors>): string {
  return sev === 'error' ? c.red(c.bold('error')) : sev === 'warning' ? c.yellow(c.bold('warning')) : c.blue('info');
}

/** `path:line:col: severity message [rule-id]`, the source line with a caret, and the hint. */
export function formatFinding(f: Finding, input: ReportInput, indent = ''): string {
  const c = colors(input.color);
  const loc = f.file ? `${displayPath(f.file, input.cwd)}${f.range ? `:${f.range.start.line}:${f.range.start.column}` : ''}: ` : '';
  const ws = f.workspace && f.workspace !== '.' ? c.dim(` (${f.workspace})`) : '';
  const lines = [`${indent}${c.bold(loc)}${severityLabel(f.severity, c)} ${f.message} ${c.dim(`[${f.ruleId}]`)}${ws}`];
  const source = sourceFor(input, f.file);
  if (source && f.range) {
    const n = f.range.start.line;
    const text = source.lineText(n);
    const gutter = String(n).length;
    const width = f.range.end.line === n ? Math.max(1, f.range.end.column - f.range.start.column) : Math.max(1, text.length - f.range.start.column + 1);
    lines.push(`${indent}  ${c.dim(`${n} |`)} ${text}`);
    lines.push(`${indent}  ${' '.repeat(gutter)} ${c.dim('|')} ${' '.repeat(f.range.start.column - 1)}${c.red('^'.repeat(Math.min(width, 80)))}`);
  }
  if (f.hint) lines.push(`${indent}  ${c.cyan('hint:')} ${f.hint}${f.fix ? c.dim(f.fix.safety === 'safe' ? ' (safe fix available)' : ' (unsafe fix available)') : ''}`);
  return lines.join('\n');
}

export function formatSummary(findings: Finding[], c: ReturnType<typeof colors>): string {
  const n = countBySeverity(findings);
  if (findings.length === 0) return c.green('✓ no problems found');
  const fixable = findings.filter((f) => f.fix?.safety === 'safe').length;
  const parts = [plural(n.error, 'error'), plural(n.warning, 'warning'), `${n.info} info`];
  return `${n.error ? c.red('✗') : n.warning ? c.yellow('!') : c.blue('i')} ${parts.join(', ')}${fixable ? ` (${fixable} with a safe fix)` : ''}`;
}

/** The `check` report: findings in file order, then read problems, the prediction and a summary. */
export function formatPretty(input: ReportInput, quiet: boolean): string {
  const c = colors(input.color);
  const out: string[] = [];
  for (const p of input.problems) out.push(`${displayPath(p.path, input.cwd)}: ${severityLabel('error', c)} ${p.reason}; skipped`);
  for (const f of input.findings) out.push(formatFinding(f, input) + '\n');
  if (!quiet) {
    for (const ws of input.workspaces) {
      if (ws.mode === 'files' && ws.claude.files.length === 0) continue;
      const head = input.workspaces.length > 1 ? `${c.bold(ws.name)}: ` : '';
      out.push(c.dim(head + predictionLines(ws.claude).join('\n')));
    }
  }
  out.push(formatSummary(input.findings, c));
  return out.join('\n') + '\n';
}
