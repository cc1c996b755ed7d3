// compose/published-port-conflict on the cases its fixtures do not show: which host addresses overlap, protocols,
// ranges, host networking, profiles, and services that run no container.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../src/api.js';

const root = mkdtempSync(join(tmpdir(), 'cod-port-conflict-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** The rule's findings (kind and severity) for a compose file of two services, `a` and `b`. */
function found(a: string, b: string): string[] {
  const dir = join(root, String(n++));
  mkdirSync(dir);
  writeFileSync(join(dir, 'docker-compose.yml'), `services:\n  a:\n    image: grafana/grafana:12.0.0\n${a}  b:\n    image: grafana/grafana:12.0.0\n${b}`);
  return check({ paths: [dir] })
    .findings.filter((f) => f.ruleId === 'compose/published-port-conflict')
    .map((f) => `${f.kind} ${f.severity}`);
}
const ports = (...p: string[]) => `    ports:\n${p.map((x) => `      - "${x}"\n`).join('')}`;

describe('compose/published-port-conflict', () => {
  it('overlapping addresses of one port and protocol: an error', () => {
    expect(found(ports('3000:3000'), ports('127.0.0.1:3000:3000'))).toEqual(['twoServices error']);
    expect(found(ports('127.0.0.1:3000:3000'), ports('127.0.0.1:3000:80'))).toEqual(['twoServices error']);
    expect(found(ports('[::]:3000:3000'), ports('127.0.0.1:3000:3000'))).toEqual(['twoServices error']);
  });

  it('other addresses, protocols or ports, a range, host networking: nothing', () => {
    expect(found(ports('127.0.0.1:3000:3000'), ports('127.0.0.2:3000:3000'))).toEqual([]);
    expect(found(ports('3000:3000/udp'), ports('3000:3000'))).toEqual([]);
    expect(found(ports('3000:3000'), ports('3001:3000'))).toEqual([]);
    expect(found(ports('3000:3000'), ports('3000-3005:3000'))).toEqual([]);
    expect(found(ports('3000:3000'), `    network_mode: host\n${ports('3000:3000')}`)).toEqual([]);
  });

  it('profiles: a warning beside an always-started service, nothing between alternatives', () => {
    expect(found(ports('3000:3000'), `    profiles: [debug]\n${ports('3000:3000')}`)).toEqual(['twoServices warning']);
    expect(found(`    profiles: [x]\n${ports('3000:3000')}`, `    profiles: [y]\n${ports('3000:3000')}`)).toEqual([]);
    expect(found(`    profiles: [x, y]\n${ports('3000:3000')}`, `    profiles: [y]\n${ports('3000:3000')}`)).toEqual(['twoServices warning']);
  });

  it('replicas: several on a fixed port are an error; a service switched off runs nothing', () => {
    expect(found(`    deploy:\n      replicas: 2\n${ports('3000:3000')}`, '')).toEqual(['replicas error']);
    expect(found(`    scale: 3\n${ports('3000-3002:3000')}`, '')).toEqual([]);
    expect(found(`    deploy:\n      replicas: 0\n${ports('3000:3000')}`, ports('3000:3000'))).toEqual([]);
    expect(found(`    scale: 0\n${ports('3000:3000')}`, ports('3000:3000'))).toEqual([]);
  });
});
