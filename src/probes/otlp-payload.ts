/**
 * The probe's own telemetry, encoded as Claude Code encodes it: protobuf for gRPC and http/protobuf, the OTLP JSON
 * mapping for http/json. One monotonic sum (a counter, with Claude Code's temporality, so a pipeline that drops
 * delta drops the probe too) and one log record, both with Claude Code's resource, so filters and routing on
 * resource attributes treat them as Claude Code's data. Field numbers from opentelemetry-proto
 * (collector/metrics/v1, collector/logs/v1, metrics/v1, logs/v1, common/v1, resource/v1).
 */

/** OTel name of the probe counter; underscores only, so every translation strategy keeps it recognisable. */
export const PROBE_METRIC = 'claude_otel_doctor_probe';
/** Attribute (and label) carrying the run's id; a valid Prometheus label name under every strategy. */
export const PROBE_ID_ATTRIBUTE = 'claude_otel_doctor_probe_id';
export const PROBE_SCOPE = 'claude-otel-doctor';

export interface ProbeTelemetry {
  id: string;
  resource: Record<string, string>;
  temporality: 'delta' | 'cumulative';
  timeNs: bigint;
}

// --- protobuf writer (wire types 0 varint, 1 fixed64, 2 length-delimited) ---

function varint(n: bigint | number): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  while (v > 0x7fn) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

type Field = number[];
const tag = (field: number, wire: number) => varint((field << 3) | wire);
const bytesField = (field: number, bytes: number[] | Uint8Array): Field => [...tag(field, 2), ...varint(bytes.length), ...bytes];
const message = (field: number, ...parts: Field[]): Field => bytesField(field, parts.flat());
const stringField = (field: number, s: string): Field => bytesField(field, [...Buffer.from(s, 'utf8')]);
const varintField = (field: number, n: number): Field => [...tag(field, 0), ...varint(n)];
function fixed64Field(field: number, n: bigint): Field {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return [...tag(field, 1), ...b];
}
function doubleField(field: number, x: number): Field {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return [...tag(field, 1), ...b];
}
/** KeyValue{key=1, value=2: AnyValue{string_value=1}} as field `field` of its parent. */
const keyValue = (field: number, key: string, value: string): Field => message(field, stringField(1, key), message(2, stringField(1, value)));
const resource = (attrs: Record<string, string>): Field => message(1, ...Object.entries(attrs).map(([k, v]) => keyValue(1, k, v)));
const scope = (): Field => message(1, stringField(1, PROBE_SCOPE));

const TEMPORALITY = { delta: 1, cumulative: 2 } as const;

/** ExportMetricsServiceRequest with the probe counter at 1. */
export function metricsProtobuf(t: ProbeTelemetry): Uint8Array {
  const point = message(
    1, // Sum.data_points
    keyValue(7, PROBE_ID_ATTRIBUTE, t.id),
    fixed64Field(2, t.timeNs - 1_000_000_000n),
    fixed64Field(3, t.timeNs),
    doubleField(4, 1),
  );
  const sum = message(7, point, varintField(2, TEMPORALITY[t.temporality]), varintField(3, 1));
  const metric = message(2, stringField(1, PROBE_METRIC), stringField(2, 'claude-otel-doctor end-to-end probe'), sum);
  return Uint8Array.from(message(1, resource(t.resource), message(2, scope(), metric)));
}

/** ExportLogsServiceRequest with one record whose body names the probe id. */
export function logsProtobuf(t: ProbeTelemetry): Uint8Array {
  const record = message(
    2, // ScopeLogs.log_records
    fixed64Field(1, t.timeNs),
    fixed64Field(11, t.timeNs),
    varintField(2, 9), // SEVERITY_NUMBER_INFO
    stringField(3, 'INFO'),
    message(5, stringField(1, logBody(t.id))),
    keyValue(6, PROBE_ID_ATTRIBUTE, t.id),
  );
  return Uint8Array.from(message(1, resource(t.resource), message(2, scope(), record)));
}

/** Every probe log line starts with this, so the Loki check can leave the doctor's own records out. */
export const PROBE_LOG_PREFIX = 'claude-otel-doctor probe';

export function logBody(id: string): string {
  return `${PROBE_LOG_PREFIX} ${id}`;
}

const jsonAttributes = (attrs: Record<string, string>) => Object.entries(attrs).map(([key, value]) => ({ key, value: { stringValue: value } }));

/** The same requests in the OTLP/JSON mapping (lowerCamelCase fields, 64-bit integers as strings). */
export function metricsJson(t: ProbeTelemetry): string {
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: jsonAttributes(t.resource) },
        scopeMetrics: [
          {
            scope: { name: PROBE_SCOPE },
            metrics: [
              {
                name: PROBE_METRIC,
                description: 'claude-otel-doctor end-to-end probe',
                sum: {
                  aggregationTemporality: TEMPORALITY[t.temporality],
                  isMonotonic: true,
                  dataPoints: [
                    {
                      attributes: jsonAttributes({ [PROBE_ID_ATTRIBUTE]: t.id }),
                      startTimeUnixNano: String(t.timeNs - 1_000_000_000n),
                      timeUnixNano: String(t.timeNs),
                      asDouble: 1,
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  });
}

export function logsJson(t: ProbeTelemetry): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: jsonAttributes(t.resource) },
        scopeLogs: [
          {
            scope: { name: PROBE_SCOPE },
            logRecords: [
              {
                timeUnixNano: String(t.timeNs),
                observedTimeUnixNano: String(t.timeNs),
                severityNumber: 9,
                severityText: 'INFO',
                body: { stringValue: logBody(t.id) },
                attributes: jsonAttributes({ [PROBE_ID_ATTRIBUTE]: t.id }),
              },
            ],
          },
        ],
      },
    ],
  });
}

/** gRPC paths and HTTP path suffixes of the OTLP export services. */
export const OTLP_GRPC_PATH = {
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
} as const;
