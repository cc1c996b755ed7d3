// README stays true: its newcomer command runs the doctor on the shipped example, and every
// `claude-otel-doctor …` command line in the code blocks of README and docs/init.md is one the CLI accepts
// (parsed, not run).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { packageRoot } from '../../src/util/paths.js';

const documents = ['README.md', 'docs/init.md'].map((f) => readFileSync(join(packageRoot, f), 'utf8'));

/** The argv of every claude-otel-doctor command in the sh and yaml code blocks (continuations joined; comments, pipes, redirections cut). */
function documentedCommands(): string[][] {
  const blocks = documents.flatMap((d) => [...d.matchAll(/```(?:sh|yaml)\n([\s\S]*?)```/g)].map((m) => m[1].replace(/\\\n\s*/g, ' ')));
  const commands: string[][] = [];
  for (const line of blocks.flatMap((b) => b.split('\n'))) {
    const m = /(?:^|\s)claude-otel-doctor((?:\s+[^\s#|>]+)*)/.exec(line.replace(/^\s*-\s*run:\s*/, ''));
    if (!m || /npm install|benchmark/.test(line)) continue;
    commands.push(m[1].trim().split(/\s+/).filter(Boolean));
  }
  return commands;
}

describe('README', () => {
  it('documents at least the main commands', () => {
    const firsts = new Set(documentedCommands().map((c) => c[0] ?? ''));
    for (const c of ['', 'check', 'probe', 'rules', 'explain', 'restore', 'init']) expect(firsts, c || '(the doctor)').toContain(c);
  });

  it.each(documentedCommands().map((c) => [c.join(' ') || '(no arguments)', c]))('claude-otel-doctor %s is accepted', (_, argv) => {
    let stderr = '';
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      stderr += chunk;
      return true;
    }) as typeof process.stderr.write;
    try {
      expect(main(argv as string[], { parseOnly: true }), stderr).toBe(0);
    } finally {
      process.stderr.write = write;
    }
  });

  it('the newcomer command `npm run example` runs the doctor on the shipped example', () => {
    const r = spawnSync(process.execPath, [join(packageRoot, 'scripts/example.mjs')], {
      cwd: packageRoot,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/settings\.json:4:48: error 2 comments .*\[settings\/invalid-json\]/);
    expect(r.stdout).toContain('(exit code 1: 0 clean, 1 findings, 2 bad usage or unreadable input)');
  }, 60_000);
});
