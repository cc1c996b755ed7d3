import type { Rule } from './define.js';
import doctorUnusedSuppression from './doctor/unused-suppression.js';
import settingsInvalidJson from './settings/invalid-json.js';
import settingsInvalidSchema from './settings/invalid-schema.js';
import settingsTelemetryDisabled from './settings/telemetry-disabled.js';
import settingsMissingMetricsExporter from './settings/missing-metrics-exporter.js';
import settingsMissingLogsExporter from './settings/missing-logs-exporter.js';
import settingsMissingProtocol from './settings/missing-protocol.js';
// group A imports (export-changing settings rules)
// group B imports (advisory settings rules)

/** Every rule, in the order `rules` lists them. Adding a rule means adding its import here. */
export const RULES: Rule[] = [
  settingsInvalidJson,
  settingsInvalidSchema,
  settingsTelemetryDisabled,
  settingsMissingMetricsExporter,
  settingsMissingLogsExporter,
  settingsMissingProtocol,
  // group A rules
  // group B rules
  doctorUnusedSuppression,
];

export const RULES_BY_ID = new Map(RULES.map((r) => [r.id, r]));
