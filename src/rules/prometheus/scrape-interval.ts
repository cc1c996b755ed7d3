import { defineRule, type RuleFinding } from '../define.js';
import { parsePromDuration } from '../../model/prometheus.js';
import { atYaml } from '../../model/yaml-locate.js';
import { analyzeScrapes, collectorSides, prometheusSides } from '../../model/scrape-targets.js';

/** Prometheus' default query lookback (`--query.lookback-delta`), which promtool's too-long-scrape-interval lint uses. */
const LOOKBACK_SECONDS = 300;

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export default defineRule({
  id: 'prometheus/scrape-interval',
  severity: 'warning',
  title: "Scrape interval at or above the exporter's metric_expiration or the 5m lookback",
  checks:
    "A job's effective scrape_interval (its own, else global, else 1m) is at or above the 5m query lookback, or, for a job that scrapes the collector's prometheus exporter, at or above that exporter's metric_expiration (a Go duration, default 5m).",
  why: 'At or above the lookback every sample is stale before the next arrives (promtool --lint=too-long-scrape-interval: "too long scrape interval found, data point will be marked as stale - job: <job>, interval: <d>"); at or above metric_expiration the exporter drops series Claude Code stopped updating before Prometheus sees them. Dashboards show gaps and rate() returns nothing.',
  fix: 'none',
  versions: 'all versions (the lint exists in promtool from 3.2.0; the staleness applies everywhere)',
  bad: { file: 'prometheus.yml', text: "scrape_configs:\n  - job_name: otel-collector\n    scrape_interval: 5m\n    static_configs:\n      - targets: ['otel-collector:8889']\n" },
  good: { file: 'prometheus.yml', text: "scrape_configs:\n  - job_name: otel-collector\n    scrape_interval: 30s\n    static_configs:\n      - targets: ['otel-collector:8889']\n" },
  references: [
    'prometheus.md §1 (scrape interval ≥ lookback delta; metric_expiration must exceed the scrape interval)',
    'collector.md §4.3 (metric_expiration, default 5m)',
    'prometheus/prometheus cmd/promtool/main.go lintScrapeConfigs',
  ],
  oracle: 'fixtures',
  stage: 'Prometheus',
  check(ws) {
    const findings: RuleFinding[] = [];
    const collectors = collectorSides(ws);
    for (const side of prometheusSides(ws)) {
      const p = side.prometheus;
      const root = isObject(p.yaml.value) ? p.yaml.value : {};
      const global = isObject(root.global) ? root.global : {};
      const globalText = global.scrape_interval === undefined || global.scrape_interval === null ? undefined : String(global.scrape_interval);
      const globalOwn = globalText !== undefined ? parsePromDuration(globalText) : undefined;
      const globalSeconds = globalOwn || 60;
      const analyses = collectors.map((c) => ({ c, a: analyzeScrapes(side, c) }));
      const jobs = Array.isArray(root.scrape_configs) ? root.scrape_configs : [];
      p.jobs.forEach((job, i) => {
        const raw = isObject(jobs[i]) ? jobs[i] : {};
        const ownText = raw.scrape_interval === undefined || raw.scrape_interval === null ? undefined : String(raw.scrape_interval);
        const own = ownText !== undefined ? parsePromDuration(ownText) : undefined;
        const seconds = own || globalSeconds;
        const text = own ? ownText! : globalOwn ? globalText! : '1m';
        const reasons: string[] = [];
        for (const { c, a } of analyses) {
          for (const e of c.exporters) {
            if (!e.expiration || !(a.scraped.get(e.port) ?? []).some((r) => r.job === job)) continue;
            if (seconds >= e.expiration.seconds) {
              reasons.push(
                `at or above the metric_expiration of exporters.${e.exporter.id} (${e.expiration.text}${e.exporter.config.metric_expiration === undefined ? ', the default' : ''}): series Claude Code stopped updating drop out of /metrics before the next scrape`,
              );
            }
          }
        }
        if (seconds >= LOOKBACK_SECONDS) {
          reasons.push(`at or above the 5m query lookback: every sample is stale before the next one arrives ("too long scrape interval found, data point will be marked as stale - job: ${job.name}, interval: ${text}")`);
        }
        if (reasons.length === 0) return;
        const path = own ? [...job.path, 'scrape_interval'] : globalOwn ? ['global', 'scrape_interval'] : [...job.path, 'job_name'];
        findings.push({
          ...atYaml(p.yaml, path, own || globalOwn ? 'value' : 'key'),
          message: `job "${job.name}" scrapes every ${text}, ${reasons.join('; and ')}; dashboards show gaps and rate()/increase() return nothing`,
          hint: 'scrape every 15s–60s (Claude Code exports every 60s), and keep metric_expiration well above the interval (the official guide uses 180m)',
        });
      });
    }
    return findings;
  },
});
