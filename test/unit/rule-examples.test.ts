// The bad/good examples in rule metadata (shown by `explain` and the docs) are checked like fixtures: each bad
// example, placed where the doctor reads it as the file it names, yields the rule's finding; each good one does not.
// The files of a stack (collector, compose, Prometheus, Grafana, dashboards) stand in a healthy full stack
// (EXAMPLE_STACK: Claude Code settings, compose, collector, Prometheus, Loki, Grafana provisioning, a dashboard), in
// place of the stack's files of the same names: most rules judge a file by what the others say (who runs it, who
// scrapes it, what is sent to it). Settings files (`~/…`, `<repo>/…`, `/etc/claude-code/…`) and a shell startup
// file (`~/.zshrc`) stand alone on a machine.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleCase, placeExample } from '../../scripts/new-rule.js';
import { RULES } from '../../src/rules/index.js';
import type { RuleExample } from '../../src/rules/define.js';
import { runCli } from '../helpers/cli.js';
import { scratchFolder } from '../helpers/scratch.js';

/** Rules whose examples are not run, and why: none of them is a file the doctor reads. */
const NOT_RUNNABLE: Record<string, string> = {
  'settings/newer-claude-version': 'a shell session: the finding comes from `claude --version`, not a file',
  'doctor/unreadable-file': 'a shell session showing a UTF-16 file, not the file itself',
  'doctor/internal-error': "the doctor's output: only a bug in a rule yields the finding",
};

const scratch = scratchFolder('rule-examples-');

/** The rule ids the doctor reports for an example, run as its fixture would be (scripts/new-rule.ts exampleCase). */
function findingsFor(folder: string, example: RuleExample): string[] {
  const c = exampleCase(example);
  if (!c) throw new Error(`cannot place example file "${example.file}": list the rule in NOT_RUNNABLE with the reason`);
  const dir = join(scratch.root, folder);
  for (const f of c.files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.text);
  }
  const args = ['check', '--format', 'json', '--no-shell-env', '--claude-version', '2.1.197'];
  if (existsSync(join(dir, 'files'))) args.push(join(dir, 'files'));
  else {
    args.push('--home', join(dir, 'home'), '--project', join(dir, 'project'), '--managed-dir', join(dir, 'managed'));
    if (existsSync(join(dir, 'shell.env'))) args.push('--env-file', join(dir, 'shell.env'));
  }
  args.push(...c.args.map((a) => a.replaceAll('{{dir}}', dir)));
  const res = runCli(args, { CLAUDE_CONFIG_DIR: undefined });
  expect(res.stderr).toBe('');
  return JSON.parse(res.stdout).findings.map((f: { ruleId: string }) => f.ruleId);
}

describe('rule examples', () => {
  for (const rule of RULES) {
    if (rule.id in NOT_RUNNABLE) continue;
    const slug = rule.id.replace('/', '-');
    it(`${rule.id}: the bad example yields its finding`, () => {
      expect(findingsFor(`${slug}-bad`, rule.bad)).toContain(rule.id);
    });
    it(`${rule.id}: the good example does not`, () => {
      expect(findingsFor(`${slug}-good`, rule.good)).not.toContain(rule.id);
    });
  }

  it('lists only rules that exist, and whose examples do not pass as they are', () => {
    for (const [id, reason] of Object.entries(NOT_RUNNABLE)) {
      const rule = RULES.find((r) => r.id === id);
      expect(rule, id).toBeDefined();
      if (!rule || !placeExample(rule.bad) || !placeExample(rule.good)) continue;
      const slug = id.replace('/', '-');
      const passes = findingsFor(`${slug}-listed-bad`, rule.bad).includes(id) && !findingsFor(`${slug}-listed-good`, rule.good).includes(id);
      expect(passes, `${id} passes now ("${reason}"): remove it from NOT_RUNNABLE`).toBe(false);
    }
  });
});
