// Runs the real prometheus server (Debian's 2.x package, the one promtool comes from) on a free port with a
// throwaway TSDB, for the probe tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../pipeline/pipeline.js';
import { startServer } from './server-process.js';

export interface RunningPrometheus {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startPrometheus(binary: string, config: string): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'cod-prometheus-'));
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ];
  try {
    const server = await startServer('prometheus', binary, args, `${url}/-/ready`, 30_000);
    return {
      url,
      output: server.output,
      stop: async () => {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
