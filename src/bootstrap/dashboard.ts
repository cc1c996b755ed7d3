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
/** The datasource UIDs a dashboard's panels reference. */
export type DatasourceUids = { prometheus: string; loki: string };

interface Target {
  expr: string;
  legendFormat?: string;
}

interface PanelSpec {
  title: string;
  type: 'stat' | 'bargauge' | 'logs';
  targets: Target[];
  gridPos: { x: number; y: number; w: number; h: number };
  unit?: string;
  description?: string;
}

function panel(id: number, p: PanelSpec, uids: DatasourceUids): Record<string, unknown> {
  const ds = p.type === 'logs' ? { type: 'loki', uid: uids.loki } : { type: 'prometheus', uid: uids.prometheus };
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
 * Claude Code's counters are one series per session whose value is that session's running total, and a short
 * session arrives whole in its first export. increase() and rate() count only growth between samples, so they miss
 * that first value: on init's own stack they showed 0 for every panel after two real sessions (test/bootstrap/
 * init-e2e.test.ts; test/pipeline/counter-queries.test.ts). The latest value of each series in the time range,
 * added up, is what the sessions used (a session that began before the range counts whole).
 */
const inRange = (s: string) => `max_over_time(${s}[$__range])`;
/** A total over the dashboard's time range. */
const total = (otel: ClaudeMetricName, matcher = '') => `sum(${inRange(series(otel) + matcher)})`;
/** Totals over the time range, split by labels. */
const by = (otel: ClaudeMetricName, labels: string[]) => `sum by (${labels.map(label).join(', ')}) (${inRange(series(otel))})`;
/** What a panel of per-session totals shows, for its description. */
const SESSION_TOTALS = 'Sessions with data in the time range, each with all it used (a session that began before the range counts whole).';

export function claudeDashboard(uids: DatasourceUids = DATASOURCE_UIDS): Record<string, unknown> {
  const stat = (x: number, title: string, expr: string, unit?: string): PanelSpec => ({
    title,
    type: 'stat',
    description: SESSION_TOTALS,
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
      type: 'bargauge',
      description: SESSION_TOTALS,
      targets: [{ expr: by('claude_code.cost.usage', ['model']), legendFormat: `{{${label('model')}}}` }],
      gridPos: { x: 0, y: 4, w: 12, h: 8 },
      unit: 'currencyUSD',
    },
    {
      title: 'Tokens by type',
      type: 'bargauge',
      description: SESSION_TOTALS,
      targets: [{ expr: by('claude_code.token.usage', ['type']), legendFormat: `{{${label('type')}}}` }],
      gridPos: { x: 12, y: 4, w: 12, h: 8 },
      unit: 'short',
    },
    {
      title: 'Lines of code',
      type: 'bargauge',
      description: SESSION_TOTALS,
      targets: [{ expr: by('claude_code.lines_of_code.count', ['type']), legendFormat: `{{${label('type')}}}` }],
      gridPos: { x: 0, y: 12, w: 12, h: 8 },
      unit: 'short',
    },
    {
      title: 'Edit tool decisions',
      type: 'bargauge',
      description: `Accepted and rejected Edit, Write and NotebookEdit calls. ${SESSION_TOTALS}`,
      targets: [
        {
          expr: by('claude_code.code_edit_tool.decision', ['tool_name', 'decision']),
          legendFormat: `{{${label('tool_name')}}} {{${label('decision')}}}`,
        },
      ],
      gridPos: { x: 12, y: 12, w: 12, h: 8 },
      unit: 'short',
    },
    {
      title: 'Active time',
      type: 'bargauge',
      description: SESSION_TOTALS,
      targets: [{ expr: by('claude_code.active_time.total', ['type']), legendFormat: `{{${label('type')}}}` }],
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
    panels: specs.map((p, i) => panel(i + 1, p, uids)),
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
