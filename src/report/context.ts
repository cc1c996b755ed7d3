import type { ReadProblem } from '../load/read.js';
import type { SourceFile } from '../load/source.js';
import type { Workspace } from '../model/workspace.js';
import type { Finding } from '../types.js';
import type { ProbeResult } from '../probes/define.js';

/** What every formatter gets: findings, plus what they need to show them (source lines, predictions). */
export interface ReportInput {
  findings: Finding[];
  workspaces: Workspace[];
  problems: ReadProblem[];
  /** Folder that relative paths in reports are relative to. */
  cwd: string;
  color: boolean;
  command: 'doctor' | 'check' | 'probe';
  /** What the live probes saw (the doctor and `probe`); their failures are also in `findings`. */
  probes?: ProbeResult[];
}

export function sourceFor(input: ReportInput, file: string | undefined): SourceFile | undefined {
  if (!file) return undefined;
  for (const ws of input.workspaces) {
    const s = ws.sources.get(file);
    if (s) return s;
  }
  return undefined;
}

export function countBySeverity(findings: Finding[]) {
  return {
    error: findings.filter((f) => f.severity === 'error').length,
    warning: findings.filter((f) => f.severity === 'warning').length,
    info: findings.filter((f) => f.severity === 'info').length,
  };
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
