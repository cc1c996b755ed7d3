import { describe, expect, it } from 'vitest';
import { editDistance, isKnownOtelVariable, unknownVariable } from '../../src/model/known-variables.js';

describe('editDistance (optimal string alignment)', () => {
  it('counts insertions, deletions, substitutions and adjacent transpositions as one', () => {
    expect(editDistance('OTEL_METRIC_EXPORTER', 'OTEL_METRICS_EXPORTER')).toBe(1);
    expect(editDistance('OTEL_EXPORTER_OLTP_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('unknownVariable', () => {
  it('suggests the real name for the typos the guides spread, with a certain rename', () => {
    expect(unknownVariable('OTEL_METRIC_EXPORTER')).toEqual({ kind: 'otel', suggestions: ['OTEL_METRICS_EXPORTER'], confident: true });
    expect(unknownVariable('OTEL_METRICS_EXPORT_INTERVAL')).toEqual({ kind: 'otel', suggestions: ['OTEL_METRIC_EXPORT_INTERVAL'], confident: true });
    expect(unknownVariable('OTEL_EXPORTER_OLTP_ENDPOINT')?.suggestions).toEqual(['OTEL_EXPORTER_OTLP_ENDPOINT']);
  });

  it('maps every OLTP_ name to OTEL_', () => {
    expect(unknownVariable('OLTP_METRICS_EXPORTER')).toEqual({ kind: 'oltp', suggestions: ['OTEL_METRICS_EXPORTER'], confident: true });
    expect(unknownVariable('OLTP_EXPORTER_OTLP_ENDPOINT')).toEqual({ kind: 'oltp', suggestions: ['OTEL_EXPORTER_OTLP_ENDPOINT'], confident: true });
    // Even when the OTEL_ form is itself misspelt, the name is flagged (no automatic rename then).
    expect(unknownVariable('OLTP_METRIC_EXPORTER')).toMatchObject({ kind: 'oltp', suggestions: ['OTEL_METRICS_EXPORTER'], confident: false });
  });

  it('suggests without renaming when the name is further off or cut short', () => {
    const cut = unknownVariable('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY');
    expect(cut).toMatchObject({ kind: 'otel', suggestions: ['OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE'], confident: false });
    expect(unknownVariable('OTEL_FOO')).toEqual({ kind: 'otel', suggestions: [], confident: false });
  });

  it('flags CLAUDE_CODE_* names only within distance 2 of a telemetry variable', () => {
    expect(unknownVariable('CLAUDE_CODE_ENABLE_TELEMTRY')).toEqual({ kind: 'claude', suggestions: ['CLAUDE_CODE_ENABLE_TELEMETRY'], confident: true });
    expect(unknownVariable('CLAUDE_CODE_ENHANCE_TELEMETRY_BETA')?.suggestions).toEqual(['CLAUDE_CODE_ENHANCED_TELEMETRY_BETA']);
    expect(unknownVariable('CLAUDE_CODE_USE_BEDROCK')).toBeUndefined();
    expect(unknownVariable('CLAUDE_CODE_MAX_OUTPUT_TOKENS')).toBeUndefined();
    expect(unknownVariable('CLAUDE_CODE_SOMETHING_NEW')).toBeUndefined();
    expect(unknownVariable('CLAUDE_CODE_TELEMETRY')).toBeUndefined(); // distance 7: left alone
  });

  it('knows the invented CLAUDE_CODE_ENABLE_TELEMETRY_CONTENT', () => {
    expect(unknownVariable('CLAUDE_CODE_ENABLE_TELEMETRY_CONTENT')).toMatchObject({ kind: 'nonexistent', confident: false });
  });

  it('flags names in the wrong case', () => {
    expect(unknownVariable('otel_metrics_exporter')).toEqual({ kind: 'case', suggestions: ['OTEL_METRICS_EXPORTER'], confident: true });
    expect(unknownVariable('claude_code_enable_telemetry')).toEqual({ kind: 'case', suggestions: ['CLAUDE_CODE_ENABLE_TELEMETRY'], confident: true });
    expect(unknownVariable('path')).toBeUndefined();
  });

  it('accepts the master table, the SDK standard variables and other SDKs’ families', () => {
    for (const name of [
      'CLAUDE_CODE_ENABLE_TELEMETRY',
      'OTEL_LOG_RAW_API_BODIES',
      'OTEL_METRICS_INCLUDE_ENTRYPOINT',
      'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE',
      'OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE',
      'OTEL_EXPORTER_OTLP_LOGS_COMPRESSION',
      'OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION',
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
      'OTEL_BLRP_SCHEDULE_DELAY',
      'OTEL_SPAN_LINK_COUNT_LIMIT',
      'OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT',
      'OTEL_TRACES_SAMPLER_ARG',
      'OTEL_SDK_DISABLED',
      'OTEL_EXPORTER_PROMETHEUS_HOST',
      'OTEL_METRICS_EXEMPLAR_FILTER',
      'OTEL_METRIC_EXPORT_TIMEOUT',
      'OTEL_JAVAAGENT_ENABLED',
      'OTEL_PYTHON_LOG_CORRELATION',
      'OTEL_NODE_RESOURCE_DETECTORS',
    ]) {
      expect(unknownVariable(name), name).toBeUndefined();
    }
    expect(isKnownOtelVariable('OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST')).toBe(true);
  });
});
