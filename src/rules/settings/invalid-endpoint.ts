import { defineRule, type RuleFinding } from '../define.js';
import { fix, replaceEnvValue } from '../../model/edits.js';
import type { EffectiveVar } from '../../model/claude-env.js';
import { hasScheme, httpUrl, SIGNALS, type Signal } from '../../model/prediction.js';
import type { FixSafety, Severity } from '../../types.js';
import { atValue, where } from '../../model/settings-locate.js';
import { displayUrl, isHttp, isIpAddress, isLoopback, listWords, otlpSignals, parseEndpoint, perSignalVar, type OtlpSignal, type ParsedEndpoint } from '../../model/otlp-signals.js';

interface Issue {
  severity: Severity;
  text: string;
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
  const texts: string[] = [];
  let severity: Severity = 'warning';
  if (http.length) {
    const fallback = (s: Signal) => `http://localhost:4318/v1/${s}`;
    const fixed = guess ? complete(guess + value.trim()) : undefined;
    const intended = (s: Signal) => (fixed ? httpUrl(s, generic ? undefined : fixed, generic ? fixed : undefined) : undefined);
    const coincidence = http.every((r) => {
      const i = intended(r.signal);
      return i !== undefined && sameTarget(i, fallback(r.signal));
    });
    if (!coincidence) severity = 'error';
    texts.push(
      `over HTTP Claude Code ignores it and posts ${listWords(http.map((r) => r.signal))} to the default http://localhost:4318/v1/<signal>${coincidence ? ' (the same place, by luck)' : ''}`,
    );
  }
  if (grpc.length) {
    if (plaintextGrpc) {
      severity = 'error';
      texts.push(
        isIpAddress(p.host)
          ? `over gRPC ${listWords(grpc.map((r) => r.signal))} are dialled with TLS, which fails for an IP address ("Setting the TLS ServerName to an IP address is not permitted")`
          : `over gRPC ${listWords(grpc.map((r) => r.signal))} are dialled with TLS, which fails against a plaintext collector`,
      );
    } else {
      texts.push(`over gRPC ${listWords(grpc.map((r) => r.signal))} are dialled with TLS; that works only if ${p.host} really speaks TLS`);
    }
  }
  if (unknown.length) {
    severity = 'error';
    texts.push('Claude Code needs http:// or https:// in front of it');
  }
  return [
    {
      severity,
      text: `it has no scheme: ${texts.join('; ')}`,
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
    const urls = http.map((r) => `${r.signal} to ${p.path.replace(/\/+$/, '')}/v1/${r.signal}`);
    return [
      {
        severity: 'error',
        text: `it already ends in ${suffix}, but Claude Code appends /v1/<signal> to the generic endpoint, so it posts ${listWords(urls)}: the receiver answers 404`,
        transform: canEdit ? (v) => v.trim().replace(/\/v1(\/(metrics|logs|traces))?\/?$/, '') : undefined,
        safety: 'safe',
      },
    ];
  }
  const want = `/v1/${perSignal}`;
  if (p.path === want) return [];
  const fromGeneric = ` (${perSignalVar('ENDPOINT', perSignal)} is used verbatim; only the generic OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/<signal> appended)`;
  if (p.path === '' || p.path === '/') {
    return [
      {
        severity: 'error',
        text: `it has no path, so Claude Code posts ${perSignal} to /${fromGeneric}: a collector answers 404`,
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
        text: `its path ends in /v1/${other[1]}, so ${perSignal} are posted to the ${other[1]} receiver, which rejects them`,
        transform: canEdit ? (v) => v.trim().replace(SIGNAL_PATH, want) : undefined,
        safety: 'safe',
      },
    ];
  }
  if (p.path === `${want}/` || p.path.endsWith(`${want}/`)) {
    return [
      {
        severity: 'warning',
        text: `its path ends in "${want}/" with a trailing slash, which is posted verbatim; OTLP receivers serve ${want} exactly`,
        transform: canEdit ? (v) => v.trim().replace(/\/+$/, '') : undefined,
        safety: 'safe',
      },
    ];
  }
  if (p.path.endsWith(want)) return [];
  return [
    {
      severity: 'warning',
      text: `its path ${p.path} does not end in ${want}, and Claude Code posts ${perSignal} to exactly that path${fromGeneric}; OTLP receivers expect …${want}`,
      transform: canEdit ? (v) => v.trim().replace(/\/+$/, '') + want : undefined,
      safety: 'unsafe',
    },
  ];
}

function checkEndpoint(v: EffectiveVar, readers: OtlpSignal[], perSignal: Signal | undefined): RuleFinding | undefined {
  const value = v.value.trim();
  // gRPC can dial a unix socket; there is no host or port to judge.
  if (/^unix:/i.test(value) && readers.every((r) => r.protocol === 'grpc')) return undefined;
  const p = parseEndpoint(value);
  const issues: Issue[] = [];
  if (!p) {
    const http = readers.filter((r) => isHttp(r.protocol)).map((r) => r.signal);
    const consequence =
      !hasScheme(value) && http.length
        ? `over HTTP Claude Code falls back to http://localhost:4318/v1/<signal> for ${listWords(http)}`
        : `every export of ${listWords(readers.map((r) => r.signal))} fails`;
    issues.push({ severity: 'error', text: `it is not a URL: ${consequence}` });
  } else {
    const paths = pathIssues(p, readers, perSignal, /[?#]/.test(value));
    if (!p.scheme) {
      const complete = (withScheme: string) => paths.reduce((acc, i) => (i.transform ? i.transform(acc) : acc), withScheme);
      const scheme = noSchemeIssues(value, p, readers, perSignal === undefined, complete);
      issues.push(...scheme);
      // Over HTTP the value is not used until it has a scheme; say what its path would then do, and fix it
      // together with the scheme (never alone: a path fix on a value that stays unused changes nothing).
      const withScheme = scheme.every((i) => i.transform);
      issues.push(...paths.map((i) => ({ ...i, later: true, text: `once it has a scheme, ${i.text}`, transform: withScheme ? i.transform : undefined })));
    } else if (p.scheme !== 'http' && p.scheme !== 'https') {
      const http = readers.filter((r) => isHttp(r.protocol));
      if (http.length) {
        const scheme = schemeFor(p);
        issues.push({
          severity: 'error',
          text: `its scheme is ${p.scheme}://, but ${listWords(http.map((r) => r.signal))} are posted over HTTP, which needs http:// or https://: every export fails`,
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
    message: `${v.name}=${displayUrl(value)} ${where(v.origin)}: ${issues.map((i) => i.text).join('; ')}`,
    hint:
      edits.length > 0
        ? `set it to ${displayUrl(newValue)}${safety === 'unsafe' ? ' (unsafe fix: check what your receiver expects)' : ' (--fix does this)'}`
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
    'Every endpoint an otlp signal reads: OTEL_EXPORTER_OTLP_ENDPOINT and the per-signal OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT. Errors: not a URL; no scheme (`localhost:4318`); for http, a generic endpoint that already ends in /v1/<signal> (the path is doubled), a per-signal endpoint without a path (posts to /) or with another signal\'s path. Warnings: a per-signal http path that does not end in /v1/<signal>, a trailing slash after it, or a scheme-less gRPC endpoint that only works because the receiver speaks TLS.',
  why: 'Claude Code appends /v1/<signal> to the generic endpoint and uses per-signal endpoints verbatim, so `http://host:4318/v1/metrics` as the generic endpoint posts metrics to /v1/metrics/v1/metrics and logs to /v1/metrics/v1/logs, and a per-signal `http://host:4318` posts to / : the collector answers 404 ("OTLPExporterError: Not Found", only in the debug log). Without a scheme, http exports ignore the value and go to localhost:4318, and gRPC attempts TLS against a plaintext collector. Nothing reaches the backend and nothing is printed.',
  fix: 'safe',
  fixDescription:
    'Adds the scheme when it is clear (`http://` for a loopback host or port 4317/4318, `https://` for port 443 or a TLS gRPC host), strips /v1/<signal> from the generic endpoint, appends /v1/<signal> to a per-signal endpoint without a path, replaces another signal\'s path, drops a trailing slash. Appending /v1/<signal> to a per-signal endpoint that has some other path is unsafe (some receivers use their own paths).',
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
    'claude-code.md §1 key finding 10, §2.2 (OTEL_EXPORTER_OTLP_ENDPOINT and per-signal endpoint rows)',
    'claude-code.md §9 E12 (generic endpoint ending in /v1/metrics: POST /v1/metrics/v1/metrics and /v1/metrics/v1/logs), E13 (per-signal endpoint without path: POST /), E14 (no scheme: http falls back to localhost:4318, grpc attempts TLS)',
    'Claude Code issue #63377 ("OTLPExporterError: Not Found")',
    'https://code.claude.com/docs/en/monitoring-usage',
  ],
  oracle: 'claude-code',
  stage: 'OTLP endpoint',
  check(ws) {
    const env = ws.claude.env;
    const signals = otlpSignals(env);
    const findings: RuleFinding[] = [];
    for (const perSignal of [undefined, ...SIGNALS]) {
      const name = perSignal ? perSignalVar('ENDPOINT', perSignal) : 'OTEL_EXPORTER_OTLP_ENDPOINT';
      const v = env.get(name);
      if (!v || v.value.trim() === '') continue;
      const readers = signals.filter((s) => s.endpointVar?.name === name);
      if (readers.length === 0) continue;
      const f = checkEndpoint(v, readers, perSignal);
      if (f) findings.push(f);
    }
    return findings;
  },
});
