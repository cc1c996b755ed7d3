import { defineRule, type RuleFinding } from '../define.js';
import { fix, replaceEnvValue } from '../../model/edits.js';
import type { EffectiveVar } from '../../model/claude-env.js';
import { hasScheme, httpUrl, type Signal } from '../../model/prediction.js';
import type { FixSafety, Severity } from '../../types.js';
import { atValue, where } from '../../model/settings-locate.js';
import {
  displayUrl,
  isHttp,
  isIpAddress,
  isLoopback,
  listWords,
  otlpSettingVars,
  parseEndpoint,
  perSignalVar,
  type OtlpSignal,
  type ParsedEndpoint,
} from '../../model/otlp-signals.js';

/** What is wrong with an endpoint, as facts. */
type EndpointIssue =
  | { kind: 'notUrl'; signals: Signal[] /** Signals posted over HTTP, which fall back to the default URL (no scheme). */; fallback: Signal[] }
  | {
      kind: 'noScheme';
      /** Signals posted over HTTP, which ignore it; `byLuck` when the default they use is the place it names. */
      http: Signal[];
      byLuck: boolean;
      /** Signals dialled over gRPC with TLS, which fails for an IP address or a plaintext collector, or may work. */
      grpc: Signal[];
      grpcTls: 'ip' | 'plaintext' | 'maybe';
      host: string;
      /** Some signal has no protocol known. */
      unknownProtocol: boolean;
    }
  | { kind: 'genericWithPath'; suffix: string; path: string; signals: Signal[] }
  | { kind: 'noPath'; signal: Signal }
  | { kind: 'otherSignalPath'; other: string; signal: Signal }
  | { kind: 'trailingSlash'; signal: Signal }
  | { kind: 'otherPath'; path: string; signal: Signal }
  | { kind: 'wrongScheme'; scheme: string; signals: Signal[] };

const verbatim = (signal: Signal) =>
  ` (${perSignalVar('ENDPOINT', signal)} is used verbatim; only the generic OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/<signal> appended)`;

/** The words for one issue. */
function issueText(i: EndpointIssue): string {
  switch (i.kind) {
    case 'notUrl':
      return `it is not a URL: ${i.fallback.length ? `over HTTP Claude Code falls back to http://localhost:4318/v1/<signal> for ${listWords(i.fallback)}` : `every export of ${listWords(i.signals)} fails`}`;
    case 'noScheme': {
      const texts: string[] = [];
      if (i.http.length)
        texts.push(
          `over HTTP Claude Code ignores it and posts ${listWords(i.http)} to the default http://localhost:4318/v1/<signal>${i.byLuck ? ' (the same place, by luck)' : ''}`,
        );
      if (i.grpc.length) {
        const dialled = `over gRPC ${listWords(i.grpc)} are dialled with TLS`;
        texts.push(
          i.grpcTls === 'ip'
            ? `${dialled}, which fails for an IP address ("Setting the TLS ServerName to an IP address is not permitted")`
            : i.grpcTls === 'plaintext'
              ? `${dialled}, which fails against a plaintext collector`
              : `${dialled}; that works only if ${i.host} really speaks TLS`,
        );
      }
      if (i.unknownProtocol) texts.push('Claude Code needs http:// or https:// in front of it');
      return `it has no scheme: ${texts.join('; ')}`;
    }
    case 'genericWithPath':
      return `it already ends in ${i.suffix}, but Claude Code appends /v1/<signal> to the generic endpoint, so it posts ${listWords(i.signals.map((s) => `${s} to ${i.path}/v1/${s}`))}: the receiver answers 404`;
    case 'noPath':
      return `it has no path, so Claude Code posts ${i.signal} to /${verbatim(i.signal)}: a collector answers 404`;
    case 'otherSignalPath':
      return `its path ends in /v1/${i.other}, so ${i.signal} are posted to the ${i.other} receiver, which rejects them`;
    case 'trailingSlash':
      return `its path ends in "/v1/${i.signal}/" with a trailing slash, which is posted verbatim; OTLP receivers serve /v1/${i.signal} exactly`;
    case 'otherPath':
      return `its path ${i.path} does not end in /v1/${i.signal}, and Claude Code posts ${i.signal} to exactly that path${verbatim(i.signal)}; OTLP receivers expect …/v1/${i.signal}`;
    case 'wrongScheme':
      return `its scheme is ${i.scheme}://, but ${listWords(i.signals)} are posted over HTTP, which needs http:// or https://: every export fails`;
  }
}

/** What is wrong, in a few words, for the headline. */
function issueShort(i: EndpointIssue): string {
  switch (i.kind) {
    case 'notUrl':
      return 'is not a URL';
    case 'noScheme':
      return 'has no scheme';
    case 'genericWithPath':
      return `already ends in ${i.suffix}`;
    case 'noPath':
      return 'has no path';
    case 'otherSignalPath':
      return `ends in /v1/${i.other}`;
    case 'trailingSlash':
      return 'ends in a slash';
    case 'otherPath':
      return `does not end in /v1/${i.signal}`;
    case 'wrongScheme':
      return `has the scheme ${i.scheme}://`;
  }
}

type Unusable = { variable: string; endpoint: string; where: string; issues: { issue: EndpointIssue; later: boolean }[] };
const messages = {
  unusable: {
    message: (d: Unusable) => `${d.variable}=${d.endpoint} ${d.issues.map((i) => issueShort(i.issue)).join(' and ')}: exports there go wrong`,
    detail: (d: Unusable) => `set ${d.where}: ${d.issues.map((i) => `${i.later ? 'once it has a scheme, ' : ''}${issueText(i.issue)}`).join('; ')}`,
  },
} as const;

interface Issue {
  severity: Severity;
  issue: EndpointIssue;
  /** Rewrites the value (applied in order); absent when there is no automatic fix for this issue. */
  transform?: (value: string) => string;
  safety?: FixSafety;
  /** Describes what would happen after an earlier issue is fixed; does not raise the severity. */
  later?: boolean;
}

const SIGNAL_PATH = /\/v1\/(metrics|logs|traces)\/?$/;

/** The scheme an endpoint written without one clearly needs: plaintext for a local or standard-port collector, TLS for 443. */
export function schemeFor(p: ParsedEndpoint): 'http://' | 'https://' | undefined {
  if (p.port === 443) return 'https://';
  if (isLoopback(p.host) || p.port === 4317 || p.port === 4318) return 'http://';
  return undefined;
}

/** Whether two http URLs reach the same place (loopback names count as one host). */
function sameTarget(a: string, b: string): boolean {
  const pa = parseEndpoint(a);
  const pb = parseEndpoint(b);
  if (!pa || !pb) return false;
  const host = (p: ParsedEndpoint) => (isLoopback(p.host) ? 'loopback' : p.host.toLowerCase());
  const port = (p: ParsedEndpoint) => p.port ?? (p.scheme === 'https' ? 443 : 80);
  return pa.scheme === pb.scheme && host(pa) === host(pb) && port(pa) === port(pb) && pa.path.replace(/\/+$/, '') === pb.path.replace(/\/+$/, '');
}

/**
 * An endpoint without a scheme. `complete` applies the other fixes to the value once a scheme is in front, so
 * the "works by luck" case compares the fully fixed URL with the default Claude Code really uses.
 */
function noSchemeIssues(value: string, p: ParsedEndpoint, readers: OtlpSignal[], generic: boolean, complete: (v: string) => string): Issue[] {
  const http = readers.filter((r) => isHttp(r.protocol));
  const grpc = readers.filter((r) => r.protocol === 'grpc');
  const unknown = readers.filter((r) => !r.protocol);
  const guess = schemeFor(p);
  const plaintextGrpc = isLoopback(p.host) || isIpAddress(p.host) || p.port === 4317 || p.port === 4318;
  const scheme = guess ?? (http.length === 0 && unknown.length === 0 && !plaintextGrpc ? 'https://' : undefined);
  let severity: Severity = 'warning';
  let byLuck = false;
  if (http.length) {
    const fallback = (s: Signal) => `http://localhost:4318/v1/${s}`;
    const fixed = guess ? complete(guess + value.trim()) : undefined;
    const intended = (s: Signal) => (fixed ? httpUrl(s, generic ? undefined : fixed, generic ? fixed : undefined) : undefined);
    byLuck = http.every((r) => {
      const i = intended(r.signal);
      return i !== undefined && sameTarget(i, fallback(r.signal));
    });
    if (!byLuck) severity = 'error';
  }
  if (grpc.length && plaintextGrpc) severity = 'error';
  if (unknown.length) severity = 'error';
  return [
    {
      severity,
      issue: {
        kind: 'noScheme',
        http: http.map((r) => r.signal),
        byLuck,
        grpc: grpc.map((r) => r.signal),
        grpcTls: !plaintextGrpc ? 'maybe' : isIpAddress(p.host) ? 'ip' : 'plaintext',
        host: p.host,
        unknownProtocol: unknown.length > 0,
      },
      transform: scheme ? (v) => scheme + v.trim() : undefined,
      safety: 'safe',
    },
  ];
}

function pathIssues(p: ParsedEndpoint, readers: OtlpSignal[], perSignal: Signal | undefined, hasQuery: boolean): Issue[] {
  const http = readers.filter((r) => isHttp(r.protocol));
  if (http.length === 0) return [];
  const canEdit = !hasQuery;
  if (!perSignal) {
    const m = /\/v1(\/(metrics|logs|traces))?\/?$/.exec(p.path);
    if (!m) return [];
    const suffix = m[0].replace(/\/$/, '');
    return [
      {
        severity: 'error',
        issue: { kind: 'genericWithPath', suffix, path: p.path.replace(/\/+$/, ''), signals: http.map((r) => r.signal) },
        transform: canEdit ? (v) => v.trim().replace(/\/v1(\/(metrics|logs|traces))?\/?$/, '') : undefined,
        safety: 'safe',
      },
    ];
  }
  const want = `/v1/${perSignal}`;
  if (p.path === want) return [];
  if (p.path === '' || p.path === '/') {
    return [
      {
        severity: 'error',
        issue: { kind: 'noPath', signal: perSignal },
        transform: canEdit ? (v) => v.trim().replace(/\/+$/, '') + want : undefined,
        safety: 'safe',
      },
    ];
  }
  const other = SIGNAL_PATH.exec(p.path);
  if (other && other[1] !== perSignal) {
    return [
      {
        severity: 'error',
        issue: { kind: 'otherSignalPath', other: other[1], signal: perSignal },
        transform: canEdit ? (v) => v.trim().replace(SIGNAL_PATH, want) : undefined,
        safety: 'safe',
      },
    ];
  }
  if (p.path === `${want}/` || p.path.endsWith(`${want}/`)) {
    return [
      {
        severity: 'warning',
        issue: { kind: 'trailingSlash', signal: perSignal },
        transform: canEdit ? (v) => v.trim().replace(/\/+$/, '') : undefined,
        safety: 'safe',
      },
    ];
  }
  if (p.path.endsWith(want)) return [];
  return [
    {
      severity: 'warning',
      issue: { kind: 'otherPath', path: p.path, signal: perSignal },
      transform: canEdit ? (v) => v.trim().replace(/\/+$/, '') + want : undefined,
      safety: 'unsafe',
    },
  ];
}

function checkEndpoint(v: EffectiveVar, readers: OtlpSignal[], perSignal: Signal | undefined): RuleFinding<typeof messages> | undefined {
  const value = v.value.trim();
  // gRPC can dial a unix socket; there is no host or port to judge.
  if (/^unix:/i.test(value) && readers.every((r) => r.protocol === 'grpc')) return undefined;
  const p = parseEndpoint(value);
  const issues: Issue[] = [];
  if (!p) {
    const http = readers.filter((r) => isHttp(r.protocol)).map((r) => r.signal);
    issues.push({ severity: 'error', issue: { kind: 'notUrl', signals: readers.map((r) => r.signal), fallback: hasScheme(value) ? [] : http } });
  } else {
    const paths = pathIssues(p, readers, perSignal, /[?#]/.test(value));
    if (!p.scheme) {
      const complete = (withScheme: string) => paths.reduce((acc, i) => (i.transform ? i.transform(acc) : acc), withScheme);
      const scheme = noSchemeIssues(value, p, readers, perSignal === undefined, complete);
      issues.push(...scheme);
      // Over HTTP the value is not used until it has a scheme; say what its path would then do, and fix it
      // together with the scheme (never alone: a path fix on a value that stays unused changes nothing).
      const withScheme = scheme.every((i) => i.transform);
      issues.push(...paths.map((i) => ({ ...i, later: true, transform: withScheme ? i.transform : undefined })));
    } else if (p.scheme !== 'http' && p.scheme !== 'https') {
      const http = readers.filter((r) => isHttp(r.protocol));
      if (http.length) {
        const scheme = schemeFor(p);
        issues.push({
          severity: 'error',
          issue: { kind: 'wrongScheme', scheme: p.scheme, signals: http.map((r) => r.signal) },
          transform: scheme ? (s) => s.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, scheme) : undefined,
          safety: 'unsafe',
        });
      }
    }
    if (p.scheme) issues.push(...paths);
  }
  if (issues.length === 0) return undefined;

  const severity: Severity = issues.some((i) => i.severity === 'error' && !i.later) ? 'error' : 'warning';
  const fixable = issues.filter((i) => i.transform);
  const newValue = fixable.reduce((acc, i) => i.transform!(acc), value);
  const safety: FixSafety = fixable.some((i) => i.safety === 'unsafe') ? 'unsafe' : 'safe';
  const edits = fixable.length > 0 && newValue !== value ? replaceEnvValue(v.origin, v.name, newValue) : [];
  return {
    ...atValue(v.origin, v.name),
    severity,
    kind: 'unusable',
    data: { variable: v.name, endpoint: displayUrl(value), where: where(v.origin), issues: issues.map((i) => ({ issue: i.issue, later: i.later === true })) },
    hint:
      edits.length > 0
        ? `set it to ${displayUrl(newValue)}${safety === 'unsafe' ? '; check what your receiver expects first' : ''}`
        : perSignal
          ? `write the full URL, e.g. http://localhost:4318/v1/${perSignal} (http) or https://host:443/v1/${perSignal}`
          : 'write a base URL with a scheme, e.g. http://localhost:4318 (http), http://localhost:4317 (grpc) or https://host for a TLS receiver',
    fix: fix(safety, `set ${v.name} to ${displayUrl(newValue)}`, edits),
  };
}

export default defineRule({
  id: 'settings/invalid-endpoint',
  severity: 'error',
  title: 'OTLP endpoint is not a usable URL or has the wrong path',
  checks:
    "Every endpoint an otlp signal reads: OTEL_EXPORTER_OTLP_ENDPOINT and the per-signal OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT. Errors: not a URL; no scheme (`localhost:4318`); for http, a generic endpoint that already ends in /v1/<signal> (the path is doubled), a per-signal endpoint without a path (posts to /) or with another signal's path. Warnings: a per-signal http path that does not end in /v1/<signal>, a trailing slash after it, or a scheme-less gRPC endpoint that only works because the receiver speaks TLS.",
  why: 'Claude Code appends /v1/<signal> to the generic endpoint and uses per-signal endpoints verbatim, so `http://host:4318/v1/metrics` as the generic endpoint posts metrics to /v1/metrics/v1/metrics and logs to /v1/metrics/v1/logs, and a per-signal `http://host:4318` posts to / : the collector answers 404 ("OTLPExporterError: Not Found", only in the debug log). Without a scheme, http exports ignore the value and go to localhost:4318, and gRPC attempts TLS against a plaintext collector. Nothing reaches the backend and nothing is printed.',
  fix: 'safe',
  fixDescription:
    "Adds the scheme when it is clear (`http://` for a loopback host or port 4317/4318, `https://` for port 443 or a TLS gRPC host), strips /v1/<signal> from the generic endpoint, appends /v1/<signal> to a per-signal endpoint without a path, replaces another signal's path, drops a trailing slash. Appending /v1/<signal> to a per-signal endpoint that has some other path is unsafe (some receivers use their own paths).",
  versions: 'all versions (observed on 2.1.197, E12, E13, E14)',
  bad: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_LOGS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4318/v1/metrics"\n  }\n}\n',
  },
  good: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_LOGS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4318"\n  }\n}\n',
  },
  references: [
    'measured on real Claude Code: test/conformance/cases.ts, case "invalid-endpoint: generic endpoint ending in /v1/metrics doubles the path"',
    'measured on real Claude Code: test/conformance/cases.ts, case "invalid-endpoint: per-signal endpoint without its path posts to /"',
    'measured on real Claude Code: test/conformance/cases.ts, case "invalid-endpoint: no scheme over http falls back to localhost:4318"',
    'https://github.com/anthropics/claude-code/issues/63377 ("OTLPExporterError: Not Found")',
    'https://code.claude.com/docs/en/monitoring-usage',
  ],
  messages,
  oracle: 'claude-code',
  stage: 'OTLP endpoint',
  check(ws) {
    const findings: RuleFinding<typeof messages>[] = [];
    // An empty endpoint is read by no signal (they fall through to the generic one, or to the default).
    for (const { v, perSignal, readers } of otlpSettingVars(ws.claude.env, 'ENDPOINT')) {
      if (readers.length === 0) continue;
      const f = checkEndpoint(v, readers, perSignal);
      if (f) findings.push(f);
    }
    return findings;
  },
});
