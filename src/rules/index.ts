import type { Rule } from './define.js';
import doctorUnusedSuppression from './doctor/unused-suppression.js';
import settingsInvalidJson from './settings/invalid-json.js';
import settingsInvalidSchema from './settings/invalid-schema.js';
import settingsTelemetryDisabled from './settings/telemetry-disabled.js';
import settingsMissingMetricsExporter from './settings/missing-metrics-exporter.js';
import settingsMissingLogsExporter from './settings/missing-logs-exporter.js';
import settingsMissingProtocol from './settings/missing-protocol.js';
// group A imports (export-changing settings rules)
import settingsInvalidExporter from './settings/invalid-exporter.js';
import settingsInvalidProtocol from './settings/invalid-protocol.js';
import settingsProtocolPortMismatch from './settings/protocol-port-mismatch.js';
import settingsInvalidEndpoint from './settings/invalid-endpoint.js';
import settingsInvalidHeaders from './settings/invalid-headers.js';
import settingsHeadersHelperGrpc from './settings/headers-helper-grpc.js';
import settingsInvalidInterval from './settings/invalid-interval.js';
import settingsInvalidResourceAttributes from './settings/invalid-resource-attributes.js';
import settingsManagedEndpointOverride from './settings/managed-endpoint-override.js';
// group B imports (advisory settings rules)
import settingsUnreadFile from './settings/unread-file.js';
import settingsUnknownVariable from './settings/unknown-variable.js';
import settingsShadowedVariable from './settings/shadowed-variable.js';
import settingsProjectScopeTelemetry from './settings/project-scope-telemetry.js';
import settingsSensitiveLogging from './settings/sensitive-logging.js';
import settingsSecretInSharedFile from './settings/secret-in-shared-file.js';
import settingsInsecureEndpoint from './settings/insecure-endpoint.js';
import settingsConsoleExporter from './settings/console-exporter.js';

/** Every rule, in the order `rules` lists them. Adding a rule means adding its import here. */
export const RULES: Rule[] = [
  settingsInvalidJson,
  settingsInvalidSchema,
  settingsTelemetryDisabled,
  settingsMissingMetricsExporter,
  settingsMissingLogsExporter,
  settingsMissingProtocol,
  // group A rules
  settingsInvalidExporter,
  settingsInvalidProtocol,
  settingsProtocolPortMismatch,
  settingsInvalidEndpoint,
  settingsInvalidHeaders,
  settingsHeadersHelperGrpc,
  settingsInvalidInterval,
  settingsInvalidResourceAttributes,
  settingsManagedEndpointOverride,
  // group B rules
  settingsUnreadFile,
  settingsUnknownVariable,
  settingsShadowedVariable,
  settingsProjectScopeTelemetry,
  settingsSensitiveLogging,
  settingsSecretInSharedFile,
  settingsInsecureEndpoint,
  settingsConsoleExporter,
  doctorUnusedSuppression,
];

export const RULES_BY_ID = new Map(RULES.map((r) => [r.id, r]));
