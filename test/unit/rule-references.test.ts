// `explain` and the docs pages print each rule's and probe's references: users must be able to open every one.
// A reference is a public URL, or a file of this repository (the test that measures the fact, e.g. a conformance
// case on real Claude Code); never the project's internal reference notes ("claude-code.md §1").
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROBES } from '../../src/probes/index.js';
import { RULES } from '../../src/rules/index.js';
import { packageRoot } from '../../src/util/paths.js';

const owners: [string, string[]][] = [
  ...RULES.map((r): [string, string[]] => [r.id, r.references]),
  ...PROBES.map((p): [string, string[]] => [`probe ${p.id}`, p.references]),
];

/** Paths of this repository a reference names, e.g. `test/conformance/cases.ts`. */
function repoPaths(ref: string): string[] {
  return [...ref.matchAll(/(?:^|[\s(:,])((?:test|src|scripts|schemas|corpus|fixtures|docs)\/[\w./-]*\w|README\.md|SECURITY\.md)/g)].map((m) => m[1]);
}

describe('rule and probe references', () => {
  it('every reference is a public URL or a file of this repository', () => {
    const bad: string[] = [];
    for (const [owner, refs] of owners) {
      for (const ref of refs) {
        if (ref.startsWith('https://')) continue;
        const paths = repoPaths(ref);
        if (paths.length === 0 || !paths.every((p) => existsSync(join(packageRoot, p)))) bad.push(`${owner}: ${ref}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('no reference cites the internal reference notes', () => {
    const notes = /§|(?<![\w/.-])(claude-code|collector|prometheus|grafana-loki|peers)\.md\b/;
    const bad = owners.flatMap(([owner, refs]) => refs.filter((r) => notes.test(r)).map((r) => `${owner}: ${r}`));
    expect(bad).toEqual([]);
  });

  it('a cited test case exists under that name', () => {
    const bad: string[] = [];
    for (const [owner, refs] of owners) {
      for (const ref of refs) {
        const m = ref.match(/^[^"]*?((?:test)\/[\w./-]*\w), case "(.+)"$/);
        if (m && !readFileSync(join(packageRoot, m[1]), 'utf8').includes(m[2])) bad.push(`${owner}: ${ref}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('every rule and probe has a reference; a URL reference is one whole URL and its note', () => {
    for (const [owner, refs] of owners) {
      expect(refs.length, owner).toBeGreaterThan(0);
      for (const ref of refs.filter((r) => r.startsWith('https://'))) {
        expect(ref, owner).toMatch(/^https:\/\/[\w.-]+\.[a-z]{2,}(\/\S*)?( .*)?$/);
        expect(ref.match(/https?:\/\/[\w-]+\./g)?.length, `${owner}: one URL per reference: ${ref}`).toBe(1);
      }
    }
  });
});
