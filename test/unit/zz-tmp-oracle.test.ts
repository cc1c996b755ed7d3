import { it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
const RELABEL = "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['a:1']\n    metric_relabel_configs:\n";
const ORACLE: [string, string, boolean, boolean][] = [
  ['valid', "global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['a:1']\n", false, false],
  ['empty file', '', false, false],
  ['unit-less duration', 'global:\n  scrape_interval: 15\n', true, true],
  ['ordered units', 'global:\n  scrape_interval: 1m30s\n', false, false],
  ['units out of order', 'global:\n  scrape_interval: 500ms1s\n', true, true],
  ['bare 0', "global:\n  scrape_interval: '0'\n", false, false],
  ['scheme in target', "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['http://a:1']\n", true, true],
  ['path in target', "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['a:1/metrics']\n", true, true],
  ['scheme behind a harmless relabel rule', "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - target_label: x\n        replacement: y\n    static_configs:\n      - targets: ['http://a:1']\n", true, false],
  ['empty target', "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['']\n", true, false],
  ['duplicate job', "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['a:1']\n  - job_name: a\n    static_configs:\n      - targets: ['a:2']\n", true, true],
  ['missing job_name', "scrape_configs:\n  - static_configs:\n      - targets: ['a:1']\n", true, true],
  ['job timeout above job interval', "scrape_configs:\n  - job_name: a\n    scrape_interval: 10s\n    scrape_timeout: 20s\n    static_configs:\n      - targets: ['a:1']\n", true, true],
  ['job timeout above the default 1m', "scrape_configs:\n  - job_name: a\n    scrape_timeout: 2m\n    static_configs:\n      - targets: ['a:1']\n", true, true],
  ['short interval, default timeout', "scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    static_configs:\n      - targets: ['a:1']\n", false, false],
  ['global timeout above global interval', 'global:\n  scrape_interval: 5s\n  scrape_timeout: 10s\n', true, true],
  ['global interval below the default timeout', 'global:\n  scrape_interval: 5s\n', false, false],
  ['unknown global field', 'global:\n  scrape_intervall: 15s\n', true, true],
  ['unknown job field', "scrape_configs:\n  - job_name: a\n    static_config:\n      - targets: ['a:1']\n", true, true],
  ['null scrape config', 'scrape_configs:\n  -\n', true, true],
  ['null static config', 'scrape_configs:\n  - job_name: a\n    static_configs:\n      -\n', true, true],
  ['fallback_scrape_protocol (3.0.0)', "scrape_configs:\n  - job_name: a\n    fallback_scrape_protocol: PrometheusText0.0.4\n    static_configs:\n      - targets: ['a:1']\n", true, false],
  ['scrape_classic_histograms (2.45.0 until 3.0.0)', "scrape_configs:\n  - job_name: a\n    scrape_classic_histograms: true\n    static_configs:\n      - targets: ['a:1']\n", true, true],
  ['otlp block (2.55.0)', 'otlp:\n  promote_resource_attributes: [service.name]\n', true, false],
  ['dotted external label (UTF-8 from 3.0.0)', 'global:\n  external_labels:\n    team.name: x\n', true, false],
  ['dashed target label', "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - target_label: a-b\n        replacement: y\n    static_configs:\n      - targets: ['a:1']\n", true, false],
  ['YAML 1.1 boolean', "scrape_configs:\n  - job_name: a\n    honor_labels: yes\n    static_configs:\n      - targets: ['a:1']\n", false, false],
  ['quoted boolean', "scrape_configs:\n  - job_name: a\n    honor_labels: 'true'\n    static_configs:\n      - targets: ['a:1']\n", true, true],
  ['string into uint', "scrape_configs:\n  - job_name: a\n    sample_limit: '100'\n    static_configs:\n      - targets: ['a:1']\n", true, true],
  ['body size without unit', "scrape_configs:\n  - job_name: a\n    body_size_limit: 100\n    static_configs:\n      - targets: ['a:1']\n", true, true],
  ['targets as a string', 'scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: a:1\n', true, true],
  ['scrape_configs as a map', 'scrape_configs: {}\n', true, true],
  ['tracing without endpoint', 'tracing:\n  insecure: true\n', true, true],
  ['relabel regex with an unclosed group', `${RELABEL}      - source_labels: [__name__]\n        regex: 'claude_code_(.*'\n        action: keep\n`, true, true],
  ['relabel regex with a lookahead', `${RELABEL}      - source_labels: [__name__]\n        regex: '(?=x).*'\n        action: keep\n`, true, true],
  ['relabel regex with RE2 syntax', `${RELABEL}      - source_labels: [__name__]\n        regex: '(?i)claude_[[:alpha:]]+'\n        action: keep\n`, false, false],
  ['relabel action in capitals', `${RELABEL}      - source_labels: [__name__]\n        regex: claude_.*\n        action: Keep\n`, false, false],
  ['unknown relabel action', `${RELABEL}      - source_labels: [__name__]\n        action: keeper\n`, true, true],
  ['replace without target_label', `${RELABEL}      - source_labels: [__name__]\n        replacement: x\n`, true, true],
  ['lowercase into a dashed label', `${RELABEL}      - source_labels: [a]\n        action: lowercase\n        target_label: b-c\n`, true, false],
  ['remote_write without url', 'remote_write:\n  - remote_timeout: 30s\n', true, true],
  ['legacy validation scheme in 3.x with a dotted external label', 'global:\n  metric_name_validation_scheme: legacy\n  external_labels:\n    team.name: x\n', true, true],
];
it('oracle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'or-'));
  const P3 = process.env.HOME + '/.cache/claude-otel-doctor/prom3-check-v0.316.0/prom3-check';
  const out: string[] = [];
  ORACLE.forEach(([name, text, v2, v3], i) => {
    const f = join(dir, `c${i}.yml`); writeFileSync(f, text);
    const a = spawnSync('promtool', ['check', 'config', '--syntax-only', f]).status !== 0;
    const b = spawnSync(P3, [f]).status !== 0;
    out.push(`${a === v2 && b === v3 ? 'OK ' : 'BAD'} ${name}`);
  });
  console.log('\n' + out.join('\n'));
});
