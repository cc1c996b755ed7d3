// The Prometheus Operator oracle (test/oracles/operator-scrape, built by scripts/provision-operator.mjs): the scrape
// jobs its ConfigGenerator writes for a file of Prometheus objects and monitors, as the tests read them.
import { spawnSync } from 'node:child_process';
import { parse as parseYaml } from 'yaml';

export interface Relabel {
  source_labels?: string[];
  regex?: string;
  action?: string;
}

/** One scrape job of the generated prometheus.yml, the fields the tests look at. */
export interface OperatorJob {
  job_name: string;
  honor_labels?: boolean;
  scrape_interval?: string;
  scrape_timeout?: string;
  metrics_path?: string;
  scheme?: string;
  kubernetes_sd_configs: { role: string; namespaces?: { names: string[] } }[];
  relabel_configs: Relabel[];
}

/** `operator-scrape generate <file>`: the prometheus.yml text, its jobs, and what the operator logged (the monitors it skipped). */
export function operatorGenerate(bin: string, file: string): { text: string; jobs: OperatorJob[]; stderr: string } {
  const r = spawnSync(bin, ['generate', file], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`operator-scrape generate exited ${r.status}: ${r.stderr}`);
  return { text: r.stdout, jobs: (parseYaml(r.stdout) as { scrape_configs?: OperatorJob[] }).scrape_configs ?? [], stderr: r.stderr };
}
