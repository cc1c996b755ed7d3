import { STAGES, type Finding, type Stage } from '../types.js';
import { RULES_BY_ID } from '../rules/index.js';
import { colors, formatFinding, formatSummary, wrap } from './pretty.js';
import { shown, type ReportInput } from './context.js';
import { predictionLines } from './summary.js';
import { PROBES_BY_ID } from '../probes/index.js';
import type { ProbeResult } from '../probes/define.js';
import { displayPath } from '../util/display.js';
import { claudeRoutes } from '../model/routes.js';

/** The stage a finding shows under: its rule's or probe's, as their metadata declares. */
export function stageOf(ruleId: string): Stage {
  return RULES_BY_ID.get(ruleId)?.stage ?? PROBES_BY_ID.get(ruleId)?.stage ?? 'Claude Code settings';
}

/** What each later stage needs before the doctor can say anything about it. */
const NOT_CHECKED: Partial<Record<Stage, string>> = {
  Collector: 'no collector config found (pass its folder to `check`)',
  Prometheus: 'no prometheus.yml found',
  Loki: 'no Loki found',
  Grafana: 'no Grafana provisioning or dashboards found',
  'End to end': 'not checked (live probes are off)',
};

/**
 * The doctor's report: stages in the order data flows, each with its static findings and what the live probes
 * saw there (✓ answered as it should, ✗ with the finding, · not checked and why). `probe` shows only the probes.
 */
export function formatDoctor(input: ReportInput): string {
  const { head, stages, tail } = doctorSections(input);
  return `${[...head, ...stages.flatMap((s) => s.lines), ...tail].join('\n')}\n`;
}

/** The doctor's report in its parts: the title, each stage's lines (in STAGES order), and the closing lines. */
export interface DoctorSections {
  head: string[];
  stages: { stage: Stage; lines: string[] }[];
  tail: string[];
}

export function doctorSections(input: ReportInput): DoctorSections {
  const c = colors(input.color);
  const head: string[] = [c.bold('claude-otel-doctor'), ''];
  const stages: DoctorSections['stages'] = [];
  for (const p of input.problems) head.push(`${c.red('✗')} ${displayPath(p.path, input.cwd)}: ${shown(input, p.reason)}; skipped`);
  const live = input.probes;
  const byStage = new Map<Stage, Finding[]>();
  for (const f of input.findings) {
    if (live && PROBES_BY_ID.has(f.ruleId)) continue; // shown with their probe result below
    const list = byStage.get(stageOf(f.ruleId)) ?? [];
    list.push(f);
    byStage.set(stageOf(f.ruleId), list);
  }
  const staticRan = input.command !== 'probe';
  const down = stackDown(input);
  // When start here says the stack is down, its refusals are one line at the end, not an error per service.
  const folded = new Set<ProbeResult>(down?.refused ?? []);
  const claudeKnown = input.workspaces.some((ws) => ws.claude.files.length > 0 || ws.claude.shell.length > 0);
  for (const stage of STAGES) {
    const out: string[] = [];
    stages.push({ stage, lines: out });
    const findings = byStage.get(stage) ?? [];
    const probes = (live ?? []).filter((r) => r.stage === stage);
    const failed = [...findings, ...probes.flatMap((r) => (r.status === 'failed' && r.finding ? [r.finding] : []))];
    const worst = failed.some((f) => f.severity === 'error') ? 'error' : failed.some((f) => f.severity === 'warning') ? 'warning' : undefined;
    const sends = input.workspaces.some((ws) => ws.claude.prediction.signals.some((s) => s.exporters.includes('otlp') && s.url));
    const checkedStatically = staticRan && (stage === 'Claude Code settings' ? claudeKnown : stage === 'OTLP endpoint' ? sends : findings.length > 0);
    const checked = checkedStatically || probes.some((r) => r.status !== 'skipped');
    if (!staticRan && stage === 'Claude Code settings') {
      out.push(`${c.dim('·')} ${c.bold(stage)}`);
      for (const ws of input.workspaces)
        for (const line of predictionLines(ws.claude, input.cwd)) out.push(c.dim(wrap(`    ${shown(input, line)}`, input.width, '        ')));
      continue;
    }
    const mark = worst === 'error' ? c.red('✗') : worst === 'warning' ? c.yellow('!') : checked ? c.green('✓') : c.dim('·');
    // The OTLP stage points at the settings stage only when that stage shows what Claude Code will export.
    const reason =
      stage === 'OTLP endpoint' && claudeKnown
        ? 'nothing is sent over OTLP (see Claude Code settings)'
        : (NOT_CHECKED[stage] ?? 'no Claude Code settings found');
    const note =
      !checked && failed.length === 0 && probes.length === 0
        ? c.dim(` ${reason}`)
        : probes.some((r) => folded.has(r))
          ? c.dim(' not running (connection refused)')
          : '';
    out.push(`${mark} ${c.bold(stage)}${note}`);
    if (stage === 'Claude Code settings' && claudeKnown) {
      for (const ws of input.workspaces)
        for (const line of predictionLines(ws.claude, input.cwd)) out.push(c.dim(wrap(`    ${shown(input, line)}`, input.width, '        ')));
    }
    for (const f of findings) out.push(formatFinding(f, input, '    '));
    for (const r of probes) {
      if (folded.has(r)) continue;
      if (r.status === 'failed' && r.finding) out.push(formatFinding(r.finding, input, '    '));
      else {
        // Probe summaries and targets hold what a server answered and what the files named.
        const summary = shown(input, r.summary);
        const target = r.target ? ` (${shown(input, r.target)})` : '';
        out.push(wrap(r.status === 'ok' ? `    ${c.green('✓')} ${summary}${c.dim(target)}` : c.dim(`    · ${summary}${target}`), input.width, '      '));
      }
    }
  }
  const next = startHere(input, down);
  const refusedLine = down
    ? [
        wrap(
          `${c.red('✗')} connection refused: ${down.refused.map((r) => `${r.stage} ${shown(input, r.target ?? '')}`.trim()).join(', ')} ${c.dim(`[${[...new Set(down.refused.map((r) => r.probeId))].join(', ')}]`)}`,
          input.width,
          '  ',
        ),
      ]
    : [];
  // The refusals folded into one line count as one error in the summary too; the exit code still counts each.
  const foldedFindings = new Set(down?.refused.flatMap((r) => (r.finding ? [r.finding] : [])));
  const counted = foldedFindings.size > 1 ? input.findings.filter((f) => !foldedFindings.has(f)).concat([...foldedFindings][0]) : input.findings;
  const foldNote = foldedFindings.size > 1 ? ` (${foldedFindings.size} refused connections counted as one)` : '';
  const tail = ['', ...refusedLine, ...(next ? [wrap(`${c.bold('start here:')} ${next}`, input.width, '  ')] : []), formatSummary(counted, c, foldNote)];
  return { head, stages, tail };
}

/**
 * Whether a stage's lines are final while the probes of the `running` stages have not ended: its own probes have,
 * and if one of them was refused, so has every probe that decides whether the stack is down (stackDown folds the
 * refusals into one line then).
 */
export function stageFinal(input: ReportInput, stage: Stage, running: ReadonlySet<Stage>): boolean {
  if (running.has(stage)) return false;
  const live = input.probes ?? [];
  const refused = live.some((r) => r.stage === stage && r.refused);
  if (!refused) return true;
  return live.some((r) => SERVICE_STAGES.has(r.stage) && r.status === 'ok') || ![...SERVICE_STAGES].some((st) => running.has(st));
}

const SERVICE_STAGES = new Set<Stage>(['Collector', 'Prometheus', 'Loki', 'Grafana']);

/**
 * A compose stack that is not running: its services' probes refuse connections in two stages or more and none
 * answers. One cause, not four; undefined when that is not what the probes saw.
 */
function stackDown(input: ReportInput): { refused: ProbeResult[]; composeFile: string } | undefined {
  const live = input.probes ?? [];
  const composeFiles = new Set(input.workspaces.flatMap((ws) => ws.stack.composes.map((c) => c.file)));
  const refused = live.filter((r) => SERVICE_STAGES.has(r.stage) && r.refused && r.finding?.file && composeFiles.has(r.finding.file));
  const answered = live.some((r) => SERVICE_STAGES.has(r.stage) && r.status === 'ok');
  if (new Set(refused.map((r) => r.stage)).size < 2 || answered) return undefined;
  // The OTLP endpoint refuses for the same reason when it is a port the stack publishes.
  const published = new Set(
    input.workspaces.flatMap((ws) =>
      claudeRoutes(ws)
        .filter((r) => r.kind === 'published')
        .map((r) => r.port),
    ),
  );
  const endpoint = live.filter((r) => r.stage === 'OTLP endpoint' && r.refused && published.has(portOf(r.target) ?? -1));
  return { refused: [...endpoint, ...refused], composeFile: refused[0].finding!.file! };
}

function portOf(url: string | undefined): number | undefined {
  try {
    const u = new URL(url ?? '');
    return Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  } catch {
    return undefined;
  }
}

/**
 * The one step to take first: the earliest error along the data's path, since later stages often fail only
 * because of it. A stack that is not running is one step (start it), unless a static error will stop it again
 * once it runs (a collector config it refuses): then that error comes first. Right after `init` started the
 * stack, starting it is not the step: its logs say why it does not answer.
 */
function startHere(input: ReportInput, down: ReturnType<typeof stackDown>): string | undefined {
  const errors = input.findings.filter((f) => f.severity === 'error' && !PROBES_BY_ID.has(f.ruleId));
  const byPath = (list: Finding[]) => [...list].sort((a, b) => STAGES.indexOf(stageOf(a.ruleId)) - STAGES.indexOf(stageOf(b.ruleId)));
  if (down) {
    const compose = displayPath(down.composeFile, input.cwd);
    const stages = [...new Set(down.refused.filter((r) => SERVICE_STAGES.has(r.stage)).map((r) => r.stage))].join(', ');
    const fatal = byPath(errors.filter((f) => f.fatal))[0];
    if (fatal) return `${findingText(input, fatal)}; fix it, then docker compose -f ${compose} up -d`;
    if (input.stackStarted) return `the stack was just started and nothing answers yet (${stages}): docker compose -f ${compose} logs shows why`;
    return `nothing of the compose stack answers (${stages}): is it running? docker compose -f ${compose} up -d, then docker compose ps`;
  }
  const all = input.findings.filter((f) => f.severity === 'error');
  if (all.length < 2) return undefined; // one error is already the first step; the report shows it
  return findingText(input, byPath(all)[0]);
}

function findingText(input: ReportInput, f: Finding): string {
  const where = f.file ? `${displayPath(f.file, input.cwd)}${f.range ? `:${f.range.start.line}` : ''}: ` : '';
  return `${where}${shown(input, f.message)} [${f.ruleId}]`;
}
