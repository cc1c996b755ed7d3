// The OTEL_* names in the newest known Claude Code binary's strings must all be known to the doctor, or
// settings/unknown-variable would call a real variable a typo. Needs the provisioned binary.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLAUDE_VARIABLES_SEEN_FROM, isKnownOtelVariable, KNOWN_CLAUDE_VARIABLES } from '../../src/model/known-variables.js';
import { atLeast, NEWEST_KNOWN_CLAUDE } from '../../src/model/versions.js';
import { claudeBinary } from '../harness/claude-path.js';

/** OTEL_* strings in the bundle that are not variables: a prefix fragment and span-status constants. */
const NOT_VARIABLES = new Set(['OTEL_BLRP', 'OTEL_STATUS_CODE_VALUE_ERROR', 'OTEL_STATUS_CODE_VALUE_OK']);

const binary = claudeBinary(NEWEST_KNOWN_CLAUDE);
const inCI = process.env.CI === 'true';
if (!binary && !inCI) console.warn(`\n*** SKIPPING binary variables: Claude Code ${NEWEST_KNOWN_CLAUDE} not provisioned. ***\n`);

(binary || inCI ? describe : describe.skip)(`OTEL_* variables of Claude Code ${NEWEST_KNOWN_CLAUDE}`, () => {
  const text = binary ? readFileSync(binary).toString('latin1') : '';
  it('every OTEL_* name in the binary is known', () => {
    const names = new Set(text.match(/\bOTEL_[A-Z0-9_]*[A-Z0-9]\b/g) ?? []);
    expect(names.size).toBeGreaterThan(50);
    expect([...names].filter((n) => !NOT_VARIABLES.has(n) && !isKnownOtelVariable(n)).sort()).toEqual([]);
  });
  it('the variables first seen in newer versions are in the binary and known', () => {
    for (const [name, from] of Object.entries(CLAUDE_VARIABLES_SEEN_FROM)) {
      expect(atLeast(NEWEST_KNOWN_CLAUDE, from), name).toBe(true);
      expect(text.includes(name), name).toBe(true);
      expect(isKnownOtelVariable(name) || KNOWN_CLAUDE_VARIABLES.has(name), name).toBe(true);
    }
  });
});
