import { atLeast } from './versions.js';

/** The eight Claude Code metrics (2.1.197): OTel name, unit, and kind (all monotonic counters). */
export const CLAUDE_METRICS = [
  { otel: 'claude_code.session.count', unit: '' },
  { otel: 'claude_code.lines_of_code.count', unit: '' },
  { otel: 'claude_code.pull_request.count', unit: '' },
  { otel: 'claude_code.commit.count', unit: '' },
  { otel: 'claude_code.cost.usage', unit: 'USD' },
  { otel: 'claude_code.token.usage', unit: 'tokens' },
  { otel: 'claude_code.code_edit_tool.decision', unit: '' },
  { otel: 'claude_code.active_time.total', unit: 's' },
] as const;

export type TranslationStrategy = 'UnderscoreEscapingWithSuffixes' | 'UnderscoreEscapingWithoutSuffixes' | 'NoUTF8EscapingWithSuffixes' | 'NoTranslation';

/** How metrics reach Prometheus; each way names them differently. */
export type MetricsPipeline =
  | {
      kind: 'collector-prometheus' | 'collector-prometheusremotewrite';
      collectorVersion: string;
      namespace?: string;
      translationStrategy?: TranslationStrategy;
      addMetricSuffixes?: boolean;
    }
  | { kind: 'prometheus-otlp'; translationStrategy?: TranslationStrategy }
  | { kind: 'claude-builtin' };

/** UCUM units the translator spells out; anything else is kept verbatim, case included (USD, tokens). */
const UNIT_WORDS: Record<string, string> = {
  s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds', min: 'minutes', h: 'hours', d: 'days',
  By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes', KBy: 'kilobytes', MBy: 'megabytes', GBy: 'gigabytes',
  '%': 'percent', '1': '', '': '',
};

/**
 * The strategy in force for the collector's prometheus exporter: an explicit translation_strategy wins;
 * otherwise add_metric_suffixes: false removes suffixes, but only before v0.154.0, where the
 * DisableAddMetricSuffixes gate went beta and the option is silently ignored (collector.md §4.3).
 */
export function effectiveStrategy(p: MetricsPipeline): TranslationStrategy {
  if (p.kind === 'claude-builtin') return 'UnderscoreEscapingWithoutSuffixes';
  if (p.translationStrategy) return p.translationStrategy;
  if (p.kind !== 'prometheus-otlp' && p.addMetricSuffixes === false && !atLeast(p.collectorVersion, '0.154.0')) return 'UnderscoreEscapingWithoutSuffixes';
  return 'UnderscoreEscapingWithSuffixes';
}

/** The Prometheus series name a monotonic counter gets through a pipeline (prometheus/otlptranslator rules). */
export function prometheusName(otelName: string, unit: string, p: MetricsPipeline): string {
  if (p.kind === 'claude-builtin') {
    // Claude Code's own exporter only replaces invalid characters and appends _total when missing.
    const base = otelName.replace(/[^A-Za-z0-9_:]/g, '_');
    return base.endsWith('_total') ? base : `${base}_total`;
  }
  const strategy = effectiveStrategy(p);
  if (strategy === 'NoTranslation') return otelName;
  const utf8 = strategy === 'NoUTF8EscapingWithSuffixes';
  let tokens = utf8 ? [otelName] : otelName.split(/[^A-Za-z0-9:]+/).filter(Boolean);
  if (strategy !== 'UnderscoreEscapingWithoutSuffixes') {
    const unitWord = unit
      .split('/')
      .filter((part) => !/[{}]/.test(part))
      .map((part) => UNIT_WORDS[part] ?? part)
      .filter(Boolean)
      .join('_per_');
    if (unitWord && !tokens.includes(unitWord)) tokens.push(unitWord);
    tokens = tokens.filter((t) => t !== 'total');
    tokens.push('total');
  }
  const namespace = p.kind !== 'prometheus-otlp' && p.namespace ? p.namespace.replace(/[^A-Za-z0-9_]/g, '_') : undefined;
  const name = [...(namespace ? [namespace] : []), ...tokens].join('_');
  return /^\d/.test(name) ? `_${name}` : name;
}

/** Every Claude Code metric's series name through a pipeline, keyed by OTel name. */
export function claudeSeriesNames(p: MetricsPipeline): Map<string, string> {
  return new Map(CLAUDE_METRICS.map((m) => [m.otel, prometheusName(m.otel, m.unit, p)]));
}
