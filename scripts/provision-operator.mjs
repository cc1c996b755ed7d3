#!/usr/bin/env node
// Provisions operator-scrape, the oracle of test/oracles/operator-scrape.test.ts: test/oracles/operator-scrape runs
// the Prometheus Operator's own code (github.com/prometheus-operator/prometheus-operator/pkg/prometheus: resource
// selection and ConfigGenerator) over ServiceMonitors/PodMonitors and prints the prometheus.yml it generates.
// Pinned by its committed go.mod/go.sum (the operator at versions.json's prometheusOperatorGo; it brings its own
// k8s.io and prometheus modules, so it is a binary of its own, not part of k8s-check), built with the local Go into
// ${XDG_CACHE_HOME:-~/.cache}/claude-otel-doctor/operator-scrape-<prometheusOperatorGo>/operator-scrape.
// A cold build takes about ten minutes on a busy machine. operator-scrape.sha256 beside it records the sources;
// changed sources are rebuilt. Progress goes to stderr; the last stdout line is the binary's path.
// Exits non-zero with a message on failure.
import { provisionGoOracle, versions } from './go-oracle.mjs';

provisionGoOracle({
  name: 'operator-scrape',
  script: 'provision-operator',
  version: versions.prometheusOperatorGo,
  what: `the Prometheus Operator ${versions.prometheusOperatorGo}`,
  sources: ['main.go', 'go.mod', 'go.sum'],
  reportsPin: (v) => v.includes(`prometheus-operator/prometheus-operator ${versions.prometheusOperatorGo},`),
  nice: true,
});
