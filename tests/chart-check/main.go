// Command chart-check renders Vigil's Helm chart with its default values and with every values file in
// helm/vigil/ci/ (with `helm template` when helm is on PATH, otherwise with Helm's own template engine:
// text/template + sprig + Helm's functions, reimplemented here), then checks what a cluster would receive:
// valid unique objects, security contexts, probes, references, one consumer group per analytic, autoscaling
// limits. It also checks that the chart's copies of deploy/topics.json and rules/ are in sync, and
// docker-compose.yml's structure. `make chart-check` runs it and its tests.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// testRelease is the release every check renders.
var testRelease = Release{Name: "vigil", Namespace: "detection", IsInstall: true, Revision: 1, Service: "Helm"}

// RepositoryReport is the result of checking the repository: what was rendered and what is wrong.
type RepositoryReport struct {
	Renders    map[string]int
	Violations []Violation
	Warnings   []Violation
}

// CheckRepository runs every check on the repository at repo.
func CheckRepository(repo string) RepositoryReport {
	report := RepositoryReport{Renders: map[string]int{}}
	chartDir := filepath.Join(repo, "helm", "vigil")
	report.Violations = append(report.Violations, CheckSync(repo, chartDir)...)
	report.Violations = append(report.Violations, CheckValuesDocumented(filepath.Join(chartDir, "values.yaml"))...)
	report.Violations = append(report.Violations, CheckHelpersDocumented(filepath.Join(chartDir, "templates", "_helpers.tpl"))...)
	chart, err := LoadChart(chartDir)
	if err != nil {
		report.Violations = append(report.Violations, Violation{"render", chartDir, err.Error()})
		return report
	}
	monitored := map[string][]Object{}
	valueSets := [][]string{nil}
	extra, _ := filepath.Glob(filepath.Join(chartDir, "ci", "*.yaml"))
	sort.Strings(extra)
	for _, file := range extra {
		valueSets = append(valueSets, []string{file})
	}
	for _, files := range valueSets {
		label := "default values"
		if len(files) > 0 {
			label = filepath.Base(files[0])
		}
		rendered, err := RenderChart(chart, files, testRelease)
		if err != nil {
			report.Violations = append(report.Violations, Violation{"render", label, err.Error()})
			continue
		}
		report.Renders[label] = len(rendered.Documents)
		if objects, problems := ParseDocuments(rendered.Documents); len(problems) == 0 {
			monitored[label] = objects
		}
		violations, warnings := CheckRendered(rendered)
		for _, v := range violations {
			v.Where = label + ": " + v.Where
			report.Violations = append(report.Violations, v)
		}
		for _, w := range warnings {
			w.Where = label + ": " + w.Where
			report.Warnings = append(report.Warnings, w)
		}
	}
	exported, err := ExportedMetrics(filepath.Join(repo, "services"))
	if err != nil {
		report.Violations = append(report.Violations, Violation{"metrics", "services", err.Error()})
	}
	pending, err := PendingMetrics(filepath.Join(repo, "tests", "chart-check", "pending-metrics.txt"))
	if err != nil {
		report.Violations = append(report.Violations, Violation{"metrics", "pending-metrics.txt", err.Error()})
	}
	for label, objects := range monitored {
		violations, warnings := CheckMonitoring(objects, exported, pending)
		for _, v := range violations {
			v.Where = label + ": " + v.Where
			report.Violations = append(report.Violations, v)
		}
		for _, w := range warnings {
			w.Where = label + ": " + w.Where
			report.Warnings = append(report.Warnings, w)
		}
	}
	manifest, err := readManifest(filepath.Join(repo, "deploy", "topics.json"))
	if err != nil {
		report.Violations = append(report.Violations, Violation{"compose", "deploy/topics.json", err.Error()})
	}
	report.Violations = append(report.Violations, CheckCompose(filepath.Join(repo, "docker-compose.yml"), manifest)...)
	return report
}

func readManifest(file string) (*topicManifest, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var manifest topicManifest
	if err := json.Unmarshal(raw, &manifest); err != nil {
		return nil, err
	}
	return &manifest, nil
}

func main() {
	repo := flag.String("repo", "../..", "repository root")
	show := flag.Bool("print", false, "print the chart rendered with -values (or its defaults) instead of checking")
	values := flag.String("values", "", "values file for -print")
	flag.Parse()
	if *show {
		printRender(filepath.Join(*repo, "helm", "vigil"), *values)
		return
	}
	report := CheckRepository(*repo)
	labels := make([]string, 0, len(report.Renders))
	for label := range report.Renders {
		labels = append(labels, label)
	}
	sort.Strings(labels)
	for _, label := range labels {
		fmt.Printf("rendered helm/vigil with %s: %d objects\n", label, report.Renders[label])
	}
	for _, w := range report.Warnings {
		fmt.Println("warning:", w)
	}
	for _, v := range report.Violations {
		fmt.Fprintln(os.Stderr, v)
	}
	if len(report.Violations) > 0 {
		fmt.Fprintf(os.Stderr, "chart-check: %d problem(s)\n", len(report.Violations))
		os.Exit(1)
	}
	fmt.Println("chart-check: chart, chart files and docker-compose.yml are consistent")
}

// printRender writes the chart rendered as `helm template` would, for reading what a cluster would receive.
func printRender(chartDir, values string) {
	chart, err := LoadChart(chartDir)
	if err == nil {
		var files []string
		if values != "" {
			files = []string{values}
		}
		var rendered *Rendered
		if rendered, err = RenderChart(chart, files, testRelease); err == nil {
			for _, doc := range rendered.Documents {
				fmt.Printf("---\n# Source: %s\n%s\n", doc.Source, strings.Trim(doc.Body, "\n"))
			}
			if rendered.Notes != "" {
				fmt.Printf("# NOTES.txt\n%s\n", rendered.Notes)
			}
			return
		}
	}
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
