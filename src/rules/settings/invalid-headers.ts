import { defineRule, type RuleFinding } from '../define.js';
import { fix, replaceEnvValue } from '../../model/edits.js';
import type { EffectiveEnv, EffectiveVar } from '../../model/claude-env.js';
import { parseHeaderList } from '../../model/prediction.js';
import type { Severity } from '../../types.js';
import { atValue, where } from '../../model/settings-locate.js';
import { isHttp, listWords, otlpSettingVars, otlpSignals, perSignalVar, type OtlpSignal } from '../../model/otlp-signals.js';
import { STARTS_WITH_AUTH_SCHEME } from '../../util/secrets.js';

const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i;
const COLON_FORM = /^\s*([!#$%&'*+.^_`|~0-9a-z-]+)\s*:\s*(\S.*)$/i;
const QUOTED = /^\s*(["'])(.*)\1\s*$/s;

/** Whether `name: value` is a header in colon form (not, say, a user:password pair, whose parts must not be echoed). */
function looksLikeHeaderName(name: string, value: string): boolean {
  return (
    /^[a-z][a-z0-9-]*$/i.test(name) && (name.includes('-') || /^(authorization|apikey|token|cookie)$/i.test(name) || STARTS_WITH_AUTH_SCHEME.test(value.trim()))
  );
}

/** Which entry of the list: `entry 2 of 3`, or `the entry` when there is one. */
interface Entry {
  index: number;
  count: number;
}

/** What is wrong with a header list, as facts: never a header's value (it may be a credential). */
export type HeaderIssue =
  | { kind: 'quotedList'; quote: string }
  | { kind: 'colonForm'; entry: Entry; name: string }
  | { kind: 'noEquals'; entry: Entry }
  | { kind: 'quotedName'; name: string }
  | { kind: 'invalidName'; entry: Entry }
  | { kind: 'quotedValue'; name: string }
  | { kind: 'percent20'; name: string };

export type HeaderProblem = HeaderIssue & {
  severity: Severity;
  fixable: boolean;
  /** Says what is wrong without the header's value. */
  text: string;
};

const entryLabel = (e: Entry) => (e.count > 1 ? `entry ${e.index} of ${e.count}` : 'the entry');

/** The words for one issue. */
export function headerIssueText(i: HeaderIssue): string {
  switch (i.kind) {
    case 'quotedList':
      return `the whole list is wrapped in literal ${i.quote === '"' ? 'double' : 'single'} quotes, so the first header name starts with a quote, which is not a valid HTTP header name: every export fails`;
    case 'colonForm':
      return `${entryLabel(i.entry)} is written "${i.name}: …" (colon form); Claude Code splits entries on "=", so no ${i.name} header is sent as intended (write ${i.name}=…)`;
    case 'noEquals':
      return `${entryLabel(i.entry)} has no "=", so it is not sent as a header`;
    case 'quotedName':
      return `the header name ${i.name} is written with literal quotes, which is not a valid HTTP header name: every export fails`;
    case 'invalidName':
      return `${entryLabel(i.entry)} has a header name that is not a valid HTTP token (spaces, quotes or other separators): every http export fails ("Header name must be a valid HTTP token")`;
    case 'quotedValue':
      return `the value of ${i.name} is wrapped in literal quotes, which Claude Code sends as part of the value, so the receiver sees a wrong credential`;
    case 'percent20':
      return `the value of ${i.name} contains %20, which Claude Code sends verbatim over http (no percent-decoding), so the receiver sees "%20" instead of a space`;
  }
}

function problem(issue: HeaderIssue, severity: Severity, fixable: boolean): HeaderProblem {
  return { ...issue, severity, fixable, text: headerIssueText(issue) };
}

export interface HeaderAnalysis {
  problems: HeaderProblem[];
  /** The value with every fixable problem corrected (equal to the input when there is nothing to fix). */
  fixed: string;
}

/**
 * Checks one k=v header list as Claude Code reads it for http (split on ",", then on the first "=", trimmed,
 * no percent-decoding). `http` says whether some signal sends it over http (the %20 warning applies then).
 * Problem texts name headers but never contain a value.
 */
export function analyseHeaders(value: string, http: boolean): HeaderAnalysis {
  const problems: HeaderProblem[] = [];
  let body = value;
  const whole = QUOTED.exec(value);
  if (whole?.[2].includes('=') && !whole[2].includes(whole[1])) {
    body = whole[2];
    problems.push(problem({ kind: 'quotedList', quote: whole[1] }, 'error', true));
  }
  const entries = parseHeaderList(body);
  const count = entries.length;
  let offset = 0;
  const fixedParts = body.split(',').map((part) => {
    const start = offset;
    offset += part.length + 1;
    if (part.trim() === '') return part;
    const entry = entries.find((e) => e.offset === start)!;
    const at: Entry = { index: entries.indexOf(entry) + 1, count };
    let name = entry.name;
    let headerValue = entry.value;
    let changed = false;
    const colon = COLON_FORM.exec(part);
    if (colon && (!entry.ok || entry.name.includes(':')) && looksLikeHeaderName(colon[1], colon[2])) {
      name = colon[1];
      headerValue = colon[2].trim();
      changed = true;
      problems.push(problem({ kind: 'colonForm', entry: at, name }, 'error', true));
    } else if (!entry.ok) {
      problems.push(problem({ kind: 'noEquals', entry: at }, 'error', false));
      return part;
    } else {
      const unquotedName = name.replace(/^["']+|["']+$/g, '');
      if (unquotedName !== name && HTTP_TOKEN.test(unquotedName)) {
        problems.push(problem({ kind: 'quotedName', name: unquotedName }, 'error', true));
        name = unquotedName;
        changed = true;
      } else if (!HTTP_TOKEN.test(name)) {
        // The bad name is not shown: it may hold part of a credential.
        problems.push(problem({ kind: 'invalidName', entry: at }, 'error', false));
      }
    }
    const valueQuoted = QUOTED.exec(headerValue);
    if (valueQuoted) {
      problems.push(problem({ kind: 'quotedValue', name }, 'error', true));
      headerValue = valueQuoted[2];
      changed = true;
    }
    if (http && /%20/i.test(headerValue)) {
      problems.push(problem({ kind: 'percent20', name }, 'warning', true));
      headerValue = headerValue.replace(/%20/gi, ' ');
      changed = true;
    }
    if (!changed) return part;
    const lead = /^\s*/.exec(part)![0];
    return `${lead}${name}=${headerValue}`;
  });
  return { problems, fixed: problems.some((p) => p.fixable) ? fixedParts.join(',') : value };
}

const messages = {
  problems: {
    message: (d: { variable: string; problems: HeaderIssue[] }) =>
      `${d.variable} has ${d.problems.length === 1 ? 'a problem' : `${d.problems.length} problems`}: its headers are not sent as intended`,
    detail: (d: { where: string; problems: HeaderIssue[] }) => `set ${d.where}: ${d.problems.map(headerIssueText).join('; ')}`,
  },
  conflict: {
    message: (d: { variable: string; headers: string[]; signal: string }) =>
      `${d.variable} sets ${listWords(d.headers)} in vain: Claude Code sends OTEL_EXPORTER_OTLP_HEADERS' value with ${d.signal}`,
    detail: (d: { variable: string; where: string; genericWhere: string; headers: string[]; protocol: string }) =>
      `${d.variable} ${d.where} and OTEL_EXPORTER_OTLP_HEADERS ${d.genericWhere} both set ${listWords(d.headers)} with different values; over ${d.protocol} the per-signal one is ignored (only gRPC lets it win)`,
  },
} as const;
type InvalidHeadersFinding = RuleFinding<typeof messages>;

function checkVariable(v: EffectiveVar, readers: OtlpSignal[]): InvalidHeadersFinding | undefined {
  const http = readers.some((r) => isHttp(r.protocol));
  const { problems, fixed } = analyseHeaders(v.value, http);
  if (problems.length === 0) return undefined;
  const severity: Severity = problems.some((p) => p.severity === 'error') ? 'error' : 'warning';
  const edits = fixed !== v.value ? replaceEnvValue(v.origin, v.name, fixed) : [];
  const fixedKinds = problems.filter((p) => p.fixable).length;
  return {
    ...atValue(v.origin, v.name),
    severity,
    kind: 'problems',
    data: { variable: v.name, where: where(v.origin), problems },
    hint:
      edits.length > 0
        ? `write plain name=value pairs separated by commas, e.g. Authorization=Bearer ****,X-Scope-OrgID=**** (--fix corrects ${fixedKinds > 1 ? 'these' : 'this'})`
        : 'write plain name=value pairs separated by commas, e.g. Authorization=Bearer ****,X-Scope-OrgID=****',
    fix: fix('safe', `rewrite ${v.name} as plain name=value pairs`, edits),
  };
}

/** Keys set by both the generic and a per-signal header variable with different values: over http the generic one wins. */
function conflicts(env: EffectiveEnv, signals: OtlpSignal[]): InvalidHeadersFinding[] {
  const generic = env.get('OTEL_EXPORTER_OTLP_HEADERS');
  if (!generic) return [];
  const genericValues = new Map(
    parseHeaderList(generic.value)
      .filter((h) => h.ok)
      .map((h) => [h.name.toLowerCase(), h.value]),
  );
  const findings: InvalidHeadersFinding[] = [];
  for (const s of signals) {
    if (!isHttp(s.protocol)) continue;
    const per = env.get(perSignalVar('HEADERS', s.signal));
    if (!per) continue;
    const shadowed = parseHeaderList(per.value).filter(
      (h) => h.ok && genericValues.has(h.name.toLowerCase()) && genericValues.get(h.name.toLowerCase()) !== h.value,
    );
    if (shadowed.length === 0) continue;
    const names = [...new Set(shadowed.map((h) => h.name))];
    findings.push({
      ...atValue(per.origin, per.name),
      severity: 'warning',
      kind: 'conflict',
      data: { variable: per.name, where: where(per.origin), genericWhere: where(generic.origin), headers: names, protocol: s.protocol!, signal: s.signal },
      hint: `remove ${listWords(names)} from OTEL_EXPORTER_OTLP_HEADERS and give every signal its own ${names.length > 1 ? 'values' : 'value'} in OTEL_EXPORTER_OTLP_<SIGNAL>_HEADERS, or use one value for all`,
    });
  }
  return findings;
}

export default defineRule({
  id: 'settings/invalid-headers',
  severity: 'error',
  title: 'OTLP headers are not a plain name=value list',
  checks:
    'OTEL_EXPORTER_OTLP_HEADERS and OTEL_EXPORTER_OTLP_<SIGNAL>_HEADERS for signals that export with otlp. Errors: an entry without "=", the `Authorization: Bearer …` colon form, literal quotes around the list, a name or a value, a header name that is not an HTTP token. Warnings: `%20` in a value sent over http/json or http/protobuf (sent verbatim), and a key set by both the generic and a per-signal variable with different values over http (the generic value wins).',
  why: 'Claude Code parses http headers itself: split on ",", then on the first "=", trimmed, never percent-decoded. A quoted list makes every export fail ("ERR_INVALID_HTTP_TOKEN: Header name must be a valid HTTP token"), a colon-form or quoted credential is not the credential the receiver expects, `Bearer%20abc` arrives as "Bearer%20abc", and over http a per-signal header loses to the generic one with the same name. The receiver then rejects the exports (401/403) and nothing is printed.',
  fix: 'safe',
  fixDescription:
    'Rewrites the list as plain name=value pairs: `Name: value` → `Name=value`, removes literal quotes around the list, names and values, and replaces %20 with a space (a literal space works over http and gRPC). Entries without "=" and conflicting generic/per-signal keys need a hand.',
  versions: 'all versions (observed on 2.1.197, E9, E10, E11); per-signal header variables are documented from 2.1.240 but present in 2.1.197',
  bad: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel.example.com",\n    "OTEL_EXPORTER_OTLP_HEADERS": "Authorization: Bearer%20<token>"\n  }\n}\n',
  },
  good: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel.example.com",\n    "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer <token>"\n  }\n}\n',
  },
  references: [
    'measured on real Claude Code: test/conformance/cases.ts, case "invalid-headers: %20 is sent verbatim over http"',
    'measured on real Claude Code: test/conformance/cases.ts, case "invalid-headers: literal quotes make every export fail"',
    'measured on real Claude Code: test/conformance/cases.ts, case "invalid-headers: generic value wins over the per-signal one over http"',
    'https://code.claude.com/docs/en/monitoring-usage',
  ],
  messages,
  oracle: 'claude-code',
  stage: 'OTLP endpoint',
  check(ws) {
    const env = ws.claude.env;
    const findings: InvalidHeadersFinding[] = [];
    for (const { v, readers } of otlpSettingVars(env, 'HEADERS')) {
      if (readers.length === 0) continue;
      const f = checkVariable(v, readers);
      if (f) findings.push(f);
    }
    findings.push(...conflicts(env, otlpSignals(env)));
    return findings;
  },
});
