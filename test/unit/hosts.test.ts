// The one loopback test (util/hosts.ts) that listen checks, scrape targets, routes and endpoint rules share.
import { describe, expect, it } from 'vitest';
import { isDockerHostName, isLocalTarget, isLoopback } from '../../src/util/hosts.js';

describe('hosts', () => {
  it('loopback: localhost (any case, *.localhost), 127.0.0.0/8, ::1 with or without brackets', () => {
    for (const h of ['localhost', 'LocalHost', 'app.localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '', 'otel-collector', '10.0.0.1', 'localhost.example.com', 'host.docker.internal']) expect(isLoopback(h), h).toBe(false);
  });

  it('a local target is loopback or the unspecified address, which dials this machine; a listener there is not on loopback', () => {
    for (const h of ['localhost', '127.0.0.1', '0.0.0.0', '::', '[::]']) expect(isLocalTarget(h), h).toBe(true);
    for (const h of ['otel-collector', 'host.docker.internal', '']) expect(isLocalTarget(h), h).toBe(false);
  });

  it("Docker Desktop's names for the host", () => {
    expect(isDockerHostName('host.docker.internal')).toBe(true);
    expect(isDockerHostName('gateway.docker.internal')).toBe(true);
    expect(isDockerHostName('localhost')).toBe(false);
  });
});
