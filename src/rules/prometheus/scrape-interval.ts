import { defineRule, type RuleFinding } from '../define.js';
import { collectorScrapes, prometheusSides } from '../../model/scrape-targets.js';

/** Prometheus' default query lookback (`--query.lookback-delta`), which promtool's too-long-scrape-interval lint uses. */
const LOOKBACK_SECONDS = 300;

interface TooSlow {
  job: string;
  /** The interval as written (or 1m, the default). */
  every: string;
  /** The exporters whose metric_expiration it reaches. */
  expirations: { exporter: string; expiration: string; isDefault: boolean }[];
  /** It reaches the 5m lookback. */
  lookback: boolean;
}

const messages = {
  tooSlow: {
    message: (d: TooSlow) => `job "${d.job}" scrapes every ${d.every}, too slow: dashboards show gaps and rate()/increase() return nothing`,
    detail: (d: TooSlow) => {
      const reasons = [
        ...d.expirations.map(
          (e) =>
            `at or above the metric_expiration of exporters.${e.exporter} (${e.expiration}${e.isDefault ? ', the default' : ''}): series Claude Code stopped updating drop out of /metrics before the next scrape`,
        ),
        ...(d.lookback
          ? [
              `at or above the 5m query lookback: every sample is stale before the next one arrives ("too long scrape interval found, data point will be marked as stale - job: ${d.job}, interval: ${d.every}")`,
            ]
          : []),
      ];
      return `${d.every} is ${reasons.join('; and ')}`;
    },
  },
} as const;
type ScrapeIntervalFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'prometheus/scrape-interval',
  severity: 'warning',
  title: "Scrape interval at or above the exporter's metric_expiration or the 5m lookback",
  checks:
    "A job's effective scrape_interval (its own, else global, else 1m) is at or above the 5m query lookback, or, for a job that scrapes the collector's prometheus exporter, at or above that exporter's metric_expiration (a Go duration, default 5m). Jobs the Prometheus Operator generates from ServiceMonitors and PodMonitors count too: their interval is the endpoint's `interval`, else the Prometheus's `scrapeInterval` (30s by default), and the finding points at the monitor.",
  why: 'At or above the lookback every sample is stale before the next arrives (promtool --lint=too-long-scrape-interval: "too long scrape interval found, data point will be marked as stale - job: <job>, interval: <d>"); at or above metric_expiration the exporter drops series Claude Code stopped updating before Prometheus sees them. Dashboards show gaps and rate() returns nothing.',
  fix: 'none',
  versions: 'all versions (the lint exists in promtool from 3.2.0; the staleness applies everywhere)',
  bad: {
    file: 'prometheus.yml',
    text: "scrape_configs:\n  - job_name: otel-collector\n    scrape_interval: 5m\n    static_configs:\n      - targets: ['otel-collector:8889']\n",
  },
  good: {
    file: 'prometheus.yml',
    text: "scrape_configs:\n  - job_name: otel-collector\n    scrape_interval: 30s\n    static_configs:\n      - targets: ['otel-collector:8889']\n",
  },
  references: [
    'https://github.com/prometheus/prometheus/blob/v3.14.0/cmd/promtool/main.go (lintScrapeConfigs: too long scrape interval)',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/v0.159.0/exporter/prometheusexporter/README.md (metric_expiration, default 5m)',
  ],
  oracle: 'fixtures',
  stage: 'Prometheus',
  messages,
  check(ws) {
    const findings: ScrapeIntervalFinding[] = [];
    const pairs = collectorScrapes(ws);
    for (const side of prometheusSides(ws)) {
      const analyses = pairs.filter((x) => x.prometheus.prometheus === side.prometheus);
      for (const job of side.prometheus.jobs) {
        const { seconds, text, from } = job.interval;
        const expirations: TooSlow['expirations'] = [];
        for (const { collector: c, scrapes } of analyses) {
          for (const e of c.exporters) {
            if (!e.expiration || !(scrapes.scraped.get(e.port) ?? []).some((r) => r.job === job)) continue;
            if (seconds >= e.expiration.seconds)
              expirations.push({ exporter: e.exporter.id, expiration: e.expiration.text, isDefault: e.expiration.isDefault });
          }
        }
        const lookback = seconds >= LOOKBACK_SECONDS;
        if (expirations.length === 0 && !lookback) continue;
        findings.push({
          // The interval that applies, else (the 1m default) the job.
          ...(from?.location('value') ?? job.value.get('job_name')?.location() ?? job.value.location()),
          kind: 'tooSlow',
          data: { job: job.name, every: text, expirations, lookback },
          hint: 'scrape every 15s–60s (Claude Code exports every 60s), and keep metric_expiration well above the interval (the official guide uses 180m)',
        });
      }
    }
    return findings;
  },
});
