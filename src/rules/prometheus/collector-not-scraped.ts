import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlAppendBlockItem, yamlFillEmptyKey, yamlInsertMapEntry, yamlReplaceMapEntry } from '../../model/edits.js';
import { isMap, isSeq, nodeAt, type YamlDocument } from '../../load/yaml.js';
import { atYaml } from '../../model/yaml-locate.js';
import { analyzeScrapes, collectorSides, prometheusSides } from '../../model/scrape-targets.js';
import type { TextEdit } from '../../types.js';

export default defineRule({
  id: 'prometheus/collector-not-scraped',
  severity: 'error',
  title: "No scrape job reaches the collector's prometheus exporter",
  checks:
    "The collector config has a `prometheus` exporter in a pipeline, but no job in prometheus.yml targets it: host = the collector's compose service (or container name, hostname, alias), port = the exporter's endpoint port.",
  why: "The collector converts Claude Code's metrics and serves them on its exporter port, but nothing collects them: Prometheus has no `claude_code_*` series and every dashboard panel shows \"No data\", while the collector logs no error.",
  fix: 'unsafe',
  fixDescription:
    'Appends a job `otel-collector` (or a free name) with `static_configs: targets: [<service>:<port>]` to scrape_configs. Unsafe: it adds a new scrape target, and the job name may not be what your dashboards filter on.',
  versions: 'all versions',
  bad: {
    file: 'prometheus.yml',
    text: "scrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['localhost:9090']\n",
  },
  good: {
    file: 'prometheus.yml',
    text: "scrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['localhost:9090']\n  - job_name: otel-collector\n    static_configs:\n      - targets: ['otel-collector:8889']\n",
  },
  references: ['prometheus.md §1 (scrape targets for Claude Code metrics: otel-collector:8889)', 'peers.md §1.1 (anthropics guide: job otel-collector → otel-collector:8889)'],
  oracle: 'fixtures',
  stage: 'Prometheus',
  check(ws) {
    const findings: RuleFinding[] = [];
    const collectors = collectorSides(ws);
    for (const side of prometheusSides(ws)) {
      if (side.dynamic) continue;
      const p = side.prometheus;
      for (const c of collectors) {
        const a = analyzeScrapes(side, c);
        // A target meant for the collector but on the wrong host or port is another rule's finding
        // (prometheus/localhost-target, prometheus/target-port-mismatch, compose/unknown-host).
        if (a.localhost.length > 0 || a.wrongPort.length > 0 || a.unknownHost.length > 0) continue;
        for (const e of c.exporters) {
          if ((a.scraped.get(e.port) ?? []).length > 0) continue;
          const host = c.service?.service.name;
          const target = host ? `${host}:${e.port}` : undefined;
          const jobName = freeJobName(p.jobs.map((j) => j.name), host ?? 'otel-collector');
          const lines = [`job_name: ${jobName}`, 'static_configs:', `  - targets: ['${target}']`];
          const where = isMap(p.yaml.doc.contents) && p.yaml.doc.has('scrape_configs') ? atYaml(p.yaml, ['scrape_configs']) : { file: p.file, range: p.yaml.source.range(0, 0) };
          findings.push({
            ...where,
            message: `no scrape job in ${basename(p.file)} targets the collector's prometheus exporter (exporters.${e.exporter.id}${target ? ` on ${target}` : `, port ${e.port}`}, ${basename(c.collector.file)}): the Claude Code metrics it serves are never stored, so dashboards stay empty`,
            hint: target
              ? `add a job with targets: ['${target}'] (the compose service name and the exporter's port)`
              : `add a job whose target is the collector's host and port ${e.port}`,
            fix: target ? fix('unsafe', `add a scrape job "${jobName}" for ${target}`, addJob(p.yaml, lines)) : undefined,
          });
        }
      }
    }
    return findings;
  },
});

function freeJobName(taken: string[], base: string): string {
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base}-${i}`)) return `${base}-${i}`;
}

/** Append the job to scrape_configs, creating the key when it is missing, empty or a flow list. */
function addJob(y: YamlDocument, lines: string[]): TextEdit[] {
  const list = nodeAt(y, ['scrape_configs']);
  const item = [`- ${lines[0]}`, ...lines.slice(1).map((l) => `  ${l}`)];
  if (isSeq(list) && list.items.length > 0) return list.flow ? [] : yamlAppendBlockItem(y, ['scrape_configs'], lines);
  if (list === undefined && !y.doc.has('scrape_configs')) {
    if (isMap(y.doc.contents)) return yamlInsertMapEntry(y, [], 'scrape_configs', item);
    const text = y.source.text;
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const lead = text.length > 0 && !text.endsWith('\n') ? eol : '';
    return y.doc.contents === null || y.doc.contents === undefined
      ? [{ file: y.source.path, offset: text.length, length: 0, text: `${lead}scrape_configs:${eol}${item.map((l) => `  ${l}${eol}`).join('')}` }]
      : [];
  }
  const filled = yamlFillEmptyKey(y, ['scrape_configs'], item);
  return filled.length > 0 ? filled : yamlReplaceMapEntry(y, ['scrape_configs'], 'scrape_configs', item);
}
