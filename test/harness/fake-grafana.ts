// A test double for Grafana: Grafana cannot be installed on this machine (no Docker, no Debian package), so
// this server implements the documented HTTP API routes the doctor reads, with Grafana's auth rules:
//   GET /api/health                        no auth; {"database":"ok","version","commit"} (503 "failing")
//   GET /api/datasources                   auth; [{id, uid, orgId, name, type, access, url, isDefault, ...}]
//   GET /api/datasources/uid/:uid/health   auth; {"status":"OK"|"ERROR","message"}; 404 for an unknown uid
//   GET /api/search?type=dash-db           auth; [{id, uid, title, url, type:"dash-db", tags, isStarred}]
// Auth is Basic (user:password) or a service-account token as `Authorization: Bearer`; anything else is 401
// {"message":"Unauthorized"}. A datasource's health check does what Grafana's does: it queries the datasource's
// URL for real (Prometheus: /api/v1/query; Loki: /loki/api/v1/labels), so a wrong URL fails as it would.
// Sources: grafana-loki.md §7 in ../shared/reference; Grafana's HTTP API docs (data_source.md,
// folder_dashboard_search.md) and pkg/api/http_server.go (apiHealthHandler).
import { createServer, type Server } from 'node:http';

export interface FakeDatasource {
  uid: string;
  name: string;
  type: 'prometheus' | 'loki' | string;
  url: string;
}

export interface FakeGrafanaOptions {
  datasources?: FakeDatasource[];
  dashboards?: { uid: string; title: string }[];
  /** Basic-auth users (name → password); Grafana's out-of-the-box admin/admin unless given. */
  users?: Record<string, string>;
  /** Service-account tokens accepted as Bearer. */
  tokens?: string[];
  database?: 'ok' | 'failing';
  version?: string;
}

export interface FakeGrafana {
  url: string;
  /** Authorization headers seen, to assert the credentials used (never printed by the doctor). */
  authorizations: string[];
  close(): Promise<void>;
}

const MESSAGES: Record<string, string> = {
  prometheus: 'Successfully queried the Prometheus API.',
  loki: 'Data source successfully connected.',
};

export async function startFakeGrafana(opts: FakeGrafanaOptions = {}): Promise<FakeGrafana> {
  const users = opts.users ?? { admin: 'admin' };
  const datasources = opts.datasources ?? [];
  const authorizations: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://grafana');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/api/health') {
      const database = opts.database ?? 'ok';
      return send(database === 'ok' ? 200 : 503, { commit: 'fake0000', database, version: opts.version ?? '11.3.0' });
    }
    if (!url.pathname.startsWith('/api/')) return send(404, { message: 'Not found' });
    const auth = req.headers.authorization ?? '';
    if (auth) authorizations.push(auth);
    if (!signedIn(auth, users, opts.tokens ?? [])) return send(401, { message: 'Unauthorized' });
    if (req.method === 'GET' && url.pathname === '/api/datasources') {
      return send(
        200,
        datasources.map((d, i) => ({
          id: i + 1,
          uid: d.uid,
          orgId: 1,
          name: d.name,
          type: d.type,
          typeLogoUrl: '',
          access: 'proxy',
          url: d.url,
          user: '',
          database: '',
          basicAuth: false,
          isDefault: i === 0,
          jsonData: {},
          readOnly: true,
        })),
      );
    }
    const health = /^\/api\/datasources\/uid\/([^/]+)\/health$/.exec(url.pathname);
    if (req.method === 'GET' && health) {
      const d = datasources.find((x) => x.uid === decodeURIComponent(health[1]));
      if (!d) return send(404, { message: 'Data source not found' });
      const path = d.type === 'loki' ? '/loki/api/v1/labels' : '/api/v1/query?query=1%2B1';
      try {
        const r = await fetch(`${d.url.replace(/\/+$/, '')}${path}`, { signal: AbortSignal.timeout(2000) });
        if (r.ok) return send(200, { status: 'OK', message: MESSAGES[d.type] ?? 'Data source is working' });
        return send(400, { status: 'ERROR', message: `${r.status} ${r.statusText} - There was an error returned querying the ${d.type} API.` });
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
        return send(400, {
          status: 'ERROR',
          message: `Get "${d.url}${path}": dial tcp: ${cause === 'ECONNREFUSED' ? 'connect: connection refused' : cause} - There was an error returned querying the ${d.type} API.`,
        });
      }
    }
    if (req.method === 'GET' && url.pathname === '/api/search') {
      const type = url.searchParams.get('type');
      const list = type && type !== 'dash-db' ? [] : (opts.dashboards ?? []);
      return send(
        200,
        list.map((d, i) => ({
          id: i + 1,
          uid: d.uid,
          title: d.title,
          uri: `db/${d.uid}`,
          url: `/d/${d.uid}/x`,
          slug: '',
          type: 'dash-db',
          tags: [],
          isStarred: false,
          sortMeta: 0,
        })),
      );
    }
    send(404, { message: 'Not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, authorizations, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function signedIn(auth: string, users: Record<string, string>, tokens: string[]): boolean {
  const [scheme, value = ''] = auth.split(' ');
  if (scheme === 'Bearer') return tokens.includes(value);
  if (scheme !== 'Basic') return false;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 && users[decoded.slice(0, colon)] === decoded.slice(colon + 1);
}
