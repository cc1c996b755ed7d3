// What besides Claude Code's pipeline feeds the places dashboards look (issue #14, class 1), read from fixtures.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyConfig } from '../../src/config/doctor-config.js';
import { isClaudeDashboard, lokiIndexedAttributes, metricWorld, processorLabels, promtailStreams } from '../../src/model/other-sources.js';
import { fileWorkspaces } from '../../src/workspaces.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

function workspace(fixture: string) {
  const dir = join(FIXTURES_DIR, fixture, 'files');
  const { workspaces } = fileWorkspaces([dir], emptyConfig(dir), '2.1.197');
  return workspaces[0];
}

describe('other sources of series and streams', () => {
  it('a Prometheus that scrapes only the collector is a closed world; a Pushgateway or an unfed receiver opens it', () => {
    expect(metricWorld(workspace('dashboard-unknown-metric-fail'))).toEqual({ others: [], unseen: undefined });
    expect(metricWorld(workspace('dashboard-unknown-metric-fail-pushgateway')).others).toEqual(['a Pushgateway (scrape job "hooks")']);
    expect(metricWorld(workspace('dashboard-unknown-metric-fail-remote-write-receiver')).others).toEqual([
      'its remote-write receiver (service "prometheus", fed by no pipeline here)',
    ]);
    // No Prometheus config here: what it scrapes is not known.
    expect(metricWorld(workspace('dashboard-unknown-metric-fail-prometheus-unseen')).unseen).toBe("the datasource's Prometheus is not in this workspace");
  });

  it('reads the labels processors set on data points', () => {
    const ws = workspace('dashboard-label-not-produced-pass-processors');
    expect([...processorLabels(ws.stack.collectors[0], 'prometheus')].sort()).toEqual(['project', 'team']);
  });

  it("reads Promtail's stream labels and Loki's indexed OTLP attributes", () => {
    const ws = workspace('dashboard-logql-label-pass-other-streams');
    const promtail = promtailStreams(ws);
    expect([...promtail.labels].sort()).toEqual(['client_ip', 'job', 'msg_type', 'service_name']);
    // job: the static label of the transcripts job, the job_name of the proxies job.
    expect([...(promtail.jobs ?? [])].sort()).toEqual(['claude-transcripts', 'proxies']);
    expect(lokiIndexedAttributes(ws)).toEqual(['workspace', 'event.name']);
    const byTitle = new Map(ws.stack.grafana.dashboards.map((d) => [d.title, d]));
    expect(isClaudeDashboard(ws, byTitle.get('Claude Code activity')!)).toBe(true);
    expect(isClaudeDashboard(ws, byTitle.get('Control plane')!)).toBe(false);
  });
});
