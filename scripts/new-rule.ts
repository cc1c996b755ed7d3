// `npm run new-rule -- <area>/<name>`: writes a rule from a template (src/rules/<area>/<name>.ts), a failing and
// a passing fixture built from its bad/good examples, regenerates the registry and the docs, and says what is left.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { AREAS, type Area, type RuleExample } from '../src/rules/define.js';
import { packageRoot } from '../src/util/paths.js';

/** One file of an example, placed in a fixture folder: `files/…` (a scanned folder), `home/…` or `project/…`. */
export interface PlacedFile {
  path: string;
  text: string;
}

/**
 * Where an example's file goes in a fixture folder, so the doctor reads it as the file the example names:
 * `~/.claude/settings.json` under `home/`, `<repo>/.claude/settings.json` under `project/`, anything else in the
 * scanned `files/` folder. `a.yml + b.yml` names two files whose texts are separated by a `---` line; a note in
 * parentheses after the name is dropped. Undefined when the example is not files (a shell session, an output).
 */
export function placeExample(example: RuleExample): PlacedFile[] | undefined {
  const names = example.file.replace(/\s*\(.*\)$/, '').split(' + ');
  const texts = names.length === 1 ? [example.text] : example.text.split(/^---\n/m);
  if (texts.length !== names.length) return undefined;
  const placed: PlacedFile[] = [];
  for (const [i, name] of names.entries()) {
    if (/\s/.test(name) || name === 'shell') return undefined;
    const path = name.startsWith('~/') ? `home/${name.slice(2)}` : name.startsWith('<repo>/') ? `project/${name.slice('<repo>/'.length)}` : `files/${name}`;
    placed.push({ path, text: texts[i] });
  }
  // A fixture is either a scanned folder or a machine (home, project): the two do not mix.
  if (new Set(placed.map((f) => f.path.startsWith('files/'))).size > 1) return undefined;
  return placed;
}
