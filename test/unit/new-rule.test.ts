// The scaffold (npm run new-rule) writes a rule that compiles, is found by the registry and documents itself, with a
// failing and a passing fixture. It runs into a scratch root whose src/ links to the real one (the new rule's
// imports resolve there), so the real tree is never touched.
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { registrySource } from '../../scripts/gen-registry.js';
import { EXAMPLE_STACK, parseRuleId, rebuildFixtures, scaffoldRule } from '../../scripts/new-rule.js';
import type { AnyRule } from '../../src/rules/define.js';
import { ruleDocPage } from '../../src/report/rules.js';
import { packageRoot } from '../../src/util/paths.js';
import { scratchFolder } from '../helpers/scratch.js';

const scratch = scratchFolder('new-rule-');
const root = scratch.root;
mkdirSync(join(root, 'src/rules'), { recursive: true });
for (const entry of readdirSync(join(packageRoot, 'src'))) {
  if (entry !== 'rules') symlinkSync(join(packageRoot, 'src', entry), join(root, 'src', entry));
}
symlinkSync(join(packageRoot, 'src/rules/define.ts'), join(root, 'src/rules/define.ts'));
mkdirSync(join(root, 'fixtures'));
symlinkSync(join(packageRoot, EXAMPLE_STACK, '..'), join(root, EXAMPLE_STACK, '..'));

/** Type errors in one file, checked with the project's compiler options. */
function typeErrors(file: string): string[] {
  const config = ts.readConfigFile(join(packageRoot, 'tsconfig.json'), ts.sys.readFile);
  const options = ts.parseJsonConfigFileContent(config.config, ts.sys, packageRoot).options;
  const program = ts.createProgram([file], options);
  const source = program.getSourceFile(file)!;
  return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) =>
    ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  );
}

describe('npm run new-rule', () => {
  it('writes a collector rule that compiles, its two fixtures (in the example stack), a registry entry and a docs page', async () => {
    const written = scaffoldRule('collector/sample-check', root);
    const ruleFile = join(root, 'src/rules/collector/sample-check.ts');
    expect(written).toContain('src/rules/collector/sample-check.ts');
    expect(typeErrors(ruleFile)).toEqual([]);
    for (const folder of ['collector-sample-check-fail', 'collector-sample-check-pass']) {
      for (const file of ['otel-collector-config.yml', 'docker-compose.yml', 'prometheus.yml'])
        expect(existsSync(join(root, 'fixtures', folder, 'files', file)), `${folder}/${file}`).toBe(true);
      expect(JSON.parse(readFileSync(join(root, 'fixtures', folder, 'case.json'), 'utf8')).description).toMatch(/^TODO/);
    }
    expect(readFileSync(join(root, 'fixtures/collector-sample-check-fail/files/otel-collector-config.yml'), 'utf8')).toMatch(
      /^# TODO: the smallest file the rule reports\nreceivers:/,
    );

    const rule = (await import(ruleFile)).default as AnyRule;
    expect(rule.id).toBe('collector/sample-check');
    expect(rule.bad.text).not.toBe(rule.good.text);
    expect(rule.check).toBeTypeOf('function');
    expect(ruleDocPage(rule)).toContain('collector/sample-check');
    expect(registrySource(root)).toContain("import collectorSampleCheck from './collector/sample-check.js';");
  });

  it('puts a settings example in a home, and rebuilds fixtures from the examples as written', async () => {
    scaffoldRule('settings/sample-check', root);
    expect(typeErrors(join(root, 'src/rules/settings/sample-check.ts'))).toEqual([]);
    expect(readFileSync(join(root, 'fixtures/settings-sample-check-pass/home/.claude/settings.json'), 'utf8')).toContain(
      '"model": "TODO: the same file, corrected"',
    );
    expect(await rebuildFixtures('settings/sample-check', root)).toEqual([
      'fixtures/settings-sample-check-fail/home/.claude/settings.json',
      'fixtures/settings-sample-check-pass/home/.claude/settings.json',
    ]);
  });

  it('refuses to overwrite, a name that is not kebab-case, an unknown area and the doctor area', () => {
    expect(() => scaffoldRule('collector/sample-check', root)).toThrow(/exists already/);
    expect(() => parseRuleId('collector/Sample_Check')).toThrow(/kebab-case/);
    expect(() => parseRuleId('tempo/sample-check')).toThrow(/not an area/);
    expect(() => parseRuleId('doctor/sample-check')).toThrow(/by hand/);
  });

  it('has a template for every area but the doctor', () => {
    for (const area of ['settings', 'collector', 'compose', 'prometheus', 'loki', 'grafana', 'dashboard']) expect(parseRuleId(`${area}/x`).area).toBe(area);
  });
});
