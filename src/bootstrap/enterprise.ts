import { isAbsolute } from 'node:path';
import { isCredentialHeader, splitAuthScheme } from '../util/secrets.js';
import { claudeSeriesNames, labelName } from '../model/naming.js';
import { MANAGED_LOCK_FROM } from '../model/versions.js';
import { UsageError } from '../util/errors.js';
import type { GeneratedFile } from './local-stack.js';
import { STACK_PIPELINE } from './pins.js';

/**
 * Mode 2 (`init --enterprise`): settings for a central OTLP endpoint, for an organisation to roll out as
 * managed settings. The shared file carries no secret: credentials come from an otelHeadersHelper script on each
 * machine. Input that would put a credential into the file is refused.
 */

export const PROTOCOLS = ['grpc', 'http/protobuf', 'http/json'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export interface EnterpriseFlags {
  endpoint?: string;
  protocol?: string;
  team?: string;
  department?: string;
  costCenter?: string;
  headersHelper?: string;
  header?: string[];
}

export interface Attribute {
  flag: string;
  key: string;
  value: string;
}

export interface EnterpriseInput {
  endpoint: string;
  protocol: Protocol;
  protocolInferred: boolean;
  attributes: Attribute[];
  headers: { name: string; value: string }[];
  headersHelper?: string;
}

/** The OTEL_RESOURCE_ATTRIBUTES keys of the attribution flags. */
const ATTRIBUTE_KEYS: { flag: string; option: keyof EnterpriseFlags; key: string }[] = [
  { flag: '--team', option: 'team', key: 'team.id' },
  { flag: '--department', option: 'department', key: 'department' },
  { flag: '--cost-center', option: 'costCenter', key: 'cost_center' },
];

const SECRET_QUERY = /token|key|secret|passw|auth|sig|credential|session/i;
const SIGNAL_PATH = /\/v1\/(metrics|logs|traces)\/?$/;

/** An endpoint fit for a message: no user info, no query (either may hold a token). */
function shown(raw: string): string {
  return raw.replace(/\/\/[^/@]*@/, '//').replace(/\?.*$/, '?…');
}

export function parseEnterprise(flags: EnterpriseFlags): EnterpriseInput {
  const raw = flags.endpoint?.trim();
  if (!raw) throw new UsageError('init --enterprise needs --endpoint <url>: the OTLP endpoint every developer machine sends to');
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || !url.hostname) {
    throw new UsageError(`--endpoint must be an http:// or https:// URL with a host (Claude Code needs the scheme), not "${shown(raw)}"`);
  }
  const helperHint = 'serve credentials from a headers helper (--headers-helper) instead; nothing was written';
  if (url.username || url.password) {
    throw new UsageError(
      `--endpoint carries credentials in its user info: managed-settings.json goes to every developer machine, so a credential must never be in it; ${helperHint}`,
    );
  }
  if (url.search) {
    const names = [...url.searchParams.keys()];
    if (names.some((n) => SECRET_QUERY.test(n)) || names.length === 0) {
      throw new UsageError(
        `--endpoint carries what looks like a credential in its query string: managed-settings.json goes to every developer machine, so a credential must never be in it; ${helperHint}`,
      );
    }
    throw new UsageError(
      `--endpoint has a query string (${names.join(', ')}): Claude Code appends /v1/<signal> to the endpoint's path, so give the base URL only`,
    );
  }
  if (SIGNAL_PATH.test(url.pathname)) {
    throw new UsageError(
      `--endpoint ends with ${SIGNAL_PATH.exec(url.pathname)![0].replace(/\/$/, '')}: Claude Code appends /v1/<signal> itself (it would send to …/v1/metrics/v1/metrics); give the base URL`,
    );
  }

  let protocol: Protocol;
  const protocolInferred = flags.protocol === undefined;
  if (flags.protocol !== undefined) {
    if (!PROTOCOLS.includes(flags.protocol as Protocol)) throw new UsageError(`--protocol must be ${PROTOCOLS.join(', ')}, not "${flags.protocol}"`);
    protocol = flags.protocol as Protocol;
  } else {
    protocol = url.port === '4317' ? 'grpc' : 'http/protobuf';
  }

  const headers = (flags.header ?? []).map((h) => {
    const eq = h.indexOf('=');
    const name = eq > 0 ? h.slice(0, eq).trim() : '';
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      throw new UsageError(`--header must be name=value with an HTTP header name, not "${name || h.split(/[=:]/)[0]}…"`);
    const value = h.slice(eq + 1).trim();
    if (isCredentialHeader(name) || splitAuthScheme(value).scheme !== undefined) {
      throw new UsageError(
        `--header ${name} carries a credential: managed-settings.json goes to every developer machine, so a credential must never be in it; ${helperHint}`,
      );
    }
    if (!value || value.includes(','))
      throw new UsageError(`--header ${name} needs a value without commas (OTEL_EXPORTER_OTLP_HEADERS is a comma-separated list)`);
    return { name, value };
  });

  const helper = flags.headersHelper?.trim();
  if (helper !== undefined) {
    if (!isAbsolute(helper) && !/^[A-Za-z]:[\\/]/.test(helper)) {
      throw new UsageError(
        `--headers-helper must be an absolute path on the developer machines (e.g. /usr/local/bin/otel-headers.sh), not "${helper}": Claude Code would look for it relative to each project`,
      );
    }
    if (protocol === 'grpc') {
      throw new UsageError(
        `--headers-helper needs an HTTP protocol: Claude Code never calls otelHeadersHelper for grpc exports${protocolInferred ? ' (grpc was inferred from port 4317)' : ''}; use --protocol http/protobuf with the endpoint's OTLP/HTTP port (usually 4318)`,
      );
    }
  }

  const attributes: Attribute[] = [];
  for (const a of ATTRIBUTE_KEYS) {
    const v = flags[a.option];
    if (v === undefined) continue;
    const value = String(v).trim();
    if (!value) throw new UsageError(`${a.flag} needs a value`);
    attributes.push({ flag: a.flag, key: a.key, value });
  }
  return { endpoint: raw, protocol, protocolInferred, attributes, headers, headersHelper: helper };
}

/**
 * A value for OTEL_RESOURCE_ATTRIBUTES: W3C-baggage style, so everything outside the printable ASCII a baggage
 * value may hold (spaces, commas, quotes, semicolons, backslashes, non-ASCII) and `%` and `=` are
 * percent-encoded. Claude Code discards the whole variable for a single raw space (claude-code.md E23).
 */
export function encodeAttributeValue(value: string): string {
  let out = '';
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    const plain = c >= 0x21 && c <= 0x7e && !'",;\\%='.includes(ch);
    out += plain ? ch : encodeURIComponent(ch);
  }
  return out;
}

export function managedEnv(input: EnterpriseInput): Record<string, string> {
  const env: Record<string, string> = {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: input.protocol,
    OTEL_EXPORTER_OTLP_ENDPOINT: input.endpoint,
  };
  if (input.headers.length) env.OTEL_EXPORTER_OTLP_HEADERS = input.headers.map((h) => `${h.name}=${h.value}`).join(',');
  if (input.attributes.length) env.OTEL_RESOURCE_ATTRIBUTES = input.attributes.map((a) => `${a.key}=${encodeAttributeValue(a.value)}`).join(',');
  return env;
}

export function managedSettings(input: EnterpriseInput): string {
  const settings: Record<string, unknown> = { env: managedEnv(input) };
  if (input.headersHelper) settings.otelHeadersHelper = input.headersHelper;
  return `${JSON.stringify(settings, null, 2)}\n`;
}

export const TOKEN_VARIABLE = 'CLAUDE_OTEL_TOKEN';

export function headersHelperScript(): string {
  return `#!/bin/sh
# otelHeadersHelper for Claude Code, written by claude-otel-doctor init --enterprise.
# Claude Code runs this at start (and every CLAUDE_CODE_OTEL_HEADERS_HELPER_DEBOUNCE_MS, default 29 min) and
# sends the headers it prints, a JSON object of strings, with http/protobuf and http/json exports (never grpc).
# The token never sits in a settings file or a repository; it comes from, in this order:
#   ${TOKEN_VARIABLE}         the token itself (e.g. set by your secret manager's shell integration)
#   ${TOKEN_VARIABLE}_FILE    a file holding it (default: \${XDG_CONFIG_HOME:-~/.config}/claude-code/otel-token, mode 0600)
# Change the header below if your endpoint expects another one (Basic auth, x-api-key, X-Scope-OrgID, ...).
set -eu

token="\${${TOKEN_VARIABLE}:-}"
if [ -z "$token" ]; then
  file="\${${TOKEN_VARIABLE}_FILE:-\${XDG_CONFIG_HOME:-$HOME/.config}/claude-code/otel-token}"
  if [ ! -r "$file" ]; then
    echo "otel-headers.sh: no token: set ${TOKEN_VARIABLE}, or put it in $file" >&2
    exit 1
  fi
  token=$(tr -d '\\r\\n' < "$file")
fi

# JSON-escape backslashes and double quotes; Claude Code exports nothing at all if this is not valid JSON.
escaped=$(printf '%s' "$token" | sed -e 's/\\\\/\\\\\\\\/g' -e 's/"/\\\\"/g')
printf '{"Authorization": "Bearer %s"}\\n' "$escaped"
`;
}

const MANAGED_PATHS = [
  ['Linux and WSL', '/etc/claude-code/managed-settings.json'],
  ['macOS', '/Library/Application Support/ClaudeCode/managed-settings.json'],
  ['Windows', 'C:\\Program Files\\ClaudeCode\\managed-settings.json'],
];

/**
 * How much each series of a Claude Code counter grew in the `step` ending at each evaluation: its last value minus
 * its last value in the `lookback` before the step. Claude Code's series are one per session, summed from deltas by
 * the collector, which starts one again from its next delta after a restart or an idle longer than its
 * metric_expiration; so a series with no value in the lookback, or lower than that value, counts whole. Measured on
 * real components (test/pipeline/counter-lifecycle.test.ts, rollout-queries.test.ts, docs/counters.md): exact across
 * restarts, ended series and idle sessions, where increase() misses each series' first value and max_over_time loses
 * the run before a drop. `lookback` must exceed the scrape interval (a series missing longer counts whole again);
 * a `step` longer than the scrape interval loses what a series grew in the step before a drop.
 */
export function stepGrowth(series: string, step: string, lookback: string): string {
  const last = `last_over_time(${series}[${step}])`;
  return `${last} - (last_over_time(${series}[${lookback}] offset ${step}) or ${last} * 0) >= 0 or ${last}`;
}

/** The growth over `range`, per `by` labels: the steps added up by Prometheus (summed inside the subquery, where last_over_time keeps the metric name). */
export function growthQuery(series: string, by: string, range = '1d', step = '1m', lookback = '2m'): string {
  return `sum_over_time(sum by (${by}) (${stepGrowth(series, step, lookback)})[${range}:${step}])`;
}

export function rolloutGuide(input: EnterpriseInput): string {
  const names = claudeSeriesNames(STACK_PIPELINE);
  const cost = names.get('claude_code.cost.usage')!;
  const tokens = names.get('claude_code.token.usage')!;
  const env = managedEnv(input);
  const lines: string[] = [];
  const add = (...l: string[]) => lines.push(...l);
  add('# Rolling out Claude Code telemetry', '', `Written by \`claude-otel-doctor init --enterprise\`. Every developer machine sends to one endpoint:`, '');
  add('| setting | value |', '|---|---|');
  for (const [k, v] of Object.entries(env)) add(`| \`${k}\` | \`${v}\` |`);
  if (input.headersHelper) add(`| \`otelHeadersHelper\` | \`${input.headersHelper}\` |`);
  add('');
  add(
    `The protocol is ${input.protocol}${input.protocolInferred ? ` (inferred from the endpoint's port: 4317 is OTLP/gRPC, anything else OTLP/HTTP; \`--protocol\` overrides it)` : ''}.`,
  );
  add('`managed-settings.json` holds no credential: it is copied to every machine, where every user can read it.', '');

  add('## 1. Install the managed settings', '');
  add('Copy `managed-settings.json` to every machine (MDM, Ansible, Chef, a package), owned by root and mode 0644:', '');
  add('| OS | path |', '|---|---|');
  for (const [os, p] of MANAGED_PATHS) add(`| ${os} | \`${p}\` |`);
  add('');
  add(
    'Managed settings win over every user and project setting, and over the shell. Teams can add their own keys in drop-ins beside it (`managed-settings.d/*.json`, merged in name order on top). ' +
      `From Claude Code ${MANAGED_LOCK_FROM}, the managed endpoint, protocol and headers also switch off per-signal endpoints a developer sets. Claude Code reads these settings at start: restart running sessions.`,
    '',
  );

  add('## 2. Authentication', '');
  if (input.headersHelper) {
    add(
      `Install \`otel-headers.sh\` at \`${input.headersHelper}\` (mode 0755) on every machine. Claude Code runs it and sends the headers it prints.`,
      `Each developer's token comes from \`${TOKEN_VARIABLE}\` or from the file \`~/.config/claude-code/otel-token\` (mode 0600; \`${TOKEN_VARIABLE}_FILE\` names another). Never commit a token or put it in a settings file.`,
      '',
      `Try it: \`${TOKEN_VARIABLE}=test ${input.headersHelper}\` prints \`{"Authorization": "Bearer test"}\`.`,
      '',
    );
  } else {
    add(
      'No headers helper was given, so the endpoint must accept OTLP without credentials (e.g. inside the company network).',
      `To authenticate, run init again with \`--headers-helper <absolute path> --protocol http/protobuf\` and install \`otel-headers.sh\` (written here as an example) at that path: Claude Code calls a headers helper only for OTLP/HTTP, never for gRPC.`,
      '',
    );
  }

  add('## 3. Verify', '');
  add('Before the rollout, check the file as machines will read it, from this folder (no findings expected):', '');
  add('```sh', 'claude-otel-doctor check .', '```', '');
  add(
    'On a developer machine after the install, the doctor reads the managed settings where they are and sends an empty export to the endpoint with the same protocol and headers:',
    '',
  );
  add('```sh', 'claude-otel-doctor            # static rules and live probes, stage by stage', 'claude-otel-doctor probe      # the endpoint only', '```', '');

  add('## 4. Attribution in Prometheus', '');
  if (input.attributes.length) {
    add(
      "Claude Code attaches `OTEL_RESOURCE_ATTRIBUTES` to every metric (from 2.1.161; earlier versions only to the resource, so the collector needs `resource_to_telemetry_conversion`). Behind a collector's prometheus exporter they become labels:",
      '',
    );
    add('| flag | attribute | Prometheus label |', '|---|---|---|');
    for (const a of input.attributes) add(`| \`${a.flag}\` | \`${a.key}=${encodeAttributeValue(a.value)}\` | \`${labelName(a.key)}\` |`);
    add('');
    const by = input.attributes.map((a) => labelName(a.key)).join(', ');
    add(
      "For example, cost and tokens of the last day (names as the collector's prometheus exporter makes them without a namespace). The step, `1m`, should be at most your scrape interval, and the lookback, `2m`, more than it:",
      '',
    );
    add('```promql', growthQuery(cost, by), growthQuery(tokens, `${by}, type`), '```', '');
    add(
      "Claude Code sends one series per session, which the collector sums from deltas and starts again after its restart or an idle longer than its `metric_expiration`: `increase()` misses each session's first export, and `max_over_time` loses what came before such a restart. These queries count both: a series missing for longer than the lookback, or lower than before, starts again from zero (so a Prometheus outage longer than the lookback counts the sessions it spans twice; docs/counters.md in claude-otel-doctor).",
      '',
    );
    add('Values are percent-encoded in the variable (a raw space makes Claude Code drop every attribute); labels carry the decoded value.', '');
  } else {
    add(
      'No `--team`, `--department` or `--cost-center` was given, so metrics carry no attribution labels. Run init again with them to split cost and usage by team.',
      '',
    );
  }
  add(
    "Claude Code exports delta sums. A collector's prometheus exporter converts them; Prometheus' own OTLP receiver needs `--enable-feature=otlp-deltatocumulative`, and a collector that remote-writes needs a `deltatocumulative` processor (or add `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=cumulative` to the managed env).",
    '',
  );

  add('## 5. Undo', '');
  add('Remove the managed file from the machines; Claude Code stops exporting at its next start.', '');
  return lines.join('\n');
}

export function enterpriseFiles(input: EnterpriseInput): GeneratedFile[] {
  return [
    { rel: 'managed-settings.json', text: managedSettings(input), mode: 0o644 },
    { rel: 'otel-headers.sh', text: headersHelperScript(), mode: 0o755 },
    { rel: 'ROLLOUT.md', text: rolloutGuide(input), mode: 0o644 },
  ];
}
