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
 * every run finds nothing. Not ajv's standalone code generated at build time: the tests run src/, so they would
 * exercise another validator than the bundle ships (or a generated file would have to follow every ajv release),
 * to save compiling two small schemas, about 15 ms, plus loading ajv, about 20 ms, in a run that validates.
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
