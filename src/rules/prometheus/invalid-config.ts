import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import { checkPrometheusConfig, rejectedIn, type PromAcceptance } from '../../model/prometheus-check.js';
import { prometheusVersionText } from '../../model/prometheus-version-text.js';

/** `prometheus` is prometheusVersionText's "Prometheus 3.5.0 (…)"; `accepted` the releases that accept it after all. */
interface Refusal {
  error: string;
  prometheus: string;
  file: string;
  why?: string;
  accepted?: PromAcceptance;
}
const because = (why: string | undefined) => (why ? ` (${why})` : '');

/** "from 3.0.0 on", "before 3.0.0", "before 2.45.0 and from 3.0.0 on": the releases that refuse what the others accept. */
function rejectedRange(a: PromAcceptance): string {
  const parts = [a.since && `before ${a.since}`, a.until && `from ${a.until} on`].filter(Boolean);
  return parts.join(' and ');
}

const messages = {
  yaml: { message: 'Prometheus refuses to load {{file}}: invalid YAML', detail: 'yaml: {{problem}}; at {{prometheus}}' },
  duplicateKey: { message: 'Prometheus refuses to load {{file}}: duplicate key "{{key}}"', detail: 'at {{prometheus}}' },
  refused: { message: (d: Refusal) => `Prometheus refuses to load ${d.file}`, detail: (d: Refusal) => `${d.error}${because(d.why)}; at ${d.prometheus}` },
  /** `prometheus` here is the assumption: the version is not known, and some releases accept it. */
  refusedFromUnknown: {
    message: (d: Refusal & { accepted: PromAcceptance }) => `Prometheus releases ${rejectedRange(d.accepted)} refuse to load ${d.file}`,
    detail: (d: Refusal & { accepted: PromAcceptance }) => `${d.error}${because(d.why)}; the Prometheus version here is not known: ${d.prometheus}`,
  },
  promtoolRejects: {
    message: (d: Refusal) => `promtool check config rejects ${d.file}`,
    detail: (d: Refusal) => `${d.error}${because(d.why)}; at ${d.prometheus}`,
  },
} as const;
type InvalidConfigFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'prometheus/invalid-config',
  severity: 'error',
  title: 'prometheus.yml that Prometheus refuses to load',
  checks:
    'prometheus.yml the way the config loader of the Prometheus version in force reads it (strict YAML): syntax, unknown or version-specific fields, durations, scheme or path in targets, empty and duplicate job names, scrape_timeout above scrape_interval, null list entries, file and DNS service discovery entries (fields, file patterns, record type, port) and Kubernetes roles, and for 2.x the legacy label-name rules and the targets promtool builds.',
  why: 'Prometheus does not start (or keeps the old config on reload), and `promtool check config` fails with e.g. "parsing YAML file prometheus.yml: \\"http://otel-collector:8889\\" is not a valid hostname", "not a valid duration string: \\"15\\"", "found multiple scrape configs with job name \\"otel-collector\\"" or "field scrape_intervall not found in type config.plain": no metrics are scraped at all.',
  fix: 'none',
  versions:
    'all Prometheus versions; fields are checked against the release that added or removed them (e.g. fallback_scrape_protocol from 3.0.0, scrape_classic_histograms 2.45.0–2.55.x); label names beyond [a-zA-Z_][a-zA-Z0-9_]* are rejected before 3.0.0; a field only some releases accept is a warning when the version is not known (it names the assumption)',
  bad: {
    file: 'prometheus.yml',
    text: "global:\n  scrape_interval: 15\nscrape_configs:\n  - job_name: otel-collector\n    static_configs:\n      - targets: ['http://otel-collector:8889']\n",
  },
  good: {
    file: 'prometheus.yml',
    text: "global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: otel-collector\n    static_configs:\n      - targets: ['otel-collector:8889']\n",
  },
  references: [
    'https://github.com/prometheus/prometheus/blob/v3.14.0/config/config.go (Load, GlobalConfig and ScrapeConfig UnmarshalYAML/Validate, CheckTargetAddress)',
    'https://github.com/prometheus/prometheus/blob/v3.14.0/discovery/file/file.go',
    'https://github.com/prometheus/prometheus/blob/v3.14.0/discovery/dns/dns.go',
    'https://github.com/prometheus/prometheus/blob/v3.14.0/discovery/kubernetes/kubernetes.go (SDConfig UnmarshalYAML)',
    'https://github.com/prometheus/prometheus/blob/v3.14.0/cmd/promtool/main.go (promtool check config)',
    'https://github.com/prometheus/common/blob/main/model/time.go (ParseDuration)',
  ],
  oracle: 'promtool',
  stage: 'Prometheus',
  judgedAgainst: 'prometheus',
  messages,
  // YAML errors refuse the file at every version; a config issue outside the releases that accept it.
  fatalIn: (version, finding) =>
    finding.kind === 'yaml' ||
    finding.kind === 'duplicateKey' ||
    (finding.kind !== 'refusedFromUnknown' && finding.kind !== undefined && rejectedIn(finding.data.accepted, version)),
  check(ws) {
    const findings: InvalidConfigFinding[] = [];
    const v = ws.stack.prometheusVersion;
    const versionText = prometheusVersionText(ws.stack);
    for (const p of ws.stack.prometheus) {
      const name = basename(p.file);
      if (p.yaml.problems.length > 0) {
        for (const problem of p.yaml.problems) {
          const duplicate = problem.code === 'DUPLICATE_KEY' ? duplicateKey(p.yaml.source.text, problem.offset) : undefined;
          findings.push({
            file: p.file,
            range: p.yaml.source.range(problem.offset, problem.length),
            ...(duplicate
              ? { kind: 'duplicateKey', data: { key: duplicate, prometheus: versionText, file: name } }
              : { kind: 'yaml', data: { problem: problem.message, prometheus: versionText, file: name } }),
            hint:
              problem.code === 'TAB_AS_INDENT' ? 'indent with spaces' : duplicate ? 'merge the two entries into one' : 'fix the YAML syntax at this position',
          });
        }
        continue;
      }
      const assumed = v.source === 'assumed';
      for (const issue of checkPrometheusConfig(p.yaml, v.version, assumed)) {
        // Accepted by some releases, and which one runs is not known: a warning that names the assumption.
        if (assumed && issue.accepted) {
          findings.push({
            ...issue.at,
            severity: 'warning',
            kind: 'refusedFromUnknown',
            data: { error: issue.error, prometheus: versionText, file: name, why: issue.why, accepted: issue.accepted },
            hint: `${issue.hint ? `${issue.hint}; ` : ''}pin the Prometheus image to a version tag (or pass --prometheus-version) for a certain verdict`,
          });
          continue;
        }
        findings.push({
          ...issue.at,
          kind: issue.promtoolOnly ? 'promtoolRejects' : 'refused',
          data: { error: issue.error, prometheus: versionText, file: name, why: issue.why, accepted: issue.accepted },
          hint: issue.hint,
        });
      }
    }
    return findings;
  },
});

/** The key text at a duplicate-key error: `key:` at the offset. */
function duplicateKey(text: string, offset: number): string | undefined {
  return /^["']?([^"':\n]+)["']?\s*:/.exec(text.slice(offset))?.[1];
}
