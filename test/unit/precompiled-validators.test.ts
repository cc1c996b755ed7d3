// The bundle validates settings and config files with validators generated at build time (scripts/validators.mjs,
// ajv's standalone code); the tests run src/, which compiles the schemas at run time. Both must give the same verdict
// and the same errors (the messages the doctor prints come from them), on every settings file of the fixtures and
// corpus and on config files broken in each way the schema refuses.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as jsonc from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { schemaValidator } from '../../src/load/schemas.js';
import { packageRoot } from '../../src/util/paths.js';

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };

/** The generated validators, as the build makes them (CommonJS here, to load them without a bundler). */
function generated(): Map<string, Validate> {
  const script = `import { standaloneValidator, validatorSchemas } from ${JSON.stringify(join(packageRoot, 'scripts', 'validators.mjs'))};
process.stdout.write(JSON.stringify([...validatorSchemas()].map((n) => [n, standaloneValidator(n, { esm: false })])));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const require = createRequire(join(packageRoot, 'package.json'));
  return new Map(
    (JSON.parse(r.stdout) as [string, string][]).map(([name, code]) => {
      const module = { exports: {} as { default: Validate } };
      new Function('module', 'exports', 'require', code)(module, module.exports, require);
      return [name, module.exports.default];
    }),
  );
}

function files(dir: string, match: (name: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && match(e.name))
    .map((e) => join(e.parentPath, e.name));
}

const settingsInputs = [
  ...[...files(join(packageRoot, 'fixtures'), (n) => /settings.*\.json/.test(n)), ...files(join(packageRoot, 'corpus'), (n) => /settings.*\.json/.test(n))].map(
    (f) => jsonc.parse(readFileSync(f, 'utf8'), [], { allowTrailingComma: true }) as unknown,
  ),
  { env: { OTEL_METRICS_EXPORTER: 1 } },
  { env: 'not an object' },
  { permissions: { allow: 'Bash' } },
  [],
  null,
];
const configInputs = [
  {},
  { rules: { 'settings/missing-protocol': 'warning' }, ignorePaths: ['vendor/**'], versions: { claudeCode: '2.1.197' } },
  { rules: { 'settings/missing-protocol': 'loud' } },
  { ignorePaths: 'vendor/**' },
  { unknownKey: true, versions: { claudeCode: 2 } },
  { ignore: [{ rules: ['settings/missing-protocol'] }, { path: 1, rules: 'x' }] },
  'a string',
];

describe('validators generated at build time', () => {
  const built = generated();

  it('exist for every schema src/ validates with, and no other', () => {
    expect([...built.keys()].sort()).toEqual(['claude-settings.schema.json', 'doctor-config.schema.json']);
  });

  for (const [name, inputs] of [
    ['claude-settings.schema.json', settingsInputs],
    ['doctor-config.schema.json', configInputs],
  ] as const) {
    it(`${name}: the same verdicts and errors as the schema compiled at run time (${inputs.length} inputs)`, () => {
      expect(inputs.length).toBeGreaterThan(5);
      const runtime = schemaValidator(name);
      const precompiled = built.get(name)!;
      let refused = 0;
      for (const input of inputs) {
        const ok = runtime(input);
        const errors = runtime.errors;
        expect(precompiled(input)).toBe(ok);
        expect(precompiled.errors ?? null).toEqual(errors ?? null);
        if (!ok) refused++;
      }
      expect(refused).toBeGreaterThan(2);
    });
  }
});
