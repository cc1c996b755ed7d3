// `otelcol validate` of a config text with the given environment: "valid", or the collector's `Error:` message.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function validateCollectorConfig(bin: string, config: string, env: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'cod-validate-'));
  try {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, config);
    const r = spawnSync(bin, ['validate', `--config=${file}`], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      timeout: 30_000,
    });
    if (r.status === 0) return 'valid';
    const lines = `${r.stdout}${r.stderr}`.split('\n');
    const start = lines.findIndex((l) => l.startsWith('Error:'));
    const end = lines.findIndex((l, i) => i > start && /^\d{4}\/\d\d\/\d\d /.test(l));
    const error = start < 0 ? `exit ${r.status}: ${lines.slice(-3).join(' ')}` : lines.slice(start, end < 0 ? undefined : end).join(' ');
    return error.split(dir).join('<dir>').replace(/\s+/g, ' ').trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
