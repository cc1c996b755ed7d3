import { EmbeddedSource } from '../../load/source.js';
import { kustomizePatchFiles } from '../../model/kubernetes.js';
import { chartObjects } from '../../model/kubernetes-routes.js';
import { isCustomResourceType, kubernetesFieldsModules, type JsonKind, type Refusal, type StrictObject, strictObjects } from '../../model/kubernetes-fields.js';
import { didYouMean } from '../../util/distance.js';
import { defineRule, type RuleFinding } from '../define.js';

interface Where {
  /** `Deployment "otel-collector"`. */
  object: string;
  /** The key of the value (its last path step). */
  field: string;
  /** The path as the decoder's error names it. */
  path: string;
  /** The decoder's words. */
  decoder: string;
  /** What was assumed, for custom resources. */
  assumes: string;
}

const REFUSES = "kubectl apply's strict field validation (its default, --validate=strict) refuses the object";

const messages = {
  unknown: {
    message: (d: Where & { suggestion: string; likely: boolean }) =>
      `${d.object} has no field "${d.field}"${d.suggestion}: kubectl apply ${d.likely ? 'likely refuses' : 'refuses'} it`,
    detail: (d: Where & { suggestion: string; likely: boolean }) => `strict decoding fails with: ${d.decoder}; ${REFUSES}${d.assumes}`,
  },
  type: {
    message: (d: Where & { expected: string; found: string; yaml11: boolean }) =>
      `"${d.field}" of ${d.object} must be ${d.expected}, not ${d.found}: kubectl apply refuses it`,
    detail: (d: Where & { expected: string; found: string; yaml11: boolean }) =>
      `at ${d.path}, strict decoding fails with: ${d.decoder}; ${REFUSES}${d.assumes}${d.yaml11 ? '; kubectl reads YAML 1.1, where an unquoted y, yes, on, n, no or off is a boolean' : ''}`,
  },
  quantity: {
    message: (d: Where & { text: string }) => `"${d.field}" of ${d.object} is not a quantity (${d.text}): kubectl apply refuses it`,
    detail: (d: Where & { text: string }) =>
      `at ${d.path}, decoding fails with: ${d.decoder}; a quantity is a number with an optional suffix (500m, 1.5, 128Mi, 1G, 1e3)`,
  },
  base64: {
    // The value is never shown: it is a Secret's.
    message: (d: Where) => `"${d.field}" of ${d.object} is not base64: kubectl apply refuses it`,
    detail: (d: Where) => `at ${d.path}, decoding fails with: ${d.decoder}; \`data\` holds base64 text, \`stringData\` plain text`,
  },
} as const;
type Found = RuleFinding<typeof messages>;

export default defineRule({
  id: 'kubernetes/unknown-field',
  severity: 'error',
  title: 'A manifest field the Kubernetes API does not have, or a value of the wrong type',
  checks:
    'Every object of a Kubernetes manifest whose apiVersion and kind the doctor knows (the built-in APIs, Gateway API, the Prometheus Operator), key by key against the fields of its Go type (schemas/kubernetes, generated from the types themselves), as the API server decodes it strictly: keys the type has no field for, and values of the wrong type (a quoted number where an integer belongs, a map where a list belongs, a quantity that does not parse). Objects of other kinds (custom resources it does not know) are not judged; a field unknown to a custom resource (Gateway API, Prometheus Operator) or to an alpha or beta API is a warning, since the cluster may have other fields for it. A kustomize patch holds partial objects: its values are judged in the objects the doctor builds with it (src/model/kustomize), and reported in the patch (or the kustomization, for an inline one); patches of a build it does not model are not judged.',
  why: 'kubectl apply validates strictly by default: the API server refuses an object with an unknown field ("strict decoding error: unknown field \\"spec.replica\\"") or a value that does not decode ("cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32"), so the collector, its Service or its ServiceMonitor is never created or updated; with --validate=false the field is silently dropped instead, and the setting it was meant to make is not made.',
  fix: 'none',
  versions: 'Kubernetes API as of k8s.io/api v0.37; kubectl 1.27 and later validate strictly by default',
  bad: {
    file: 'k8s/collector.yaml',
    text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: otel-collector\nspec:\n  selector:\n    app: otel-collector\n  ports:\n    - name: otlp-grpc\n      port: "4317"\n      protocl: TCP\n',
  },
  good: {
    file: 'k8s/collector.yaml',
    text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: otel-collector\nspec:\n  selector:\n    app: otel-collector\n  ports:\n    - name: otlp-grpc\n      port: 4317\n      protocol: TCP\n',
  },
  references: [
    'https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation (strict: unknown and duplicate fields fail the request)',
    'https://github.com/kubernetes/kubectl/blob/v0.37.2/pkg/cmd/util/helpers.go (AddValidateFlags: --validate defaults to "strict")',
    'test/oracles/k8s-check (the real strict decoding; test/oracles/k8s-differential.test.ts holds the rule to it)',
  ],
  oracle: 'fixtures',
  certainty:
    "The field catalogue is generated from the Go types the API server decodes into (k8s.io/api, the Gateway API and the Prometheus Operator's monitoring API, by `k8s-check schema`), and test/oracles/k8s-differential.test.ts requires the rule's findings to equal what the real strict decoding (k8s-check decode) refuses on every manifest fixture, the chart's renderings and mutated copies. A field unknown to a custom resource, or to an alpha or beta API, is only a warning: the cluster's CRD or release may have other fields than the types the doctor knows.",
  stage: 'Collector',
  messages,
  check(ws) {
    const patches = kustomizePatchFiles(ws.stack.files.filter((f) => f.kind === 'kustomization').flatMap((f) => ws.stack.yaml.get(f.source.path) ?? []));
    const docs = ws.stack.kubernetes.documents.filter((d) => !patches.has(d.source.path));
    // A patch's values are judged in the objects kustomize builds with them, and found where the patch wrote them;
    // the rest of a built object is its resource files', judged above.
    const decoded = new Set(docs.map((d) => d.source.path));
    const patched = (r: Refusal) => {
      const source = r.value.doc.source;
      const range = r.value.location('key').range;
      return source instanceof EmbeddedSource && range !== undefined && !decoded.has(source.hostLocation(range).file);
    };
    const built = strictObjects(ws.stack.kustomize.flatMap((u) => u.documents)).map((o) => ({ ...o, refusals: o.refusals.filter(patched) }));
    // The chart's objects: only what the values pass through as written (the container's `resources`); the rest the
    // doctor renders itself from values the chart's schema has already typed.
    const charted = ws.stack.helmValues.flatMap((h) =>
      strictObjects(chartObjects(ws.stack, h).documents).map((o) => ({ ...o, refusals: o.refusals.filter((r) => r.value.path.includes('resources')) })),
    );
    return [...strictObjects(docs), ...built, ...charted].flatMap(findings);
  },
});

function findings({ apiVersion, kind, name, type, refusals }: StrictObject): Found[] {
  // A custom resource's CRD, or an alpha or beta API, may have other fields on the cluster than in the types we
  // read: a field unknown to ours is then only likely unknown.
  const custom = isCustomResourceType(type);
  const prerelease = /\/v\d+(?:alpha|beta)\d+\./.test(`/${type}`);
  const assumes = custom
    ? `; this assumes the cluster's ${kind} CRD has the fields of ${crdModule(type)}`
    : prerelease
      ? `; this assumes the cluster serves ${apiVersion} with the fields of ${crdModule(type)} (fields of alpha and beta APIs change between releases)`
      : '';
  return refusals.map((r) => {
    const field = String(r.value.path.at(-1));
    const where = { object: `${kind}${name ? ` "${name}"` : ''}`, field, path: r.path, decoder: decoderWords(r), assumes };
    if (r.problem === 'unknown') {
      return {
        ...r.value.location('key'),
        kind: 'unknown' as const,
        data: { ...where, suggestion: didYouMean(field, r.fields ?? []), likely: custom || prerelease },
        hint: 'remove the field, or correct its name (field names are case-sensitive)',
        ...(custom || prerelease ? { severity: 'warning' as const } : {}),
      };
    }
    if (r.problem === 'value' && r.expected === 'quantity')
      return {
        ...r.value.location('value'),
        kind: 'quantity' as const,
        data: { ...where, text: r.value.text() !== undefined ? `"${r.value.text()}"` : FOUND[r.found ?? 'null'] },
        hint: 'write a quantity such as 500m, 1, 256Mi or 1Gi',
      };
    if (r.problem === 'value')
      return { ...r.value.location('value'), kind: 'base64' as const, data: where, hint: 'base64-encode the value, or move it under stringData' };
    return {
      ...r.value.location('value'),
      kind: 'type' as const,
      data: { ...where, expected: expectedWords(r.expected), found: foundWords(r), yaml11: r.found === 'bool' && r.value.boolean() === undefined },
      hint: typeHint(r),
    };
  });
}

/** The Go module (with its version) a type of the catalogue comes from: "sigs.k8s.io/gateway-api v1.6.3". */
function crdModule(type: string): string {
  const module = type.startsWith('gateway/')
    ? 'sigs.k8s.io/gateway-api'
    : type.startsWith('monitoring/')
      ? 'github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring'
      : 'k8s.io/api';
  return (
    kubernetesFieldsModules()
      .split(', ')
      .find((m) => m.startsWith(`${module} `)) ?? module
  );
}

const FOUND: Record<JsonKind, string> = {
  object: 'a map',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  bool: 'a boolean',
  null: 'null',
};

/** What was written, in words; a whole number that an integer type cannot hold is named with its value. */
function foundWords(r: Refusal): string {
  const n = r.value.number();
  if (r.found !== 'number' || n === undefined || !/^(?:u?int\d*|int-or-string)$/.test(r.expected)) return FOUND[r.found ?? 'null'];
  return Number.isInteger(n) ? `${n}, out of its range` : String(n);
}

function expectedWords(ref: string): string {
  if (ref.startsWith('[]')) return 'a list';
  if (ref.startsWith('map[')) return 'a map';
  const leaf: Record<string, string> = {
    string: 'a string',
    bytes: 'a string',
    int: 'an integer',
    number: 'a number',
    bool: 'true or false',
    'int-or-string': 'an integer or a string',
  };
  if (/^u?int\d*$/.test(ref)) return `an integer (${ref})`;
  return leaf[ref] ?? 'a map of fields';
}

/** The decoder's error as it words it (loosely: the field path without the struct's Go name, Go types by our names). */
function decoderWords(r: Refusal): string {
  if (r.problem === 'unknown') return `unknown field "${r.path}"`;
  if (r.expected === 'quantity')
    return QUANTITY_FORM.test(r.value.text() ?? '')
      ? "unable to parse quantity's suffix"
      : `quantities must match the regular expression '${QUANTITY_FORM.source}'`;
  if (r.problem === 'value') return 'illegal base64 data';
  const found = r.found === 'bool' ? 'bool' : r.found === 'array' ? 'array' : r.found;
  return `cannot unmarshal ${found} into Go struct field ${r.fieldPath} of type ${r.expected === 'int' ? 'int64' : r.expected === 'int-or-string' ? 'int32' : r.expected}`;
}

/** ParseQuantity's first test (its error quotes it); a text that passes it can still have a suffix it does not know. */
const QUANTITY_FORM = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

function typeHint(r: Refusal): string {
  if (r.found === 'string' && /^(?:u?int\d*|number|int-or-string)$/.test(r.expected)) return 'remove the quotes';
  if (r.expected === 'string' && (r.found === 'number' || r.found === 'bool')) return 'quote the value';
  if (r.expected.startsWith('[]')) return 'write it as a list (each entry starting with "- ")';
  return `write ${expectedWords(r.expected)} here`;
}
