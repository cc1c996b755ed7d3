import pc from 'picocolors';
import { RULES } from '../rules/index.js';
import type { AnyRule } from '../rules/define.js';
import { PROBES } from '../probes/index.js';
import { docsUrl } from '../version.js';

export function listRules(json: boolean, color: boolean): string {
  if (json) {
    return `${JSON.stringify(
      [
        ...RULES.map(({ check: _check, ...meta }) => ({ ...meta, helpUri: docsUrl(meta.id) })),
        ...PROBES.map(({ run: _run, ...meta }) => ({ ...meta, kind: 'probe', helpUri: docsUrl(meta.id) })),
      ],
      null,
      2,
    )}\n`;
  }
  const c = pc.createColors(color);
  const width = Math.max(...[...RULES, ...PROBES].map((r) => r.id.length));
  const lines = RULES.map((r) => {
    const fix = r.fix === 'none' ? '     ' : r.fix === 'safe' ? c.green('fix  ') : c.yellow('fix! ');
    return `${r.id.padEnd(width)}  ${r.severity.padEnd(7)}  ${fix} ${r.title}`;
  });
  // The live probes report findings under their own ids (probe/…): listed too, so every id a report shows is here.
  const probes = PROBES.map((p) => `${p.id.padEnd(width)}  ${'probe'.padEnd(7)}        ${p.title}`);
  return `${lines.join('\n')}\n\nLive probes (the doctor without --offline, and probe):\n${probes.join('\n')}\n\n${RULES.length} rules and ${PROBES.length} probes. "fix" = safe fix (--fix), "fix!" = unsafe fix (--fix --unsafe-fixes). Details: claude-otel-doctor explain <id>\n`;
}

export function explainRule(rule: AnyRule, color: boolean): string {
  const c = pc.createColors(color);
  return [
    `${c.bold(rule.id)}  (${rule.severity}) ${rule.title}`,
    '',
    `${c.bold('What it checks:')} ${rule.checks}`,
    `${c.bold('Why it matters:')} ${rule.why}`,
    ...(rule.certainty ? [`${c.bold('Why an error is certain:')} ${rule.certainty}`] : []),
    `${c.bold('Fix:')} ${fixText(rule)}`,
    `${c.bold('Versions:')} ${rule.versions}`,
    '',
    c.bold(`Failing example (${rule.bad.file}):`),
    indent(rule.bad.text),
    c.bold(`Fixed example (${rule.good.file}):`),
    indent(rule.good.text),
    c.bold('References:'),
    ...rule.references.map((r) => `  - ${r}`),
    `${c.bold('Docs:')} ${docsUrl(rule.id)}`,
    '',
  ].join('\n');
}

function indent(text: string): string {
  return `${text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\n`;
}

export function fixText(rule: AnyRule): string {
  if (rule.fix === 'none') return 'no automatic fix.';
  const safety = rule.fix === 'safe' ? 'safe (applied by --fix)' : 'unsafe (needs --fix --unsafe-fixes; it may change behaviour)';
  return `${safety}. ${rule.fixDescription ?? ''}`.trim();
}

/** The docs/rules/<id>.md page, generated from metadata so docs and `explain` never drift. */
export function ruleDocPage(rule: AnyRule): string {
  const lang = (file: string) => (/\.ya?ml$/.test(file) ? 'yaml' : /\.json/.test(file) ? 'json' : /\.env$|env$/.test(file) ? 'sh' : '');
  return [
    `# ${rule.id}`,
    '',
    `**${rule.title}** · default severity: ${rule.severity} · fix: ${rule.fix}`,
    '',
    '## What it checks',
    '',
    rule.checks,
    '',
    '## Why it matters',
    '',
    rule.why,
    '',
    ...(rule.certainty ? ['## Why an error is certain', '', rule.certainty, ''] : []),
    '## Failing example',
    '',
    `\`${rule.bad.file}\``,
    '',
    `\`\`\`${lang(rule.bad.file)}`,
    rule.bad.text.replace(/\n$/, ''),
    '```',
    '',
    '## Fixed example',
    '',
    `\`${rule.good.file}\``,
    '',
    `\`\`\`${lang(rule.good.file)}`,
    rule.good.text.replace(/\n$/, ''),
    '```',
    '',
    '## Fix',
    '',
    fixText(rule),
    '',
    '## Versions',
    '',
    rule.versions,
    '',
    '## References',
    '',
    ...rule.references.map((r) => `- ${r}`),
    '',
    `_Generated from the rule's metadata (\`src/rules/${rule.id}.ts\`) by \`npm run docs\`; edit the metadata, not this page._`,
    '',
  ].join('\n');
}
