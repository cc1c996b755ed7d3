/**
 * Claude Code versions the prediction and the version-gated rules know. Every gate below was measured on the real
 * binaries (scripts/claude-versions.json installs them): one `claude -p` per experiment against loopback sinks, on the
 * last version before the change and on the first with it. The conformance cases named in CLAUDE_GATES show it, and
 * test/conformance/prediction.test.ts runs them on both versions of each pair.
 */
export const OLDEST_SUPPORTED_CLAUDE = '2.1.197';
/** The newest version the whole conformance suite ran on. */
export const NEWEST_KNOWN_CLAUDE = '2.1.332';

/** OTLP/HTTP bodies sent chunked without Content-Length: 2.1.190 and 2.1.212 send Content-Length, 2.1.191 and 2.1.211 chunked. */
export const CHUNKED_BODIES = { from: '2.1.191', fixedIn: '2.1.212' };
/** Intervals read as a number when written in scientific notation (`1e4` → 10000, not parseInt's 1): 2.1.210 logs interval=1, 2.1.211 interval=10000. */
export const INTERVAL_NUMBER_FROM = '2.1.211';
/** A managed generic OTLP endpoint/protocol/headers deletes the per-signal ones set elsewhere: 2.1.216 sends logs to the user's endpoint, 2.1.217 to the managed one. */
export const MANAGED_LOCK_FROM = '2.1.217';
/** A space inside an OTEL_RESOURCE_ATTRIBUTES value no longer discards the whole variable: 2.1.250 drops both attributes, 2.1.251 keeps both on the resource. */
export const RESOURCE_SPACE_KEPT_FROM = '2.1.251';
/** Project/local settings can no longer turn telemetry on or pick its destination: 2.1.281 exports from project settings alone, 2.1.282 nothing (debug log: "… is ignored — project-scoped settings can't set this key"). */
export const PROJECT_TELEMETRY_IGNORED_FROM = '2.1.282';
/** No OTLP protocol set → http/protobuf: 2.1.322 fails telemetry init ("Unknown protocol … undefined"), 2.1.323 exports http/protobuf. */
export const DEFAULT_PROTOCOL_FROM = '2.1.323';

export interface VersionGate {
  /** The constant above (`CHUNKED_BODIES.from` for a field). */
  name: string;
  /** First version with the new behaviour. */
  from: string;
  /** Last version with the old behaviour (measured: there is no release between the two). */
  lastBefore: string;
}

/** Every gate with its measured boundary pair; the conformance matrix runs each gate's cases on both. */
export const CLAUDE_GATES: VersionGate[] = [
  { name: 'CHUNKED_BODIES.from', from: CHUNKED_BODIES.from, lastBefore: '2.1.190' },
  { name: 'CHUNKED_BODIES.fixedIn', from: CHUNKED_BODIES.fixedIn, lastBefore: '2.1.211' },
  { name: 'INTERVAL_NUMBER_FROM', from: INTERVAL_NUMBER_FROM, lastBefore: '2.1.210' },
  { name: 'MANAGED_LOCK_FROM', from: MANAGED_LOCK_FROM, lastBefore: '2.1.216' },
  { name: 'RESOURCE_SPACE_KEPT_FROM', from: RESOURCE_SPACE_KEPT_FROM, lastBefore: '2.1.250' },
  { name: 'PROJECT_TELEMETRY_IGNORED_FROM', from: PROJECT_TELEMETRY_IGNORED_FROM, lastBefore: '2.1.281' },
  { name: 'DEFAULT_PROTOCOL_FROM', from: DEFAULT_PROTOCOL_FROM, lastBefore: '2.1.322' },
];

/** Whether this version sends OTLP/HTTP bodies chunked, without Content-Length. */
export function sendsChunkedBodies(version: string): boolean {
  return atLeast(version, CHUNKED_BODIES.from) && !atLeast(version, CHUNKED_BODIES.fixedIn);
}

/** The sentence a report carries once when the version in force is newer than any the doctor was proven on. */
export function newerThanKnown(version: string): string | undefined {
  return parseVersion(version) && compareVersions(version, NEWEST_KNOWN_CLAUDE) > 0
    ? `Claude Code ${version} is newer than the newest version this doctor was proven on, ${NEWEST_KNOWN_CLAUDE}: behaviour may have changed`
    : undefined;
}

export function parseVersion(v: string): number[] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a) ?? [0, 0, 0];
  const pb = parseVersion(b) ?? [0, 0, 0];
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

export function atLeast(version: string, min: string): boolean {
  return compareVersions(version, min) >= 0;
}

/**
 * Newest collector release the rules know: the reference's timeline reaches v0.159.0, and the current oracle build
 * (test/oracles/versions.json) proves the version-gated rules against v0.165.0 (the differential suite).
 */
export const NEWEST_KNOWN_COLLECTOR = '0.165.0';
/** Newest Prometheus release the rules know (3.14.0, 2026-08-17). */
export const NEWEST_KNOWN_PROMETHEUS = '3.14.0';
/** A version older than every collector gate: what the oldest collectors make of a config, when the version is not known. */
export const BEFORE_EVERY_COLLECTOR_GATE = '0.0.0';
