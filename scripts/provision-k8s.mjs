#!/usr/bin/env node
// Provisions k8s-check, the Kubernetes oracles of test/oracles/k8s-check.test.ts: test/oracles/k8s-check (strict
// decoding into the Go types of k8s.io/api, sigs.k8s.io/gateway-api and the Prometheus Operator's monitoring
// API; `kustomize build` by sigs.k8s.io/kustomize/api), pinned by its committed go.mod/go.sum (k8s.io/* at
// versions.json's k8sApiGo), built with the local Go into
// ${XDG_CACHE_HOME:-~/.cache}/claude-otel-doctor/k8s-check-<k8sApiGo>/k8s-check.
// A cold build takes a few minutes (less after helm's: they share k8s.io packages in Go's build cache).
// k8s-check.sha256 beside it records the sources; changed
// sources are rebuilt. Progress goes to stderr; the last stdout line is the binary's path.
// Exits non-zero with a message on failure.
import { provisionGoOracle, versions } from './go-oracle.mjs';

provisionGoOracle({
  name: 'k8s-check',
  script: 'provision-k8s',
  version: versions.k8sApiGo,
  what: `k8s.io/api ${versions.k8sApiGo}`,
  sources: ['main.go', 'go.mod', 'go.sum'],
  reportsPin: (v) => v.includes(`k8s.io/api ${versions.k8sApiGo},`),
});
