// compose-check loads a compose project with compose-go (github.com/compose-spec/compose-go/v2, pinned in
// go.mod), the library `docker compose` itself loads projects with, and prints the normalised model as JSON:
// what the doctor's compose model (src/model/compose.ts) must agree with (test/oracles/compose-differential.test.ts).
//
// Usage: compose-check [--profile NAME]... [--env NAME=VALUE]... <compose file>... | compose-check --version
// The project is loaded as `docker compose -f <file>...` loads it in the first file's folder, except that the
// shell environment is NOT read: variables come only from the `.env` beside the first file and from --env, which
// stands for the shell (it wins over .env, as the shell does), so the result does not depend on who runs it. A variable that is unset and has no default becomes "" (compose warns); each
// such variable is listed under "unset". Services of inactive profiles are listed under "disabled".
// Exit 0 with the JSON on stdout; 1 with the loader's error on stderr; 2 on bad usage.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"
)

type port struct {
	HostIP    string `json:"host_ip"`
	Published string `json:"published"`
	Target    uint32 `json:"target"`
	Protocol  string `json:"protocol"`
}

type volume struct {
	Type   string `json:"type"`
	Source string `json:"source"`
	Target string `json:"target"`
}

type config struct {
	Source string `json:"source"`
	Target string `json:"target"`
	// The top-level config's file, resolved against the project folder ("" when it has none).
	File string `json:"file"`
}

type service struct {
	Image       string             `json:"image"`
	Ports       []port             `json:"ports"`
	Volumes     []volume           `json:"volumes"`
	Configs     []config           `json:"configs"`
	Environment map[string]*string `json:"environment"`
	NetworkMode string             `json:"network_mode"`
	Command     []string           `json:"command"`
	Entrypoint  []string           `json:"entrypoint"`
	Profiles    []string           `json:"profiles"`
}

type output struct {
	WorkingDir string             `json:"working_dir"`
	Services   map[string]service `json:"services"`
	Disabled   map[string]service `json:"disabled"`
	// Variables compose substituted with "" because they were unset (compose's own warning).
	Unset []string `json:"unset"`
}

// Collects compose-go's "The \"X\" variable is not set" warnings instead of printing them.
type unsetHook struct{ names map[string]bool }

var unsetWarning = regexp.MustCompile(`^The "([^"]+)" variable is not set`)

func (h *unsetHook) Levels() []logrus.Level { return []logrus.Level{logrus.WarnLevel} }
func (h *unsetHook) Fire(e *logrus.Entry) error {
	if m := unsetWarning.FindStringSubmatch(e.Message); m != nil {
		h.names[m[1]] = true
	}
	return nil
}

func convert(s types.ServiceConfig, workingDir string, project *types.Project) service {
	out := service{
		Image:       s.Image,
		Ports:       []port{},
		Volumes:     []volume{},
		Configs:     []config{},
		Environment: map[string]*string(s.Environment),
		NetworkMode: s.NetworkMode,
		Command:     s.Command,
		Entrypoint:  s.Entrypoint,
		Profiles:    s.Profiles,
	}
	for _, p := range s.Ports {
		out.Ports = append(out.Ports, port{HostIP: p.HostIP, Published: p.Published, Target: p.Target, Protocol: p.Protocol})
	}
	for _, v := range s.Volumes {
		out.Volumes = append(out.Volumes, volume{Type: v.Type, Source: v.Source, Target: v.Target})
	}
	for _, c := range s.Configs {
		file := ""
		if def, ok := project.Configs[c.Source]; ok && def.File != "" {
			file = def.File
			if !filepath.IsAbs(file) {
				file = filepath.Join(workingDir, file)
			}
		}
		out.Configs = append(out.Configs, config{Source: c.Source, Target: c.Target, File: file})
	}
	if out.Environment == nil {
		out.Environment = map[string]*string{}
	}
	return out
}

func main() {
	args := os.Args[1:]
	if len(args) == 1 && args[0] == "--version" {
		// Reports the compose-go module version actually linked in (provisioning checks it).
		if info, ok := debug.ReadBuildInfo(); ok {
			for _, dep := range info.Deps {
				if dep.Path == "github.com/compose-spec/compose-go/v2" {
					fmt.Printf("compose-check compose-go %s\n", dep.Version)
					return
				}
			}
		}
		fmt.Fprintln(os.Stderr, "compose-check: no build info")
		os.Exit(1)
	}
	var profiles, shell, files []string
	for i := 0; i < len(args); i++ {
		if args[i] == "--profile" && i+1 < len(args) {
			profiles = append(profiles, args[i+1])
			i++
			continue
		}
		if args[i] == "--env" && i+1 < len(args) {
			shell = append(shell, args[i+1])
			i++
			continue
		}
		files = append(files, args[i])
	}
	if len(files) == 0 {
		fmt.Fprintln(os.Stderr, "usage: compose-check [--profile NAME]... [--env NAME=VALUE]... <compose file>...")
		os.Exit(2)
	}
	hook := &unsetHook{names: map[string]bool{}}
	logrus.SetOutput(devNull())
	logrus.AddHook(hook)

	dir, err := filepath.Abs(filepath.Dir(files[0]))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// As docker compose's ToProject, with --env for WithOsEnv (the shell), less WithConfigFileEnv (COMPOSE_FILE).
	opts, err := cli.NewProjectOptions(files,
		cli.WithWorkingDirectory(dir),
		cli.WithEnv(shell),
		cli.WithEnvFiles(),
		cli.WithDotEnv,
		cli.WithProfiles(profiles),
		cli.WithName("compose-check"),
		cli.WithResolvedPaths(true),
	)
	if err == nil {
		var project *types.Project
		project, err = opts.LoadProject(context.Background())
		if err == nil {
			out := output{WorkingDir: project.WorkingDir, Services: map[string]service{}, Disabled: map[string]service{}, Unset: []string{}}
			for name, s := range project.Services {
				out.Services[name] = convert(s, project.WorkingDir, project)
			}
			for name, s := range project.DisabledServices {
				out.Disabled[name] = convert(s, project.WorkingDir, project)
			}
			for name := range hook.names {
				out.Unset = append(out.Unset, name)
			}
			sort.Strings(out.Unset)
			enc := json.NewEncoder(os.Stdout)
			enc.SetIndent("", "  ")
			if err = enc.Encode(out); err == nil {
				return
			}
		}
	}
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func devNull() *os.File {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return os.Stderr
	}
	return f
}
