import pc from 'picocolors';
import { SEVERITY_ORDER, type Finding, type Location, type Range, type Severity } from '../types.js';
import { displayPath } from '../util/display.js';
import { countBySeverity, plural, secretsOf, shown, sourceFor, type ReportInput } from './context.js';
import { excerpt } from '../util/escape.js';
import { redact } from '../util/secrets.js';
import { predictionLines } from './summary.js';
import { docsUrl } from '../version.js';

export function colors(enabled: boolean) {
  return pc.createColors(enabled);
}

export function severityLabel(sev: Severity, c: ReturnType<typeof colors>): string {
  return sev === 'error' ? c.red(c.bold('error')) : sev === 'warning' ? c.yellow(c.bold('warning')) : c.blue('info');
}

/** `path:line:col: severity message [rule-id] (workspace)`: a finding in one line, its headline without the detail (the concise format's line). */
export function findingLine(f: Finding, input: ReportInput): string {
  const c = colors(input.color);
  const loc = f.file ? `${displayPath(f.file, input.cwd)}${f.range ? `:${f.range.start.line}:${f.range.start.column}` : ''}: ` : '';
  const ws = f.workspace && f.workspace !== '.' ? c.dim(` (${shown(input, f.workspace)})`) : '';
  const id = input.hyperlinks ? link(docsUrl(f.ruleId), f.ruleId) : f.ruleId;
  return `${c.bold(loc)}${severityLabel(f.severity, c)} ${shown(input, f.message)} ${c.dim(`[${id}]`)}${ws}`;
}

/** `path:line:col: severity message [rule-id]`, the detail, the source line with a caret, and the hint. */
export function formatFinding(f: Finding, input: ReportInput, indent = ''): string {
  const c = colors(input.color);
  const lines = [wrap(`${indent}${findingLine(f, input)}`, input.width, `${indent}  `)];
  if (f.detail) lines.push(wrap(`${indent}  ${c.dim(shown(input, f.detail))}`, input.width, `${indent}  `));
  const source = sourceFor(input, f.file);
  if (source && f.range) {
    const n = f.range.start.line;
    const { text, caret, width } = sourceExcerpt(input, source.lineText(n), f.range);
    const gutter = String(n).length;
    lines.push(`${indent}  ${c.dim(`${n} |`)} ${text}`);
    lines.push(`${indent}  ${' '.repeat(gutter)} ${c.dim('|')} ${' '.repeat(caret)}${c.red('^'.repeat(Math.min(Math.max(1, width), 80)))}`);
  }
  if (f.locations?.length) lines.push(`${indent}  ${c.dim('also at')} ${otherPlaces(input, f.locations)}`);
  if (f.hint)
    lines.push(
      wrap(
        `${indent}  ${c.cyan('hint:')} ${shown(input, f.hint)}${f.fix ? c.dim(f.fix.safety === 'safe' ? ' (fixable with --fix)' : ' (fixable with --fix --unsafe-fixes)') : ''}`,
        input.width,
        `${indent}        `,
      ),
    );
  return lines.join('\n');
}

/** An OSC 8 hyperlink: the text shows, the terminal opens the URL (ours, never input's: `shown` escapes input). */
const link = (url: string, text: string) => `\x1b]8;;${url}\x1b\\${text}\x1b]8;;\x1b\\`;

/** Visible width: colour sequences and our links (the only escapes left after `shown`) take no columns. */
const visibleLength = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').replace(/\x1b\]8;;[^\x1b]*\x1b\\/g, '').length;

/**
 * A line broken at spaces to fit `width` columns, continuation lines indented by `hang`; a word longer than a line
 * stays whole. Without a width (not a terminal) the line is kept as it is.
 */
export function wrap(line: string, width: number | undefined, hang: string): string {
  if (!width || visibleLength(line) <= width) return line;
  const out: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    const next = current === '' ? word : `${current} ${word}`;
    if (current !== '' && current.trim() !== '' && visibleLength(next) > width) {
      out.push(current);
      current = hang + word;
    } else current = next;
  }
  out.push(current);
  return out.join('\n');
}

/** Places shown after `also at`: line:column of each, the first few, then how many more. */
const MAX_PLACES_SHOWN = 8;

function otherPlaces(input: ReportInput, locations: Location[]): string {
  // A path without a range quotes the file's keys: shown like every input text.
  const shownPlaces = locations
    .slice(0, MAX_PLACES_SHOWN)
    .map((l) => (l.range ? `${l.range.start.line}:${l.range.start.column}` : shown(input, l.path ?? '?')));
  const rest = locations.length - shownPlaces.length;
  return shownPlaces.join(', ') + (rest > 0 ? `, … (${rest} more)` : '');
}

/**
 * The finding's source line, secrets masked (before cutting, so no part of one is left), cut to a fixed width
 * around the caret and escaped. Columns are mapped through the masking by masking the text before each mark.
 */
function sourceExcerpt(input: ReportInput, line: string, range: Range) {
  const secrets = secretsOf(input);
  const start = range.start.column - 1;
  const end = range.end.line === range.start.line ? range.end.column - 1 : line.length;
  const masked = redact(line, secrets);
  const maskedStart = redact(line.slice(0, start), secrets).length;
  const maskedEnd = masked === line ? end : Math.max(maskedStart, masked.length - redact(line.slice(end), secrets).length);
  return excerpt(masked, maskedStart, maskedEnd);
}

export function formatSummary(findings: Finding[], c: ReturnType<typeof colors>, errorsNote = ''): string {
  const n = countBySeverity(findings);
  if (findings.length === 0) return c.green('✓ no problems found');
  const parts = [`${plural(n.error, 'error')}${errorsNote}`, plural(n.warning, 'warning'), `${n.info} info`];
  return `${n.error ? c.red('✗') : n.warning ? c.yellow('!') : c.blue('i')} ${parts.join(', ')}${fixableText(findings)}`;
}

/** `; 2 fixable with --fix (1 more with --unsafe-fixes)`, as Ruff says it; "" when nothing is. */
export function fixableText(findings: Finding[]): string {
  const safe = findings.filter((f) => f.fix?.safety === 'safe').length;
  const unsafe = findings.filter((f) => f.fix?.safety === 'unsafe').length;
  if (!safe && !unsafe) return '';
  if (!safe) return `; ${unsafe} fixable with --fix --unsafe-fixes`;
  return `; ${safe} fixable with --fix${unsafe ? ` (${unsafe} more with --unsafe-fixes)` : ''}`;
}

/** One line per finding, then the summary: as `ruff --output-format concise` and `actionlint -oneline`. */
export function formatConcise(input: ReportInput, quietBelow?: Severity): string {
  const c = colors(input.color);
  const { findings, summary } = quietView(input, quietBelow, c);
  return `${[...findings.map((f) => findingLine(f, input)), summary].join('\n')}\n`;
}

/**
 * What `-q` shows: the findings at or above `quietBelow` (all without it), and the summary of every finding with how
 * many it did not show.
 */
function quietView(input: ReportInput, quietBelow: Severity | undefined, c: ReturnType<typeof colors>): { findings: Finding[]; summary: string } {
  const findings = quietBelow === undefined ? input.findings : input.findings.filter((f) => SEVERITY_ORDER[f.severity] >= SEVERITY_ORDER[quietBelow]);
  const hidden = input.findings.length - findings.length;
  return { findings, summary: formatSummary(input.findings, c) + (hidden ? `; ${hidden} below ${quietBelow} not shown (-q)` : '') };
}

/**
 * The `check` report: findings in file order, then read problems, the prediction and a summary. `quietBelow` (`-q`):
 * only findings at or above that severity, no prediction; the summary still counts every finding and says how many
 * it did not show.
 */
export function formatPretty(input: ReportInput, quietBelow?: Severity): string {
  const c = colors(input.color);
  const out: string[] = [];
  const quiet = quietBelow !== undefined;
  const { findings: shownFindings, summary } = quietView(input, quietBelow, c);
  for (const p of input.problems) out.push(`${displayPath(p.path, input.cwd)}: ${severityLabel('error', c)} ${shown(input, p.reason)}; skipped`);
  for (const f of shownFindings) out.push(`${formatFinding(f, input)}\n`);
  if (!quiet) {
    for (const ws of input.workspaces) {
      if (ws.mode === 'files' && ws.claude.files.length === 0) continue;
      const head = input.workspaces.length > 1 ? `${c.bold(shown(input, ws.name))}: ` : '';
      // The workspace name is part of the first line, so it is wrapped with it.
      out.push(
        c.dim(
          predictionLines(ws.claude, input.cwd)
            .map((l, i) => wrap(`${i === 0 ? head : ''}${shown(input, l)}`, input.width, '      '))
            .join('\n'),
        ),
      );
    }
  }
  out.push(summary);
  return `${out.join('\n')}\n`;
}
