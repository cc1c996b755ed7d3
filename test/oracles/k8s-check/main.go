// k8s-check: the Kubernetes oracles of test/oracles/k8s-check.test.ts, built by scripts/provision-k8s.mjs.
//
//	k8s-check decode <file>...   strictly decodes every YAML document (and each item of a `kind: List`) into
//	                             its Go type, as the API server's strict field validation does, and prints
//	                             one JSON entry per object: {file, index, item?, apiVersion, kind, name,
//	                             namespace, errors}
//	k8s-check read <file>...     reads each file as kubectl apply/create -f does before anything reaches the
//	                             server (k8s.io/cli-runtime's StreamVisitor) and prints one JSON entry per file:
//	                             {file, objects, error}; error is kubectl's "error parsing" cause, or null
//	k8s-check kustomize <dir>    runs `kustomize build <dir>` (sigs.k8s.io/kustomize/api krusty) and prints
//	                             the YAML stream
//	k8s-check schema             prints the field catalogue of every kind decode knows (see schema.go)
//	k8s-check --version          prints the pinned module versions
//
// The types: k8s.io/api (every built-in group client-go registers), sigs.k8s.io/gateway-api v1 (HTTPRoute,
// GRPCRoute, Gateway, ...) and monitoring.coreos.com/v1 (ServiceMonitor, PodMonitor, Prometheus, ...).
// The OpenTelemetry Operator's types are left out: its module is not served by the Go module proxy.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	monitoringv1alpha1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1alpha1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
	gatewayv1alpha2 "sigs.k8s.io/gateway-api/apis/v1alpha2"
	gatewayv1beta1 "sigs.k8s.io/gateway-api/apis/v1beta1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// versioned: the modules --version reports (from the build info, so it cannot drift from go.mod);
// scripts/provision-k8s.mjs checks k8s.io/api against test/oracles/versions.json.
var versioned = []string{
	"k8s.io/api",
	"sigs.k8s.io/gateway-api",
	"github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring",
	"sigs.k8s.io/kustomize/api",
}

func version() string {
	found := map[string]string{}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			found[d.Path] = d.Version
		}
	}
	parts := []string{}
	for _, path := range versioned {
		parts = append(parts, path+" "+found[path])
	}
	return "k8s-check " + strings.Join(parts, ", ")
}

type entry struct {
	File       string   `json:"file"`
	Index      int      `json:"index"`
	Item       *int     `json:"item,omitempty"`
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Name       string   `json:"name"`
	Namespace  string   `json:"namespace"`
	Errors     []string `json:"errors"`
}

func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		scheme.AddToScheme,
		gatewayv1.Install, gatewayv1beta1.Install, gatewayv1alpha2.Install,
		monitoringv1.AddToScheme, monitoringv1alpha1.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "--version" {
		fmt.Println(version())
		return
	}
	if len(os.Args) == 2 && os.Args[1] == "schema" {
		if err := printSchema(newScheme()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: k8s-check decode <file>... | read <file>... | kustomize <dir> | schema | --version")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "decode":
		if err := decodeFiles(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	case "read":
		if err := readFiles(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	case "kustomize":
		out, err := kustomizeBuild(os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Stdout.Write(out)
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}

func decodeFiles(files []string) error {
	s := newScheme()
	// The API server's strict decoding: unknown and duplicate fields are strict errors (the object still
	// decodes); a value of the wrong type is a decoding error.
	codecs := serializer.NewCodecFactory(s, serializer.EnableStrict)
	decoder := codecs.UniversalDeserializer()
	entries := []entry{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		for index := 0; ; index++ {
			doc, err := reader.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			if isEmpty(doc) {
				continue
			}
			entries = append(entries, decodeDocument(decoder, file, index, doc)...)
		}
	}
	out, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		return err
	}
	fmt.Println(string(out))
	return nil
}

// isEmpty: a document of comments and blank lines only, which kubectl skips.
func isEmpty(doc []byte) bool {
	for _, line := range strings.Split(string(doc), "\n") {
		t := strings.TrimSpace(line)
		if t != "" && !strings.HasPrefix(t, "#") {
			return false
		}
	}
	return true
}

// decodeDocument decodes one document; a List yields its own entry followed by one per item.
func decodeDocument(decoder runtime.Decoder, file string, index int, doc []byte) []entry {
	e := decodeObject(decoder, doc)
	e.File, e.Index = file, index
	if e.Kind != "List" || e.APIVersion != "v1" {
		return []entry{e}
	}
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	if j, err := utilyaml.ToJSON(doc); err != nil || json.Unmarshal(j, &list) != nil {
		return []entry{e}
	}
	entries := []entry{e}
	for i, raw := range list.Items {
		item := decodeObject(decoder, raw)
		n := i
		item.File, item.Index, item.Item = file, index, &n
		entries = append(entries, item)
	}
	return entries
}

func decodeObject(decoder runtime.Decoder, doc []byte) entry {
	e := entry{Errors: []string{}}
	// Identity first, from the untyped document, so an object that fails to decode is still named.
	if j, err := utilyaml.ToJSON(doc); err == nil {
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(j); err == nil {
			e.APIVersion, e.Kind, e.Name, e.Namespace = u.GetAPIVersion(), u.GetKind(), u.GetName(), u.GetNamespace()
		} else {
			var head struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
			}
			_ = json.Unmarshal(j, &head)
			e.APIVersion, e.Kind = head.APIVersion, head.Kind
		}
	}
	_, _, err := decoder.Decode(doc, nil, nil)
	switch {
	case err == nil:
	case runtime.IsNotRegisteredError(err):
		e.Errors = append(e.Errors, "unknown kind")
	case runtime.IsStrictDecodingError(err):
		strict, _ := runtime.AsStrictDecodingError(err)
		for _, se := range strict.Errors() {
			e.Errors = append(e.Errors, se.Error())
		}
	default:
		e.Errors = append(e.Errors, err.Error())
	}
	return e
}

type readEntry struct {
	File    string  `json:"file"`
	Objects int     `json:"objects"`
	Error   *string `json:"error"`
}

// readFiles: kubectl's reading of a manifest file, the loop of StreamVisitor.Visit in
// k8s.io/cli-runtime/pkg/resource/visitor.go (v0.37.2), which needs no cluster: a YAML-or-JSON stream decoder
// (documents split at `---` lines; each converted to JSON by sigs.k8s.io/yaml over go-yaml v2, non-strict, so a
// duplicate key keeps its last value) into a RawExtension; an empty or null document is skipped; the first error
// stops the file ("error parsing <file>: <error>"), and kubectl applies none of it.
func readFiles(files []string) error {
	entries := []readEntry{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		e := readEntry{File: file}
		d := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			ext := runtime.RawExtension{}
			if err := d.Decode(&ext); err != nil {
				if !errors.Is(err, io.EOF) {
					msg := err.Error()
					e.Error = &msg
				}
				break
			}
			ext.Raw = bytes.TrimSpace(ext.Raw)
			if len(ext.Raw) == 0 || bytes.Equal(ext.Raw, []byte("null")) {
				continue
			}
			e.Objects++
		}
		entries = append(entries, e)
	}
	out, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		return err
	}
	fmt.Println(string(out))
	return nil
}

// kustomizeBuild is `kustomize build <dir>` with kustomize's default options (load restrictions: root only;
// no plugins).
func kustomizeBuild(dir string) ([]byte, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, err
	}
	return resources.AsYaml()
}

// k8s-check schema: the fields of every kind the scheme decodes, read from the Go types by reflection over their
// json tags, as the strict decoder sees them. Printed as {kinds: {"<apiVersion>/<kind>": type}, types: {type:
// {field: ref}}} where a ref is a type name (a struct in `types`), "[]<ref>" (a list), "map[<ref>]" (a map with
// string keys) or one of the leaves: string, bytes (base64 text), int (int64), int32 (and the other widths),
// number, bool, quantity (resource.Quantity: a string or a number), int-or-string, raw (any JSON). Structs are shared by Go type name, so the catalogue
// stays small. scripts/gen-k8s-schemas.mjs writes it to schemas/kubernetes/.

type catalogue struct {
	Kinds map[string]string            `json:"kinds"`
	Types map[string]map[string]string `json:"types"`
}

var unmarshaler = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()

// custom: the types that decode themselves (json.Unmarshaler), by Go package path and name, by what they accept.
var custom = map[string]string{
	"k8s.io/apimachinery/pkg/api/resource.Quantity":                 "quantity",
	"k8s.io/apimachinery/pkg/util/intstr.IntOrString":               "int-or-string",
	"k8s.io/apimachinery/pkg/apis/meta/v1.Time":                     "string",
	"k8s.io/apimachinery/pkg/apis/meta/v1.MicroTime":                "string",
	"k8s.io/apimachinery/pkg/apis/meta/v1.Duration":                 "string",
	"k8s.io/apimachinery/pkg/apis/meta/v1.FieldsV1":                 "raw",
	"k8s.io/apimachinery/pkg/runtime.RawExtension":                  "raw",
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1.JSON": "raw",
	// GatewayClass status: a feature name or {name}, read without strictness.
	"sigs.k8s.io/gateway-api/apis/v1.SupportedFeature": "raw",
}

// shortPrefixes shorten the Go package paths used as type names (unique because the short forms are).
var shortPrefixes = [][2]string{
	{"k8s.io/api/", ""},
	{"k8s.io/apimachinery/pkg/apis/", ""},
	{"k8s.io/apimachinery/pkg/", ""},
	{"sigs.k8s.io/gateway-api/apis/", "gateway/"},
	{"github.com/prometheus-operator/prometheus-operator/pkg/apis/", ""},
}

func typeName(t reflect.Type) string {
	p := t.PkgPath()
	for _, prefix := range shortPrefixes {
		if strings.HasPrefix(p, prefix[0]) {
			p = prefix[1] + strings.TrimPrefix(p, prefix[0])
			break
		}
	}
	return p + "." + t.Name()
}

func printSchema(s *runtime.Scheme) error {
	c := catalogue{Kinds: map[string]string{}, Types: map[string]map[string]string{}}
	var problems []string
	for gvk, t := range s.AllKnownTypes() {
		// meta/v1's kinds (ListOptions, WatchEvent, Status, ...) are registered in every group and are no objects
		// anyone applies.
		if gvk.Version == runtime.APIVersionInternal || strings.HasPrefix(t.PkgPath(), "k8s.io/apimachinery/pkg/apis/meta/") {
			continue
		}
		c.Kinds[gvk.GroupVersion().String()+"/"+gvk.Kind] = ref(t, c.Types, &problems)
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("types that decode themselves, not classified: %s", strings.Join(problems, ", "))
	}
	out, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(append(out, '\n'))
	return err
}

// ref names what a value of type t accepts, adding the structs it reaches to types.
func ref(t reflect.Type, types map[string]map[string]string, problems *[]string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if leaf, ok := custom[t.PkgPath()+"."+t.Name()]; ok {
		return leaf
	}
	if reflect.PointerTo(t).Implements(unmarshaler) || t.Implements(unmarshaler) {
		*problems = append(*problems, t.PkgPath()+"."+t.Name())
		return "raw"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int64:
		return "int"
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return t.Kind().String() // int32, uint16...: the decoder refuses a number out of its range
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Interface:
		return "raw"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "bytes"
		}
		return "[]" + ref(t.Elem(), types, problems)
	case reflect.Map:
		return "map[" + ref(t.Elem(), types, problems) + "]"
	case reflect.Struct:
		name := typeName(t)
		if _, seen := types[name]; seen {
			return name
		}
		fields := map[string]string{}
		types[name] = fields // before the fields: recursive types end here
		addFields(t, "", fields, types, problems)
		return name
	}
	*problems = append(*problems, t.PkgPath()+"."+t.Name())
	return "raw"
}

// addFields adds the JSON fields of struct t, inlining embedded structs as encoding/json does. A field reached
// through embedded structs is written "<their Go names>^<ref>" ("VolumeSource^core/v1.ConfigMapVolumeSource"):
// the decoder's type errors name them in the field's path (Volume.spec.volumes.VolumeSource.configMap).
func addFields(t reflect.Type, via string, fields map[string]string, types map[string]map[string]string, problems *[]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				addFields(ft, via+f.Name+".", fields, types, problems)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		r := ref(f.Type, types, problems)
		if via != "" {
			r = strings.TrimSuffix(via, ".") + "^" + r
		}
		fields[name] = r
	}
}
