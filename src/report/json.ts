import { relative } from 'node:path';
import type { Workspace } from '../model/workspace.js';
import { bounded, countBySeverity, type ReportInput } from './context.js';
import { jsonSafe } from '../util/escape.js';
import { docsUrl } from '../version.js';

/** Version of the JSON report's shape (schemas/report.schema.json); bump on incompatible change (a new optional field, such as `detail`, is compatible). */
export const JSON_REPORT_VERSION = 1;

export function formatJson(input: ReportInput, toolVersion: string): string {
  const report = {
    version: JSON_REPORT_VERSION,
    tool: { name: 'claude-otel-doctor', version: toolVersion },
    summary: countBySeverity(input.findings),
    findings: input.findings.map((f) => ({
      ruleId: f.ruleId,
      helpUri: docsUrl(f.ruleId),
      severity: f.severity,
      // Which of the rule's messages (its data stays out: values a message shows only masked, e.g. a URL's query).
      kind: f.kind,
      message: bounded(input, f.message),
      detail: f.detail && bounded(input, f.detail),
      file: f.file,
      relativeFile: f.file && isPath(f.file) ? relative(input.cwd, f.file) : undefined,
      range: f.range,
      path: f.path && bounded(input, f.path),
      // One cause found in several places of the file: the others (the first is range and path).
      locations: f.locations?.map((l) => ({ range: l.range, path: l.path && bounded(input, l.path) })),
      hint: f.hint && bounded(input, f.hint),
      workspace: f.workspace,
      fatal: f.fatal,
      fix: f.fix ? { safety: f.fix.safety, description: f.fix.description } : undefined,
    })),
    problems: input.problems.map((p) => ({ ...p, reason: bounded(input, p.reason) })),
    // The effective setup quotes input (names, values, URLs, exporter lists): each string bounded like a message.
    effective: input.workspaces.map((ws) => boundStrings(effective(ws), (text) => bounded(input, text))),
    ...(input.probes && {
      probes: input.probes.map(({ probeId, stage, status, target, summary }) => ({ probeId, stage, status, target, summary: bounded(input, summary) })),
    }),
  };
  return `${jsonSafe(JSON.stringify(report, null, 2))}\n`;
}

function isPath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);
}

/** The prediction and where each effective value came from; header values never appear (redaction also runs). */
function effective(ws: Workspace) {
  return {
    workspace: ws.name,
    claudeVersion: ws.claude.version,
    prediction: ws.claude.prediction,
    env: Object.fromEntries(
      [...ws.claude.env.values()].map((v) => [
        v.name,
        { value: /_HEADERS$/.test(v.name) ? headerNamesOnly(v.value) : v.value, scope: v.origin.scope, file: v.origin.file },
      ]),
    ),
  };
}

/** Every string (and object key) of a JSON value through `bound`, except file paths, which consumers open. */
function boundStrings(value: unknown, bound: (text: string) => string, key?: string): unknown {
  if (typeof value === 'string') return key === 'file' ? value : bound(value);
  if (Array.isArray(value)) return value.map((v) => boundStrings(v, bound));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [bound(k), boundStrings(v, bound, k)]));
  return value;
}

function headerNamesOnly(value: string): string {
  return value
    .split(',')
    .map((p) => (p.includes('=') ? `${p.slice(0, p.indexOf('=')).trim()}=****` : '****'))
    .join(',');
}
