// A throwaway machine for `init`: a home, an empty project and managed folder, a backup folder (XDG_STATE_HOME),
// and a PATH without docker, so nothing outside the temp folder is read or written.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { runCliAsync, type CliResult } from '../helpers/cli.js';

export interface Machine {
  root: string;
  home: string;
  project: string;
  managed: string;
  state: string;
  /** An empty folder: PATH for runs that must find no docker (and no claude). */
  emptyBin: string;
  stack: string;
  settings: string;
  env: Record<string, string | undefined>;
  init(args: string[], env?: Record<string, string | undefined>): Promise<CliResult>;
  cli(args: string[], env?: Record<string, string | undefined>): Promise<CliResult>;
  /** `check` of this machine as the doctor reads it (home, telemetry folder), nothing else. */
  check(extra?: string[]): Promise<CliResult>;
  cleanup(): void;
}

export function newMachine(): Machine {
  const root = mkdtempSync(join(tmpdir(), 'cod-init-'));
  const home = join(root, 'home');
  const project = join(root, 'project');
  const managed = join(root, 'managed');
  const state = join(root, 'state');
  const emptyBin = join(root, 'bin');
  for (const d of [home, project, managed, state, emptyBin]) mkdirSync(d, { recursive: true });
  const env = { XDG_STATE_HOME: state, CLAUDE_CONFIG_DIR: undefined, NO_COLOR: '1', FORCE_COLOR: undefined };
  const cli = (args: string[], extra: Record<string, string | undefined> = {}) => runCliAsync(args, { ...env, ...extra });
  return {
    root,
    home,
    project,
    managed,
    state,
    emptyBin,
    stack: join(home, '.claude', 'telemetry'),
    settings: join(home, '.claude', 'settings.json'),
    env,
    cli,
    init: (args, extra = {}) => cli(['init', '--home', home, ...args], extra),
    check: (extra = []) =>
      cli(['check', '--home', home, '--project', project, '--managed-dir', managed, '--no-shell-env', '--claude-version', '2.1.197', ...extra]),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Every file and folder under `dir` with its mode and the sha256 of its bytes: equal hashes, nothing changed. */
export function treeHash(dir: string): string {
  const h = createHash('sha256');
  const visit = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = statSync(p);
      h.update(`${relative(dir, p)}\0${(st.mode & 0o7777).toString(8)}\0`);
      if (st.isDirectory()) visit(p);
      else h.update(readFileSync(p));
    }
  };
  visit(dir);
  return h.digest('hex');
}

/** The files `init` writes into the stack folder (relative paths). */
export const STACK_FILES = [
  'docker-compose.yml',
  'otel-collector-config.yaml',
  'prometheus.yml',
  'loki-config.yaml',
  'grafana/provisioning/datasources/datasources.yaml',
  'grafana/provisioning/dashboards/dashboards.yaml',
  'grafana/dashboards/claude-code.json',
  '.env',
];
