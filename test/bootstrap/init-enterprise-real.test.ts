// What `init --enterprise` writes, run by real Claude Code (oldest supported and newest known version): its managed-settings.json is placed at
// /etc/claude-code/managed-settings.json (a private mount namespace) and its otel-headers.sh at the path given
// to --headers-helper. What reaches the OTLP sink must carry the helper's token and the team attribution.
// A missing component fails with CI=true; elsewhere the suite is skipped loudly.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { TOKEN_VARIABLE } from '../../src/bootstrap/enterprise.js';
import { describeWithComponents } from '../helpers/real-components.js';
import { runCliProcess } from '../helpers/cli.js';
import { claudeBinary } from '../harness/claude-path.js';
import { canUnshareMount, observeTelemetry } from '../harness/run-claude.js';
import { observedResource } from '../conformance/arrivals.js';
import { NEWEST_KNOWN_CLAUDE, OLDEST_SUPPORTED_CLAUDE } from '../../src/model/versions.js';

const TOKEN = 'rollout-token-6b0e2d91';

// The oldest supported and the newest known version: what init writes must work on both.
for (const version of [OLDEST_SUPPORTED_CLAUDE, NEWEST_KNOWN_CLAUDE]) {
  const missing = !claudeBinary(version)
    ? `Claude Code ${version} is not provisioned (node scripts/provision-claude.mjs ${version})`
    : !canUnshareMount()
      ? "managed settings need a private mount namespace ('unshare -m' failed: run as root)"
      : undefined;

  describeWithComponents(`init --enterprise on real Claude Code ${version}`, missing, () => {
    it('the managed settings send metrics and logs to the endpoint with the helper token and the team attributes', async () => {
      let init = { exitCode: -1, stdout: '', stderr: '' };
      const observed = await observeTelemetry((sinks) => {
        const out = join(sinks.home, 'rollout');
        const helper = join(sinks.home, 'bin', 'otel-headers.sh');
        init = runCliProcess(
          [
            'init',
            '--enterprise',
            '--out',
            out,
            '--endpoint',
            sinks.httpUrl,
            '--protocol',
            'http/json',
            '--team',
            'Platform Team',
            '--department',
            'R&D, EU',
            '--headers-helper',
            helper,
          ],
          { XDG_STATE_HOME: join(sinks.home, 'state') },
        );
        // The helper goes where --headers-helper says, as a rollout would install it.
        mkdirSync(join(sinks.home, 'bin'), { recursive: true });
        writeFileSync(helper, readFileSync(join(out, 'otel-headers.sh')), { mode: 0o755 });
        return {
          etc: { 'claude-code/managed-settings.json': readFileSync(join(out, 'managed-settings.json'), 'utf8') },
          shellEnv: { [TOKEN_VARIABLE]: TOKEN },
          claudeVersion: version,
        };
      });
      expect(init.exitCode, init.stderr + init.stdout).toBe(0);
      expect(observed.exitCode, observed.stderr).toBe(0);
      const arrived = observed.signals.map((s) => `${s.signal} ${s.protocol} ${s.path}`).sort();
      expect(arrived).toEqual(['logs http/json /v1/logs', 'metrics http/json /v1/metrics']);
      for (const s of observed.signals)
        expect(s.headerValues.get('authorization') === `Bearer ${TOKEN}`, `${s.signal}: Authorization from the headers helper`).toBe(true);
      expect(observedResource(observed)).toMatchObject({ 'team.id': 'Platform Team', department: 'R&D, EU' });
    }, 120_000);
  });
}
