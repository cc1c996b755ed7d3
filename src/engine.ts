import type { DoctorConfig } from './config/doctor-config.js';
import type { Workspace } from './model/workspace.js';
import { toFinding, type AnyRule } from './rules/define.js';
import { toHostFinding } from './model/kubernetes-embedded.js';
import { RULES, RULES_BY_ID } from './rules/index.js';
import unusedSuppression from './rules/doctor/unused-suppression.js';
import unreadableFile from './rules/doctor/unreadable-file.js';
import internalErrorRule from './rules/doctor/internal-error.js';
import { SEVERITY_ORDER, type Finding, type Fix, type Range } from './types.js';
import type { ReadProblem } from './load/read.js';
import { matchesGlob } from './util/glob.js';
import { createHash } from 'node:crypto';

export interface EngineOptions {
  config: DoctorConfig;
  /** Rule ids or area prefixes (`settings/`) to run; all when empty. */
  select?: string[];
  ignore?: string[];
  /** Results of earlier runs to reuse for workspaces whose files are unchanged (the fix loop's re-analyses). */
  reuse?: RuleRuns;
}

type RuleOutcome = { findings: Finding[] } | { failed: Finding };

/**
 * What each rule found in each workspace, by the workspace's contents. The fix loop analyses the setup again after
 * every pass of edits; a workspace whose files no edit touched gives every rule the same input (rules are pure
 * functions of the workspace, and the config and flags do not change within one fix run), so its rules are not run
 * again. One instance serves one fix run: the key leaves out what is the same throughout it (config, flags, shell).
 */
export class RuleRuns {
  /** Rule runs made, reused results not counted. */
  made = 0;
  private readonly byContents = new Map<string, Map<string, RuleOutcome>>();

  /** The outcomes of this workspace's contents, filled as its rules run. */
  of(ws: Workspace): Map<string, RuleOutcome> {
    const key = contentsKey(ws);
    const outcomes = this.byContents.get(key) ?? new Map<string, RuleOutcome>();
    this.byContents.set(key, outcomes);
    return outcomes;
  }
}

/** The workspace's identity and the text of every file it loaded. */
function contentsKey(ws: Workspace): string {
  const hash = createHash('sha256');
  for (const part of [ws.mode, ws.root, ws.name]) hash.update(`${part}\0`);
  for (const path of [...ws.sources.keys()].sort()) hash.update(`${path}\0${ws.sources.get(path)!.text}\0`);
  return hash.digest('hex');
}

export const UNUSED_SUPPRESSION = unusedSuppression.id;
/** A file the doctor could not or would not read (named by a flag, found in a walk or in a known place). */
export const UNREADABLE_FILE = unreadableFile.id;
/** A rule, or the loading of one file, that threw: a bug in the doctor, reported so the rest of the run stands. */
export const INTERNAL_ERROR = internalErrorRule.id;

/** Findings that mean part of the input went unexamined: the run exits 2 (README, exit codes). */
export function isUnexamined(f: Finding): boolean {
  // A link left unread by the trust rules is a warning of the same rule: the input is fine, the result complete.
  return RULES_BY_ID.get(f.ruleId)?.unexamined === true && f.severity === 'error';
}

function matchesId(id: string, patterns: string[]): boolean {
  return patterns.some((p) => id === p || (p.endsWith('/') && id.startsWith(p)) || id.startsWith(`${p}/`));
}

export function enabledRules(opts: EngineOptions): AnyRule[] {
  return RULES.filter((r) => {
    if (opts.select?.length && !matchesId(r.id, opts.select)) return false;
    if (opts.ignore?.length && matchesId(r.id, opts.ignore)) return false;
    return opts.config.rules[r.id] !== 'off';
  });
}

/**
 * Runs every enabled rule over every workspace; applies configured severities and suppressions. Each read problem
 * becomes one finding (never suppressed: the file was not examined), and a rule that throws becomes one
 * `doctor/internal-error` finding naming the rule, while every other rule still runs.
 */
export function runRules(workspaces: Workspace[], opts: EngineOptions, problems: ReadProblem[] = []): Finding[] {
  const rules = enabledRules(opts);
  const used = new Set<number>();
  const findings: Finding[] = problems.map(problemFinding);
  const comments = inlineSuppressions(workspaces);
  for (const ws of workspaces) {
    const workspace = ws.mode === 'files' ? ws.name : undefined;
    const earlier = opts.reuse?.of(ws);
    for (const rule of rules) {
      let outcome = earlier?.get(rule.id);
      if (!outcome) {
        outcome = ruleOutcome(rule, ws, opts.config, workspace);
        earlier?.set(rule.id, outcome);
        if (opts.reuse) opts.reuse.made++;
      }
      if ('failed' in outcome) {
        findings.push(outcome.failed);
        continue;
      }
      for (const finding of outcome.findings) {
        // A suppression never hides "will not start": that is a fact about the version, not a style choice.
        if (!finding.fatal && (isSuppressed(finding, opts.config, used) || isSuppressedInline(finding, comments))) continue;
        findings.push(finding);
      }
    }
  }
  const narrowed = !!(opts.select?.length || opts.ignore?.length);
  for (const c of comments.values()) {
    if (c.used || narrowed) continue;
    findings.push(
      toFinding(
        unusedSuppression,
        { kind: 'comment', data: { rules: c.rules }, file: c.file, range: c.range, hint: 'remove the comment, or check the rule id' },
        'warning',
      ),
    );
  }
  for (const s of opts.config.ignore) {
    if (used.has(s.index) || !opts.config.source) continue;
    if (narrowed) continue; // a narrowed run cannot tell whether a suppression is needed
    const at = { file: opts.config.file, range: ignoreEntryRange(opts.config, s.index), path: `/ignore/${s.index}` };
    findings.push(
      toFinding(
        unusedSuppression,
        { kind: 'configEntry', data: { rules: s.rules, path: s.path }, ...at, hint: 'remove it from the config, or fix its path' },
        'warning',
      ),
    );
  }
  return capPerRuleAndFile(groupBySubject(dedupe(findings).sort(compareFindings)));
}

/**
 * One finding per cause: findings of one rule and kind about the same subject (a label, a metric, a variable) in one
 * file become the first of them, with the other places in `locations` and their count in the message. Severity and
 * the fatal flag are part of the key, so grouping never changes a verdict or the exit code. Findings come sorted, so
 * the first place is the earliest and the order stays.
 */
export function groupBySubject(findings: Finding[]): Finding[] {
  const groups: Finding[][] = [];
  const byKey = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.subject === undefined || !f.file) {
      groups.push([f]);
      continue;
    }
    const key = [f.ruleId, f.file, f.workspace ?? '', f.kind ?? '', f.severity, f.fatal ? 'fatal' : '', f.subject].join('\0');
    const group = byKey.get(key);
    if (group) group.push(f);
    else {
      const fresh = [f];
      byKey.set(key, fresh);
      groups.push(fresh);
    }
  }
  return groups.map((group) => (group.length === 1 ? group[0] : merged(group)));
}

/** Other places a grouped finding lists; the message counts them all (output stays bounded, as with the cap). */
export const MAX_LOCATIONS = 50;

function merged([first, ...others]: Finding[]): Finding {
  const n = others.length;
  const finding: Finding = {
    ...first,
    message: `${first.message} (and ${n} more place${n === 1 ? '' : 's'} in this file)`,
    locations: others.slice(0, MAX_LOCATIONS).map(({ file, range, path }) => ({ file, range, path })),
  };
  const fix = combinedFix([first, ...others]);
  if (fix) finding.fix = fix;
  return finding;
}

/**
 * The fixes of findings reported as one, as one fix: every edit (each once), so `--fix` writes what the separate
 * fixes wrote. Unsafe when any of them is.
 */
function combinedFix(group: Finding[]): Fix | undefined {
  const fixes = group.flatMap((f) => (f.fix ? [f.fix] : []));
  if (fixes.length <= 1) return fixes[0];
  const seen = new Set<string>();
  const edits = fixes
    .flatMap((x) => x.edits)
    .filter((e) => {
      const key = `${e.file}\0${e.offset}\0${e.length}\0${e.text}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  const addEnv = fixes.flatMap((x) => x.addEnv ?? []);
  const n = fixes.length - 1;
  return {
    safety: fixes.some((x) => x.safety === 'unsafe') ? 'unsafe' : 'safe',
    description: `${fixes[0].description} (and ${n} more place${n === 1 ? '' : 's'})`,
    edits,
    ...(addEnv.length && { addEnv }),
    ...(fixes.some((x) => x.adds) && { adds: true }),
  };
}

/** Findings one rule reports on one file before the rest are counted in one "… and N more" finding. */
export const MAX_PER_RULE_AND_FILE = 20;

/**
 * Bounds the output a small hostile (or just large) file can cause: past MAX_PER_RULE_AND_FILE findings of one rule
 * in one file, the rest become one finding that counts them, with the worst severity (and fatal flag) among them,
 * so the exit code and the summary's verdict do not change. Findings come sorted, so the first ones are kept.
 */
function capPerRuleAndFile(findings: Finding[]): Finding[] {
  const out: Finding[] = [];
  const count = new Map<string, number>();
  const more = new Map<string, { finding: Finding; n: number }>();
  for (const f of findings) {
    const key = `${f.ruleId}\0${f.file ?? ''}\0${f.workspace ?? ''}`;
    const n = (count.get(key) ?? 0) + 1;
    count.set(key, n);
    if (n <= MAX_PER_RULE_AND_FILE) {
      out.push(f);
      continue;
    }
    // The count takes the place of the first finding it stands for.
    let m = more.get(key);
    if (!m) {
      m = { finding: { ruleId: f.ruleId, severity: f.severity, message: '', file: f.file, range: f.range, workspace: f.workspace }, n: 0 };
      more.set(key, m);
      out.push(m.finding);
    }
    m.n++;
    if (SEVERITY_ORDER[f.severity] > SEVERITY_ORDER[m.finding.severity]) m.finding.severity = f.severity;
    if (f.fatal) m.finding.fatal = true;
  }
  for (const { finding, n } of more.values()) {
    finding.message = `… and ${n} more ${finding.ruleId} finding${n === 1 ? '' : 's'} in this file (only the first ${MAX_PER_RULE_AND_FILE} are shown)`;
  }
  return out;
}

function ruleOutcome(rule: AnyRule, ws: Workspace, config: DoctorConfig, workspace: string | undefined): RuleOutcome {
  try {
    return { findings: ruleFindings(rule, ws, config, workspace) };
  } catch (err) {
    return { failed: internalError(rule.id, err, workspace) };
  }
}

function ruleFindings(rule: AnyRule, ws: Workspace, config: DoctorConfig, workspace: string | undefined): Finding[] {
  return rule.check(ws).map((f) => {
    const configured = config.rules[rule.id];
    const finding: Finding = { ...toFinding(rule, f, configured && configured !== 'off' ? configured : (f.severity ?? rule.severity)), workspace };
    if (rule.fatalIn) {
      const version = rule.judgedAgainst === 'prometheus' ? ws.stack.prometheusVersion.version : ws.stack.collector.version;
      if (rule.fatalIn(version, f)) finding.fatal = true;
    }
    // A config written inside a Kubernetes manifest is reported, and fixed, in the manifest.
    return ws.stack.embedded.size > 0 ? toHostFinding(finding, ws.stack.embedded) : finding;
  });
}

function problemFinding(p: ReadProblem): Finding {
  const data = { reason: p.reason };
  if (p.kind === 'outside') {
    // Left unread by the trust rules, not broken: a warning, so a repo that links a shared file in is not a failed run.
    return toFinding(unreadableFile, { kind: 'outside', data, file: p.path, hint: OUTSIDE_HINT }, 'warning');
  }
  const at = { file: p.path, range: p.range };
  if (p.kind === 'internal') return toFinding(internalErrorRule, { kind: 'loadFailed', data, ...at, hint: BUG_HINT }, 'error');
  return toFinding(unreadableFile, { kind: 'unreadable', data, ...at, hint: 'nothing there was checked; the rest of the run went on without it' }, 'error');
}

const OUTSIDE_HINT = 'what it leads to was not checked: name that path too (check <path> <target>) if it belongs to this setup';

const BUG_HINT = 'a bug in claude-otel-doctor: please report it with the file that caused it';

function internalError(ruleId: string, err: unknown, workspace: string | undefined): Finding {
  const detail = String((err as Error)?.message ?? err)
    .split('\n')[0]
    .slice(0, 200);
  return { ...toFinding(internalErrorRule, { kind: 'ruleFailed', data: { rule: ruleId, error: detail }, hint: BUG_HINT }, 'error'), workspace };
}

const DISABLE_NEXT_LINE = /#\s*claude-otel-doctor-disable-next-line\s+([\w/,\s-]+?)(?:\s+--\s+(.*))?\s*$/;
/** What every line DISABLE_NEXT_LINE matches holds. */
const DISABLE_MARKER = 'claude-otel-doctor-disable-next-line';

interface InlineSuppression {
  file: string;
  /** The line the comment applies to (1-based). */
  line: number;
  rules: string[];
  range: Range;
  used: boolean;
}

/** `# claude-otel-doctor-disable-next-line <rule-id>[, <rule-id>] -- reason` in YAML files (JSON cannot hold comments). */
function inlineSuppressions(workspaces: Workspace[]): Map<string, InlineSuppression> {
  const out = new Map<string, InlineSuppression>();
  for (const ws of workspaces) {
    for (const source of ws.sources.values()) {
      // Most files hold no such comment: one search of the text, not a regular expression per line.
      if (!/\.ya?ml$/i.test(source.path) || !source.text.includes(DISABLE_MARKER)) continue;
      source.lineStarts.forEach((start, i) => {
        const text = source.lineText(i + 1);
        const m = DISABLE_NEXT_LINE.exec(text);
        if (!m) return;
        const rules = m[1].split(/[\s,]+/).filter(Boolean);
        const col = text.indexOf('#');
        out.set(`${source.path}:${i + 2}`, { file: source.path, line: i + 2, rules, used: false, range: source.range(start + col, text.length - col) });
      });
    }
  }
  return out;
}

function isSuppressedInline(f: Finding, comments: Map<string, InlineSuppression>): boolean {
  if (!f.file || !f.range) return false;
  const c = comments.get(`${f.file}:${f.range.start.line}`);
  if (!c?.rules.includes(f.ruleId)) return false;
  c.used = true;
  return true;
}

function isSuppressed(f: Finding, config: DoctorConfig, used: Set<number>): boolean {
  if (!f.file) return false;
  const file = f.file;
  if (config.ignorePaths.some((g) => matchesGlob(config.base, file, g))) return true;
  const entry = config.ignore.find((s) => s.rules.includes(f.ruleId) && matchesGlob(config.base, file, s.path));
  if (entry) used.add(entry.index);
  return !!entry;
}

function ignoreEntryRange(config: DoctorConfig, index: number) {
  const text = config.source!.text;
  // Point at the entry's "path" key: the index-th occurrence inside the ignore array.
  let offset = text.indexOf('"ignore"');
  for (let i = 0; i <= index && offset >= 0; i++) offset = text.indexOf('"path"', offset + 1);
  return offset >= 0 ? config.source!.range(offset, 6) : undefined;
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.ruleId}|${f.file}|${f.range?.start.line}:${f.range?.start.column}|${f.message}|${f.detail}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.file ?? '').localeCompare(b.file ?? '') ||
    (a.range?.start.line ?? 0) - (b.range?.start.line ?? 0) ||
    (a.range?.start.column ?? 0) - (b.range?.start.column ?? 0) ||
    a.ruleId.localeCompare(b.ruleId) ||
    a.message.localeCompare(b.message)
  );
}
