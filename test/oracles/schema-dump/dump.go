// Program schema-dump prints, as JSON, the options each component of a collector build accepts: the
// shape of its default config as the collector's config loader (confmap, mapstructure tags) reads it.
// scripts/provision-collector.mjs builds it beside the builder's generated components.go, so the
// components are exactly those of the oracle collector of that version; scripts/gen-collector-schemas.mjs
// writes its output to schemas/collector/. Only the doctor's test and generation scripts use it.
package main

import (
	"encoding"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
)

// Shape is one option's accepted form.
//
//	kind: object (fields), map (elem), array (elem), string, bool, int, uint, float, duration, text, any
//	custom: the type has its own confmap Unmarshal, so it may accept other forms than its fields show
//	open: the object keeps unknown keys (a ",remain" field)
type Shape struct {
	Kind   string            `json:"kind"`
	Fields map[string]*Shape `json:"fields,omitempty"`
	Elem   *Shape            `json:"elem,omitempty"`
	Custom bool              `json:"custom,omitempty"`
	Open   bool              `json:"open,omitempty"`
	// Defaults, on a component's root only: its default config as the collector marshals it.
	Defaults map[string]any `json:"defaults,omitempty"`
}

var (
	confUnmarshaler = reflect.TypeOf((*confmap.Unmarshaler)(nil)).Elem()
	textUnmarshaler = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
	durationType    = reflect.TypeOf(time.Duration(0))
)

func implements(t reflect.Type, iface reflect.Type) bool {
	return t.Implements(iface) || (t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(iface))
}

func shapeOf(t reflect.Type, path map[reflect.Type]bool) *Shape {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == durationType {
		return &Shape{Kind: "duration"}
	}
	if path[t] { // a recursive type: stop here
		return &Shape{Kind: "any"}
	}
	path[t] = true
	defer delete(path, t)
	custom := implements(t, confUnmarshaler)
	// configoptional.Optional[T] (newer collectors): an unexported value of type T behind a custom Unmarshal.
	if custom && t.Kind() == reflect.Struct && strings.HasPrefix(t.Name(), "Optional[") {
		if f, ok := t.FieldByName("value"); ok {
			inner := shapeOf(f.Type, path)
			inner.Custom = true
			// Optional's Unmarshal also takes `enabled: true|false` beside T's own options (seen on v0.165.0).
			if inner.Kind == "object" {
				inner.Fields["enabled"] = &Shape{Kind: "bool"}
			}
			return inner
		}
	}
	if implements(t, textUnmarshaler) && t.Kind() != reflect.Struct {
		return &Shape{Kind: "text", Custom: custom}
	}
	switch t.Kind() {
	case reflect.Bool:
		return &Shape{Kind: "bool", Custom: custom}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &Shape{Kind: "int", Custom: custom}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &Shape{Kind: "uint", Custom: custom}
	case reflect.Float32, reflect.Float64:
		return &Shape{Kind: "float", Custom: custom}
	case reflect.String:
		return &Shape{Kind: "string", Custom: custom}
	case reflect.Map:
		return &Shape{Kind: "map", Elem: shapeOf(t.Elem(), path), Custom: custom}
	case reflect.Slice, reflect.Array:
		return &Shape{Kind: "array", Elem: shapeOf(t.Elem(), path), Custom: custom}
	case reflect.Struct:
		if implements(t, textUnmarshaler) {
			return &Shape{Kind: "text", Custom: custom}
		}
		s := &Shape{Kind: "object", Fields: map[string]*Shape{}, Custom: custom}
		addFields(s, t, path)
		return s
	default: // interfaces, funcs, channels
		return &Shape{Kind: "any", Custom: custom}
	}
}

func addFields(s *Shape, t reflect.Type, path map[reflect.Type]bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("mapstructure")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		squash := strings.Contains(","+opts+",", ",squash,") || (f.Anonymous && name == "")
		if strings.Contains(","+opts+",", ",remain,") {
			s.Open = true
			continue
		}
		if squash {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				inner := shapeOf(ft, path)
				if inner.Kind == "object" {
					for k, v := range inner.Fields {
						s.Fields[k] = v
					}
					s.Open = s.Open || inner.Open
					continue
				}
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		s.Fields[name] = shapeOf(f.Type, path)
	}
}

type factory interface {
	Type() component.Type
	CreateDefaultConfig() component.Config
}

func main() {
	factories, err := components()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := map[string]map[string]*Shape{}
	add := func(kind string, key component.Type, f factory) {
		if out[kind] == nil {
			out[kind] = map[string]*Shape{}
		}
		cfg := f.CreateDefaultConfig()
		shape := shapeOf(reflect.TypeOf(cfg), map[reflect.Type]bool{})
		conf := confmap.New()
		if err := conf.Marshal(cfg); err != nil {
			fmt.Fprintf(os.Stderr, "%s %s: marshal defaults: %v\n", kind, key, err)
			os.Exit(1)
		}
		shape.Defaults = conf.ToStringMap()
		out[kind][key.String()] = shape
	}
	for k, f := range factories.Receivers {
		add("receivers", k, f)
	}
	for k, f := range factories.Processors {
		add("processors", k, f)
	}
	for k, f := range factories.Exporters {
		add("exporters", k, f)
	}
	for k, f := range factories.Connectors {
		add("connectors", k, f)
	}
	for k, f := range factories.Extensions {
		add("extensions", k, f)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil { // encoding/json sorts map keys
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
