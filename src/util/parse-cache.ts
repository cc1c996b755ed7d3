import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Results of pure parses kept from one run of the CLI to the next, beside its compile cache (src/entry.ts): the
 * PromQL and LogQL of a dashboard are parsed by the real grammars, and loading those grammars and running them the
 * first time is a tenth of a check of a small stack, for the same queries at every run. A result is a pure function
 * of its text and of the doctor's build, so the file holds the build's stamp and is ignored, then replaced, when the
 * build changes. Only the CLI keeps one (the library API and tests parse afresh); a file that cannot be read or
 * written only costs the parse.
 */

interface Store {
  file: string;
  stamp: string;
  entries: Map<string, unknown>;
  loaded: boolean;
  added: boolean;
}

let store: Store | undefined;

/** Keeps the parses of this process in `file`, for the build `stamp`, and reuses what an earlier run kept there. */
export function keepParses(file: string, stamp: string): void {
  store = { file, stamp, entries: new Map(), loaded: false, added: false };
  process.once('exit', save);
}

/** A result kept by an earlier run, or undefined. */
export function keptParse(key: string): unknown {
  if (!store) return undefined;
  if (!store.loaded) load(store);
  return store.entries.get(key);
}

/** Keeps a result for the next run (when this run keeps parses at all). */
export function keepParse(key: string, value: unknown): void {
  if (!store) return;
  if (!store.loaded) load(store);
  store.entries.set(key, value);
  store.added = true;
}

/** At most this many results are kept: the newest, by when they were first parsed. */
export const MAX_KEPT_PARSES = 5000;

function load(s: Store): void {
  s.loaded = true;
  try {
    const data = JSON.parse(readFileSync(s.file, 'utf8')) as { stamp?: unknown; entries?: unknown };
    if (data.stamp !== s.stamp || !Array.isArray(data.entries)) return;
    for (const entry of data.entries)
      if (Array.isArray(entry) && typeof entry[0] === 'string' && entry[1] && typeof entry[1] === 'object') s.entries.set(entry[0], entry[1]);
  } catch {
    // none yet, or unreadable: parse afresh
  }
}

function save(): void {
  const s = store;
  if (!s?.added) return;
  const entries = [...s.entries].slice(-MAX_KEPT_PARSES);
  const temp = `${s.file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(s.file), { recursive: true });
    // Only its user reads it: the queries of the dashboards checked may name people (a user.email matcher).
    writeFileSync(temp, JSON.stringify({ stamp: s.stamp, entries }), { mode: 0o600 });
    renameSync(temp, s.file);
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {}
  }
}
