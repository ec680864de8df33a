package main

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// CheckSync compares the chart's copies with their sources in the repository: files/topics.json with
// deploy/topics.json, and files/rules/<analytic>/*.toml with rules/<analytic>/*.toml (`make chart-sync` copies them).
func CheckSync(repo, chartDir string) []Violation {
	var violations []Violation
	source, err := os.ReadFile(filepath.Join(repo, "deploy", "topics.json"))
	if err != nil {
		return []Violation{{"sync", "deploy/topics.json", err.Error()}}
	}
	copied, err := os.ReadFile(filepath.Join(chartDir, "files", "topics.json"))
	if err != nil || !bytes.Equal(source, copied) {
		violations = append(violations, Violation{"sync", "files/topics.json", "differs from deploy/topics.json: run `make chart-sync`"})
	}
	repoRules, problems := rulePacks(filepath.Join(repo, "rules"))
	violations = append(violations, problems...)
	chartRules, problems := rulePacks(filepath.Join(chartDir, "files", "rules"))
	violations = append(violations, problems...)
	for _, name := range unionKeys(repoRules, chartRules) {
		switch {
		case chartRules[name] == nil:
			violations = append(violations, Violation{"sync", "rules/" + name, "has no copy in the chart's files/rules: run `make chart-sync`"})
		case repoRules[name] == nil:
			violations = append(violations, Violation{"sync", "files/rules/" + name, "has no source in rules/: remove it or run `make chart-sync`"})
		case !bytes.Equal(repoRules[name], chartRules[name]):
			violations = append(violations, Violation{"sync", "files/rules/" + name, "differs from rules/" + name + ": run `make chart-sync`"})
		}
	}
	return violations
}

// rulePacks reads <dir>/<analytic>/*.toml by relative path; packs are flat, so a folder inside a pack is reported.
func rulePacks(dir string) (map[string][]byte, []Violation) {
	files := map[string][]byte{}
	var violations []Violation
	packs, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return files, nil
	}
	if err != nil {
		return files, []Violation{{"sync", dir, err.Error()}}
	}
	for _, pack := range packs {
		if !pack.IsDir() {
			continue
		}
		entries, err := os.ReadDir(filepath.Join(dir, pack.Name()))
		if err != nil {
			violations = append(violations, Violation{"sync", pack.Name(), err.Error()})
			continue
		}
		for _, entry := range entries {
			rel := pack.Name() + "/" + entry.Name()
			if entry.IsDir() {
				violations = append(violations, Violation{"sync", filepath.Join(dir, rel), "rule packs are flat (one ConfigMap key per file): move its rules up a level"})
				continue
			}
			if !strings.HasSuffix(entry.Name(), ".toml") {
				continue
			}
			content, err := os.ReadFile(filepath.Join(dir, rel))
			if err != nil {
				violations = append(violations, Violation{"sync", rel, err.Error()})
				continue
			}
			files[rel] = content
		}
	}
	return files, violations
}

func unionKeys(a, b map[string][]byte) []string {
	seen := map[string]bool{}
	for k := range a {
		seen[k] = true
	}
	for k := range b {
		seen[k] = true
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
