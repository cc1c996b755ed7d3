import { defineProbe, results, type Probe, type ProbeResult } from '../define.js';
import { FAILED_HOW, answered, answerText, displayUrl, httpRequest, jsonBody, type HttpResult, httpStatus } from '../http.js';
import { atDashboard, dashboardName } from '../../model/dashboard-queries.js';
import type { TargetOrigin } from '../plan.js';

/** A datasource as read from /api/datasources, its texts cut for findings. */
interface GrafanaDatasource {
  uid: string;
  name: string;
  type: string;
  url: string;
}

/** Datasources Grafana lists (none provisioned here) whose health is checked, one request each: a bound on time. */
const MAX_CHECKED = 20;

const messages = {
  unreachable: { message: 'no usable answer from Grafana ({{how}})', detail: 'GET {{url}}: {{error}}' },
  unhealthy: { message: 'Grafana is not healthy', detail: 'GET {{url}}: {{answer}}' },
  listUnreadable: { message: "Grafana's {{what}} list could not be read", detail: 'GET {{url}}: {{answer}}' },
  credentialsRefused: {
    message: 'Grafana refuses the credentials: datasources and dashboards not checked',
    detail: 'GET {{url}}: {{answer}}',
  },
  defaultAdmin: {
    message: 'Grafana accepts the default admin/admin: anyone who reaches it can sign in as admin',
    detail: 'GET {{url}} as admin/admin: {{answer}}',
  },
  datasourceMissing: {
    message: 'datasource "{{name}}" is not in Grafana',
    detail: (d: { uid: string; url: string; other: string }) => `no uid ${d.uid} in GET ${d.url}${d.other ? `; Grafana has ${d.other}` : ''}`,
  },
  datasourceFails: { message: 'datasource "{{name}}" fails its health check', detail: 'GET {{url}}: {{answer}}' },
  dashboardMissing: { message: 'dashboard {{dashboard}} is not loaded in Grafana', detail: 'no uid {{uid}} in GET {{url}}' },
} as const;

const probe: Probe<typeof messages> = defineProbe({
  id: 'probe/grafana',
  stage: 'Grafana',
  title: 'Grafana is healthy and has the provisioned datasources and dashboards',
  checks:
    "GET /api/health; signed in (GRAFANA_TOKEN, the user in --grafana-url, the compose service's admin password, else admin/admin): /api/datasources holds each provisioned datasource under its UID and /api/datasources/uid/:uid/health says OK; /api/search lists each dashboard of the workspace by UID.",
  why: 'Panels say "No data" or "datasource not found" when a provisioned datasource did not load, cannot reach Prometheus or Loki from inside the Grafana container (a localhost URL), or a dashboard file was never provisioned.',
  references: [
    'https://github.com/grafana/grafana/blob/v11.3.0/docs/sources/developers/http_api/other.md (/api/health)',
    'https://github.com/grafana/grafana/blob/v11.3.0/docs/sources/developers/http_api/data_source.md (/api/datasources, /api/datasources/uid/:uid/health)',
    'https://github.com/grafana/grafana/blob/v11.3.0/docs/sources/developers/http_api/folder_dashboard_search.md (/api/search)',
  ],
  messages,
  async run({ ws, plan, flags }) {
    const r = results(probe);
    const t = plan.grafana;
    const shown = displayUrl(t.url);
    const health = await httpRequest(`${t.url}/api/health`, { timeoutMs: flags.timeoutMs });
    if (!health.ok) {
      if (t.guessed && !answered(health)) return [r.skipped(shown, `nothing answers (${health.error}); pass --grafana-url to check a Grafana elsewhere`)];
      return [
        r.failed(shown, {
          kind: 'unreachable',
          data: { how: FAILED_HOW[health.kind], url: `${shown}/api/health`, error: health.error },
          refused: health.kind === 'refused',
          origin: t.origin,
          hint: health.kind === 'refused' ? 'start Grafana, or publish its port 3000 to this host' : undefined,
        }),
      ];
    }
    const h = jsonBody<{ database?: unknown; version?: unknown }>(health);
    const database = answerText(h?.database, 60);
    const version = answerText(h?.version, 60);
    if (health.status !== 200 || database !== 'ok')
      return [
        r.failed(shown, {
          kind: 'unhealthy',
          data: { url: `${shown}/api/health`, answer: `${httpStatus(health.status)}${database ? `, database ${database}` : ''}` },
          origin: t.origin,
        }),
      ];
    const out: ProbeResult[] = [r.ok(shown, `Grafana${version ? ` ${version}` : ''} is healthy`)];

    const get = (path: string): Promise<HttpResult> =>
      httpRequest(`${t.url}${path}`, { timeoutMs: flags.timeoutMs, headers: t.authorization ? { authorization: t.authorization } : {} });
    const list = await get('/api/datasources');
    const listUrl = `${shown}/api/datasources`;
    if (!list.ok)
      return [...out, r.failed(shown, { kind: 'listUnreadable', data: { what: 'datasource', url: listUrl, answer: list.error }, origin: t.origin })];
    if (list.status === 401 || list.status === 403) {
      if (t.tokenWithheld) out.push(r.skipped(shown, `datasources and dashboards not checked (${httpStatus(list.status)}): ${t.tokenWithheld}`));
      else if (t.defaultCredentials)
        out.push(
          r.skipped(
            shown,
            'datasources and dashboards not checked: Grafana refuses admin/admin (good); set GRAFANA_TOKEN to a service-account token to check them',
          ),
        );
      else
        out.push(
          r.failed(shown, {
            kind: 'credentialsRefused',
            data: { url: listUrl, answer: httpStatus(list.status) },
            severity: 'warning',
            hint: 'set GRAFANA_TOKEN to a service-account token with the Viewer role or above',
          }),
        );
      return out;
    }
    const datasources = list.status === 200 ? datasourceList(jsonBody(list)) : undefined;
    if (!datasources)
      return [
        ...out,
        r.failed(shown, {
          kind: 'listUnreadable',
          data: { what: 'datasource', url: listUrl, answer: `${httpStatus(list.status)}, no list` },
          origin: t.origin,
        }),
      ];
    if (t.defaultCredentials) {
      out.push(
        r.failed(shown, {
          kind: 'defaultAdmin',
          data: { url: listUrl, answer: `${httpStatus(list.status)}, ${datasources.length} datasource${datasources.length === 1 ? '' : 's'} listed` },
          severity: 'warning',
          hint: 'change the admin password (GF_SECURITY_ADMIN_PASSWORD only seeds a new data volume; on an existing one use `grafana cli admin reset-admin-password`)',
        }),
      );
    }

    const provisioned = ws.stack.grafana.datasources.filter((d) => d.effectiveUid);
    const toCheck = provisioned.length
      ? provisioned.map((d) => ({
          uid: d.effectiveUid!,
          name: d.name ?? d.effectiveUid!,
          origin: { kind: 'config', describe: 'datasource', ...d.value.location() } as TargetOrigin,
        }))
      : datasources.filter((d) => d.type === 'prometheus' || d.type === 'loki').map((d) => ({ uid: d.uid, name: d.name, origin: undefined }));
    if (toCheck.length > MAX_CHECKED) out.push(r.skipped(shown, `${toCheck.length - MAX_CHECKED} more datasources not checked (the first ${MAX_CHECKED} are)`));
    for (const d of toCheck.slice(0, MAX_CHECKED)) {
      const live = datasources.find((x) => x.uid === d.uid);
      if (!live) {
        const sameName = datasources.find((x) => x.name === d.name);
        out.push(
          r.failed(shown, {
            kind: 'datasourceMissing',
            data: { name: answerText(d.name, 60) ?? '', uid: d.uid, url: listUrl, other: sameName ? `"${sameName.name}" with uid ${sameName.uid}` : '' },
            origin: d.origin,
            hint: sameName
              ? 'Grafana keeps the UID a datasource got first: delete it (or set deleteDatasources) so provisioning recreates it with this uid'
              : 'check that the provisioning folder is mounted at /etc/grafana/provisioning/datasources and Grafana logs no provisioning error',
          }),
        );
        continue;
      }
      const healthPath = `/api/datasources/uid/${encodeURIComponent(d.uid)}/health`;
      const check = await get(healthPath);
      const body = check.ok ? jsonBody<{ status?: unknown; message?: unknown }>(check) : undefined;
      if (check.ok && check.status === 200 && body?.status === 'OK') out.push(r.ok(shown, `datasource "${live.name}" (${live.type}, uid ${d.uid}) works`));
      else {
        const said = answerText(body?.message);
        const why = check.ok ? `${httpStatus(check.status)}${said ? `: ${said}` : ''}` : check.error;
        out.push(
          r.failed(shown, {
            kind: 'datasourceFails',
            data: { name: answerText(live.name, 60) ?? '', url: `${shown}${healthPath}`, answer: why },
            origin: d.origin,
            hint: /localhost|127\.0\.0\.1/.test(live.url)
              ? `its URL ${live.url} points at the Grafana container itself: use the compose service name (http://prometheus:9090, http://loki:3100)`
              : 'check the datasource URL as seen from inside the Grafana container',
          }),
        );
      }
    }

    const dashboards = ws.stack.grafana.dashboards.filter((d) => d.uid);
    if (dashboards.length) {
      const search = await get('/api/search?type=dash-db&limit=5000');
      const found = search.ok && search.status === 200 ? jsonBody(search) : undefined;
      if (!Array.isArray(found))
        out.push(
          r.failed(shown, {
            kind: 'listUnreadable',
            data: { what: 'dashboard', url: `${shown}/api/search`, answer: search.ok ? `${httpStatus(search.status)}, no list` : search.error },
            origin: t.origin,
          }),
        );
      else {
        const uids = new Set(found.map((d) => (d as { uid?: unknown } | null)?.uid));
        for (const d of dashboards) {
          if (uids.has(d.uid!)) out.push(r.ok(shown, `dashboard ${dashboardName(d)} (uid ${d.uid}) is loaded`));
          else
            out.push(
              r.failed(shown, {
                kind: 'dashboardMissing',
                data: { dashboard: dashboardName(d), uid: d.uid!, url: `${shown}/api/search` },
                origin: { kind: 'config', describe: 'dashboard', ...(d.root?.get('uid')?.location() ?? atDashboard(d)) },
                hint: "check the dashboard provider's options.path and the mount that puts this file there; Grafana logs why a file was skipped",
              }),
            );
        }
      }
    }
    return out;
  },
});

/** The datasource list of an answer, whatever its shape: undefined when it is no list, entries without a uid left out. */
function datasourceList(value: unknown): GrafanaDatasource[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value
    .filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null && typeof d.uid === 'string')
    .map((d) => ({ uid: answerText(d.uid) ?? '', name: answerText(d.name) ?? '', type: answerText(d.type, 60) ?? '', url: answerText(d.url) ?? '' }));
}

export default probe;
