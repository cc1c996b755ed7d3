import { relative } from 'node:path';
import type { ReportInput } from './context.js';

/** GitHub Actions workflow commands: one annotation per finding. */
export function formatGithub(input: ReportInput): string {
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const escProp = (s: string) => esc(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const lines = input.findings.map((f) => {
    const level = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice';
    const props: string[] = [];
    if (f.file && f.file.startsWith('/')) props.push(`file=${escProp(relative(input.cwd, f.file))}`);
    if (f.range) {
      props.push(`line=${f.range.start.line}`, `col=${f.range.start.column}`);
      props.push(`endLine=${f.range.end.line}`, `endColumn=${f.range.end.column}`);
    }
    props.push(`title=${escProp(f.ruleId)}`);
    return `::${level} ${props.join(',')}::${esc(f.message + (f.hint ? ` (hint: ${f.hint})` : ''))}`;
  });
  for (const p of input.problems) lines.push(`::error file=${escProp(relative(input.cwd, p.path))}::${esc(p.reason)}`);
  return lines.join('\n') + (lines.length ? '\n' : '');
}
