import type { Ajv, ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { lazyRequire } from '../util/lazy.js';
import { schemaPath } from '../util/paths.js';

const ajvModule = lazyRequire<typeof import('ajv')>('ajv');
let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

/**
 * The validator of one of our schemas in `schemas/` (compiled on first use, then kept). One Ajv instance serves
 * them all, created with ajv itself on the first validation: `--version`, `rules` and a run without a settings or
 * config file never load it. `validateSchema: false`: these schemas are ours and shipped with the tool, so
 * checking them against the draft-07 meta-schema (which compiles the meta-schema first, most of the cost) on
 * every run finds nothing. The CLI bundle does not run this: scripts/build.mjs puts validators generated at build
 * time in its place (scripts/validators.mjs, the same options), which saves compiling on every run that reads a
 * settings or config file; test/unit/precompiled-validators.test.ts holds the two to the same verdicts and errors.
 * Names are string literals: the build finds them in src/ by that.
 */
export function schemaValidator(name: string): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    ajv ??= new (ajvModule().Ajv)({ allErrors: true, strict: false, validateSchema: false });
    validate = ajv.compile(JSON.parse(readFileSync(schemaPath(name), 'utf8')));
    compiled.set(name, validate);
  }
  return validate;
}
