import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { docsFiles } from '../../scripts/gen-docs.js';
import { RULES } from '../../src/rules/index.js';
import { packageRoot } from '../../src/util/paths.js';
import { runCli, runCliProcess } from '../helpers/cli.js';

describe('rule docs and metadata stay in sync', () => {
  for (const [rel, text] of docsFiles()) {
    it(rel, () => {
      const path = join(packageRoot, rel);
      expect(existsSync(path), `${rel} missing: run npm run docs`).toBe(true);
      expect(readFileSync(path, 'utf8'), `${rel} is stale: run npm run docs`).toBe(text);
    });
  }

  it('every rule has complete metadata', () => {
    for (const r of RULES) {
      expect(r.id).toMatch(/^(settings|collector|prometheus|compose|kubernetes|loki|grafana|dashboard|doctor)\/[a-z0-9-]+$/);
      for (const key of ['title', 'checks', 'why', 'versions'] as const) expect(r[key].length, `${r.id}.${key}`).toBeGreaterThan(10);
      expect(r.bad.text, `${r.id} bad example`).not.toBe(r.good.text);
      expect(r.references.length, `${r.id} references`).toBeGreaterThan(0);
      if (r.fix !== 'none') expect(r.fixDescription, `${r.id} fixDescription`).toBeTruthy();
    }
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });

  it('`rules` lists every rule and `explain` prints the same metadata', () => {
    const list = runCli(['rules']).stdout;
    for (const r of RULES) expect(list).toContain(r.id);
    const json = JSON.parse(runCli(['rules', '--format', 'json']).stdout);
    expect(json.filter((r: { kind?: string }) => r.kind !== 'probe').map((r: { id: string }) => r.id)).toEqual(RULES.map((r) => r.id));
    for (const r of RULES) {
      const out = runCli(['explain', r.id], { NO_COLOR: '1' }).stdout;
      expect(out).toContain(r.why);
      expect(out).toContain(r.bad.text.split('\n')[1] ?? r.bad.text);
    }
  });

  it('--help works on every command and --version prints the package version', () => {
    for (const cmd of [[], ['check'], ['probe'], ['rules'], ['explain'], ['restore']]) {
      const res = runCliProcess([...cmd, '--help']);
      expect(res.exitCode).toBe(0);
      expect(res.stdout).toMatch(/Usage:/);
    }
    const v = runCliProcess(['--version']);
    expect(v.exitCode).toBe(0);
    expect(v.stdout).toContain(JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version);
  });
});
