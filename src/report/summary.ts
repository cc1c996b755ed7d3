import type { Prediction } from '../model/prediction.js';
import type { ClaudeSetup } from '../model/workspace.js';
import { atLeast, CHUNKED_BODIES } from '../model/versions.js';
import { displayPath } from '../util/display.js';
import { assumedVersionText } from '../model/assumed-version-text.js';

/** "Claude Code 2.1.197 (--claude-version)": the version predicted for and where it came from. */
function claudeVersionText(v: ClaudeSetup['version']): string {
  if (v.source === 'newest known') return assumedVersionText('Claude Code', v.version, true, 'no --claude-version, no installed claude read');
  const from = { flag: '--claude-version', installed: 'claude --version', config: 'the doctor config' }[v.source];
  return `Claude Code ${v.version} (${from})`;
}

/**
 * One line per signal: what Claude Code will really export, in plain words. Shown above or below the findings
 * (doctor, check) or with none (probe), so a line names what it refers to rather than pointing up or down.
 */
export function predictionLines(claude: ClaudeSetup, cwd?: string): string[] {
  const p: Prediction = claude.prediction;
  const version = claudeVersionText(claude.version);
  if (!p.telemetryEnabled) {
    const dropped = claude.files.filter((f) => f.dropped).map((f) => (f.inline ? f.path : displayPath(f.path, cwd)));
    const why = dropped.length ? `; Claude Code ignores ${dropped.join(', ')}: ${dropped.length > 1 ? 'they do' : 'it does'} not parse or validate` : '';
    return [`${version}: telemetry is off (CLAUDE_CODE_ENABLE_TELEMETRY is not on${why}): nothing is exported`];
  }
  if (p.initFailure) return [`${version}: telemetry init fails (${p.initFailure}): nothing at all is exported`];
  const lines = [`${version} will export:`];
  for (const s of p.signals) {
    if (s.exporters.length === 0) {
      if (s.signal !== 'traces') lines.push(`  ${s.signal}: off`);
      continue;
    }
    const parts: string[] = [s.exporters.join(',')];
    if (s.protocol) parts.push(s.protocol);
    if (s.url) parts.push(`→ ${s.url}`);
    if (s.headerNames.length) parts.push(`headers: ${s.headerNames.join(', ')}`);
    if (s.headersFromHelper) parts.push('+ otelHeadersHelper');
    if (s.temporality) parts.push(s.temporality);
    parts.push(`every ${s.intervalMs} ms`);
    lines.push(`  ${s.signal}: ${parts.join(' ')}${s.problem ? ` (but ${s.problem})` : ''}`);
  }
  const http = p.signals.some((s) => s.exported && s.protocol && s.protocol !== 'grpc');
  const v = claude.version.version;
  if (http && atLeast(v, CHUNKED_BODIES.from) && !atLeast(v, CHUNKED_BODIES.fixedIn)) {
    lines.push(
      `  note: ${v} sends OTLP/HTTP bodies chunked, without Content-Length; endpoints that require it (e.g. Azure Monitor) reject them (fixed in ${CHUNKED_BODIES.fixedIn})`,
    );
  }
  return lines;
}
