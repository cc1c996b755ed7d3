import { describe, expect, it } from 'vitest';
import { classifySource } from '../../src/discover/classify.js';
import { SourceFile } from '../../src/load/source.js';
import { kindsByMount } from '../../src/model/other-tools.js';
import { buildStack, type StackFile } from '../../src/model/stack.js';

/** The files, classified by content, then by where the compose file among them mounts them. */
function kinds(files: Record<string, string>): Record<string, string | undefined> {
  const classified: StackFile[] = Object.entries(files).flatMap(([path, text]) => {
    const source = new SourceFile(`/repo/${path}`, text);
    const c = classifySource(source);
    return c ? [{ ...c, source }] : [];
  });
  const out = kindsByMount(classified, buildStack(classified.filter((f) => f.kind === 'compose')));
  return Object.fromEntries(out.map((f) => [f.source.path.slice('/repo/'.length), f.other ? `${f.other.tool} (${f.other.evidence.by})` : f.kind]));
}

const PROMTAIL_BY_FLAGS =
  'server: {http_listen_port: 9080}\nscrape_configs:\n  - job_name: docker\n    docker_sd_configs: [{host: unix:///var/run/docker.sock}]\n';

describe('kinds by mount', () => {
  it("a file mounted into Promtail is Promtail's, whatever its keys", () => {
    const compose = 'services:\n  promtail:\n    image: grafana/promtail:3.3.2\n    volumes: ["./promtail.yml:/etc/promtail/config.yml"]\n';
    expect(kinds({ 'docker-compose.yml': compose, 'promtail.yml': PROMTAIL_BY_FLAGS })).toEqual({
      'docker-compose.yml': 'compose',
      'promtail.yml': 'promtail (mount)',
    });
  });

  it('a file mounted into a container that reads our configs keeps its kind', () => {
    // One folder mounted into both: the prometheus.yml in it is Prometheus' config.
    const compose =
      'services:\n  prometheus:\n    image: prom/prometheus:v2.55.1\n    volumes: ["./conf:/etc/prometheus"]\n  promtail:\n    image: grafana/promtail:3.3.2\n    volumes: ["./conf:/etc/promtail"]\n';
    expect(kinds({ 'docker-compose.yml': compose, 'conf/prometheus.yml': PROMTAIL_BY_FLAGS })['conf/prometheus.yml']).toBe('prometheus');
  });

  it("a tool's config folder says so in an image the doctor does not know", () => {
    const compose = 'services:\n  am:\n    image: example/alerting:1\n    volumes: ["./am.yml:/etc/alertmanager/alertmanager.yml"]\n';
    expect(kinds({ 'docker-compose.yml': compose, 'am.yml': 'receivers: {otlp: {}}\nservice: {}\n' })['am.yml']).toBe('alertmanager (mount)');
  });

  it("rule groups mounted into Loki are Loki's", () => {
    const compose = 'services:\n  loki:\n    image: grafana/loki:3.3.2\n    volumes: ["./rules.yml:/loki/rules/fake/rules.yml"]\n';
    expect(kinds({ 'docker-compose.yml': compose, 'rules.yml': 'groups:\n  - name: a\n    rules: []\n' })['rules.yml']).toBe('loki-rules (mount)');
  });

  it('without a mount, keys decide', () => {
    expect(kinds({ 'promtail.yml': PROMTAIL_BY_FLAGS })['promtail.yml']).toBe('prometheus');
  });
});

describe('kinds by mount: read as our config', () => {
  it("another tool's file mounted where Prometheus reads its config is judged as Prometheus' (it refuses it)", () => {
    const compose = 'services:\n  prometheus:\n    image: prom/prometheus:v2.55.1\n    volumes: ["./alertmanager.yml:/etc/prometheus/prometheus.yml"]\n';
    expect(kinds({ 'docker-compose.yml': compose, 'alertmanager.yml': 'route: {receiver: a}\nreceivers:\n  - name: a\n' })['alertmanager.yml']).toBe(
      'prometheus',
    );
  });

  it('rule files Prometheus loads beside its config stay rule files', () => {
    const compose = 'services:\n  prometheus:\n    image: prom/prometheus:v2.55.1\n    volumes: ["./alerts.yml:/etc/prometheus/alerts.yml"]\n';
    expect(kinds({ 'docker-compose.yml': compose, 'alerts.yml': 'groups:\n  - name: a\n    rules: []\n' })['alerts.yml']).toBe('prometheus-rules (keys)');
  });
});
