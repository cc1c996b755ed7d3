import { parseHeaderList } from './prediction.js';

/**
 * What looks like a credential, for the advisory rules. Only names and shapes are judged here; callers must
 * never print a value (messages say `Authorization=Bearer ****` or just the header name).
 */

const CREDENTIAL_HEADER = /authori[sz]ation|auth|token|api-?key|apikey|secret|passw(or)?d|cookie|credential|(^|[-_])key$|^x-honeycomb-team$/i;
const AUTH_SCHEME = /^(Bearer|Basic|Token|ApiKey|Api-Key|Digest|Negotiate|Splunk|GenieKey)(\s+|%20)/i;

/** A header whose value is typically a credential: Authorization, api-key, x-api-key, *-token, x-honeycomb-team, … */
export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADER.test(name.trim());
}

/** A value that is written out literally, as opposed to a placeholder, a reference, a file path, a number or a flag. */
export function isLiteralSecret(value: string, minLength = 6): boolean {
  const v = value.trim().replace(/^["']|["']$/g, '');
  if (v.length < minLength) return false;
  if (/^-?\d+(\.\d+)?$/.test(v) || /^(true|false|yes|no|on|off|none|null)$/i.test(v)) return false;
  if (/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(v) || /^\$\(.*\)$/.test(v)) return false; // $VAR, ${VAR}, $(cmd): not expanded by Claude Code, but not a secret either
  if (/^<[^>]*>$/.test(v) || /^\*+$/.test(v) || /^x{4,}$/i.test(v)) return false;
  if (/^(your|my)[-_ ]|changeme|change[-_]me|placeholder|redacted|replace[-_ ]?me|example/i.test(v)) return false;
  if (/^(\/|~\/|\.\.?\/|[A-Za-z]:[\\/])/.test(v)) return false; // a path to a key file, not the key
  return true;
}

export interface CredentialHeader {
  name: string;
  /** `Authorization=Bearer ****` or `x-api-key=****`: safe to print. */
  display: string;
}

/** Headers in a `k=v,k2=v2` list that carry a literal credential. */
export function credentialHeaders(value: string): CredentialHeader[] {
  const out: CredentialHeader[] = [];
  for (const h of parseHeaderList(value)) {
    if (!h.ok || !isCredentialHeader(h.name)) continue;
    const scheme = AUTH_SCHEME.exec(h.value);
    const secret = scheme ? h.value.slice(scheme[0].length) : h.value;
    if (!isLiteralSecret(secret, scheme ? 3 : 6)) continue;
    out.push({ name: h.name, display: `${h.name}=${scheme ? `${scheme[1]} ` : ''}****` });
  }
  return out;
}

/** Whether a URL carries a password in its user info (https://user:pass@host). */
export function urlHasPassword(url: string): boolean {
  try {
    return new URL(url.trim()).password !== '';
  } catch {
    return false;
  }
}

/** A URL fit for a message: user info removed. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url.trim());
    if (!u.username && !u.password) return url.trim();
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url.trim();
  }
}
