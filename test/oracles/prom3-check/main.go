// prom3-check validates a prometheus.yml with the config loader of Prometheus 3.x
// (github.com/prometheus/prometheus v0.316.0, pinned in go.mod): the Debian promtool is 2.x,
// and 3.x changed defaults and accepted keys, so the differential tests need both.
//
// Usage: prom3-check [--agent] <prometheus.yml> | prom3-check --version
// Exit 0 when the file loads, 1 with the loader's error on stderr when not, 2 on bad usage.
package main

import (
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/prometheus/prometheus/config"
	// Registers every service discovery, as the prometheus binary does, so *_sd_configs load.
	_ "github.com/prometheus/prometheus/discovery/install"
)

func main() {
	args := os.Args[1:]
	if len(args) == 1 && args[0] == "--version" {
		// Reports the prometheus module version actually linked in (provisioning checks it).
		if info, ok := debug.ReadBuildInfo(); ok {
			for _, dep := range info.Deps {
				if dep.Path == "github.com/prometheus/prometheus" {
					fmt.Printf("prom3-check prometheus %s\n", dep.Version)
					return
				}
			}
		}
		fmt.Fprintln(os.Stderr, "prom3-check: no build info")
		os.Exit(1)
	}
	agent := false
	if len(args) > 0 && args[0] == "--agent" {
		agent, args = true, args[1:]
	}
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: prom3-check [--agent] <prometheus.yml>")
		os.Exit(2)
	}
	// Same call as `promtool check config` in 3.x, which also skips the file checks of --syntax-only.
	if _, err := config.LoadFile(args[0], agent, slog.New(slog.DiscardHandler)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%s is valid Prometheus 3 config\n", args[0])
}
