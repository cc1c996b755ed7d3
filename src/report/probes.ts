import { docsUrl } from '../version.js';
import pc from 'picocolors';
import { PROBES } from '../probes/index.js';
import type { Probe } from '../probes/define.js';
import type { AnyRule } from '../rules/define.js';

/** `explain probe/…`: the probe's metadata, as `explain` shows a rule's. */
export function explainProbe(probe: Probe, color: boolean): string {
  const c = pc.createColors(color);
  return [
    `${c.bold(probe.id)}  (live probe, stage: ${probe.stage}) ${probe.title}`,
    '',
    `${c.bold('What it does:')} ${probe.checks}`,
    `${c.bold('Why it matters:')} ${probe.why}`,
    `${c.bold('Runs with:')} the doctor (without --offline) and \`probe\`; never with \`check\`.`,
    c.bold('References:'),
    ...probe.references.map((r) => `  - ${r}`),
    `${c.bold('Docs:')} ${docsUrl(probe.id)}`,
    '',
  ].join('\n');
}

/** Probes as SARIF rule descriptors (a probe finding's rule id is the probe id). */
export function probeDescriptors(): AnyRule[] {
  return PROBES.map((p) => ({
    id: p.id,
    severity: 'error',
    title: p.title,
    checks: p.checks,
    why: p.why,
    fix: 'none',
    versions: 'live',
    bad: { file: '', text: '' },
    good: { file: '', text: '' },
    references: p.references,
    oracle: 'fixtures',
    stage: p.stage,
    messages: p.messages,
    check: () => [],
  }));
}

/** docs/probes.md: every probe from its metadata. */
export function probesDocPage(): string {
  return [
    '# Live probes',
    '',
    "The doctor (`claude-otel-doctor` without `--offline`) and `claude-otel-doctor probe` run these against the running stack, all at once, each request with a hard timeout (`--timeout`, 5 s). Targets come from the same files the static rules read: the endpoint and headers Claude Code will use, the compose file's published ports, the collector config; flags (`--prometheus-url`, `--grafana-url`, `--loki-url`) override them. A well-known default port where nothing answers is reported as skipped, not failed. A failed probe is a finding with the probe id as rule id (`--select`, `--ignore`, `--fail-on`, JSON and SARIF treat it like any finding). Header values, tokens and passwords never appear in output.",
    '',
    "Grafana is signed in to with `GRAFANA_TOKEN` (a service-account token), else the user and password in `--grafana-url`, else the compose service's `GF_SECURITY_ADMIN_USER`/`GF_SECURITY_ADMIN_PASSWORD` (written literally, or a `${VAR}` filled from the `.env` beside the compose file or its default, never from the shell; sent only to that service's own port published on loopback), else `admin/admin` (a warning when that works).",
    '',
    ...PROBES.flatMap((p) => [
      `## ${p.id}`,
      '',
      `**${p.title}** · stage: ${p.stage}`,
      '',
      `**What it does.** ${p.checks}`,
      '',
      `**Why it matters.** ${p.why}`,
      '',
      '**References.**',
      '',
      ...p.references.map((r) => `- ${r}`),
      '',
    ]),
    "_Generated from the probes' metadata (`src/probes/checks/*.ts`) by `npm run docs`._",
    '',
  ].join('\n');
}
