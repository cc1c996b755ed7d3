// Secrets never in output: the rule that calls a variable a credential (settings/secret-in-shared-file) and the
// masking of the output judge names by one function (isSecretName). When they differed, a value the rule had just
// called "a literal secret" was printed in the source line under it (KEY_ID, GPG_PASSPHRASE), and a masked one
// (DB_PWD) got no warning.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'cod-secret-names-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const empty = join(root, 'empty');
mkdirSync(empty);

// Each value distinct and literal-looking (no placeholder, path or number).
const VARIABLES: Record<string, string> = {
  KEY_ID: 'kq8Zr2vLx9Tw',
  DB_PWD: 'pw7Hq2xZkL9a',
  GPG_PASSPHRASE: 'ph4Nc8wQm2Rt',
  BASIC_AUTH: 'ba5Mv1yTr8Qe',
  ANTHROPIC_AUTH_TOKEN: 'at3Kd9sLp6Wz',
  MY_SERVICE_API_KEY: 'ak2Gf7jHn4Xc',
  SERVICE_TOKEN_URL: 'https://auth.example.com/oauth/token',
  CLAUDE_CODE_MAX_OUTPUT_TOKENS: '32000',
};
const project = join(root, 'project');
mkdirSync(join(project, '.claude'), { recursive: true });
// One variable per line, so each finding's source line shows only its own value.
writeFileSync(
  join(project, '.claude', 'settings.json'),
  `{\n  "env": {\n${Object.entries(VARIABLES)
    .map(([k, v]) => `    "${k}": "${v}"`)
    .join(',\n')}\n  }\n}\n`,
);

const check = (format: string) =>
  runCli(['check', '--no-shell-env', '--claude-version', '2.1.197', '--home', empty, '--project', project, '--managed-dir', empty, '--format', format], {
    NO_COLOR: '1',
  });

describe('a variable the doctor calls a credential is never printed, and one it masks is warned about', () => {
  const flagged = (JSON.parse(check('json').stdout).findings as { ruleId: string; message: string }[])
    .filter((f) => f.ruleId === 'settings/secret-in-shared-file')
    .map((f) => /^(\w+) holds/.exec(f.message)?.[1]);

  it('the names warned about', () => {
    expect(flagged.sort()).toEqual(['ANTHROPIC_AUTH_TOKEN', 'BASIC_AUTH', 'DB_PWD', 'GPG_PASSPHRASE', 'MY_SERVICE_API_KEY']);
  });

  for (const format of ['pretty', 'concise', 'json', 'sarif', 'github']) {
    it(`--format ${format}: warned about exactly when masked`, () => {
      const out = check(format).stdout;
      for (const name of flagged) expect(out, `${name} is called a secret but printed`).not.toContain(VARIABLES[name!]);
      if (format === 'pretty') {
        // The source line under each warning shows the mask where the value was.
        for (const name of flagged) expect(out).toContain(`"${name}": "****"`);
      }
    });
  }
});
