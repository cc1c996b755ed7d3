import { relative } from 'node:path';
import { escapeControl } from '../util/escape.js';
import { bounded, type ReportInput } from './context.js';

/**
 * GitHub Actions workflow commands: one annotation per finding. Input-derived text has its control characters
 * escaped first (the log renders ANSI sequences, and a raw line break would start a workflow command of its own),
 * then %, CR and LF are percent-encoded as the runner requires, and `:` and `,` in properties too.
 */
export function formatGithub(input: ReportInput): string {
  const esc = (s: string) => escapeControl(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const escProp = (s: string) => esc(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const lines = input.findings.map((f) => {
    const level = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice';
    const props: string[] = [];
    if (f.file?.startsWith('/')) props.push(`file=${escProp(relative(input.cwd, f.file))}`);
    if (f.range) {
      props.push(`line=${f.range.start.line}`, `col=${f.range.start.column}`);
      props.push(`endLine=${f.range.end.line}`, `endColumn=${f.range.end.column}`);
    }
    props.push(`title=${escProp(f.ruleId)}`);
    const text = bounded(input, f.message) + (f.detail ? ` ${bounded(input, f.detail)}` : '') + (f.hint ? ` (hint: ${bounded(input, f.hint)})` : '');
    return `::${level} ${props.join(',')}::${esc(text)}`;
  });
  for (const p of input.problems) lines.push(`::error file=${escProp(relative(input.cwd, p.path))}::${esc(bounded(input, p.reason))}`);
  return lines.join('\n') + (lines.length ? '\n' : '');
}
