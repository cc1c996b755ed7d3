// k8s-check: the Kubernetes oracles of test/oracles/k8s-check.test.ts, built by scripts/provision-k8s.mjs.
//
//	k8s-check decode <file>...   strictly decodes every YAML document (and each item of a `kind: List`) into
//	                             its Go type, as the API server's strict field validation does, and prints
//	                             one JSON entry per object: {file, index, item?, apiVersion, kind, name,
//	                             namespace, errors}
//	k8s-check kustomize <dir>    runs `kustomize build <dir>` (sigs.k8s.io/kustomize/api krusty) and prints
//	                             the YAML stream
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
	"runtime/debug"
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
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: k8s-check decode <file>... | kustomize <dir> | --version")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "decode":
		if err := decodeFiles(os.Args[2:]); err != nil {
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
