import { basename, dirname } from 'node:path';
import * as jsonc from 'jsonc-parser';
import type { Document } from 'yaml';
import { parseYamlDocument } from '../load/yaml.js';
import { jsonNestingOffset, syntaxOf } from '../load/nesting.js';
import { SourceFile } from '../load/source.js';

export type FileKind =
  | 'claude-settings'
  | 'collector'
  | 'prometheus'
  | 'compose'
  | 'grafana-datasources'
  | 'grafana-dashboards'
  | 'dashboard'
  | 'loki'
  | 'env-file';

const CLAUDE_ENV_KEY = /^(CLAUDE_CODE_|OTEL_|OLTP_)/;

/**
 * Names a config file the doctor reads can have: a file by such a name that cannot be read is worth a line
 * (a broken link named README.md is not).
 */
export function looksLikeConfigName(path: string): boolean {
  return /\.(jsonc?|json\.[a-z]+|ya?ml|env)$|^\.env(\..+)?$|settings/.test(basename(path).toLowerCase());
}

/** Top-level mapping keys found by text (column 0, `key:`), for YAML the parser rejects. */
function topLevelKeys(text: string): Record<string, unknown> {
  const keys: Record<string, unknown> = {};
  for (const m of text.matchAll(/^([A-Za-z_][\w-]*)\s*:/gm)) keys[m[1]] = {};
  return keys;
}

/**
 * Decides what a file is, by content as well as by name: guides ship settings as `settings.json.local`,
 * collector configs under any name, dashboards as plain `.json`. Returns undefined for files that are none of these.
 */
export function classify(path: string, text: string): FileKind | undefined {
  return classifySource(new SourceFile(path, text))?.kind;
}

/**
 * `classify`, keeping the YAML Document it parsed: loading reuses it (`StackFile.yamlDoc`) instead of parsing the
 * file a second time.
 */
export function classifySource(source: SourceFile): { kind: FileKind; yamlDoc?: Document.Parsed } | undefined {
  const { path, text } = source;
  const name = basename(path).toLowerCase();
  const inDotClaude = basename(dirname(path)) === '.claude';
  const syntax = syntaxOf(path, text);
  if (syntax === 'env') return { kind: 'env-file' };
  if (syntax === 'json') {
    if (inDotClaude && /^settings(\.local)?\.json$/.test(name)) return { kind: 'claude-settings' };
    if (name === 'managed-settings.json' || name === '.claude.json') return { kind: 'claude-settings' };
    // jsonc-parser recurses per level (readTextFile refuses such files already; this keeps classify safe alone).
    if (jsonNestingOffset(text) !== undefined) return undefined;
    const value = jsonc.parse(text, [], { allowTrailingComma: true });
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const obj = value as Record<string, unknown>;
    if (Array.isArray(obj.panels) || (obj.dashboard && typeof obj.dashboard === 'object' && 'panels' in (obj.dashboard as object)))
      return { kind: 'dashboard' };
    if (obj.env && typeof obj.env === 'object' && Object.keys(obj.env).some((k) => CLAUDE_ENV_KEY.test(k))) return { kind: 'claude-settings' };
    if (/settings/.test(name) && ('permissions' in obj || 'otelHeadersHelper' in obj || 'model' in obj)) return { kind: 'claude-settings' };
    return undefined;
  }
  if (syntax === 'yaml') {
    const yamlDoc = parseYamlDocument(source);
    // A file that does not parse is still classified by its top-level keys, so its syntax error is reported.
    const obj = lenientValue(yamlDoc) ?? topLevelKeys(text);
    const kind = yamlKind(name, obj);
    return kind && { kind, yamlDoc };
  }
  return undefined;
}

function yamlKind(name: string, obj: Record<string, unknown>): FileKind | undefined {
  if (/compose/.test(name) || (obj.services && typeof obj.services === 'object' && !('receivers' in obj))) return 'compose';
  // Grafana datasource files are often named after their datasource (prometheus.yml, loki.yaml): content first.
  if (('datasources' in obj || 'deleteDatasources' in obj) && !('receivers' in obj) && !('scrape_configs' in obj)) return 'grafana-datasources';
  // Loki's config: its schema periods (or its server block beside auth_enabled) say so, whatever the name.
  if (!('receivers' in obj) && ('schema_config' in obj || ('auth_enabled' in obj && 'server' in obj))) return 'loki';
  if ('receivers' in obj || ('exporters' in obj && 'service' in obj) || /otel|collector/.test(name)) return 'collector';
  if ('scrape_configs' in obj || ('global' in obj && /prometheus/.test(name)) || name === 'prometheus.yml') return 'prometheus';
  if ('datasources' in obj || 'deleteDatasources' in obj) return 'grafana-datasources';
  if ('providers' in obj) return 'grafana-dashboards';
  return undefined;
}

/**
 * What `yaml.parse(text, { strict: false, uniqueKeys: false, logLevel: 'silent' })` gave here before (an object, or
 * undefined when it threw or gave a scalar), taken from the one Document parsed with the loader's options: `strict`
 * and `uniqueKeys` only add errors, never change the nodes, and errors are ignored here as `parse` ignored them.
 */
function lenientValue(doc: Document.Parsed): Record<string, unknown> | undefined {
  const options = doc.options;
  const logLevel = options.logLevel;
  options.logLevel = 'silent'; // toJS warns about collection keys; classifying stays quiet, as before
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 }); // parse's default; loading allows more
  } catch {
    value = undefined;
  } finally {
    options.logLevel = logLevel;
  }
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}
