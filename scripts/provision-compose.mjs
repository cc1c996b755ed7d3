#!/usr/bin/env node
// Provisions compose-check, the compose project loader oracle of test/oracles/compose-differential.test.ts:
// test/oracles/compose-check (github.com/compose-spec/compose-go/v2, the library `docker compose` loads
// projects with; pinned by its committed go.mod/go.sum and versions.json's composeGo), built with the local Go
// into ${XDG_CACHE_HOME:-~/.cache}/claude-otel-doctor/compose-check-<version>/compose-check.
// A cold build takes well under a minute. compose-check.sha256 beside it records the sources; changed
// sources are rebuilt. Progress goes to stderr; the last stdout line is the binary's path.
// Exits non-zero with a message on failure.
import { provisionGoOracle, versions } from './go-oracle.mjs';

provisionGoOracle({
  name: 'compose-check',
  script: 'provision-compose',
  version: versions.composeGo,
  what: `github.com/compose-spec/compose-go/v2 ${versions.composeGo}`,
  sources: ['main.go', 'go.mod', 'go.sum'],
  reportsPin: (v) => v.endsWith(versions.composeGo),
});
