// The registry (src/rules/index.ts) is generated from the rule files: it must be what the generator writes now, and
// each rule's id must be its file's path, so neither a hand-kept list nor a mistyped id can drift. (A folder under
// src/rules that is not in AREAS makes the generator throw.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REGISTRY_FILE, registrySource, ruleIds } from '../../scripts/gen-registry.js';
import { RULES } from '../../src/rules/index.js';
import { packageRoot } from '../../src/util/paths.js';

describe('rule registry', () => {
  it(`${REGISTRY_FILE} is up to date (npm run gen-registry)`, () => {
    expect(readFileSync(join(packageRoot, REGISTRY_FILE), 'utf8'), `${REGISTRY_FILE} is stale: run npm run gen-registry`).toBe(registrySource());
  });

  it("every rule's id is its file's path, src/rules/<id>.ts", () => {
    // The registry imports the files in ruleIds() order, so the n-th rule came from the n-th path.
    expect(RULES.map((r) => r.id)).toEqual(ruleIds());
  });
});
