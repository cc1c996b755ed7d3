/** Claude Code versions the prediction and version-gated rules know about. */
export const NEWEST_KNOWN_CLAUDE = '2.1.283';
/** Managed OTLP endpoint/protocol/headers delete conflicting per-signal settings (CHANGELOG 2.1.217). */
export const MANAGED_LOCK_FROM = '2.1.217';
/** Project/local settings can no longer enable telemetry or pick its destination ("about 2.1.27x"; 2.1.283 observed). */
export const PROJECT_TELEMETRY_IGNORED_FROM = '2.1.270';
/** OTLP/HTTP bodies sent chunked without Content-Length (regression 2.1.191, fixed 2.1.212). */
export const CHUNKED_BODIES = { from: '2.1.191', fixedIn: '2.1.212' };

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
