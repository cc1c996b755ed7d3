import { CLAUDE_SERVICE_NAME, claudeSeriesNames, labelName, type ClaudeMetricName } from '../model/naming.js';
import { DATASOURCE_UIDS, STACK_PIPELINE } from './pins.js';

/**
 * The Claude Code dashboard `init` provisions. Series names come from the naming model for the stack's own
 * pipeline (never typed by hand), so a change in the collector config or the model changes the queries with it;
 * datasource UIDs are the provisioned ones.
 */

const NAMES = claudeSeriesNames(STACK_PIPELINE);
/** The Prometheus series name of a Claude Code metric in this stack. */
export function series(otel: ClaudeMetricName): string {
  return NAMES.get(otel)!;
}

const label = (attribute: string) => labelName(attribute);
const PROMETHEUS = { type: 'prometheus', uid: DATASOURCE_UIDS.prometheus };
const LOKI = { type: 'loki', uid: DATASOURCE_UIDS.loki };

interface Target {
  expr: string;
  legendFormat?: string;
}

interface PanelSpec {
  title: string;
  type: 'stat' | 'timeseries' | 'bargauge' | 'logs';
  targets: Target[];
  gridPos: { x: number; y: number; w: number; h: number };
  unit?: string;
  description?: string;
}

function panel(id: number, p: PanelSpec): Record<string, unknown> {
  const ds = p.type === 'logs' ? LOKI : PROMETHEUS;
  return {
    id,
    type: p.type,
    title: p.title,
    ...(p.description ? { description: p.description } : {}),
    datasource: ds,
    gridPos: p.gridPos,
    ...(p.unit ? { fieldConfig: { defaults: { unit: p.unit }, overrides: [] } } : {}),
    ...(p.type === 'logs' ? { options: { showTime: true, wrapLogMessage: true, sortOrder: 'Descending', enableLogDetails: true } } : {}),
    // A stat or bar gauge shows one number per series: an instant query over the dashboard's range.
    targets: p.targets.map((t, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: ds,
      ...t,
      ...(p.type === 'stat' || p.type === 'bargauge' ? { instant: true } : {}),
    })),
  };
}

/**
 * The usage inside the dashboard's time range: each series' latest value minus its value before the range (0 for a
 * series new in it). Not increase(), which misses what each session's first export holds (test/pipeline/counter-queries).
 */
const inRange = (s: string) => `max_over_time(${s}[$__range]) - (last_over_time(${s}[10m] offset $__range) or max_over_time(${s}[$__range]) * 0)`;
/** A total over the dashboard's time range. */
const total = (otel: ClaudeMetricName, matcher = '') => `sum(${inRange(`${series(otel)}${matcher}`)})`;
/** Increase per interval, split by labels. */
const over = (otel: ClaudeMetricName, by: string[]) => `sum by (${by.map(label).join(', ')}) (increase(${series(otel)}[$__rate_interval]))`;

export function claudeDashboard(): Record<string, unknown> {
  const stat = (x: number, title: string, expr: string, unit?: string): PanelSpec => ({
    title,
    type: 'stat',
    targets: [{ expr }],
    gridPos: { x, y: 0, w: 4, h: 4 },
    unit,
  });
  const specs: PanelSpec[] = [
    stat(0, 'Cost', total('claude_code.cost.usage'), 'currencyUSD'),
    stat(4, 'Tokens', total('claude_code.token.usage'), 'short'),
    stat(8, 'Sessions', total('claude_code.session.count'), 'short'),
    stat(12, 'Lines of code added', total('claude_code.lines_of_code.count', `{${label('type')}="added"}`), 'short'),
    stat(16, 'Commits', total('claude_code.commit.count'), 'short'),
    stat(20, 'Pull requests', total('claude_code.pull_request.count'), 'short'),
    {
      title: 'Cost by model',
      type: 'timeseries',
      targets: [{ expr: over('claude_code.cost.usage', ['model']), legendFormat: `{{${label('model')}}}` }],
      gridPos: { x: 0, y: 4, w: 12, h: 8 },
      unit: 'currencyUSD',
    },
    {
      title: 'Tokens by type',
      type: 'timeseries',
      targets: [{ expr: over('claude_code.token.usage', ['type']), legendFormat: `{{${label('type')}}}` }],
      gridPos: { x: 12, y: 4, w: 12, h: 8 },
      unit: 'short',
    },
    {
      title: 'Lines of code',
      type: 'timeseries',
      targets: [{ expr: over('claude_code.lines_of_code.count', ['type']), legendFormat: `{{${label('type')}}}` }],
      gridPos: { x: 0, y: 12, w: 12, h: 8 },
      unit: 'short',
    },
    {
      title: 'Edit tool decisions',
      type: 'bargauge',
      description: 'Accepted and rejected Edit, Write and NotebookEdit calls over the time range.',
      targets: [
        {
          expr: `sum by (${label('tool_name')}, ${label('decision')}) (${inRange(series('claude_code.code_edit_tool.decision'))})`,
          legendFormat: `{{${label('tool_name')}}} {{${label('decision')}}}`,
        },
      ],
      gridPos: { x: 12, y: 12, w: 12, h: 8 },
      unit: 'short',
    },
    {
      title: 'Active time',
      type: 'timeseries',
      targets: [{ expr: over('claude_code.active_time.total', ['type']), legendFormat: `{{${label('type')}}}` }],
      gridPos: { x: 0, y: 20, w: 24, h: 8 },
      unit: 's',
    },
    {
      title: 'Claude Code events',
      type: 'logs',
      description: 'Prompts, API requests, tool decisions and results, as Loki stores the OTLP log records.',
      // OTLP ingestion turns the resource's service.name into the service_name label.
      targets: [{ expr: `{service_name="${CLAUDE_SERVICE_NAME}"}` }],
      gridPos: { x: 0, y: 28, w: 24, h: 12 },
    },
  ];
  return {
    annotations: { list: [] },
    editable: true,
    panels: specs.map((p, i) => panel(i + 1, p)),
    refresh: '1m',
    schemaVersion: 39,
    tags: ['claude-code'],
    templating: { list: [] },
    time: { from: 'now-24h', to: 'now' },
    title: 'Claude Code',
    uid: 'claude-code',
    version: 1,
  };
}
