/**
 * Variable names the doctor knows: every variable of the reference's master table (claude-code.md §2.2)
 * and the OpenTelemetry SDK's standard environment variables. `settings/unknown-variable` flags names
 * outside these lists and suggests the nearest known one.
 */

import { editDistance, nearest as nearestNames, typoDistance } from '../util/distance.js';

const SIGNALS = ['METRICS', 'LOGS', 'TRACES'] as const;
const OTLP_SETTINGS = ['ENDPOINT', 'HEADERS', 'PROTOCOL', 'TIMEOUT', 'COMPRESSION', 'CERTIFICATE', 'CLIENT_KEY', 'CLIENT_CERTIFICATE', 'INSECURE'] as const;

/** Claude Code's own OTEL_* variables and the SDK-standard ones the master table lists. */
const CLAUDE_OTEL = [
  'OTEL_METRICS_EXPORTER',
  'OTEL_LOGS_EXPORTER',
  'OTEL_TRACES_EXPORTER',
  'OTEL_METRIC_EXPORT_INTERVAL',
  'OTEL_LOGS_EXPORT_INTERVAL',
  'OTEL_TRACES_EXPORT_INTERVAL',
  'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE',
  'OTEL_METRICS_INCLUDE_SESSION_ID',
  'OTEL_METRICS_INCLUDE_VERSION',
  'OTEL_METRICS_INCLUDE_ACCOUNT_UUID',
  'OTEL_METRICS_INCLUDE_ENTRYPOINT',
  'OTEL_METRICS_INCLUDE_RESOURCE_ATTRIBUTES',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_SERVICE_NAME',
  'OTEL_LOG_USER_PROMPTS',
  'OTEL_LOG_ASSISTANT_RESPONSES',
  'OTEL_LOG_TOOL_DETAILS',
  'OTEL_LOG_TOOL_CONTENT',
  'OTEL_LOG_RAW_API_BODIES',
  'OTEL_EXPORTER_PROMETHEUS_PORT',
  'OTEL_EXPORTER_PROMETHEUS_HOST',
  // Newer Claude Code (CLAUDE_VARIABLES_SEEN_FROM): found in the 2.1.332 binary's strings (test/conformance/binary-variables.test.ts).
  'OTEL_METRICS_INCLUDE_REPOSITORY',
  'OTEL_RESOURCE_INCLUDE_HOST',
  'OTEL_LOG_MANAGED_SETTINGS',
];

/**
 * Variables newer Claude Code reads, with the oldest provisioned binary whose strings hold the name (the matrix of
 * scripts/claude-versions.json: so "first seen" is bounded by the previous version installed, e.g. 2.1.251 < x ≤ 2.1.281).
 * Issue #12: OTEL_METRICS_INCLUDE_REPOSITORY adds vcs.* attributes from the git remote, OTEL_RESOURCE_INCLUDE_HOST adds
 * host.name and host.id.
 */
export const CLAUDE_VARIABLES_SEEN_FROM: Record<string, string> = {
  OTEL_METRICS_INCLUDE_REPOSITORY: '2.1.281',
  OTEL_LOG_MANAGED_SETTINGS: '2.1.281',
  CLAUDE_CODE_DISABLE_OTEL_EVENT_SKIP: '2.1.322',
  OTEL_RESOURCE_INCLUDE_HOST: '2.1.332',
};

/** The OpenTelemetry specification's SDK environment variables (sdk-environment-variables.md and the exporter pages). */
const SDK_STANDARD = [
  'OTEL_SDK_DISABLED',
  'OTEL_LOG_LEVEL',
  'OTEL_PROPAGATORS',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_CONFIG_FILE',
  'OTEL_ENTITIES',
  'OTEL_SEMCONV_STABILITY_OPT_IN',
  'OTEL_BSP_SCHEDULE_DELAY',
  'OTEL_BSP_EXPORT_TIMEOUT',
  'OTEL_BSP_MAX_QUEUE_SIZE',
  'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
  'OTEL_BLRP_SCHEDULE_DELAY',
  'OTEL_BLRP_EXPORT_TIMEOUT',
  'OTEL_BLRP_MAX_QUEUE_SIZE',
  'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE',
  'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_SPAN_EVENT_COUNT_LIMIT',
  'OTEL_SPAN_LINK_COUNT_LIMIT',
  'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_LINK_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_METRICS_EXEMPLAR_FILTER',
  'OTEL_METRIC_EXPORT_TIMEOUT',
  'OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION',
  'OTEL_EXPORTER_ZIPKIN_ENDPOINT',
  'OTEL_EXPORTER_ZIPKIN_TIMEOUT',
  'OTEL_EXPORTER_JAEGER_AGENT_HOST',
  'OTEL_EXPORTER_JAEGER_AGENT_PORT',
  'OTEL_EXPORTER_JAEGER_ENDPOINT',
  'OTEL_EXPORTER_JAEGER_USER',
  'OTEL_EXPORTER_JAEGER_PASSWORD',
  'OTEL_EXPORTER_JAEGER_TIMEOUT',
  ...OTLP_SETTINGS.map((s) => `OTEL_EXPORTER_OTLP_${s}`),
  ...SIGNALS.flatMap((sig) => OTLP_SETTINGS.map((s) => `OTEL_EXPORTER_OTLP_${sig}_${s}`)),
  // The profiles signal (Claude Code 2.1.332 locks these from project scope; it exports no profiles itself).
  ...OTLP_SETTINGS.map((s) => `OTEL_EXPORTER_OTLP_PROFILES_${s}`),
  // JavaScript SDK span limits, read by the SDK bundled in Claude Code 2.1.332.
  'OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT',
];

/**
 * Language- and distribution-specific families (Java agent, Python, .NET, Node auto-instrumentation, …):
 * real variables of other OpenTelemetry SDKs, often exported in a shell for other programs. Never flagged.
 */
export const OTEL_FAMILY_PREFIXES = [
  'OTEL_JAVAAGENT_',
  'OTEL_JAVA_',
  'OTEL_INSTRUMENTATION_',
  'OTEL_PYTHON_',
  'OTEL_DOTNET_',
  'OTEL_NODE_',
  'OTEL_GO_',
  'OTEL_RUBY_',
  'OTEL_PHP_',
  'OTEL_RUST_',
  'OTEL_CPP_',
  'OTEL_ERLANG_',
  'OTEL_EXPERIMENTAL_',
];

/** CLAUDE_CODE_* variables that concern telemetry (master table): near misses of these are flagged. */
export const CLAUDE_TELEMETRY_VARIABLES = [
  'CLAUDE_CODE_ENABLE_TELEMETRY',
  'CLAUDE_CODE_ENHANCED_TELEMETRY_BETA',
  'CLAUDE_CODE_OTEL_HEADERS_HELPER_DEBOUNCE_MS',
  'CLAUDE_CODE_OTEL_SHUTDOWN_TIMEOUT_MS',
  'CLAUDE_CODE_OTEL_FLUSH_TIMEOUT_MS',
  'CLAUDE_CODE_OTEL_DIAG_STDERR',
  'CLAUDE_CODE_OTEL_CONTENT_MAX_LENGTH',
  'CLAUDE_CODE_PROPAGATE_TRACEPARENT',
  'CLAUDE_CODE_ENABLE_FEEDBACK_SURVEY_FOR_OTEL',
  'CLAUDE_CODE_CLIENT_CERT',
  'CLAUDE_CODE_CLIENT_KEY',
  'CLAUDE_CODE_CLIENT_KEY_PASSPHRASE',
  'CLAUDE_CODE_DISABLE_OTEL_EVENT_SKIP',
];

/**
 * Other CLAUDE_CODE_* variables (not telemetry): legitimate, never flagged even when close to a telemetry name.
 * Not exhaustive; only names that matter for the near-miss check need to be here.
 */
const CLAUDE_OTHER_VARIABLES = [
  'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC',
  'CLAUDE_CODE_USE_BEDROCK',
  'CLAUDE_CODE_USE_VERTEX',
  'CLAUDE_CODE_SKIP_BEDROCK_AUTH',
  'CLAUDE_CODE_SKIP_VERTEX_AUTH',
  'CLAUDE_CODE_MAX_OUTPUT_TOKENS',
  'CLAUDE_CODE_API_KEY_HELPER_TTL_MS',
  'CLAUDE_CODE_ENTRYPOINT',
  'CLAUDE_CODE_REMOTE',
  'CLAUDE_CODE_SIMPLE',
];

/** Names that setup guides use but that do not exist (claude-code.md §2.3), with what was probably meant. */
export const NONEXISTENT_VARIABLES: Record<string, string> = {
  CLAUDE_CODE_ENABLE_TELEMETRY_CONTENT: 'OTEL_LOG_USER_PROMPTS',
};

export const KNOWN_OTEL_VARIABLES: ReadonlySet<string> = new Set([...CLAUDE_OTEL, ...SDK_STANDARD]);
export const KNOWN_CLAUDE_VARIABLES: ReadonlySet<string> = new Set([...CLAUDE_TELEMETRY_VARIABLES, ...CLAUDE_OTHER_VARIABLES]);

export function isKnownOtelVariable(name: string): boolean {
  return KNOWN_OTEL_VARIABLES.has(name) || OTEL_FAMILY_PREFIXES.some((p) => name.startsWith(p));
}

export { editDistance };

export interface Nearest {
  /** Every candidate at the smallest distance, sorted. */
  names: string[];
  distance: number;
}

/** The nearest of `candidates` to `name`, or undefined when none is within `maxDistance`. */
export function nearest(name: string, candidates: Iterable<string>, maxDistance: number): Nearest | undefined {
  const best = nearestNames(name, candidates, maxDistance, 'transpositions');
  best?.names.sort();
  return best;
}

export type UnknownKind = 'otel' | 'oltp' | 'claude' | 'case' | 'nonexistent';

export interface UnknownVariable {
  kind: UnknownKind;
  /** What was probably meant, nearest first; empty when nothing is close. */
  suggestions: string[];
  /** True when the suggestion is certain enough to rename the key automatically. */
  confident: boolean;
}

function suggestOtel(name: string): { suggestions: string[]; confident: boolean } {
  const near = nearest(name, KNOWN_OTEL_VARIABLES, typoDistance(name));
  if (near && near.distance <= 2) return { suggestions: near.names, confident: near.names.length === 1 };
  // A name cut short: OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY → …_TEMPORALITY_PREFERENCE.
  const longer = [...KNOWN_OTEL_VARIABLES].filter((k) => k.startsWith(`${name}_`)).sort((a, b) => a.length - b.length);
  if (longer.length === 1 || (longer.length > 1 && longer[0].length < longer[1].length)) return { suggestions: [longer[0]], confident: false };
  return { suggestions: near?.names ?? [], confident: false };
}

/**
 * Whether Claude Code would ignore a variable name the user meant for telemetry: OTEL_* names that neither
 * Claude Code nor the OpenTelemetry SDK defines, any OLTP_* name, CLAUDE_CODE_* near misses of the telemetry
 * variables, and names set in the wrong case. Undefined for names that are fine (or none of the doctor's business).
 */
export function unknownVariable(name: string): UnknownVariable | undefined {
  if (KNOWN_CLAUDE_VARIABLES.has(name) || isKnownOtelVariable(name)) return undefined;
  if (name in NONEXISTENT_VARIABLES) return { kind: 'nonexistent', suggestions: [NONEXISTENT_VARIABLES[name]], confident: false };
  const upper = name.toUpperCase();
  if (upper !== name && /^(OTEL|OLTP|CLAUDE_CODE)_/.test(upper)) {
    if (KNOWN_CLAUDE_VARIABLES.has(upper) || KNOWN_OTEL_VARIABLES.has(upper)) return { kind: 'case', suggestions: [upper], confident: true };
    return unknownVariable(upper);
  }
  if (name.startsWith('OLTP_')) {
    const fixed = `OTEL_${name.slice('OLTP_'.length)}`;
    if (KNOWN_OTEL_VARIABLES.has(fixed)) return { kind: 'oltp', suggestions: [fixed], confident: true };
    return { kind: 'oltp', ...suggestOtel(fixed), confident: false };
  }
  if (name.startsWith('OTEL_')) return { kind: 'otel', ...suggestOtel(name) };
  if (name.startsWith('CLAUDE_CODE_')) {
    const near = nearest(name, CLAUDE_TELEMETRY_VARIABLES, 2);
    if (near) return { kind: 'claude', suggestions: near.names, confident: near.names.length === 1 };
  }
  return undefined;
}
