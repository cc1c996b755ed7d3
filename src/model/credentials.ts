import { parseHeaderList } from './prediction.js';
import { isAnthropicKey, isCredentialHeader, isLiteralSecret, isSecretName, splitAuthScheme, urlHasPassword } from '../util/secrets.js';

/**
 * What looks like a credential in Claude Code settings, for the advisory rules and the fixer. Names and values are
 * judged by util/secrets.ts; this adds what needs the model (header lists). Callers must never print a value
 * (messages say `Authorization=Bearer ****` or just the header name).
 */

export { displayUrl, isCredentialHeader, isLiteralSecret, urlHasPassword } from '../util/secrets.js';

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
    const { scheme, token } = splitAuthScheme(h.value);
    if (!isLiteralSecret(token, scheme ? 3 : 6)) continue;
    out.push({ name: h.name, display: `${h.name}=${scheme ? `${scheme} ` : ''}****` });
  }
  return out;
}

/** A credential written out in an env entry, described without its value. */
export type EnvCredential = { kind: 'headers'; headers: CredentialHeader[] } | { kind: 'urlPassword' } | { kind: 'anthropicKey' } | { kind: 'literal' };

/** The credential an env entry (`name`, `value`) carries written out; undefined when none. */
export function envCredential(name: string, value: string): EnvCredential | undefined {
  if (/_HEADERS$/.test(name)) {
    const headers = credentialHeaders(value);
    return headers.length > 0 ? { kind: 'headers', headers } : undefined;
  }
  if (/_ENDPOINT$/.test(name) && urlHasPassword(value)) return { kind: 'urlPassword' };
  if (isAnthropicKey(value)) return { kind: 'anthropicKey' };
  return isSecretName(name) && isLiteralSecret(value) ? { kind: 'literal' } : undefined;
}
