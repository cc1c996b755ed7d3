import type { Workspace } from '../model/workspace.js';

const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH)/i;
const AUTH_SCHEME = /^(Bearer|Basic|Token|ApiKey|Api-Key|Digest|Negotiate)(\s+|%20)/i;

/**
 * Every string in a workspace that could be a credential: header values (without their auth scheme, so
 * `Authorization=Bearer abc` prints as `Authorization=Bearer ****`) and values of secret-looking variables.
 */
export function collectSecrets(workspaces: Workspace[]): Set<string> {
  const secrets = new Set<string>();
  const add = (v: string) => {
    const t = v.trim().replace(/^["']|["']$/g, '');
    if (t.length >= 3) secrets.add(t);
  };
  for (const ws of workspaces) {
    for (const s of ws.claude.settings) {
      if (/_HEADERS$/.test(s.name)) {
        for (const part of s.value.split(',')) {
          const eq = part.indexOf('=');
          // A malformed entry still holds a credential: `Authorization: Bearer abc` (colon form) or a bare token.
          const colon = part.indexOf(':');
          const value = (eq >= 0 ? part.slice(eq + 1) : colon >= 0 ? part.slice(colon + 1) : part).trim();
          add(value.replace(AUTH_SCHEME, ''));
        }
      } else if (SECRET_NAME.test(s.name) && !/^OTEL_LOG_|_EXPORTER$|_PROTOCOL$/.test(s.name)) {
        add(s.value);
      }
    }
  }
  return secrets;
}

/** Replaces every secret in a text with ****; longest first so a secret containing another is masked whole. */
export function redact(text: string, secrets: Set<string>): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    out = out.split(s).join('****');
    const json = JSON.stringify(s).slice(1, -1); // the same secret as it appears inside JSON output
    if (json !== s) out = out.split(json).join('****');
  }
  return out;
}
