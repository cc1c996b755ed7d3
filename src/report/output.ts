import type { ReadProblem } from '../load/read.js';
import type { Workspace } from '../model/workspace.js';
import type { ProbeResult } from '../probes/define.js';
import { RULES } from '../rules/index.js';
import type { Finding, Severity } from '../types.js';
import { TOOL_VERSION } from '../version.js';
import { maskReport, type ReportInput } from './context.js';
import { formatDoctor } from './doctor.js';
import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { formatConcise, formatPretty } from './pretty.js';
import { probeDescriptors } from './probes.js';
import { formatSarif } from './sarif.js';

export const FORMATS = ['pretty', 'concise', 'json', 'sarif', 'github'] as const;
export type Format = (typeof FORMATS)[number];

/** What a run of the doctor, `check` or `probe` found: what every format is made from. */
export interface RunReport {
  findings: Finding[];
  workspaces: Workspace[];
  problems: ReadProblem[];
  /** What the live probes saw (the doctor and `probe`); their failures are also in `findings`. */
  probes?: ProbeResult[];
  /** Values masked in every output: credentials in the files read, in URL flags, and printed by headers helpers. */
  secrets: Set<string>;
}

export interface OutputOptions {
  command: ReportInput['command'];
  format: Format;
  /** Only findings at or above failOn, and the summary (pretty only). */
  quiet?: boolean;
  failOn: Severity;
  color: boolean;
  /** Folder paths are shown relative to. */
  cwd: string;
  /** Terminal columns the pretty report wraps at; undefined when not writing to a terminal. */
  width?: number;
  /** Rule ids as OSC 8 links to their docs pages (pretty and concise, on a terminal that shows them). */
  hyperlinks?: boolean;
  /** The stack was just started (by `init`): see ReportInput.stackStarted. */
  stackStarted?: boolean;
}

/** The report of a run in one format, credentials masked. */
export function formatReport(run: RunReport, o: OutputOptions): string {
  const input = reportInput(run, o);
  let text: string;
  switch (o.format) {
    case 'json':
      text = formatJson(input, TOOL_VERSION);
      break;
    case 'sarif':
      text = formatSarif(input, run.probes ? [...RULES, ...probeDescriptors()] : RULES, TOOL_VERSION);
      break;
    case 'github':
      text = formatGithub(input);
      break;
    case 'concise':
      text = formatConcise(input, o.quiet ? o.failOn : undefined);
      break;
    default:
      text = doctorFormat(o) ? formatDoctor(input) : formatPretty(input, o.quiet ? o.failOn : undefined);
  }
  return maskReport(text, run.secrets);
}

/** Whether the report is the doctor's, by stage (pretty, not `check`, not quiet): report/live.ts prints it as it goes. */
export function doctorFormat(o: OutputOptions): boolean {
  return o.format === 'pretty' && o.command !== 'check' && !o.quiet;
}

/** What the formatters get from a run. */
export function reportInput(run: RunReport, o: OutputOptions): ReportInput {
  const { findings, workspaces, problems, probes, secrets } = run;
  // Every read problem is also a finding (doctor/unreadable-file): the JSON report keeps its `problems` list as
  // well, the other formats show the findings alone, so nothing is said twice.
  return {
    findings,
    workspaces,
    problems: o.format === 'json' ? problems : [],
    cwd: o.cwd,
    color: o.color,
    command: o.command,
    probes,
    secrets,
    width: o.width,
    hyperlinks: o.hyperlinks,
    stackStarted: o.stackStarted,
  };
}
