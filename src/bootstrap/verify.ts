import { emptyConfig } from '../config/doctor-config.js';
import { runRules } from '../engine.js';
import { pendingReader, type ReadProblem, type Reader } from '../load/read.js';
import type { Workspace } from '../model/workspace.js';
import type { Finding } from '../types.js';
import { machineWorkspace } from '../workspaces.js';

/**
 * The doctor's own static rules, in process, on what `init` wrote (or is about to write): every rule at its
 * default severity, no user config, no shell, no project. Only the files init is responsible for are read, so a
 * finding here is about them, not about the rest of the machine (the doctor itself looks at all of it).
 */

export interface Verification {
  workspaces: Workspace[];
  findings: Finding[];
  problems: ReadProblem[];
}

function verify(ws: (reader: Reader) => Workspace, pending: ReadonlyMap<string, string>): Verification {
  const w = ws(pendingReader(pending));
  return { workspaces: [w], findings: runRules([w], { config: emptyConfig(process.cwd()), select: [], ignore: [] }), problems: w.problems };
}

/** Mode 1: the user settings (where CLAUDE_CONFIG_DIR puts them) and the stack folder, as one machine. */
export function verifyLocal(home: string, stackDir: string, pending: ReadonlyMap<string, string> = new Map()): Verification {
  const configDir = process.env.CLAUDE_CONFIG_DIR;
  return verify(
    (reader) =>
      machineWorkspace(
        { home, managedDir: '', processEnv: configDir ? { CLAUDE_CONFIG_DIR: configDir } : undefined, telemetryDir: stackDir, reader },
        emptyConfig(process.cwd()),
      ),
    pending,
  );
}

/** Mode 2: the managed settings alone, as a developer machine with nothing else would see them. */
export function verifyManaged(managedDir: string, pending: ReadonlyMap<string, string> = new Map()): Verification {
  return verify((reader) => machineWorkspace({ managedDir, reader }, emptyConfig(process.cwd())), pending);
}
