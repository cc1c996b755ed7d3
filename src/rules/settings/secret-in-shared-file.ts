import { defineRule, type RuleFinding } from '../define.js';
import type { EnvSetting } from '../../model/claude-env.js';
import type { Workspace } from '../../model/workspace.js';
import { envCredential } from '../../model/credentials.js';
import { atValue } from '../../model/settings-locate.js';

const SHARED = 'in a file meant to be committed: everyone with repository access gets it';
const FILE = 'in {{file}}';

const messages = {
  headers: {
    message: (d: { variable: string }) => `${d.variable} carries a credential ${SHARED}`,
    detail: (d: { headers: string[]; file: string }) => `${d.headers.join(', ')} in ${d.file}`,
  },
  urlPassword: { message: `{{variable}} has a password in its URL ${SHARED}`, detail: FILE },
  anthropicKey: { message: `{{variable}} holds an Anthropic API key ${SHARED}`, detail: FILE },
  literal: { message: `{{variable}} holds a literal secret ${SHARED}`, detail: FILE },
} as const;

export default defineRule({
  id: 'settings/secret-in-shared-file',
  severity: 'warning',
  title: 'Credential in a file meant to be committed',
  checks:
    'A credential written out literally — an Authorization, api-key, x-api-key or token header in OTEL_EXPORTER_OTLP_*HEADERS, a variable whose name says it holds a credential (a word KEY after the first, TOKEN, SECRET, PASSWORD, PWD, PASSPHRASE, CREDENTIAL, AUTHORIZATION, or a last word AUTH: ANTHROPIC_API_KEY included; not *_FILE, *_URL, *_HELPER and the like, which name where a credential is), the same names the output masks, or a password in an endpoint URL — in project `.claude/settings.json`, or in CI mode in any settings file of the scanned repository except `settings.local.json`.',
  why: '`.claude/settings.json` is shared with the team through git: everyone with read access to the repository (and its history, forks and CI logs) gets the token, and it keeps working until it is rotated.',
  fix: 'none',
  versions: 'all versions',
  bad: {
    file: '<repo>/.claude/settings.json',
    text: '{\n  "env": {\n    "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer glc_eyJvIjoiMTIzNDU2In0"\n  }\n}\n',
  },
  good: {
    file: '<repo>/.claude/settings.json',
    text: '{\n  "otelHeadersHelper": "./scripts/otel-headers.sh"\n}\n',
  },
  references: [
    'https://code.claude.com/docs/en/settings (project settings are shared, settings.local.json is personal)',
    'https://code.claude.com/docs/en/monitoring-usage (OTEL_EXPORTER_OTLP_HEADERS; dynamic headers: otelHeadersHelper)',
  ],
  messages,
  oracle: 'fixtures',
  stage: 'Claude Code settings',
  check(ws) {
    const findings: RuleFinding<typeof messages>[] = [];
    for (const s of ws.claude.settings) {
      if (!isShared(ws, s)) continue;
      const credential = envCredential(s.name, s.value);
      if (!credential) continue;
      const shown = { variable: s.name, file: s.origin.file! };
      findings.push({
        ...atValue(s.origin, s.name),
        ...(credential.kind === 'headers'
          ? { kind: 'headers', data: { ...shown, headers: credential.headers.map((h) => h.display) } }
          : { kind: credential.kind, data: shown }),
        hint: /_HEADERS$/.test(s.name)
          ? 'serve the header from an otelHeadersHelper script (http/json and http/protobuf only), or move the variable to .claude/settings.local.json (git-ignored) or managed settings; then rotate the credential, it is in the history'
          : `move ${s.name} to .claude/settings.local.json (git-ignored), your shell or a keychain${s.name === 'ANTHROPIC_API_KEY' ? ' (or an apiKeyHelper)' : ''}; then rotate the credential, it is in the history`,
      });
    }
    return findings;
  },
});

/** Project settings are committed; in CI mode everything scanned is in a repository, except settings.local.json. */
function isShared(ws: Workspace, s: EnvSetting): boolean {
  const file = s.origin.settings;
  if (!file || file.inline) return false;
  if (file.scope === 'project') return true;
  return ws.mode === 'files' && file.scope !== 'local' && !/(^|[\\/])settings\.local\.json$/.test(file.path);
}
