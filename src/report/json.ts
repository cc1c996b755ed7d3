import { relative } from 'node:path';
import type { Workspace } from '../model/workspace.js';
import { countBySeverity, type ReportInput } from './context.js';

/** Version of the JSON report's shape (schemas/report.schema.json); bump on incompatible change. */
export const JSON_REPORT_VERSION = 1;

export function formatJson(input: ReportInput, toolVersion: string): string {
  const report = {
    version: JSON_REPORT_VERSION,
    tool: { name: 'claude-otel-doctor', version: toolVersion },
    summary: countBySeverity(input.findings),
    findings: input.findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      file: f.file,
      relativeFile: f.file && isPath(f.file) ? relative(input.cwd, f.file) : undefined,
      range: f.range,
      path: f.path,
      hint: f.hint,
      workspace: f.workspace,
      fatal: f.fatal,
      fix: f.fix ? { safety: f.fix.safety, description: f.fix.description } : undefined,
    })),
    problems: input.problems,
    effective: input.workspaces.map(effective),
    ...(input.probes && { probes: input.probes.map(({ probeId, stage, status, target, summary }) => ({ probeId, stage, status, target, summary })) }),
  };
  return JSON.stringify(report, null, 2) + '\n';
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

function headerNamesOnly(value: string): string {
  return value
    .split(',')
    .map((p) => (p.includes('=') ? `${p.slice(0, p.indexOf('=')).trim()}=****` : '****'))
    .join(',');
}
