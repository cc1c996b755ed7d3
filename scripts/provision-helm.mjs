#!/usr/bin/env node
// Provisions helm, the chart renderer oracle of test/oracles/helm-render.test.ts: the real `helm` CLI
// (helm.sh/helm/v4's cmd/helm), built with the local Go from test/oracles/helm, whose committed go.mod/go.sum
// pin helm (versions.json's helmGo) and every dependency (its `tool` line names cmd/helm), into
// ${XDG_CACHE_HOME:-~/.cache}/claude-otel-doctor/helm-<version>/helm.
// A cold build takes a few minutes. helm.sha256 beside it records the sources; changed sources are rebuilt.
// Progress goes to stderr; the last stdout line is the binary's path. Exits non-zero with a message on failure.
import { provisionGoOracle, versions } from './go-oracle.mjs';

// Stamped with its version as helm's Makefile does; `helm version --short` reports it.
provisionGoOracle({
  name: 'helm',
  script: 'provision-helm',
  version: versions.helmGo,
  what: `helm.sh/helm/v4/cmd/helm ${versions.helmGo}`,
  sources: ['go.mod', 'go.sum'],
  buildArgs: ['-ldflags', `-s -w -X helm.sh/helm/v4/internal/version.version=${versions.helmGo}`],
  pkg: 'helm.sh/helm/v4/cmd/helm',
  versionArgs: ['version', '--short'],
  reportsPin: (v) => v === versions.helmGo,
});
