#!/usr/bin/env node
// The command-line entry (dist/cli.js, the package's bin): answers --version before loading anything else, and
// otherwise runs the CLI bundle dist/run.cjs (scripts/build.mjs) through V8's code cache.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  // The same line cac prints for --version.
  process.stdout.write(`claude-otel-doctor/${version} ${process.platform}-${process.arch} node-${process.version}\n`);
} else {
  const bundle = fileURLToPath(new URL('./run.cjs', import.meta.url));
  const cache = process.env.NODE_DISABLE_COMPILE_CACHE ? undefined : cacheOf(bundle, commandName(args));
  const cli = loadBundle(bundle, cache) as typeof import('./cli.js');
  cli.runFromCommandLine(cache && { parsesFile: cache.parsesFile, stamp: cache.stamp });
}

/**
 * Runs the CLI bundle as Node's loader runs a CommonJS module, but compiled with the code V8 kept from an earlier
 * run: compiling the bundle, and each of its functions on first call, is about a third of a check's time, and
 * Node 20 caches nothing for us (module.enableCompileCache is Node 22.1+). After a run without a usable cache, the
 * code of every function that ran is written to the user's cache folder, never to the project, one cache per
 * command (what `init` runs is not what `check` runs, and a cache is written only when there is none); a cache
 * folder that cannot be written, or a cache V8 rejects (another Node, another build), only costs the compile.
 * NODE_DISABLE_COMPILE_CACHE turns it off, as it does Node's own (and the parses kept beside it: util/parse-cache.ts).
 */
function loadBundle(file: string, cache: BundleCache | undefined): unknown {
  // run.cjs is ASCII and already the module's wrapper function (scripts/build.mjs). Read as latin1, Node hands V8 a
  // string of this size (1.6 MB) that stays outside the garbage-collected heap: less to collect and copy at start.
  const source = readFileSync(file, 'latin1');
  const cached = cache?.read();
  const script = new Script(source, { filename: file, cachedData: cached });
  if (cache && (!cached || script.cachedDataRejected)) process.once('exit', () => cache.write(script.createCachedData()));
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}

/** The command a run names (src/cli.ts), the doctor when none: one cache each, whatever else the arguments say. */
function commandName(argv: string[]): string {
  const word = argv.find((a) => !a.startsWith('-'));
  return word && ['check', 'probe', 'rules', 'explain', 'restore', 'init'].includes(word) ? word : 'doctor';
}

interface BundleCache {
  read(): Buffer | undefined;
  write(data: Buffer): void;
  /** The bundle's size and modification time: what a cache of this build is stamped with. */
  stamp: string;
  /** Where the CLI keeps its parses for the next run (util/parse-cache.ts), one file per bundle for every command. */
  parsesFile: string;
}

/**
 * The cache file of one bundle and command on this Node: named after them, Node's version and the platform, and
 * holding the bundle's size and modification time in its first line, so that a rebuilt bundle replaces its cache
 * instead of piling up new ones (and V8 is never handed code compiled from other text).
 */
function cacheOf(file: string, command: string): BundleCache | undefined {
  let stamp: string;
  try {
    const st = statSync(file);
    stamp = `${st.size}:${st.mtimeMs}\n`;
  } catch {
    return undefined;
  }
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'claude-otel-doctor', 'compile-cache');
  const bundleName = file.replace(/[^A-Za-z0-9.-]+/g, '_').slice(-120);
  const path = join(dir, `${process.version}-${process.platform}-${process.arch}-${bundleName}-${command}.bin`);
  return {
    stamp,
    parsesFile: join(dir, `${bundleName}-parses.json`),
    read() {
      try {
        const data = readFileSync(path);
        const head = Buffer.from(stamp);
        return data.subarray(0, head.length).equals(head) ? data.subarray(head.length) : undefined;
      } catch {
        return undefined;
      }
    },
    write(data) {
      const temp = `${path}.${process.pid}.tmp`;
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(temp, Buffer.concat([Buffer.from(stamp), data]));
        renameSync(temp, path);
      } catch {
        // an unwritable cache folder: the next run compiles again
        try {
          rmSync(temp, { force: true });
        } catch {}
      }
    },
  };
}
