import { isDockerHostName, isLocalTarget } from '../../util/hosts.js';
import { defineRule, type RuleFinding } from '../define.js';
import { SIGNAL_UPPER, type Signal, type SignalPrediction } from '../../model/prediction.js';
import { isCredentialHeader } from '../../model/credentials.js';
import { atValue, where } from '../../model/settings-locate.js';

/** What goes to the endpoint: signals, the URL's scheme and host, the variable, and which credentials. */
interface PlainHttp {
  signals: Signal[];
  target: string;
  host: string;
  variable: string;
  where: string;
  /** Credential headers by name, whether the otelHeadersHelper headers go too, and whether the URL has a password. */
  headers: string[];
  helper: boolean;
  urlPassword: boolean;
}

const lead = (d: PlainHttp) => `${d.signals.join(' and ')} go to ${d.target} (${d.variable} ${d.where}) over plain http with ${credentialWords(d)}`;
const head = (d: PlainHttp) => `${d.signals.join(' and ')} go over plain http with ${credentialWords(d)}`;

const messages = {
  sameMachineMaybe: {
    message: (d: PlainHttp) => `${head(d)}: the credential may cross the network unencrypted`,
    detail: (d: PlainHttp) =>
      `${lead(d)}: fine if ${d.host} is a container on the same Docker network as Claude Code (the traffic stays on this machine), but if the name resolves through a DNS search domain the credential crosses the network unencrypted`,
  },
  network: { message: (d: PlainHttp) => `${head(d)}: the credential crosses the network unencrypted`, detail: lead },
} as const;

export default defineRule({
  id: 'settings/insecure-endpoint',
  severity: 'warning',
  title: 'Credentials sent over plain http',
  checks:
    'A signal that will be exported over OTLP goes to an http:// endpoint on a host that is not loopback (localhost, 127.0.0.0/8, ::1) while its headers carry a credential (Authorization or another secret-looking header, or otelHeadersHelper headers over http/json and http/protobuf, or a password in the URL).',
  why: 'The token travels unencrypted with every export (every 5 s for events, every 60 s for metrics): anyone on the network path — shared Wi-Fi, a VPN concentrator, a proxy — can read and reuse it.',
  fix: 'none',
  versions: 'all versions',
  bad: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel.example.com:4318",\n    "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer …"\n  }\n}\n',
  },
  good: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel.example.com",\n    "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer …"\n  }\n}\n',
  },
  references: ['https://code.claude.com/docs/en/monitoring-usage (endpoint, headers and otelHeadersHelper)'],
  messages,
  oracle: 'fixtures',
  stage: 'OTLP endpoint',
  check(ws) {
    const { env, prediction } = ws.claude;
    if (!prediction.telemetryEnabled || prediction.initFailure) return [];
    // Group the signals by the variable their URL comes from, so one endpoint gives one finding.
    const groups = new Map<string, { signals: SignalPrediction[]; url: string }>();
    for (const s of prediction.signals) {
      if (!s.exported || !s.exporters.includes('otlp') || !s.url || !s.protocol) continue;
      const url = parse(s.url);
      if (url?.protocol !== 'http:' || isLocal(url.hostname)) continue;
      const carries = s.headerNames.some(isCredentialHeader) || s.headersFromHelper || url.password !== '';
      if (!carries) continue;
      const varName = endpointVariable(env, s.signal);
      if (!varName) continue;
      const group = groups.get(varName) ?? { signals: [], url: s.url };
      group.signals.push(s);
      groups.set(varName, group);
    }
    const findings: RuleFinding<typeof messages>[] = [];
    for (const [varName, g] of groups) {
      const v = env.get(varName)!;
      const url = parse(g.url)!;
      const host = url.hostname;
      const target = `${url.protocol}//${url.host}`;
      const internal = isSingleLabel(host);
      const data: PlainHttp = {
        signals: g.signals.map((s) => s.signal),
        target,
        host,
        variable: varName,
        where: where(v.origin),
        headers: [...new Set(g.signals.flatMap((s) => s.headerNames.filter(isCredentialHeader)))],
        helper: g.signals.some((s) => s.headersFromHelper),
        urlPassword: url.password !== '',
      };
      findings.push({
        ...atValue(v.origin, varName),
        severity: internal ? 'info' : undefined,
        ...(internal ? { kind: 'sameMachineMaybe' as const, data } : { kind: 'network' as const, data }),
        hint: internal
          ? `if ${host} is not on this machine, use https:// (or a collector on localhost that forwards over TLS)`
          : 'use https:// (the collector or a load balancer in front of it terminating TLS), or send to a collector on localhost that forwards over TLS',
      });
    }
    return findings;
  },
});

function parse(url: string): URL | undefined {
  try {
    return new URL(url.trim());
  } catch {
    return undefined;
  }
}

/** The variable a signal's URL comes from: the per-signal endpoint when set, else the generic one. */
function endpointVariable(env: Map<string, { value: string }>, signal: Signal): string | undefined {
  const perSignal = `OTEL_EXPORTER_OTLP_${SIGNAL_UPPER[signal]}_ENDPOINT`;
  if (env.get(perSignal)?.value.trim()) return perSignal;
  return env.get('OTEL_EXPORTER_OTLP_ENDPOINT')?.value.trim() ? 'OTEL_EXPORTER_OTLP_ENDPOINT' : undefined;
}

/** Loopback, or the Docker host seen from a container: traffic that never reaches a network. */
export function isLocal(hostname: string): boolean {
  return isLocalTarget(hostname) || isDockerHostName(hostname);
}

/** A name without dots that is not an IP address: a compose service, or a host found through a search domain. */
function isSingleLabel(hostname: string): boolean {
  return !hostname.includes('.') && !hostname.includes(':') && !/^\d+$/.test(hostname);
}

function credentialWords({ headers, helper, urlPassword }: PlainHttp): string {
  const parts: string[] = [];
  if (headers.length) parts.push(`the ${headers.join(', ')} header${headers.length > 1 ? 's' : ''}`);
  if (helper) parts.push('the headers from otelHeadersHelper');
  if (urlPassword) parts.push('a password in the URL');
  return parts.join(' and ');
}
