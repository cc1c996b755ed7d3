import { basename, dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import * as jsonc from 'jsonc-parser';

export type FileKind = 'claude-settings' | 'collector' | 'prometheus' | 'compose' | 'grafana-datasources' | 'grafana-dashboards' | 'dashboard' | 'env-file';

const CLAUDE_ENV_KEY = /^(CLAUDE_CODE_|OTEL_|OLTP_)/;

/**
 * Decides what a file is, by content as well as by name: guides ship settings as `settings.json.local`,
 * collector configs under any name, dashboards as plain `.json`. Returns undefined for files that are none of these.
 */
/** Top-level mapping keys found by text (column 0, `key:`), for YAML the parser rejects. */
function topLevelKeys(text: string): Record<string, unknown> {
  const keys: Record<string, unknown> = {};
  for (const m of text.matchAll(/^([A-Za-z_][\w-]*)\s*:/gm)) keys[m[1]] = {};
  return keys;
}

export function classify(path: string, text: string): FileKind | undefined {
  const name = basename(path).toLowerCase();
  const inDotClaude = basename(dirname(path)) === '.claude';
  if (/\.env$|^\.env(\..+)?$/.test(name)) return 'env-file';
  const looksJson = /\.json(c|\.[a-z]+)?$/.test(name) || /^\s*\{/.test(text);
  if (looksJson) {
    if (inDotClaude && /^settings(\.local)?\.json$/.test(name)) return 'claude-settings';
    if (name === 'managed-settings.json' || name === '.claude.json') return 'claude-settings';
    const value = jsonc.parse(text, [], { allowTrailingComma: true });
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const obj = value as Record<string, unknown>;
    if (Array.isArray(obj.panels) || (obj.dashboard && typeof obj.dashboard === 'object' && 'panels' in (obj.dashboard as object))) return 'dashboard';
    if (obj.env && typeof obj.env === 'object' && Object.keys(obj.env).some((k) => CLAUDE_ENV_KEY.test(k))) return 'claude-settings';
    if (/settings/.test(name) && ('permissions' in obj || 'otelHeadersHelper' in obj || 'model' in obj)) return 'claude-settings';
    return undefined;
  }
  if (/\.ya?ml$/.test(name)) {
    let doc: unknown;
    try {
      doc = parseYaml(text, { strict: false, uniqueKeys: false, logLevel: 'silent' });
    } catch {
      doc = undefined;
    }
    // A file that does not parse is still classified by its top-level keys, so its syntax error is reported.
    const obj = doc && typeof doc === 'object' ? (doc as Record<string, unknown>) : topLevelKeys(text);
    if (/compose/.test(name) || (obj.services && typeof obj.services === 'object' && !('receivers' in obj))) return 'compose';
    // Grafana datasource files are often named after their datasource (prometheus.yml, loki.yaml): content first.
    if (('datasources' in obj || 'deleteDatasources' in obj) && !('receivers' in obj) && !('scrape_configs' in obj)) return 'grafana-datasources';
    if ('receivers' in obj || ('exporters' in obj && 'service' in obj) || /otel|collector/.test(name)) return 'collector';
    if ('scrape_configs' in obj || ('global' in obj && /prometheus/.test(name)) || name === 'prometheus.yml') return 'prometheus';
    if ('datasources' in obj || 'deleteDatasources' in obj) return 'grafana-datasources';
    if ('providers' in obj) return 'grafana-dashboards';
  }
  return undefined;
}
