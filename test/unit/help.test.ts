import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

// --help as issue #15 item 6 asks: a named usage line and default command, options under headings, each command
// only its own options, one way of writing defaults (none for --no-… flags), and examples.
const help = (...args: string[]) => runCli([...args, '--help'], { NO_COLOR: '1' }).stdout;
const headings = (text: string) => [...text.matchAll(/^([A-Z][^:\n]*):$/gm)].map((m) => m[1]);
const optionsOf = (text: string) => [...text.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]);

describe('--help', () => {
  it('names the usage and the default command', () => {
    const text = help();
    expect(text).toContain('$ claude-otel-doctor [command] [options]');
    expect(text).toMatch(/^ {2}doctor \(default\) +Diagnose/m);
    expect(help('check')).toContain('$ claude-otel-doctor check [...paths] [options]');
  });

  it('groups options under headings, and ends with examples', () => {
    const text = help();
    expect(headings(text)).toEqual(
      expect.arrayContaining(['Usage', 'Commands', 'Output', 'Rules', 'What to read', 'Versions and builds', 'Fixing', 'Live probes', 'Examples']),
    );
    expect(headings(text).at(-1)).toBe('Examples');
    for (const command of ['check', 'probe', 'init']) expect(headings(help(command)).at(-1), command).toBe('Examples');
  });

  it('shows each command only its own options', () => {
    expect(optionsOf(help('probe'))).not.toContain('--fix');
    expect(optionsOf(help('probe'))).toContain('--prometheus-url');
    expect(optionsOf(help('check'))).not.toContain('--prometheus-url');
    expect(optionsOf(help('check'))).not.toContain('--offline');
    expect(optionsOf(help('init'))).not.toContain('--format');
    expect(optionsOf(help('rules'))).toEqual(['--format', '--help']);
    expect(runCli(['probe', '--fix']).stderr).toMatch(/probe changes no file: use --fix with the doctor or check/);
  });

  it('writes defaults one way, and none for --no- flags', () => {
    for (const command of [[], ['check'], ['probe'], ['init']]) {
      const text = help(...command);
      expect(text, command.join(' ')).not.toMatch(/\(default: true\)|\(default \d/);
      expect(text).not.toMatch(/ {2}--no-[\w-]+ .*\(default/);
    }
    expect(help()).toMatch(/--format <format> +pretty \| concise \(one line each\) \| json \| sarif \| github \(default: pretty\)$/m);
  });

  it('every option of a command appears once', () => {
    for (const command of [[], ['check'], ['probe'], ['init']]) {
      const names = optionsOf(help(...command));
      expect(new Set(names).size, command.join(' ')).toBe(names.length);
    }
  });
});
