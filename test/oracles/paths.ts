// Where the provisioning scripts put the real-component oracles (pins in versions.json).
// Each function returns the executable's path, or undefined when it is not provisioned.
import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface OracleVersions {
  collector: { old: string; current: string };
  prometheusGo: string;
  claudeCode: string;
  composeGo: string;
  /** helm.sh/helm/v4, the helm CLI built by scripts/provision-helm.mjs. */
  helmGo: string;
  /** k8s.io/api (and the k8s.io modules at the same release) of test/oracles/k8s-check. */
  k8sApiGo: string;
  /** github.com/prometheus-operator/prometheus-operator of test/oracles/operator-scrape. */
  prometheusOperatorGo: string;
}

export type CollectorRole = 'old' | 'current';

export const versions: OracleVersions = JSON.parse(readFileSync(new URL('./versions.json', import.meta.url), 'utf8'));

/** Commands that provision each oracle (for skip/fail messages). */
export const PROVISION_COLLECTOR = 'node scripts/provision-collector.mjs';
export const PROVISION_PROMETHEUS = 'node scripts/provision-prometheus.mjs';
export const PROVISION_COMPOSE = 'node scripts/provision-compose.mjs';
export const PROVISION_HELM = 'node scripts/provision-helm.mjs';
export const PROVISION_K8S = 'node scripts/provision-k8s.mjs';
export const PROVISION_OPERATOR = 'node scripts/provision-operator.mjs';

function cacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'claude-otel-doctor');
}

function executable(path: string): string | undefined {
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

export function collectorBinary(role: CollectorRole): string | undefined {
  return executable(join(cacheDir(), `otelcol-${versions.collector[role]}`, 'otelcol-cod'));
}

/** The component-options dumper built beside each collector (test/oracles/schema-dump). */
export function schemaDumpBinary(role: CollectorRole): string | undefined {
  return executable(join(cacheDir(), `otelcol-${versions.collector[role]}`, 'schema-dump'));
}

/** promtool from PATH (Debian's prometheus package installs /usr/bin/promtool). */
export function promtoolBinary(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const found = dir && executable(join(dir, 'promtool'));
    if (found) return found;
  }
  return undefined;
}

export function prom3CheckBinary(): string | undefined {
  return executable(join(cacheDir(), `prom3-check-${versions.prometheusGo}`, 'prom3-check'));
}

/** The prometheus server from PATH (the same Debian package as promtool); the probe tests run it. */
export function prometheusServerBinary(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const found = dir && executable(join(dir, 'prometheus'));
    if (found) return found;
  }
  return undefined;
}

/** The compose project loader (test/oracles/compose-check, compose-go). */
export function composeCheckBinary(): string | undefined {
  return executable(join(cacheDir(), `compose-check-${versions.composeGo}`, 'compose-check'));
}

/** The real helm CLI (helm.sh/helm/v4), built from test/oracles/helm. */
export function helmBinary(): string | undefined {
  return executable(join(cacheDir(), `helm-${versions.helmGo}`, 'helm'));
}

/** The Kubernetes oracles (test/oracles/k8s-check): strict decoding into the Go types, kustomize build. */
export function k8sCheckBinary(): string | undefined {
  return executable(join(cacheDir(), `k8s-check-${versions.k8sApiGo}`, 'k8s-check'));
}

/** The Prometheus Operator's scrape-config generation (test/oracles/operator-scrape). */
export function operatorScrapeBinary(): string | undefined {
  return executable(join(cacheDir(), `operator-scrape-${versions.prometheusOperatorGo}`, 'operator-scrape'));
}
