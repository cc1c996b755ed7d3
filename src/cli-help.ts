import type { Command } from 'cac';

/** One option as declared: cac's raw name (`--format <format>`), its description, and its default when it has one. */
export type OptionSpec = [raw: string, description: string, config?: { default?: unknown }];

/** Options under a heading in `--help` (Output, Inputs, Fixing…). */
export interface OptionGroup {
  heading: string;
  options: OptionSpec[];
}

interface HelpSection {
  title: string;
  body: string;
}

const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - s.length));

/**
 * The help of a command: a usage line that names the default command, `doctor` among the commands, options under
 * their headings (only the command's own), a default shown once in one form and never for a `--no-…` flag, and the
 * command's examples. Written by the CLI itself (cac's help prints through console.info, and cannot group).
 */
export function helpText(
  bin: string,
  version: string,
  command: Command,
  commands: readonly Command[],
  globalOptions: Command['options'],
  groups: ReadonlyMap<string, string>,
): string {
  const isDefault = command.name === '';
  const out: HelpSection[] = [];
  out.push({ title: 'Usage', body: `  $ ${bin} ${isDefault ? '[command] [options]' : `${command.rawName} [options]`}` });
  if (isDefault) {
    const name = (c: Command) => (c.name === '' ? 'doctor (default)' : c.rawName);
    const width = Math.max(...commands.map((c) => name(c).length));
    out.push({ title: 'Commands', body: commands.map((c) => `  ${pad(name(c), width)}  ${c.description}`).join('\n') });
    out.push({ title: 'More', body: `  $ ${bin} <command> --help    the options of one command` });
  }
  const options = [...command.options, ...globalOptions].filter((o) => o.name !== 'version' || isDefault);
  const width = Math.max(...options.map((o) => o.rawName.length));
  const byHeading = new Map<string, string[]>();
  for (const o of options) {
    const heading = groups.get(o.rawName) ?? 'General';
    const hasDefault = o.config.default !== undefined && !o.negated;
    const line = `  ${pad(o.rawName, width)}  ${o.description}${hasDefault ? ` (default: ${String(o.config.default)})` : ''}`;
    byHeading.set(heading, [...(byHeading.get(heading) ?? []), line]);
  }
  for (const [heading, lines] of byHeading) out.push({ title: heading, body: lines.join('\n') });
  const examples = command.examples.map((e) => (typeof e === 'function' ? e(bin) : e));
  if (examples.length) out.push({ title: 'Examples', body: examples.join('\n') });
  return `${bin}/${version}\n\n${out.map((s) => `${s.title}:\n${s.body}`).join('\n\n')}\n`;
}
