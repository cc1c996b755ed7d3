/**
 * Which host names are this machine, decided once for every module: a listen address on loopback, a scrape target
 * or OTLP endpoint on this host, a datasource URL pointing at Grafana's own container.
 */

/** Brackets of an IPv6 literal off, lower case: `[::1]` → `::1`, `LocalHost` → `localhost`. */
const bare = (host: string) => host.replace(/^\[|\]$/g, '').toLowerCase();

/** The loopback interface: `localhost` (and `*.localhost`), 127.0.0.0/8, `::1`. */
export function isLoopback(host: string): boolean {
  const h = bare(host);
  return h === 'localhost' || h.endsWith('.localhost') || /^127\./.test(h) || h === '::1';
}

/**
 * An address that, dialled, reaches this machine: loopback, or the unspecified address (`0.0.0.0`, `::`), which
 * Linux connects to the local host. A listener on `0.0.0.0` is not on loopback (it takes every interface), so
 * listen checks use `isLoopback`.
 */
export function isLocalTarget(host: string): boolean {
  const h = bare(host);
  return isLoopback(h) || h === '0.0.0.0' || h === '::';
}

/** Docker Desktop's names for the host machine, seen from a container. */
export function isDockerHostName(host: string): boolean {
  const h = bare(host);
  return h === 'host.docker.internal' || h === 'gateway.docker.internal';
}
