import type { AnyRule } from './define.js';
// Claude Code settings
import settingsInvalidJson from './settings/invalid-json.js';
import settingsInvalidSchema from './settings/invalid-schema.js';
import settingsTelemetryDisabled from './settings/telemetry-disabled.js';
import settingsMissingMetricsExporter from './settings/missing-metrics-exporter.js';
import settingsMissingLogsExporter from './settings/missing-logs-exporter.js';
import settingsMissingProtocol from './settings/missing-protocol.js';
import settingsInvalidExporter from './settings/invalid-exporter.js';
import settingsInvalidProtocol from './settings/invalid-protocol.js';
import settingsProtocolPortMismatch from './settings/protocol-port-mismatch.js';
import settingsInvalidEndpoint from './settings/invalid-endpoint.js';
import settingsInvalidHeaders from './settings/invalid-headers.js';
import settingsHeadersHelperGrpc from './settings/headers-helper-grpc.js';
import settingsInvalidInterval from './settings/invalid-interval.js';
import settingsInvalidResourceAttributes from './settings/invalid-resource-attributes.js';
import settingsManagedEndpointOverride from './settings/managed-endpoint-override.js';
import settingsUnreadFile from './settings/unread-file.js';
import settingsUnknownVariable from './settings/unknown-variable.js';
import settingsShadowedVariable from './settings/shadowed-variable.js';
import settingsProjectScopeTelemetry from './settings/project-scope-telemetry.js';
import settingsSensitiveLogging from './settings/sensitive-logging.js';
import settingsSecretInSharedFile from './settings/secret-in-shared-file.js';
import settingsInsecureEndpoint from './settings/insecure-endpoint.js';
import settingsConsoleExporter from './settings/console-exporter.js';
import settingsNewerClaudeVersion from './settings/newer-claude-version.js';
// collector config
import collectorLocalhostEndpoint from './collector/localhost-endpoint.js';
import collectorMissingSignalPipeline from './collector/missing-signal-pipeline.js';
import collectorProtocolNotEnabled from './collector/protocol-not-enabled.js';
import collectorNoPrometheusPath from './collector/no-prometheus-path.js';
import collectorDeltaDropped from './collector/delta-dropped.js';
import collectorUndefinedComponent from './collector/undefined-component.js';
import collectorUnusedComponent from './collector/unused-component.js';
import collectorInvalidPipeline from './collector/invalid-pipeline.js';
import collectorExporterNamespace from './collector/exporter-namespace.js';
import collectorConstLabelClash from './collector/const-label-clash.js';
import collectorMemoryLimiter from './collector/memory-limiter.js';
import collectorExporterTls from './collector/exporter-tls.js';
import collectorPortConflict from './collector/port-conflict.js';
import collectorLokiExporter from './collector/loki-exporter.js';
import collectorLokiOtlpPath from './collector/loki-otlp-path.js';
import collectorRemovedComponent from './collector/removed-component.js';
import collectorRenamedComponent from './collector/renamed-component.js';
import collectorNotInDistribution from './collector/not-in-distribution.js';
import collectorEnvSyntax from './collector/env-syntax.js';
import collectorUnsetVariable from './collector/unset-variable.js';
import collectorAddMetricSuffixesIgnored from './collector/add-metric-suffixes-ignored.js';
import collectorTelemetryMetricsAddress from './collector/telemetry-metrics-address.js';
import collectorInvalidYaml from './collector/invalid-yaml.js';
import collectorLoggingExporter from './collector/logging-exporter.js';
import collectorInvalidOption from './collector/invalid-option.js';
// docker-compose
import composeOtlpPortNotPublished from './compose/otlp-port-not-published.js';
import composeConfigNotMounted from './compose/config-not-mounted.js';
import composeUnknownHost from './compose/unknown-host.js';
import composeUnpinnedImage from './compose/unpinned-image.js';
import composePortsOnAllInterfaces from './compose/ports-on-all-interfaces.js';
import composeDefaultGrafanaPassword from './compose/default-grafana-password.js';
import composeShellHealthcheck from './compose/shell-healthcheck.js';
import composeObsoleteVersion from './compose/obsolete-version.js';
// prometheus.yml
import prometheusInvalidConfig from './prometheus/invalid-config.js';
import prometheusCollectorNotScraped from './prometheus/collector-not-scraped.js';
import prometheusLocalhostTarget from './prometheus/localhost-target.js';
import prometheusTargetPortMismatch from './prometheus/target-port-mismatch.js';
import prometheusScrapeInterval from './prometheus/scrape-interval.js';
// Loki config
import lokiOtlpIngestion from './loki/otlp-ingestion.js';
// Grafana provisioning
import grafanaInvalidProvisioning from './grafana/invalid-provisioning.js';
import grafanaDatasourceLocalhostUrl from './grafana/datasource-localhost-url.js';
import grafanaDatasourceWithoutUid from './grafana/datasource-without-uid.js';
import grafanaMultipleDefaultDatasources from './grafana/multiple-default-datasources.js';
import grafanaDashboardsNotProvisioned from './grafana/dashboards-not-provisioned.js';
// dashboard JSON
import dashboardInvalidJson from './dashboard/invalid-json.js';
import dashboardDatasourceNotFound from './dashboard/datasource-not-found.js';
import dashboardUnresolvedInput from './dashboard/unresolved-input.js';
import dashboardMetricNotProduced from './dashboard/metric-not-produced.js';
import dashboardUnknownMetric from './dashboard/unknown-metric.js';
import dashboardLabelNotProduced from './dashboard/label-not-produced.js';
import dashboardMissingUid from './dashboard/missing-uid.js';
import dashboardDuplicateUid from './dashboard/duplicate-uid.js';
import dashboardCounterWithoutRate from './dashboard/counter-without-rate.js';
import dashboardLogqlLabel from './dashboard/logql-label.js';
// the doctor itself
import doctorUnusedSuppression from './doctor/unused-suppression.js';
import doctorUnreadableFile from './doctor/unreadable-file.js';
import doctorInternalError from './doctor/internal-error.js';

/** Every rule, in the order `rules` lists them: by area, along the data's path. Adding a rule means adding its import here. */
export const RULES: AnyRule[] = [
  // Claude Code settings
  settingsInvalidJson,
  settingsInvalidSchema,
  settingsTelemetryDisabled,
  settingsMissingMetricsExporter,
  settingsMissingLogsExporter,
  settingsMissingProtocol,
  settingsInvalidExporter,
  settingsInvalidProtocol,
  settingsProtocolPortMismatch,
  settingsInvalidEndpoint,
  settingsInvalidHeaders,
  settingsHeadersHelperGrpc,
  settingsInvalidInterval,
  settingsInvalidResourceAttributes,
  settingsManagedEndpointOverride,
  settingsUnreadFile,
  settingsUnknownVariable,
  settingsShadowedVariable,
  settingsProjectScopeTelemetry,
  settingsSensitiveLogging,
  settingsSecretInSharedFile,
  settingsInsecureEndpoint,
  settingsConsoleExporter,
  settingsNewerClaudeVersion,
  // collector config
  collectorLocalhostEndpoint,
  collectorMissingSignalPipeline,
  collectorProtocolNotEnabled,
  collectorNoPrometheusPath,
  collectorDeltaDropped,
  collectorUndefinedComponent,
  collectorUnusedComponent,
  collectorInvalidPipeline,
  collectorExporterNamespace,
  collectorConstLabelClash,
  collectorMemoryLimiter,
  collectorExporterTls,
  collectorPortConflict,
  collectorLokiExporter,
  collectorLokiOtlpPath,
  collectorRemovedComponent,
  collectorRenamedComponent,
  collectorNotInDistribution,
  collectorEnvSyntax,
  collectorUnsetVariable,
  collectorAddMetricSuffixesIgnored,
  collectorTelemetryMetricsAddress,
  collectorInvalidYaml,
  collectorLoggingExporter,
  collectorInvalidOption,
  // docker-compose
  composeOtlpPortNotPublished,
  composeConfigNotMounted,
  composeUnknownHost,
  composeUnpinnedImage,
  composePortsOnAllInterfaces,
  composeDefaultGrafanaPassword,
  composeShellHealthcheck,
  composeObsoleteVersion,
  // prometheus.yml
  prometheusInvalidConfig,
  prometheusCollectorNotScraped,
  prometheusLocalhostTarget,
  prometheusTargetPortMismatch,
  prometheusScrapeInterval,
  // Loki config
  lokiOtlpIngestion,
  // Grafana provisioning
  grafanaInvalidProvisioning,
  grafanaDatasourceLocalhostUrl,
  grafanaDatasourceWithoutUid,
  grafanaMultipleDefaultDatasources,
  grafanaDashboardsNotProvisioned,
  // dashboard JSON
  dashboardInvalidJson,
  dashboardDatasourceNotFound,
  dashboardUnresolvedInput,
  dashboardMetricNotProduced,
  dashboardUnknownMetric,
  dashboardLabelNotProduced,
  dashboardMissingUid,
  dashboardDuplicateUid,
  dashboardCounterWithoutRate,
  dashboardLogqlLabel,
  // the doctor itself
  doctorUnusedSuppression,
  doctorUnreadableFile,
  doctorInternalError,
];

export const RULES_BY_ID = new Map(RULES.map((r) => [r.id, r]));
