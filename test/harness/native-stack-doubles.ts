// The Loki and Grafana doubles of a native stack (native-stack.ts), run as their own process inside the stack's
// mount namespace, so that the Grafana double's datasource health checks resolve service names (http://prometheus:9090)
// through the same hosts file as the real services. Each double listens on a loopback port of its own; a TCP
// forwarder binds the service's published port to it. Started as `node --import tsx native-stack-doubles.ts <spec>`;
// prints one line `ready` once every published port accepts connections.
import { createServer, connect, type Server } from 'node:net';
import { startFakeGrafana, type FakeGrafanaOptions } from './fake-grafana.js';
import { startFakeLoki } from './fake-loki.js';

export interface DoublesSpec {
  loki: { port: number; bind: string }[];
  grafana: { port: number; bind: string; options: FakeGrafanaOptions }[];
}

function forward(bind: string, port: number, to: string): Promise<Server> {
  const target = new URL(to);
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, bind, () => resolve(server));
  });
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as DoublesSpec;
  for (const l of spec.loki) await forward(l.bind, l.port, (await startFakeLoki()).url);
  for (const g of spec.grafana) await forward(g.bind, g.port, (await startFakeGrafana(g.options)).url);
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
