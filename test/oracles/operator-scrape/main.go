// operator-scrape: the Prometheus Operator's own scrape-config generation, an oracle of
// test/oracles/operator-scrape.test.ts, built by scripts/provision-operator.mjs.
//
//	operator-scrape generate <file>...   prints the prometheus.yml the operator generates
//	operator-scrape --version            prints the pinned module versions
//
// The files are YAML streams; the documents used are Prometheus, ServiceMonitor and PodMonitor
// (monitoring.coreos.com/v1), Namespace and Secret (v1); other kinds are skipped. Each document decodes
// strictly into its Go type. The rest is the operator's code, called as its Prometheus controller does
// (pkg/prometheus/server/operator.go sync): prometheus.ResourceSelector selects the ServiceMonitors and
// PodMonitors by the Prometheus's selectors and namespace selectors and rejects invalid ones (the reasons
// go to stderr), then ConfigGenerator.GenerateServerConfiguration writes the configuration.
//
// Assumptions, where the operator would ask the cluster:
//   - no Prometheus given: monitoring/kube-prometheus-stack-prometheus with serviceMonitorSelector,
//     podMonitorSelector and both namespace selectors `{}` (every monitor in every namespace), as
//     kube-prometheus-stack renders with *SelectorNilUsesHelmValues: false; the version is the operator's
//     default (operator.DefaultPrometheusVersion).
//   - the API server's defaults from the Prometheus CRD: scrapeInterval and evaluationInterval 30s when unset
//     (the ConfigGenerator reads them as given). ServiceMonitors give role: endpoints unless the Prometheus sets
//     serviceDiscoveryRole: EndpointSlice (the operator's choice at v0.85.0, on any cluster >= 1.21).
//   - the output is the file Prometheus reads: the operator writes $(POD_NAME) and $(SHARD) placeholders that
//     prometheus-config-reloader replaces from the pod's environment; here POD_NAME is prometheus-<name>-0 (the
//     StatefulSet's first pod) and SHARD is 0, replaced as the reloader does ($(NAME), an unknown name fails).
//   - the namespaces: every Namespace given, plus (unlabelled) every namespace an object names; an object
//     without a namespace is in "default".
//   - Secrets a monitor or the Prometheus references come only from the files given (stringData merged into
//     data as the API server does); the Alertmanager endpoints' credentials are not loaded.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"runtime/debug"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus-operator/prometheus-operator/pkg/assets"
	"github.com/prometheus-operator/prometheus-operator/pkg/operator"
	prompkg "github.com/prometheus-operator/prometheus-operator/pkg/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
	fakecorev1 "k8s.io/client-go/kubernetes/typed/core/v1/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"sigs.k8s.io/yaml"
)

// versioned: the modules --version reports (from the build info, so it cannot drift from go.mod);
// scripts/provision-operator.mjs checks the operator's against test/oracles/versions.json.
var versioned = []string{
	"github.com/prometheus-operator/prometheus-operator",
	"github.com/prometheus/prometheus",
	"k8s.io/api",
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
	return "operator-scrape " + strings.Join(parts, ", ") + ", default Prometheus " + operator.DefaultPrometheusVersion
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "--version" {
		fmt.Println(version())
		return
	}
	if len(os.Args) < 3 || os.Args[1] != "generate" {
		fmt.Fprintln(os.Stderr, "usage: operator-scrape generate <file>... | --version")
		os.Exit(2)
	}
	out, err := generate(os.Args[2:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "operator-scrape:", err)
		os.Exit(1)
	}
	os.Stdout.Write(out)
}

type inputs struct {
	prometheus []*monitoringv1.Prometheus
	sMons      cache.Indexer
	pMons      cache.Indexer
	namespaces cache.SharedIndexInformer
	secrets    []runtime.Object
}

func defaultPrometheus() *monitoringv1.Prometheus {
	p := &monitoringv1.Prometheus{}
	p.Name, p.Namespace = "kube-prometheus-stack-prometheus", "monitoring"
	all := &metav1.LabelSelector{}
	p.Spec.ServiceMonitorSelector, p.Spec.ServiceMonitorNamespaceSelector = all, all
	p.Spec.PodMonitorSelector, p.Spec.PodMonitorNamespaceSelector = all, all
	return p
}

func generate(files []string) ([]byte, error) {
	in, err := read(files)
	if err != nil {
		return nil, err
	}
	if len(in.prometheus) > 1 {
		return nil, errors.New("more than one Prometheus given")
	}
	p := defaultPrometheus()
	if len(in.prometheus) == 1 {
		p = in.prometheus[0]
	}
	addNamespace(in.namespaces.GetStore(), p.Namespace)
	if p.Spec.ScrapeInterval == "" {
		p.Spec.ScrapeInterval = "30s"
	}
	if p.Spec.EvaluationInterval == "" {
		p.Spec.EvaluationInterval = "30s"
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx := context.Background()

	// Secrets: a fake core/v1 client over the Secrets given, as the operator's store reads them from the cluster.
	tracker := k8stesting.NewObjectTracker(scheme.Scheme, scheme.Codecs.UniversalDecoder())
	for _, s := range in.secrets {
		if err := tracker.Add(s); err != nil {
			return nil, err
		}
	}
	fake := &k8stesting.Fake{}
	fake.AddReactor("*", "*", k8stesting.ObjectReaction(tracker))
	core := &fakecorev1.FakeCoreV1{Fake: fake}
	store := assets.NewStoreBuilder(core, core)

	// The operator loads these credentials before selecting monitors (createOrUpdateConfigurationSecret); the
	// Alertmanager endpoints' credentials are left out (that loader is unexported).
	if err := prompkg.AddRemoteReadsToStore(ctx, store, p.Namespace, p.Spec.RemoteRead); err != nil {
		return nil, err
	}
	if err := prompkg.AddRemoteWritesToStore(ctx, store, p.Namespace, p.Spec.RemoteWrite); err != nil {
		return nil, err
	}
	if err := prompkg.AddAPIServerConfigToStore(ctx, store, p.Namespace, p.Spec.APIServerConfig); err != nil {
		return nil, err
	}
	if err := prompkg.AddScrapeClassesToStore(ctx, store, p.Namespace, p.Spec.ScrapeClasses); err != nil {
		return nil, err
	}

	cg, err := prompkg.NewConfigGenerator(logger, p, prompkg.WithEndpointSliceSupport())
	if err != nil {
		return nil, err
	}
	rs, err := prompkg.NewResourceSelector(logger, p, store, in.namespaces, operator.NewMetrics(prometheus.NewRegistry()), record.NewFakeRecorder(1000))
	if err != nil {
		return nil, err
	}
	sMons, err := rs.SelectServiceMonitors(ctx, listFn(in.sMons))
	if err != nil {
		return nil, fmt.Errorf("selecting ServiceMonitors failed: %w", err)
	}
	pMons, err := rs.SelectPodMonitors(ctx, listFn(in.pMons))
	if err != nil {
		return nil, fmt.Errorf("selecting PodMonitors failed: %w", err)
	}
	conf, err := cg.GenerateServerConfiguration(p, sMons.ValidResources(), pMons.ValidResources(), nil, nil, store, nil, nil, nil, nil)
	if err != nil {
		return nil, err
	}
	return expandEnv(conf, map[string]string{"POD_NAME": "prometheus-" + p.Name + "-0", "SHARD": "0"})
}

// placeholder: the $(NAME) syntax prometheus-config-reloader expands.
var placeholder = regexp.MustCompile(`\$\(([a-zA-Z_0-9]+)\)`)

func expandEnv(conf []byte, env map[string]string) ([]byte, error) {
	var missing error
	out := placeholder.ReplaceAllFunc(conf, func(m []byte) []byte {
		name := string(placeholder.FindSubmatch(m)[1])
		v, ok := env[name]
		if !ok {
			missing = fmt.Errorf("found reference to unset environment variable %q", name)
		}
		return []byte(v)
	})
	return out, missing
}

func listFn(indexer cache.Indexer) prompkg.ListAllByNamespaceFn {
	return func(namespace string, selector labels.Selector, appendFn cache.AppendFunc) error {
		return cache.ListAllByNamespace(indexer, namespace, selector, appendFn)
	}
}

func addNamespace(s cache.Store, name string) {
	if _, exists, _ := s.GetByKey(name); !exists {
		ns := &v1.Namespace{}
		ns.Name = name
		_ = s.Add(ns)
	}
}

func read(files []string) (*inputs, error) {
	in := &inputs{
		sMons: cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc}),
		pMons: cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc}),
		// Never run: its store is filled here, as the operator's namespace informer fills it from the cluster.
		namespaces: cache.NewSharedIndexInformer(&cache.ListWatch{}, &v1.Namespace{}, 0, cache.Indexers{}),
	}
	var named []string
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		for index := 0; ; index++ {
			doc, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			var head struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
			}
			if err := yaml.Unmarshal(doc, &head); err != nil {
				return nil, fmt.Errorf("%s document %d: %w", file, index, err)
			}
			var obj interface {
				runtime.Object
				metav1.Object
			}
			switch head.APIVersion + " " + head.Kind {
			case "monitoring.coreos.com/v1 Prometheus":
				obj = &monitoringv1.Prometheus{}
			case "monitoring.coreos.com/v1 ServiceMonitor":
				obj = &monitoringv1.ServiceMonitor{}
			case "monitoring.coreos.com/v1 PodMonitor":
				obj = &monitoringv1.PodMonitor{}
			case "v1 Namespace":
				obj = &v1.Namespace{}
			case "v1 Secret":
				obj = &v1.Secret{}
			default:
				continue
			}
			if err := yaml.UnmarshalStrict(doc, obj); err != nil {
				return nil, fmt.Errorf("%s document %d (%s): %w", file, index, head.Kind, err)
			}
			if obj.GetNamespace() == "" && head.Kind != "Namespace" {
				obj.SetNamespace("default")
			}
			switch o := obj.(type) {
			case *monitoringv1.Prometheus:
				in.prometheus = append(in.prometheus, o)
			case *monitoringv1.ServiceMonitor:
				err = in.sMons.Add(o)
			case *monitoringv1.PodMonitor:
				err = in.pMons.Add(o)
			case *v1.Namespace:
				err = in.namespaces.GetStore().Add(o)
			case *v1.Secret:
				// stringData is write-only: the API server merges it into data.
				for k, v := range o.StringData {
					if o.Data == nil {
						o.Data = map[string][]byte{}
					}
					o.Data[k] = []byte(v)
				}
				o.StringData = nil
				in.secrets = append(in.secrets, o)
			}
			if err != nil {
				return nil, err
			}
			named = append(named, obj.GetNamespace())
		}
	}
	for _, ns := range named {
		if ns != "" {
			addNamespace(in.namespaces.GetStore(), ns)
		}
	}
	return in, nil
}
