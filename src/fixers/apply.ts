import * as jsonc from 'jsonc-parser';
import { basename, join, resolve } from 'node:path';
import { userConfigDir } from '../discover/claude.js';
import { diskReader, isInside, pendingReader, readBoundedBytes, type Reader } from '../load/read.js';
import type { SourceFile } from '../load/source.js';
import { isOffValue, isProjectLockedVariable } from '../model/claude-env.js';
import type { SettingsFile } from '../model/claude-settings.js';
import { atLeast, PROJECT_TELEMETRY_IGNORED_FROM } from '../model/versions.js';
import type { Workspace } from '../model/workspace.js';
import { envCredential } from '../model/credentials.js';
import type { Finding, FixSafety, TextEdit } from '../types.js';
import { collectSecrets } from '../util/secrets.js';
import { jsonFormatting } from '../model/edits.js';
import { realTarget } from './write.js';
import { RULES_BY_ID } from '../rules/index.js';
import { RuleRuns } from '../engine.js';

/**
 * The one place fixes are applied. Rules return findings with edits; this module picks the fixes the
 * flags allow, merges non-overlapping edits per file, applies them in memory, re-runs the rules on the
 * result (read through a reader that serves the pending contents, see load/read.ts), keeps a pass only when every fix in it made
 * its finding go away, and repeats until nothing applies. Nothing is written here: the caller prints
 * the changes as a diff (--dry-run) or writes them with a backup (fixers/write.ts).
 *
 * Order of passes: a file dropped whole for a parse or schema error is repaired first (nothing else in
 * it takes effect until then); then values that exist are changed where they are defined; fixes that add
 * what is missing (variables set nowhere, `Fix.adds`) come last, since a corrected name or value often
 * makes an addition moot.
 */

export const FIX_SCOPES = ['user', 'project', 'local'] as const;
export type FixScope = (typeof FIX_SCOPES)[number];

export interface Analysis {
  workspaces: Workspace[];
  findings: Finding[];
}

export interface FixOptions {
  /** Apply unsafe fixes too (--unsafe-fixes). */
  unsafe: boolean;
  /** Where a variable that is set nowhere goes in machine mode (default: user settings). */
  scope?: FixScope;
  /** The machine's home and project folders, for the scope files. */
  machine?: { home?: string; project?: string };
  /**
   * Loads the setup through `reader` and runs the rules; called again with the pending contents after each pass.
   * `reuse` (for runRules) keeps what the rules found in workspaces no pass has changed, so they are not run again.
   */
  analyze: (reader: Reader, reuse: RuleRuns) => Analysis;
  /** Passes that change something (default 10). */
  maxPasses?: number;
  /**
   * Where fixes may write: inside these files and folders (the scanned paths, the project), symlinks resolved,
   * and into the user's own files the machine workspace found (user settings, --settings, --env-file,
   * ~/.claude/telemetry), wherever their links lead. A fix that would write elsewhere is not applied, with why.
   * Undefined: anywhere (callers that write nothing).
   */
  roots?: string[];
}

export interface FileChange {
  path: string;
  /** The bytes read before any change; undefined when the fix creates the file. */
  before?: Buffer;
  /** The whole new text, a BOM included when the file had one. */
  after: string;
  /** Mode of a file the change creates (default 0600); an existing file keeps its own. `init` writes stack files 0644. */
  mode?: number;
  /** The mode applies to a file the change replaces too (init's .env, which holds a password: 0600 whatever it was). */
  enforceMode?: boolean;
}

export interface FixRecord {
  ruleId: string;
  file?: string;
  /** Line of the finding in the file as it was when the fix applied. */
  line?: number;
  description: string;
  safety: FixSafety;
}

export interface AppliedFix extends FixRecord {
  pass: number;
  /** The files the fix changed (an addition may go to another file than the finding's). */
  files: string[];
}

export interface NotApplied extends FixRecord {
  reason: string;
}

export interface FixResult {
  changes: FileChange[];
  applied: AppliedFix[];
  /** Fixes of findings that remain, and why they were not applied. Unsafe fixes left out by the flags are counted, not listed. */
  notApplied: NotApplied[];
  unsafeSkipped: number;
  passes: number;
  /** True when the pass limit stopped fixes that could still apply. */
  exhausted: boolean;
  initial: Analysis;
  final: Analysis;
}

interface Addition {
  file: string;
  name: string;
  value: string;
}

interface Resolved {
  finding: Finding;
  key: string;
  tier: number;
  edits: TextEdit[];
  additions: Addition[];
}

type Resolution = { ok: true; fix: Resolved } | { ok: false; reason: string; unsafe?: boolean };

export function planFixes(opts: FixOptions): FixResult {
  const maxPasses = opts.maxPasses ?? 10;
  const state = new FileState();
  const reuse = new RuleRuns();
  const initial = opts.analyze(diskReader, reuse);
  const refuseWrite = writePolicy(initial, opts);
  let analysis = initial;
  const excluded = new Map<string, string>();
  const applied: AppliedFix[] = [];
  let passes = 0;
  let exhausted = false;
  // Each iteration either keeps a pass or excludes at least one fix, so this ends; the bound is a guard.
  for (let iteration = 0; iteration < maxPasses * 4; iteration++) {
    const usable = analysis.findings
      .filter((f) => f.fix)
      .map((f) => resolveFix(f, analysis, state, opts, refuseWrite))
      .filter((r): r is { ok: true; fix: Resolved } => r.ok && !excluded.has(r.fix.key))
      .map((r) => r.fix);
    if (usable.length === 0) break;
    if (passes === maxPasses) {
      exhausted = true;
      break;
    }
    const tier = Math.min(...usable.map((r) => r.tier));
    const chosen = selectNonOverlapping(usable.filter((r) => r.tier === tier));
    const snapshot = state.snapshot();
    const batches = state.apply(chosen);
    const next = opts.analyze(pendingReader(state.pending()), reuse);
    const nextKeys = new Set(next.findings.map((f) => findingKey(f)));
    const ineffective = chosen.filter((r) => nextKeys.has(mappedKey(r.finding, analysis, batches, state)));
    if (ineffective.length > 0) {
      // Keep only passes whose every fix made its finding go away: undo this one and try again without those.
      state.restore(snapshot);
      for (const r of ineffective) excluded.set(r.key, 'the rules still reported the finding after this change, so it was not made');
      continue;
    }
    passes++;
    for (const r of chosen) {
      const files = [...new Set([...r.edits.map((e) => e.file), ...r.additions.map((a) => a.file)])];
      applied.push({ ...record(r.finding), pass: passes, files });
    }
    analysis = next;
  }

  const notApplied: NotApplied[] = [];
  let unsafeSkipped = 0;
  for (const f of analysis.findings) {
    if (!f.fix) continue;
    const r = resolveFix(f, analysis, state, opts, refuseWrite);
    if (!r.ok && r.unsafe) unsafeSkipped++;
    else if (!r.ok) notApplied.push({ ...record(f), reason: r.reason });
    else if (excluded.has(r.fix.key)) notApplied.push({ ...record(f), reason: excluded.get(r.fix.key)! });
    else if (exhausted) notApplied.push({ ...record(f), reason: `stopped after ${maxPasses} passes; run --fix again` });
  }
  return { changes: state.changes(), applied, notApplied, unsafeSkipped, passes, exhausted, initial, final: analysis };
}

function record(f: Finding): FixRecord {
  return { ruleId: f.ruleId, file: f.file, line: f.range?.start.line, description: f.fix!.description, safety: f.fix!.safety };
}

// ---------------------------------------------------------------------------------------------------------------
// Resolving one finding's fix: safety, where additions go, what may never be written.

function workspaceOf(f: Finding, analysis: Analysis): Workspace | undefined {
  return f.workspace !== undefined
    ? analysis.workspaces.find((w) => w.mode === 'files' && w.name === f.workspace)
    : (analysis.workspaces.find((w) => w.mode === 'machine') ?? analysis.workspaces[0]);
}

function settingsFiles(analysis: Analysis): SettingsFile[] {
  return analysis.workspaces.flatMap((w) => w.claude.files);
}

function sourceOf(path: string, analysis: Analysis): SourceFile | undefined {
  for (const w of analysis.workspaces) {
    const s = w.sources.get(path);
    if (s) return s;
  }
  return settingsFiles(analysis).find((f) => f.path === path && !f.inline)?.doc.source;
}

/** The file a variable that is set nowhere goes to in machine mode; undefined when there is none (CI mode). */
export function scopeFile(ws: Workspace, scope: FixScope, machine: FixOptions['machine']): string | undefined {
  if (ws.mode !== 'machine') return undefined;
  if (scope === 'user') {
    const shellVars = new Map(ws.claude.shell.map((s) => [s.name, s.value]));
    const dir = userConfigDir({ home: machine?.home }, shellVars);
    return dir ? join(dir, 'settings.json') : undefined;
  }
  if (!machine?.project) return undefined;
  return join(resolve(machine.project), '.claude', scope === 'project' ? 'settings.json' : 'settings.local.json');
}

/** Files a team commits: project settings; in CI mode everything scanned except settings.local.json. */
function isSharedFile(ws: Workspace, path: string, analysis: Analysis, opts: FixOptions): boolean {
  if (basename(path) === 'settings.local.json') return false;
  if (settingsFiles(analysis).some((f) => f.path === path && f.scope === 'project')) return true;
  if (opts.machine?.project && path === join(resolve(opts.machine.project), '.claude', 'settings.json')) return true;
  return ws.mode === 'files';
}

function writesSecret(text: string, secrets: Set<string>): boolean {
  for (const s of secrets) {
    if (text.includes(s) || text.includes(JSON.stringify(s).slice(1, -1))) return true;
  }
  return false;
}

function isSecretAddition(a: Addition): boolean {
  return envCredential(a.name, a.value) !== undefined;
}

const SECRET_HINT =
  'put credentials in .claude/settings.local.json (git-ignored), serve headers from an otelHeadersHelper script, or set them in managed settings';

/**
 * Why a file may not be written (see FixOptions.roots), or undefined. Untrusted files (everything scanned, the
 * project's settings) are written only where their real path, symlinks resolved, stays inside the roots.
 */
function writePolicy(analysis: Analysis, opts: FixOptions): (file: string) => string | undefined {
  if (!opts.roots) return () => undefined;
  const roots = opts.roots.map(realTarget);
  const trusted = new Set<string>();
  for (const ws of analysis.workspaces) {
    if (ws.mode !== 'machine') continue;
    const project = new Set(ws.claude.files.filter((f) => f.scope === 'project' || f.scope === 'local').map((f) => resolve(f.path)));
    for (const f of ws.claude.files) if (!f.inline && !project.has(resolve(f.path))) trusted.add(resolve(f.path));
    for (const path of ws.sources.keys()) if (!project.has(resolve(path))) trusted.add(resolve(path));
    const user = scopeFile(ws, 'user', opts.machine);
    if (user) trusted.add(resolve(user));
  }
  return (file) => {
    const path = resolve(file);
    if (trusted.has(path)) return undefined;
    const target = realTarget(path);
    if (isInside(target, roots)) return undefined;
    const where = target === path ? path : `${path}, a link to ${target},`;
    return `${where} is outside the scanned folders and the project, so it is not written (--fix writes only inside them)`;
  };
}

function resolveFix(f: Finding, analysis: Analysis, state: FileState, opts: FixOptions, refuseWrite: (file: string) => string | undefined): Resolution {
  const fix = f.fix!;
  if (fix.safety === 'unsafe' && !opts.unsafe) return { ok: false, unsafe: true, reason: 'unsafe fix: needs --unsafe-fixes' };
  const ws = workspaceOf(f, analysis);
  if (!ws) return { ok: false, reason: 'no workspace for this finding' };
  const scope = opts.scope ?? 'user';
  const target = fix.addEnv?.length ? scopeFile(ws, scope, opts.machine) : undefined;

  let edits = fix.edits;
  const additions: Addition[] = [];
  if (fix.addEnv?.length && target) {
    const placed = new Set(fix.addEnv.flatMap((a) => a.edits));
    edits = fix.edits.filter((e) => !placed.has(e));
    const file = settingsFiles(analysis).find((s) => s.path === target);
    if (file?.dropped) return { ok: false, reason: `Claude Code ignores ${target} until it parses and validates: repair it first, then run --fix again` };
    if (!file && state.exists(target)) return { ok: false, reason: `${target} could not be read, so nothing is added to it` };
    for (const a of fix.addEnv) {
      if (
        (scope === 'project' || scope === 'local') &&
        isProjectLockedVariable(a.name) &&
        !isOffValue(a.name, a.value) &&
        atLeast(ws.claude.version.version, PROJECT_TELEMETRY_IGNORED_FROM)
      ) {
        return { ok: false, reason: `Claude Code ${PROJECT_TELEMETRY_IGNORED_FROM} and later ignore ${a.name} in project settings: use --scope user` };
      }
      additions.push({ file: target, name: a.name, value: a.value });
    }
  } else if (fix.addEnv?.some((a) => a.edits.length === 0)) {
    return { ok: false, reason: 'there is no settings file to add it to (in CI mode additions go next to a related setting)' };
  }

  for (const file of new Set([...edits.map((e) => e.file), ...additions.map((a) => a.file)])) {
    const refused = refuseWrite(file);
    if (refused) return { ok: false, reason: refused };
  }

  const managed = new Set(
    settingsFiles(analysis)
      .filter((s) => s.scope === 'managed')
      .map((s) => s.path),
  );
  const secrets = collectSecrets(analysis.workspaces);
  for (const e of edits) {
    if (managed.has(e.file)) return { ok: false, reason: `managed settings are never written by --fix${f.hint ? `; ${f.hint}` : ''}` };
    const source = sourceOf(e.file, analysis);
    if (!source) return { ok: false, reason: `${e.file} is not a file the doctor read, so it is not edited` };
    const current = state.text(e.file);
    if (current.error) return { ok: false, reason: `${e.file} ${current.error}` };
    if (current.text !== source.text) return { ok: false, reason: `${e.file} changed while the doctor was reading it; run --fix again` };
    if (e.text && isSharedFile(ws, e.file, analysis, opts) && writesSecret(e.text, secrets)) {
      return { ok: false, reason: `it would write a credential into ${e.file}, a file meant to be committed; ${SECRET_HINT}` };
    }
  }
  for (const a of additions) {
    if (isSharedFile(ws, a.file, analysis, opts) && (isSecretAddition(a) || writesSecret(a.value, secrets))) {
      return { ok: false, reason: `it would write a credential into ${a.file}, a file meant to be committed; ${SECRET_HINT}` };
    }
  }
  // Safe fixes all go before any unsafe one, so an unsafe fix only sees what the safe ones left: deleting an
  // idle exporter must not win over the safe fix that puts it into a pipeline.
  const tier = (RULES_BY_ID.get(f.ruleId)?.repairsDroppedFile ? 0 : fix.adds || fix.addEnv?.length ? 2 : 1) + (fix.safety === 'unsafe' ? 10 : 0);
  return { ok: true, fix: { finding: f, key: `${findingKey(f)}\0${fix.description}`, tier, edits, additions } };
}

// ---------------------------------------------------------------------------------------------------------------
// Picking the fixes of one pass: non-overlapping edits; identical edits from two findings count once.

function sameEdit(a: TextEdit, b: TextEdit): boolean {
  return a.file === b.file && a.offset === b.offset && a.length === b.length && a.text === b.text;
}

function overlaps(a: TextEdit, b: TextEdit): boolean {
  if (a.file !== b.file) return false;
  if (a.offset === b.offset) return true; // two changes starting at one place: their order would be a guess
  return a.offset < b.offset + b.length && b.offset < a.offset + a.length;
}

function selectNonOverlapping(candidates: Resolved[]): Resolved[] {
  const chosen: Resolved[] = [];
  const edits: TextEdit[] = [];
  const added = new Map<string, string>();
  for (const r of candidates) {
    const clash =
      r.edits.some((e) => edits.some((a) => !sameEdit(a, e) && overlaps(a, e))) ||
      r.additions.some((a) => added.has(`${a.file}\0${a.name}`) && added.get(`${a.file}\0${a.name}`) !== a.value);
    if (clash) continue; // the next pass, on the changed text, may pick it up
    chosen.push(r);
    for (const e of r.edits) if (!edits.some((a) => sameEdit(a, e))) edits.push(e);
    for (const a of r.additions) added.set(`${a.file}\0${a.name}`, a.value);
  }
  return chosen;
}

// ---------------------------------------------------------------------------------------------------------------
// Identity of a finding across a pass: its JSON/YAML path when it has one, else its line mapped through the edits.

function findingKey(f: Finding, line = f.range?.start.line): string {
  return `${f.ruleId}\0${f.file ?? ''}\0${f.workspace ?? ''}\0${f.path ?? `L${line ?? ''}`}`;
}

function mapOffset(offset: number, batches: TextEdit[][]): number {
  let o = offset;
  for (const batch of batches) {
    let shift = 0;
    for (const e of batch) {
      if (e.offset + e.length <= o) shift += e.text.length - e.length;
      else if (e.offset < o) o = e.offset; // inside a replaced range: the start of the replacement
    }
    o += shift;
  }
  return o;
}

function mappedKey(f: Finding, before: Analysis, batches: Map<string, TextEdit[][]>, state: FileState): string {
  if (f.path !== undefined || !f.file || !f.range || !batches.has(resolve(f.file))) return findingKey(f);
  const source = sourceOf(f.file, before);
  const after = state.text(f.file).text;
  if (!source || after === undefined) return findingKey(f);
  const offset = (source.lineStarts[f.range.start.line - 1] ?? 0) + f.range.start.column - 1;
  const mapped = mapOffset(offset, batches.get(resolve(f.file))!);
  let line = 1;
  for (let i = 0; i < mapped && i < after.length; i++) if (after.charCodeAt(i) === 10) line++;
  return findingKey(f, line);
}

// ---------------------------------------------------------------------------------------------------------------
// File contents: what was read, what would be written. Texts here are without a BOM (as the rules see them).

interface Entry {
  /** The bytes on disk when first read; undefined when the file did not exist. */
  original?: Buffer;
  /** Those bytes as text, without the BOM. */
  originalText?: string;
  bom: boolean;
  /** The text as it would be written; undefined while the file does not exist. */
  text?: string;
  error?: string;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

class FileState {
  private entries = new Map<string, Entry>();

  private entry(path: string): Entry {
    const key = resolve(path);
    let e = this.entries.get(key);
    if (!e) {
      e = { bom: false };
      // Bounded like every read: a file to be fixed may have become a FIFO or grown since the rules read it.
      const read = readBoundedBytes(key);
      if (read.ok) {
        const bytes = read.bytes;
        e.original = bytes;
        e.bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
        try {
          e.originalText = UTF8.decode(e.bom ? bytes.subarray(3) : bytes);
          e.text = e.originalText;
        } catch {
          e.error = 'is not valid UTF-8';
        }
      } else if (!read.missing) e.error = read.reason;
      this.entries.set(key, e);
    }
    return e;
  }

  text(path: string): { text?: string; error?: string } {
    const e = this.entry(path);
    return { text: e.text, error: e.error };
  }

  exists(path: string): boolean {
    const e = this.entry(path);
    return e.text !== undefined || e.error !== undefined;
  }

  snapshot(): Map<string, string | undefined> {
    return new Map([...this.entries].map(([k, e]) => [k, e.text]));
  }

  restore(snapshot: Map<string, string | undefined>): void {
    for (const [k, e] of this.entries) e.text = snapshot.has(k) ? snapshot.get(k) : e.originalText;
  }

  /** Applies one pass; returns the edits made per file, in order, for mapping positions. */
  apply(chosen: Resolved[]): Map<string, TextEdit[][]> {
    const batches = new Map<string, TextEdit[][]>();
    const byFile = new Map<string, TextEdit[]>();
    for (const r of chosen) {
      for (const e of r.edits) {
        const list = byFile.get(e.file) ?? [];
        if (!list.some((a) => sameEdit(a, e))) list.push(e);
        byFile.set(e.file, list);
      }
    }
    for (const [file, edits] of byFile) {
      const entry = this.entry(file);
      let text = entry.text ?? '';
      const sorted = [...edits].sort((a, b) => a.offset - b.offset);
      for (const e of [...sorted].reverse()) text = text.slice(0, e.offset) + e.text + text.slice(e.offset + e.length);
      entry.text = text;
      batches.set(resolve(file), [sorted]);
    }
    const seen = new Set<string>();
    for (const r of chosen) {
      for (const a of r.additions) {
        const key = `${a.file}\0${a.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const entry = this.entry(a.file);
        const list = batches.get(resolve(a.file)) ?? [];
        if (entry.text === undefined) {
          const created = `${JSON.stringify({ env: { [a.name]: a.value } }, null, 2)}\n`;
          list.push([{ file: a.file, offset: 0, length: 0, text: created }]);
          entry.text = created;
        } else {
          const edits = jsonc.modify(entry.text, ['env', a.name], a.value, { formattingOptions: jsonFormatting(entry.text) });
          list.push(edits.map((e) => ({ file: a.file, offset: e.offset, length: e.length, text: e.content })));
          entry.text = jsonc.applyEdits(entry.text, edits);
        }
        batches.set(resolve(a.file), list);
      }
    }
    return batches;
  }

  /** What the loaders should see instead of the disk: every changed file, a BOM put back where it was. */
  pending(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [k, e] of this.entries) if (e.text !== undefined && e.error === undefined) out.set(k, (e.bom ? '\uFEFF' : '') + e.text);
    return out;
  }

  changes(): FileChange[] {
    const out: FileChange[] = [];
    for (const [path, e] of this.entries) {
      if (e.text === undefined || e.error !== undefined) continue;
      const after = (e.bom ? '\uFEFF' : '') + e.text;
      if (e.original !== undefined && Buffer.from(after, 'utf8').equals(e.original)) continue;
      out.push({ path, before: e.original, after });
    }
    return out.sort((a, b) => a.path.localeCompare(b.path));
  }
}
