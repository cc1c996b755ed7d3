import { relative } from 'node:path';
import type { DoctorConfig } from './config/doctor-config.js';
import type { Workspace } from './model/workspace.js';
import type { Rule } from './rules/define.js';
import { RULES } from './rules/index.js';
import type { Finding } from './types.js';
import { matchesGlob } from './util/glob.js';

export interface EngineOptions {
  config: DoctorConfig;
  /** Rule ids or area prefixes (`settings/`) to run; all when empty. */
  select?: string[];
  ignore?: string[];
}

export const UNUSED_SUPPRESSION = 'doctor/unused-suppression';

function matchesId(id: string, patterns: string[]): boolean {
  return patterns.some((p) => id === p || (p.endsWith('/') && id.startsWith(p)) || id.startsWith(p + '/'));
}

export function enabledRules(opts: EngineOptions): Rule[] {
  return RULES.filter((r) => {
    if (opts.select?.length && !matchesId(r.id, opts.select)) return false;
    if (opts.ignore?.length && matchesId(r.id, opts.ignore)) return false;
    return opts.config.rules[r.id] !== 'off';
  });
}

/** Runs every enabled rule over every workspace; applies configured severities and suppressions. */
export function runRules(workspaces: Workspace[], opts: EngineOptions): Finding[] {
  const rules = enabledRules(opts);
  const used = new Set<number>();
  const findings: Finding[] = [];
  for (const ws of workspaces) {
    for (const rule of rules) {
      for (const f of rule.check(ws)) {
        const configured = opts.config.rules[rule.id];
        const finding: Finding = {
          ...f,
          ruleId: rule.id,
          severity: configured && configured !== 'off' ? configured : (f.severity ?? rule.severity),
          workspace: ws.mode === 'files' ? ws.name : undefined,
        };
        if (isSuppressed(finding, opts.config, used)) continue;
        findings.push(finding);
      }
    }
  }
  for (const s of opts.config.ignore) {
    if (used.has(s.index) || !opts.config.source) continue;
    if (opts.select?.length || opts.ignore?.length) continue; // a narrowed run cannot tell whether a suppression is needed
    findings.push({
      ruleId: UNUSED_SUPPRESSION,
      severity: 'warning',
      message: `suppression of ${s.rules.join(', ')} for "${s.path}" matched no finding`,
      file: opts.config.file,
      range: ignoreEntryRange(opts.config, s.index),
      path: `/ignore/${s.index}`,
      hint: 'remove it from the config, or fix its path',
    });
  }
  return dedupe(findings).sort(compareFindings);
}

function isSuppressed(f: Finding, config: DoctorConfig, used: Set<number>): boolean {
  if (!f.file) return false;
  const rel = relative(config.base, f.file);
  if (config.ignorePaths.some((g) => matchesGlob(rel, g))) return true;
  const entry = config.ignore.find((s) => s.rules.includes(f.ruleId) && matchesGlob(rel, s.path));
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
    const key = `${f.ruleId}|${f.file}|${f.range?.start.line}:${f.range?.start.column}|${f.message}`;
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
