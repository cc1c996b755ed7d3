import { basename } from 'node:path';
import { UsageError } from '../util/errors.js';
import { displayPath } from '../util/display.js';
import { collectSecrets, redact } from '../util/secrets.js';
import { escapeControl } from '../util/escape.js';
import { FIX_SCOPES, planFixes, type FixOptions, type FixResult, type FixScope } from './apply.js';
import { formatDiffs } from './diff.js';
import { FixWriteError, listBackups, removeLeftoverTemps, resolveBackup, restoreBackup, withFixLock, writeChanges } from './write.js';

/** The fix flags of `check` and the bare doctor command. */
export interface FixFlags {
  fix?: boolean;
  unsafeFixes?: boolean;
  dryRun?: boolean;
  showFixes?: boolean;
  scope?: string;
}

/** Whether the flags ask for fixes; throws a UsageError for flags that need --fix or --dry-run. */
export function fixRequested(flags: FixFlags, filesMode: boolean, machineRead: boolean): boolean {
  const wanted = flags.fix === true || flags.dryRun === true;
  for (const [flag, set] of [
    ['--unsafe-fixes', flags.unsafeFixes],
    ['--show-fixes', flags.showFixes],
    ['--scope', flags.scope !== undefined],
  ] as const) {
    if (set && !wanted) throw new UsageError(`${flag} works with --fix or --dry-run`);
  }
  if (flags.scope !== undefined && !FIX_SCOPES.includes(flags.scope as FixScope)) {
    throw new UsageError(`--scope must be ${FIX_SCOPES.join(', ')}, not "${flags.scope}"`);
  }
  if (flags.scope !== undefined && filesMode && !machineRead) {
    throw new UsageError(
      '--scope needs a machine (the doctor, or check with --home/--project/--machine): in CI mode a missing variable is added next to a related one',
    );
  }
  return wanted;
}

export interface FixRun {
  flags: FixFlags;
  /** Loads the setup through the reader and runs the rules (see planFixes). */
  analyze: FixOptions['analyze'];
  machine?: { home?: string; project?: string };
  /** CI mode: the scanned paths, which (with the project) bound where fixes write. */
  roots?: string[];
  tool: string;
  cwd: string;
  /** Where the text goes: the caller prints it (the CLI) or keeps it (the library API). */
  output: FixOutput;
}

/** The text of a fix run, by kind; the CLI decides the stream of each. */
export interface FixOutput {
  /** --dry-run's unified diff. */
  diff(text: string): void;
  /** What was fixed, what was not and why, the backup. */
  notes(text: string): void;
  /** One line for a failed write or lock: the run stops with exit code 2. */
  error(text: string): void;
}

export interface FixOutcome {
  /** Exit code to return at once (--dry-run, or a write that failed); undefined: report the fixed setup as usual. */
  exitCode?: number;
  /** The planned fixes; undefined when planning failed on a lock. */
  result?: FixResult;
  /** The files written and their backup folder, when something was written. */
  written?: { written: string[]; backupDir: string };
}

export function runFix(run: FixRun): FixOutcome {
  const roots = [...(run.roots ?? []), ...(run.machine?.project ? [run.machine.project] : [])];
  const plan = () =>
    planFixes({
      unsafe: run.flags.unsafeFixes === true,
      scope: (run.flags.scope as FixScope | undefined) ?? 'user',
      machine: run.machine,
      roots,
      analyze: run.analyze,
    });
  if (run.flags.dryRun) return dryRun(run, plan());
  const first = plan();
  const sources = first.initial.workspaces.flatMap((w) => [...w.sources.keys()]);
  removeLeftoverTemps(sources, [...roots, ...(run.machine?.home ? [run.machine.home] : [])]);
  if (first.changes.length === 0) return fixAndWrite(run, first); // nothing to write: no lock, no trace
  try {
    // Planned again holding the lock, from reading to writing, so that two runs on the same files cannot
    // interleave: the second one plans on what the first one wrote.
    return withFixLock(() => fixAndWrite(run, plan()));
  } catch (err) {
    if (err instanceof FixWriteError) {
      run.output.error(`claude-otel-doctor: ${escapeControl(err.message)}\n`);
      return { exitCode: 2 };
    }
    throw err;
  }
}

function secretsOf(result: FixResult): Set<string> {
  return new Set([...collectSecrets(result.initial.workspaces), ...collectSecrets(result.final.workspaces)]);
}

function dryRun(run: FixRun, result: FixResult): FixOutcome {
  const secrets = secretsOf(result);
  const show = (p: string | undefined) => displayPath(p, run.cwd);
  const diff = formatDiffs(result.changes, secrets);
  run.output.diff(diff.text);
  let notes = '';
  if (run.flags.showFixes) notes += appliedLines(result, show, 'would fix');
  notes += pendingLines(result, show);
  if (diff.masked.length) notes += `the diff of ${diff.masked.map(show).join(', ')} holds a credential: shown masked, as comments that patch skips\n`;
  if (result.changes.length === 0) notes += 'nothing to fix\n';
  run.output.notes(redact(notes, secrets));
  return { exitCode: result.changes.length > 0 ? 1 : 0, result };
}

function fixAndWrite(run: FixRun, result: FixResult): FixOutcome {
  const secrets = secretsOf(result);
  const show = (p: string | undefined) => displayPath(p, run.cwd);
  const out = (text: string) => run.output.notes(redact(text, secrets));
  if (result.changes.length === 0) {
    out(pendingLines(result, show) + (result.applied.length === 0 ? 'nothing to fix\n' : ''));
    return { result };
  }
  let written: ReturnType<typeof writeChanges>;
  try {
    written = writeChanges(result.changes, run.tool);
  } catch (err) {
    if (err instanceof FixWriteError) {
      run.output.error(`claude-otel-doctor: ${escapeControl(redact(err.message, secrets))}\n`);
      return { exitCode: 2, result };
    }
    throw err;
  }
  let notes = '';
  if (run.flags.showFixes) notes += appliedLines(result, show, 'fixed');
  notes += pendingLines(result, show);
  const files = written.written.map(show).join(', ');
  notes += `fixed ${plural(result.applied.length, 'finding')} in ${files}; backup in ${show(written.backupDir)} (undo: claude-otel-doctor restore ${basename(written.backupDir)})\n`;
  // Claude Code reads its settings when a session starts: a running one keeps the environment it started with.
  const settings = settingsPaths(result);
  const changed = written.written.filter((p) => settings.has(p));
  if (changed.length) notes += `restart Claude Code: running sessions keep the settings they started with (changed: ${changed.map(show).join(', ')})\n`;
  notes += '\n';
  out(notes);
  return { result, written };
}

/** The Claude Code settings files of the run, before and after the fixes (a fix may create one). */
function settingsPaths(result: FixResult): Set<string> {
  const workspaces = [...result.initial.workspaces, ...result.final.workspaces];
  return new Set(workspaces.flatMap((w) => w.claude.files.filter((f) => !f.inline).map((f) => f.path)));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function appliedLines(result: FixResult, show: (p: string | undefined) => string, verb: string): string {
  return result.applied
    .map((a) => {
      const where = a.file ? `${show(a.file)}${a.line ? `:${a.line}` : ''}` : '(environment)';
      const elsewhere = a.files.filter((f) => f !== a.file).map(show);
      return `${verb} ${a.ruleId} ${where}: ${escapeControl(a.description)}${elsewhere.length ? ` (in ${elsewhere.join(', ')})` : ''}${a.safety === 'unsafe' ? ' [unsafe]' : ''}\n`;
    })
    .join('');
}

function pendingLines(result: FixResult, show: (p: string | undefined) => string): string {
  let text = result.notApplied
    .map(
      (n) =>
        `not fixed ${n.ruleId} ${n.file ? `${show(n.file)}${n.line ? `:${n.line}` : ''}` : '(environment)'}: ${escapeControl(n.description)}: ${escapeControl(n.reason)}\n`,
    )
    .join('');
  if (result.unsafeSkipped > 0)
    text += `${result.unsafeSkipped} unsafe ${result.unsafeSkipped === 1 ? 'fix' : 'fixes'} not applied: add --unsafe-fixes (see them first with --dry-run --unsafe-fixes)\n`;
  return text;
}

/** `claude-otel-doctor restore [<backup>] [--force]`: puts the files of a --fix run back; the text says what it did. */
export function runRestore(which: string | undefined, force: boolean, cwd: string): { exitCode: number; text: string } {
  try {
    const dir = resolveBackup(which);
    const r = restoreBackup(dir, force);
    const show = (p: string) => displayPath(p, cwd);
    let text = '';
    for (const p of r.restored) text += `restored ${show(p)}\n`;
    for (const s of r.skipped) text += `${s.refused ? 'not restored' : 'left as is'} ${show(s.path)}: ${escapeControl(s.reason)}\n`;
    text += `${plural(r.restored.length, 'file')} restored from ${show(r.dir)}\n`;
    return { exitCode: r.skipped.some((s) => s.refused) ? 1 : 0, text };
  } catch (err) {
    if (err instanceof FixWriteError) throw new UsageError(err.message);
    throw err;
  }
}

export { listBackups };
