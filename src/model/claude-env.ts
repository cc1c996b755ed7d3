import type { JsonNode } from '../load/json.js';
import type { SourceFile } from '../load/source.js';
import type { Range } from '../types.js';
import type { SettingsFile } from './claude-settings.js';
import { SCOPE_LABEL, scopeRank, type Scope } from './scopes.js';
import { atLeast, MANAGED_LOCK_FROM, PROJECT_TELEMETRY_IGNORED_FROM } from './versions.js';

/** Where one value of one variable was set. */
export interface EnvOrigin {
  scope: Scope;
  /** The settings file, env file, or undefined for the process environment. */
  file?: string;
  source?: SourceFile;
  settings?: SettingsFile;
  keyNode?: JsonNode;
  valueNode?: JsonNode;
  /** Range of the key (JSON) or of the line (env file). */
  keyRange?: Range;
  valueRange?: Range;
}

export interface EnvSetting {
  name: string;
  value: string;
  origin: EnvOrigin;
  /** Why Claude Code does not apply this value, if it does not. */
  ignored?: string;
}

export interface EffectiveVar {
  name: string;
  value: string;
  origin: EnvOrigin;
  /** Every place the variable is set, highest precedence first (the winner included). */
  all: EnvSetting[];
}

export type EffectiveEnv = Map<string, EffectiveVar>;

/** Per-signal destination variables that a managed generic setting locks from 2.1.217. */
const MANAGED_LOCKS: Record<string, RegExp> = {
  OTEL_EXPORTER_OTLP_ENDPOINT: /^OTEL_EXPORTER_OTLP_(METRICS|LOGS|TRACES)_ENDPOINT$/,
  OTEL_EXPORTER_OTLP_PROTOCOL: /^OTEL_EXPORTER_OTLP_(METRICS|LOGS|TRACES)_PROTOCOL$/,
  OTEL_EXPORTER_OTLP_HEADERS: /^OTEL_EXPORTER_OTLP_(METRICS|LOGS|TRACES)_HEADERS$/,
  OTEL_EXPORTER_OTLP_CERTIFICATE: /^OTEL_EXPORTER_OTLP_(METRICS|LOGS|TRACES)_CERTIFICATE$/,
  OTEL_EXPORTER_OTLP_CLIENT_KEY: /^OTEL_EXPORTER_OTLP_(METRICS|LOGS|TRACES)_CLIENT_KEY$/,
  OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: /^OTEL_EXPORTER_OTLP_(METRICS|LOGS|TRACES)_CLIENT_CERTIFICATE$/,
};

/** Variables newer Claude Code ignores in project and local settings (telemetry switch and destination). */
export function isProjectLockedVariable(name: string): boolean {
  return (
    name === 'CLAUDE_CODE_ENABLE_TELEMETRY' ||
    name === 'CLAUDE_CODE_ENHANCED_TELEMETRY_BETA' ||
    name === 'ENABLE_ENHANCED_TELEMETRY_BETA' ||
    /^OTEL_(METRICS|LOGS|TRACES)_EXPORTER$/.test(name) ||
    /^OTEL_LOG_/.test(name) ||
    /^OTEL_EXPORTER_OTLP_((METRICS|LOGS|TRACES)_)?(ENDPOINT|HEADERS|PROTOCOL|CERTIFICATE|CLIENT_KEY|CLIENT_CERTIFICATE|INSECURE)$/.test(name) ||
    /^OTEL_EXPORTER_PROMETHEUS_(HOST|PORT)$/.test(name)
  );
}

/** Turning things off from a project is still allowed where newer versions lock the rest. */
export function isOffValue(name: string, value: string): boolean {
  if (/_EXPORTER$/.test(name)) return value.trim() === 'none';
  if (name === 'OTEL_LOG_RAW_API_BODIES' && value.trim().startsWith('file:')) return false;
  // Destination settings (endpoints, headers, protocol, certificates, Prometheus host/port) have no "off" value.
  if (/^OTEL_EXPORTER_/.test(name)) return false;
  return !isTruthy(value);
}

/** Claude Code's boolean rule: 1, true, yes, on (case-insensitive, trimmed). */
export function isTruthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}

/**
 * Merges every scope the way Claude Code does: files it drops do not count; within a scope later
 * files (managed drop-ins) win; across scopes the higher scope wins per variable.
 */
export function mergeEnvironment(settings: EnvSetting[], claudeVersion: string): EffectiveEnv {
  const byName = new Map<string, EnvSetting[]>();
  for (const s of settings) {
    const list = byName.get(s.name) ?? [];
    list.push(s);
    byName.set(s.name, list);
  }
  const projectLocked = atLeast(claudeVersion, PROJECT_TELEMETRY_IGNORED_FROM);
  const managedLock = atLeast(claudeVersion, MANAGED_LOCK_FROM);
  const managedGenerics = new Set(settings.filter((s) => s.origin.scope === 'managed' && !s.ignored && s.name in MANAGED_LOCKS).map((s) => s.name));

  const env: EffectiveEnv = new Map();
  for (const [name, list] of byName) {
    // Stable sort by precedence: higher scope first; within a scope the later file (input order) first.
    const ordered = list
      .map((s, i) => ({ s, i }))
      .sort((a, b) => scopeRank(b.s.origin.scope) - scopeRank(a.s.origin.scope) || b.i - a.i)
      .map(({ s }) => s);
    for (const s of ordered) {
      if (s.ignored) continue;
      const scope = s.origin.scope;
      // Measured on 2.1.282: a project's CLAUDE_CODE_ENABLE_TELEMETRY=0 is ignored too, where OTEL_METRICS_EXPORTER=none applies.
      const offAllowed = name !== 'CLAUDE_CODE_ENABLE_TELEMETRY' && isOffValue(name, s.value);
      if (projectLocked && (scope === 'project' || scope === 'local') && isProjectLockedVariable(name) && !offAllowed) {
        s.ignored = `Claude Code ${PROJECT_TELEMETRY_IGNORED_FROM} and later ignore ${name} in project settings`;
      } else if (managedLock && scope !== 'managed') {
        const lockedBy = [...managedGenerics].find((g) => MANAGED_LOCKS[g].test(name));
        if (lockedBy) s.ignored = `managed settings set ${lockedBy}, so Claude Code ${MANAGED_LOCK_FROM}+ deletes ${name} set elsewhere`;
      }
    }
    const winner = ordered.find((s) => !s.ignored);
    if (winner) env.set(name, { name, value: winner.value, origin: winner.origin, all: ordered });
  }
  return env;
}

export function describeOrigin(origin: EnvOrigin): string {
  if (origin.scope === 'shell') return origin.file ? `env file ${origin.file}` : 'the shell environment';
  return origin.file ?? SCOPE_LABEL[origin.scope];
}
