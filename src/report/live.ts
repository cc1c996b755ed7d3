import type { ProbeResult } from '../probes/define.js';
import { STAGES, type ProgressEvent, type Stage } from '../types.js';
import { escapeControl } from '../util/escape.js';
import { redact } from '../util/secrets.js';
import { maskReport } from './context.js';
import { doctorSections, stageFinal } from './doctor.js';
import { reportInput, type OutputOptions, type RunReport } from './output.js';

/**
 * Live progress on a terminal, so a slow probe or `docker compose up` never leaves a blank screen: the doctor's
 * report printed stage by stage as each stage becomes final, and one status line below it that says what is being
 * waited for and for how long, redrawn in place (`\r` + erase line) and erased before every real line and at the end.
 *
 * The live output IS the report: a stage is printed once nothing can change it (its probes have ended; see
 * `stageFinal`), so the final text is exactly what a pipe gets, with nothing said twice. Erasing printed lines to
 * replace them would not work for a report longer than the screen (lines scrolled off cannot be erased).
 */

/** Carriage return and erase the whole line: where the status line is drawn and how it is removed. */
export const ERASE_LINE = '\r\x1b[2K';

export interface TerminalStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/** Whether `stream` shows live progress: a terminal, not a CI log, not a dumb terminal. */
export function isLiveTerminal(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return stream.isTTY === true && !env.CI && env.TERM !== 'dumb';
}

export interface LiveOptions {
  /** The report's options: when it is the doctor's staged report, its stages are printed as they become final. */
  report?: OutputOptions;
  /** Milliseconds between redraws of the status line. */
  tickMs?: number;
  now?: () => number;
}

export interface Live {
  /** An event of the run (the API's onProgress). */
  progress(event: ProgressEvent<RunReport, ProbeResult>): void;
  /**
   * A real line (or lines) of text: the status line is erased first and drawn again below. The final text of a
   * report this live has been printing stage by stage (init's closing probe report) prints only what is not printed
   * yet, and ends that report: the screen then holds exactly what a pipe gets.
   */
  write(text: string, stream?: TerminalStream): void;
  /** The end: the status line erased for good; returns the part of the final report text not printed yet. */
  finish(report?: string): string;
  /** The status line erased and its timer stopped (on exit and Ctrl-C too). */
  stop(): void;
}

const seconds = (ms: number) => `${Math.max(0, Math.floor(ms / 1000))} s`;

export function liveProgress(out: TerminalStream, o: LiveOptions = {}): Live {
  const now = o.now ?? Date.now;
  const waits = new Map<string, { since: number; timeoutMs: number }>();
  const running = new Set<Stage>();
  const finished = new Map<Stage, ProbeResult[]>();
  let probingSince = 0;
  let statics: RunReport | undefined;
  let secrets = new Set<string>();
  let printed = '';
  let headPrinted = false;
  let next = 0; // index in STAGES of the next stage to print
  let drawn = false;
  let shown = ''; // the status line drawn
  let stopped = false;

  const clear = () => {
    if (drawn) out.write(ERASE_LINE);
    drawn = false;
  };

  const statusText = (): string | undefined => {
    const t = now();
    if (waits.size > 0) return [...waits].map(([what, w]) => `waiting for ${what} (${seconds(t - w.since)} of ${seconds(w.timeoutMs)})`).join('; ');
    if (running.size > 0) return `waiting for answers: ${STAGES.filter((s) => running.has(s)).join(', ')} (${seconds(t - probingSince)})`;
    return undefined;
  };

  const draw = () => {
    if (stopped || out.isTTY !== true) return; // a status line only where \r and erase line mean something
    const text = statusText();
    if (!text) return clear();
    // One line that never wraps: a wrapped line could not be erased with \r.
    const width = Math.max(20, (out.columns || 80) - 1);
    const escaped = escapeControl(text);
    const line = escaped.length > width ? `${escaped.slice(0, width - 1)}…` : escaped;
    if (drawn && line === shown) return;
    out.write(`${ERASE_LINE}${line}`);
    shown = line;
    drawn = true;
  };

  const timer = setInterval(draw, o.tickMs ?? 250);
  timer.unref?.();

  const write = (text: string, stream: TerminalStream = out) => {
    clear();
    stream.write(text);
    draw();
  };

  /** The part of `report` not printed yet; the report being streamed ends here, so a next one starts afresh. */
  const rest = (report: string): string => {
    const done = printed;
    statics = undefined;
    printed = '';
    headPrinted = false;
    next = 0;
    finished.clear();
    if (report.startsWith(done)) return report.slice(done.length);
    // Cannot happen while stageFinal is right; the whole report then, rather than a wrong one.
    return `\n${report}`;
  };

  /** Prints the report's head and every stage that has become final, in the report's order. */
  const flush = () => {
    if (!o.report || !statics) return;
    const run: RunReport = { ...statics, secrets, probes: STAGES.flatMap((s) => finished.get(s) ?? []) };
    const input = reportInput(run, o.report);
    const sections = doctorSections(input);
    const lines: string[] = [];
    if (!headPrinted) lines.push(...sections.head);
    headPrinted = true;
    while (next < sections.stages.length && stageFinal(input, sections.stages[next].stage, running)) lines.push(...sections.stages[next++].lines);
    if (lines.length === 0) return;
    const text = maskReport(`${lines.join('\n')}\n`, secrets);
    printed += text;
    write(text);
  };

  const stop = () => {
    clearInterval(timer);
    clear();
    stopped = true;
  };

  return {
    progress(e) {
      if (stopped) return;
      switch (e.type) {
        case 'static':
          statics = e.report;
          secrets = new Set(e.report.secrets);
          for (const s of e.probing) running.add(s);
          probingSince = now();
          flush();
          break;
        case 'stage-finished':
          running.delete(e.stage);
          finished.set(e.stage, e.results);
          secrets = new Set([...secrets, ...e.secrets]);
          flush();
          break;
        case 'waiting':
          if (e.done) waits.delete(e.what);
          else waits.set(e.what, { since: now() - e.elapsedMs, timeoutMs: e.timeoutMs });
          break;
        case 'output':
          // What docker compose printed: untrusted text, indented under init's own lines.
          write(`  ${escapeControl(redact(e.line, secrets))}\n`);
          break;
      }
      draw();
    },
    write(text, stream = out) {
      // The final text of the report streamed since its static event starts with all that was printed of it.
      write(statics && printed && stream === out && text.startsWith(printed) ? rest(text) : text, stream);
    },
    finish(report = '') {
      stop();
      return rest(report);
    },
    stop,
  };
}
