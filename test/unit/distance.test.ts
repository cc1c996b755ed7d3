import { describe, expect, it } from 'vitest';
import { nearest, typoDistance, within } from '../../src/util/distance.js';

describe('"did you mean" search (util/distance.ts)', () => {
  it('keeps every candidate within the distance, nearest first, ties in the order given', () => {
    expect(within('scrape_intervall', ['scrape_timeout', 'scrape_interval', 'evaluation_interval'], 3)).toEqual([{ name: 'scrape_interval', distance: 1 }]);
    expect(within('lokii', ['loki', 'lokki', 'grafana'], 2).map((x) => x.name)).toEqual(['loki', 'lokki']);
  });
  it('nearest gives the candidates at the smallest distance, or nothing beyond the limit', () => {
    expect(nearest('otlp/tmpo', ['otlp/tempo', 'otlp/tmpox', 'debug'], 2)).toEqual({ names: ['otlp/tempo', 'otlp/tmpox'], distance: 1 });
    expect(nearest('prometheus', ['debug'], 2)).toBeUndefined();
  });
  it('transpositions count as one edit only when asked', () => {
    expect(nearest('OTEL_METRCIS_EXPORTER', ['OTEL_METRICS_EXPORTER'], 1)).toBeUndefined();
    expect(nearest('OTEL_METRCIS_EXPORTER', ['OTEL_METRICS_EXPORTER'], 1, 'transpositions')?.names).toEqual(['OTEL_METRICS_EXPORTER']);
  });
  it('never suggests for a name too long to compare, even without a limit', () => {
    expect(nearest('x'.repeat(10_000), ['x'], Number.POSITIVE_INFINITY)).toBeUndefined();
  });
  it('a typo may be a third of the name long, at least 2', () => {
    expect([typoDistance('abc'), typoDistance('scrape_interval')]).toEqual([2, 5]);
  });
});
