// The JSON Schema validators of src/load/schemas.ts as code generated at build time (ajv's standalone code), so the
// bundle does not compile a schema on every run that reads a settings or config file (about 15 ms, plus loading
// ajv's compiler). The options are those src/load/schemas.ts compiles with at run time; test/unit/
// precompiled-validators.test.ts checks that both give the same verdicts and errors.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const root = join(import.meta.dirname, '..');
const require = createRequire(join(root, 'package.json'));

/** Every schema src/ passes to schemaValidator (a string literal, by the convention of src/load/schemas.ts). */
export function validatorSchemas(dir = join(root, 'src')) {
  const names = new Set();
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) for (const n of validatorSchemas(p)) names.add(n);
    else if (p.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/schemaValidator\(\s*'([^']+)'\s*\)/g)) names.add(m[1]);
  }
  return names;
}

/** The validator of schemas/<name> as a module (ESM, or CommonJS when esm is false) whose default export is it. */
export function standaloneValidator(name, { esm = true } = {}) {
  const { Ajv } = require('ajv');
  const standaloneCode = require('ajv/dist/standalone').default;
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, code: { source: true, esm } });
  const validate = ajv.compile(JSON.parse(readFileSync(join(root, 'schemas', name), 'utf8')));
  return standaloneCode(ajv, validate);
}
