// The field specs of kustomize's built-in transformers (api/internal/konfig/builtinpluginconsts), for the kinds the
// model reads: where commonLabels, labels, commonAnnotations and name references write.

/** A field a transformer writes: its path (lists fanned out; `x[]` a list, never created), the kinds it applies to (any when absent), and whether it is created when missing. */
export interface FieldSpec {
  path: string[];
  kinds?: string[];
  create: boolean;
}

const spec = (path: string, create: boolean, ...kinds: string[]): FieldSpec => ({ path: path.split('/'), create, kinds: kinds.length ? kinds : undefined });

const TEMPLATED = ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job', 'ReplicationController'];

/** Labels on the object and its pod templates (`labels` with includeTemplates, and part of commonLabels). */
export const TEMPLATE_LABELS: FieldSpec[] = [
  spec('metadata/labels', true),
  spec('spec/template/metadata/labels', true, ...TEMPLATED),
  spec('spec/jobTemplate/metadata/labels', true, 'CronJob'),
  spec('spec/jobTemplate/spec/template/metadata/labels', true, 'CronJob'),
];

const affinity = (kind: string) =>
  [
    'podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm',
    'podAffinity/requiredDuringSchedulingIgnoredDuringExecution',
    'podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm',
    'podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution',
  ]
    .map((p) => spec(`spec/template/spec/affinity/${p}/labelSelector/matchLabels`, false, kind))
    .concat(spec('spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels', false, kind));

/** commonLabels (and `labels` with includeSelectors): also selectors, which must keep matching the pods. */
export const COMMON_LABELS: FieldSpec[] = [
  spec('spec/selector', true, 'Service', 'ReplicationController'),
  spec('spec/selector/matchLabels', true, 'Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet'),
  ...affinity('Deployment'),
  ...affinity('StatefulSet'),
  spec('spec/selector/matchLabels', false, 'Job', 'PodDisruptionBudget'),
  spec('spec/jobTemplate/spec/selector/matchLabels', false, 'CronJob'),
  spec('spec/podSelector/matchLabels', false, 'NetworkPolicy'),
  spec('spec/ingress/from/podSelector/matchLabels', false, 'NetworkPolicy'),
  spec('spec/egress/to/podSelector/matchLabels', false, 'NetworkPolicy'),
  ...TEMPLATE_LABELS,
  spec('spec/volumeClaimTemplates[]/metadata/labels', true, 'StatefulSet'),
];

export const COMMON_ANNOTATIONS: FieldSpec[] = [
  spec('metadata/annotations', true),
  spec('spec/template/metadata/annotations', true, ...TEMPLATED),
  spec('spec/jobTemplate/metadata/annotations', true, 'CronJob'),
  spec('spec/jobTemplate/spec/template/metadata/annotations', true, 'CronJob'),
];

const POD_OWNERS: [string, string][] = [
  ['Pod', 'spec'],
  ['Deployment', 'spec/template/spec'],
  ['ReplicaSet', 'spec/template/spec'],
  ['DaemonSet', 'spec/template/spec'],
  ['StatefulSet', 'spec/template/spec'],
  ['Job', 'spec/template/spec'],
  ['CronJob', 'spec/jobTemplate/spec/template/spec'],
];

const podRefs = (fields: string[]): FieldSpec[] => POD_OWNERS.flatMap(([kind, pod]) => fields.map((f) => spec(`${pod}/${f}`, false, kind)));

/** The fields that name an object of a kind, which kustomize updates when that object is renamed (namereference.go). */
export const NAME_REFERENCES: Record<string, FieldSpec[]> = {
  ConfigMap: podRefs([
    'volumes/configMap/name',
    'containers/env/valueFrom/configMapKeyRef/name',
    'initContainers/env/valueFrom/configMapKeyRef/name',
    'containers/envFrom/configMapRef/name',
    'initContainers/envFrom/configMapRef/name',
    'volumes/projected/sources/configMap/name',
  ]),
  Secret: [
    ...podRefs([
      'volumes/secret/secretName',
      'containers/env/valueFrom/secretKeyRef/name',
      'initContainers/env/valueFrom/secretKeyRef/name',
      'containers/envFrom/secretRef/name',
      'initContainers/envFrom/secretRef/name',
      'imagePullSecrets/name',
      'volumes/projected/sources/secret/name',
    ]),
    spec('spec/tls/secretName', false, 'Ingress'),
    spec('imagePullSecrets/name', false, 'ServiceAccount'),
  ],
  Service: [
    spec('spec/serviceName', false, 'StatefulSet'),
    spec('spec/rules/http/paths/backend/service/name', false, 'Ingress'),
    spec('spec/defaultBackend/service/name', false, 'Ingress'),
  ],
  ServiceAccount: POD_OWNERS.map(([kind, pod]) => spec(`${pod}/serviceAccountName`, false, kind)),
  Role: [spec('roleRef/name', false, 'RoleBinding')],
  ClusterRole: [spec('roleRef/name', false, 'RoleBinding', 'ClusterRoleBinding')],
  Deployment: [spec('spec/scaleTargetRef/name', false, 'HorizontalPodAutoscaler')],
  StatefulSet: [spec('spec/scaleTargetRef/name', false, 'HorizontalPodAutoscaler')],
};

/** The built-in kinds the model builds: any other built-in kind makes a build not modelled (a transformer may write fields of it not listed here). */
const MODELLED_KINDS = new Set([
  'Deployment',
  'DaemonSet',
  'StatefulSet',
  'Job',
  'CronJob',
  'Pod',
  'Service',
  'ConfigMap',
  'Secret',
  'Ingress',
  'HTTPRoute',
  'GRPCRoute',
  'ServiceMonitor',
  'PodMonitor',
  'OpenTelemetryCollector',
  'HorizontalPodAutoscaler',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ClusterRole',
  'ClusterRoleBinding',
  'Namespace',
  'NetworkPolicy',
  'PodDisruptionBudget',
]);

/** The API groups of the built-in kinds, whose schemas kustomize knows; any other group's kinds are custom resources. */
const BUILT_IN_GROUPS = /^(?:|apps|batch|autoscaling|policy|[a-z.]*\.k8s\.io)$/;

/**
 * Whether the model builds objects of a kind: the built-in kinds listed, and custom resources (kustomize has no
 * schema of them: only the metadata field specs apply, and they are namespaced). The Gateway API's kinds are custom
 * resources in a k8s.io group.
 */
export function modelledKind(apiVersion: string, kind: string): boolean {
  if (MODELLED_KINDS.has(kind)) return true;
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return !BUILT_IN_GROUPS.test(group) || group.startsWith('gateway.networking.k8s.io');
}

/** The modelled kinds without a namespace: `namespace:` leaves them alone (a Namespace takes its name). */
export const CLUSTER_SCOPED = new Set(['ClusterRole', 'ClusterRoleBinding', 'Namespace']);

/** The kinds `replicas:` sets. */
export const REPLICA_KINDS = new Set(['Deployment', 'ReplicationController', 'ReplicaSet', 'StatefulSet']);
