import { defineRule, type RuleFinding } from '../define.js';
import { fix, replaceEnvValue } from '../../model/edits.js';
import { atLeast, RESOURCE_SPACE_KEPT_FROM } from '../../model/versions.js';
import { atValue, where } from '../../model/settings-locate.js';
import { listWords } from '../../model/otlp-signals.js';

export interface AttributeSpaces {
  /** Keys whose key or value has a space inside (not just around separators). */
  inside: string[];
  /** Whether there are spaces only around commas, "=" or the ends. */
  around: boolean;
  /** The value with spaces around separators removed and spaces inside values percent-encoded; undefined when a key has a space inside. */
  fixed?: string;
  /** Whether `fixed` percent-encodes anything (which Claude Code may not decode). */
  encodes: boolean;
}

/** Where OTEL_RESOURCE_ATTRIBUTES has whitespace, and the value without it. */
export function attributeSpaces(value: string): AttributeSpaces {
  const inside: string[] = [];
  let around = false;
  let encodes = false;
  let keyHasSpace = false;
  const parts: string[] = [];
  for (const part of value.split(',')) {
    if (part.trim() === '') {
      if (part !== '') around = true;
      continue;
    }
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    const key = rawKey.trim();
    const val = rawValue.trim();
    if (rawKey !== key || rawValue !== val) around = true;
    if (/\s/.test(key)) keyHasSpace = true;
    if (/\s/.test(key) || /\s/.test(val)) inside.push(key.replace(/\s+/g, ' '));
    if (/\s/.test(val)) encodes = true;
    parts.push(eq < 0 ? key : `${key}=${val.replace(/\s/g, (c) => encodeURIComponent(c))}`);
  }
  return { inside, around, fixed: keyHasSpace ? undefined : parts.join(','), encodes };
}

function attributeKeys(value: string): string[] {
  return value
    .split(',')
    .map((p) => (p.includes('=') ? p.slice(0, p.indexOf('=')).trim() : ''))
    .filter((k) => k !== '');
}

const RENAMED = 'replaces the service name claude-code: queries for it find nothing';
const RENAMED_DETAIL = 'dashboards and queries filtering on service_name="claude-code" (or job="claude-code" behind a collector) find nothing';

const messages = {
  discarded: {
    message: (d: { keys: string[] }) =>
      `OTEL_RESOURCE_ATTRIBUTES is discarded whole: none of its ${d.keys.length} attribute${d.keys.length === 1 ? ' is' : 's are'} exported`,
    detail: (d: { where: string; reason: string; keys: string[] }) => `set ${d.where}: ${d.reason}; its attributes: ${listWords(d.keys)}`,
  },
  spaceInside: {
    message: (d: { keys: string[] }) => `OTEL_RESOURCE_ATTRIBUTES has a space inside ${listWords(d.keys)}: dashboards cannot group by it`,
    detail: (d: { where: string; version: string; since: string }) =>
      `set ${d.where}: Claude Code ${d.version} keeps it on the resource but does not copy it onto metric datapoints and events (which dashboards group by), and versions before ${d.since} discard the whole variable`,
  },
  serviceNameAttribute: {
    message: `service.name={{serviceName}} in OTEL_RESOURCE_ATTRIBUTES ${RENAMED}`,
    detail: `set {{where}}: ${RENAMED_DETAIL}`,
  },
  serviceNameVariable: { message: `OTEL_SERVICE_NAME={{serviceName}} ${RENAMED}`, detail: `set {{where}}: ${RENAMED_DETAIL}` },
} as const;

export default defineRule({
  id: 'settings/invalid-resource-attributes',
  severity: 'error',
  title: 'Resource attributes that are dropped or replace the service name',
  checks:
    'OTEL_RESOURCE_ATTRIBUTES must not have a space (or other non-printable or non-ASCII character) inside a key or value, nor an entry without "=" (error; from 2.1.251 a space inside a value is a warning: kept on the resource, not on datapoints and events); spaces around commas and "=" are trimmed and harmless. Warning: `service.name` in OTEL_RESOURCE_ATTRIBUTES, or OTEL_SERVICE_NAME, replaces the service name `claude-code`.',
  why: 'With a space inside a value (`org.name=My Company`) Claude Code silently discards the whole variable: none of its attributes (team, cost centre, environment) reach metrics or events, not only the one with the space. A custom service name replaces `claude-code`, so dashboards and queries that filter on service_name="claude-code" (or job="claude-code" behind a collector) find nothing.',
  fix: 'safe',
  fixDescription:
    'Percent-encodes spaces inside values (`org.name=My Company` → `org.name=My%20Company`, W3C baggage style; Claude Code decodes them, so the value arrives as "My Company") and removes spaces around separators. A key with a space, and the service name, have no automatic fix.',
  versions: `all versions (observed on 2.1.197, E22, E23, E24); from ${RESOURCE_SPACE_KEPT_FROM} a space inside a value no longer discards the variable (warning: the attribute stays off datapoints and events)`,
  bad: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",\n    "OTEL_RESOURCE_ATTRIBUTES": "team.id=platform,org.name=My Company"\n  }\n}\n',
  },
  good: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",\n    "OTEL_RESOURCE_ATTRIBUTES": "team.id=platform,org.name=my-company"\n  }\n}\n',
  },
  references: [
    'measured on real Claude Code: test/conformance/cases.ts, case "invalid-resource-attributes: a space inside a value drops every attribute (before 2.1.251)"',
    'measured on real Claude Code: test/conformance/cases.ts, case "invalid-resource-attributes: service.name replaces claude-code"',
    'https://github.com/anthropics/claude-code/issues/4338 (resource attributes missing; values with spaces)',
    'https://github.com/github/gh-aw/issues/39595',
    'https://code.claude.com/docs/en/monitoring-usage',
  ],
  messages,
  oracle: 'claude-code',
  stage: 'Claude Code settings',
  check(ws) {
    const { env, prediction } = ws.claude;
    const findings: RuleFinding<typeof messages>[] = [];
    const attrs = env.get('OTEL_RESOURCE_ATTRIBUTES');
    // The prediction reads the variable as the real detector does (proven by the conformance suite):
    // spaces around separators are trimmed, %20 is decoded, a space inside a key or value drops everything.
    const dropped = !!attrs && prediction.resource.dropped !== undefined;
    if (attrs && dropped) {
      const s = attributeSpaces(attrs.value);
      const keys = attributeKeys(attrs.value);
      findings.push({
        ...atValue(attrs.origin, attrs.name),
        kind: 'discarded',
        data: { where: where(attrs.origin), reason: prediction.resource.dropped!, keys },
        hint:
          s.fixed === undefined
            ? 'attribute keys cannot contain spaces: rename the key (e.g. org.name) and write values without spaces'
            : 'percent-encode spaces inside values as %20 (Claude Code decodes them), or write values without spaces',
        fix:
          s.fixed !== undefined && s.inside.length
            ? fix('safe', 'percent-encode spaces inside values and remove spaces around separators', replaceEnvValue(attrs.origin, attrs.name, s.fixed))
            : undefined,
      });
    }
    const spaced = attrs && !dropped ? attributeSpaces(attrs.value) : undefined;
    if (attrs && spaced?.inside.length && spaced.fixed !== undefined && atLeast(ws.claude.version.version, RESOURCE_SPACE_KEPT_FROM)) {
      // Measured: 2.1.251 keeps such values on the resource but copies none of the variable's attributes onto
      // datapoints and events; 2.1.332 copies all but the entries with a space.
      findings.push({
        ...atValue(attrs.origin, attrs.name),
        severity: 'warning',
        kind: 'spaceInside',
        data: { where: where(attrs.origin), keys: spaced.inside, version: ws.claude.version.version, since: RESOURCE_SPACE_KEPT_FROM },
        hint: 'percent-encode spaces inside values as %20 (Claude Code decodes them), or write values without spaces',
        fix: fix('safe', 'percent-encode spaces inside values and remove spaces around separators', replaceEnvValue(attrs.origin, attrs.name, spaced.fixed)),
      });
    }
    if (attrs && !dropped) {
      const entry = attrs.value
        .split(',')
        .map((p) => ({ key: p.slice(0, Math.max(0, p.indexOf('='))).trim(), value: p.slice(p.indexOf('=') + 1).trim() }))
        .find((e) => e.key === 'service.name');
      if (entry && entry.value !== 'claude-code') {
        findings.push({
          ...atValue(attrs.origin, attrs.name),
          severity: 'warning',
          kind: 'serviceNameAttribute',
          data: { where: where(attrs.origin), serviceName: entry.value },
          hint: 'remove service.name and label the setup with another attribute (e.g. team.id or deployment.environment), or change the dashboards to the new name',
        });
      }
    }
    const serviceName = env.get('OTEL_SERVICE_NAME');
    if (serviceName && serviceName.value.trim() !== '' && serviceName.value.trim() !== 'claude-code') {
      findings.push({
        ...atValue(serviceName.origin, serviceName.name),
        severity: 'warning',
        kind: 'serviceNameVariable',
        data: { serviceName: serviceName.value.trim(), where: where(serviceName.origin) },
        hint: 'remove OTEL_SERVICE_NAME and label the setup with OTEL_RESOURCE_ATTRIBUTES (e.g. team.id=platform), or change the dashboards to the new name',
      });
    }
    return findings;
  },
});
