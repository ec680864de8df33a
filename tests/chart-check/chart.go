package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Chart is a Helm chart read from disk the way Helm's loader reads it: metadata, default values,
// schema, templates, and every other file (minus .helmignore'd ones) as .Files.
type Chart struct {
	Dir       string
	Metadata  ChartMetadata
	Values    map[string]interface{}
	Schema    []byte
	Templates map[string]string
	Files     Files
}

// ChartMetadata is what templates see as .Chart (Chart.yaml with Helm's capitalized field names).
type ChartMetadata struct {
	Name        string
	Version     string
	AppVersion  string
	Description string
	Type        string
	KubeVersion string
	APIVersion  string
}

// LoadChart reads the chart in dir.
func LoadChart(dir string) (*Chart, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	var meta struct {
		APIVersion  string `yaml:"apiVersion"`
		Name        string `yaml:"name"`
		Version     string `yaml:"version"`
		AppVersion  string `yaml:"appVersion"`
		Description string `yaml:"description"`
		Type        string `yaml:"type"`
		KubeVersion string `yaml:"kubeVersion"`
	}
	if err := yaml.Unmarshal(raw, &meta); err != nil {
		return nil, fmt.Errorf("Chart.yaml: %w", err)
	}
	if meta.APIVersion != "v2" || meta.Name == "" || meta.Version == "" {
		return nil, fmt.Errorf("Chart.yaml: apiVersion v2, name and version are required")
	}
	chart := &Chart{
		Dir: dir,
		Metadata: ChartMetadata{Name: meta.Name, Version: meta.Version, AppVersion: meta.AppVersion, Description: meta.Description,
			Type: meta.Type, KubeVersion: meta.KubeVersion, APIVersion: meta.APIVersion},
		Templates: map[string]string{},
		Files:     Files{},
	}
	if raw, err := os.ReadFile(filepath.Join(dir, "values.yaml")); err == nil {
		if chart.Values, err = ParseValues(raw); err != nil {
			return nil, fmt.Errorf("values.yaml: %w", err)
		}
	} else {
		chart.Values = map[string]interface{}{}
	}
	if raw, err := os.ReadFile(filepath.Join(dir, "values.schema.json")); err == nil {
		chart.Schema = raw
	}
	ignore, err := readHelmignore(filepath.Join(dir, ".helmignore"))
	if err != nil {
		return nil, err
	}
	err = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, dir))
		rel = strings.TrimPrefix(rel, "/")
		if rel == "" {
			return nil
		}
		if ignore.matches(rel, info.IsDir()) {
			if info.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if info.IsDir() {
			return nil
		}
		content, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(rel, "templates/"):
			chart.Templates[rel] = string(content)
		case rel == "Chart.yaml" || rel == "values.yaml" || rel == "values.schema.json" || strings.HasPrefix(rel, "charts/"):
		default:
			chart.Files[rel] = content
		}
		return nil
	})
	return chart, err
}

// ParseValues reads YAML values as Helm does: through JSON, so every number is a float64 and
// templates meet the same type rules (e.g. `gt .x 0` failing on float64 vs int) as under Helm.
func ParseValues(raw []byte) (map[string]interface{}, error) {
	var parsed interface{}
	if err := yaml.Unmarshal(raw, &parsed); err != nil {
		return nil, err
	}
	if parsed == nil {
		return map[string]interface{}{}, nil
	}
	asJSON, err := json.Marshal(parsed)
	if err != nil {
		return nil, err
	}
	values := map[string]interface{}{}
	if err := json.Unmarshal(asJSON, &values); err != nil {
		return nil, fmt.Errorf("values must be a mapping: %w", err)
	}
	return values, nil
}

// CoalesceValues lays user values over the chart's defaults: maps merge key by key, null removes a default.
func CoalesceValues(defaults, user map[string]interface{}) map[string]interface{} {
	result := deepCopyMap(defaults)
	for key, value := range user {
		if value == nil {
			delete(result, key)
			continue
		}
		userMap, userIsMap := value.(map[string]interface{})
		defaultMap, defaultIsMap := result[key].(map[string]interface{})
		if userIsMap && defaultIsMap {
			result[key] = CoalesceValues(defaultMap, userMap)
		} else {
			result[key] = value
		}
	}
	return result
}

func deepCopyMap(m map[string]interface{}) map[string]interface{} {
	raw, _ := json.Marshal(m)
	copied := map[string]interface{}{}
	_ = json.Unmarshal(raw, &copied)
	return copied
}

type helmignore struct{ patterns []string }

func readHelmignore(file string) (helmignore, error) {
	content, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return helmignore{}, nil
	}
	if err != nil {
		return helmignore{}, err
	}
	var ignore helmignore
	scanner := bufio.NewScanner(bytes.NewReader(content))
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "!") {
			return helmignore{}, fmt.Errorf(".helmignore: negated patterns are not supported by this checker: %s", line)
		}
		ignore.patterns = append(ignore.patterns, line)
	}
	return ignore, scanner.Err()
}

// matches follows .helmignore's rules for the patterns this checker supports: "dir/" matches
// directories, other patterns match the base name or the whole relative path.
func (h helmignore) matches(rel string, isDir bool) bool {
	for _, pattern := range h.patterns {
		if strings.HasSuffix(pattern, "/") {
			if isDir && (path.Base(rel) == strings.TrimSuffix(pattern, "/") || rel == strings.TrimSuffix(pattern, "/")) {
				return true
			}
			continue
		}
		if ok, _ := path.Match(pattern, path.Base(rel)); ok {
			return true
		}
		if ok, _ := path.Match(pattern, rel); ok {
			return true
		}
	}
	return false
}

// Files is .Files: the chart's non-template files by path.
type Files map[string][]byte

// Get returns a file's content, or "" when it does not exist.
func (f Files) Get(name string) string { return string(f[name]) }

// GetBytes returns a file's content as bytes.
func (f Files) GetBytes(name string) []byte { return f[name] }

// Glob returns the files whose path matches pattern ('*' within a path segment, '**' across segments).
func (f Files) Glob(pattern string) Files {
	matched := Files{}
	for name, content := range f {
		if globMatch(pattern, name) {
			matched[name] = content
		}
	}
	return matched
}

// Lines returns a file's lines.
func (f Files) Lines(name string) []string {
	if f[name] == nil {
		return []string{}
	}
	return strings.Split(strings.TrimRight(string(f[name]), "\n"), "\n")
}

// AsConfig renders the files as ConfigMap data: base name to content.
func (f Files) AsConfig() string {
	data := map[string]string{}
	for name, content := range f {
		data[path.Base(name)] = string(content)
	}
	return toYAML(data)
}

// AsSecrets renders the files as Secret data: base name to base64 content.
func (f Files) AsSecrets() string {
	data := map[string][]byte{}
	for name, content := range f {
		data[path.Base(name)] = content
	}
	return toYAML(data)
}

func globMatch(pattern, name string) bool {
	patternParts := strings.Split(pattern, "/")
	nameParts := strings.Split(name, "/")
	var match func(p, n []string) bool
	match = func(p, n []string) bool {
		if len(p) == 0 {
			return len(n) == 0
		}
		if p[0] == "**" {
			for i := 0; i <= len(n); i++ {
				if match(p[1:], n[i:]) {
					return true
				}
			}
			return false
		}
		if len(n) == 0 {
			return false
		}
		if ok, _ := path.Match(p[0], n[0]); !ok {
			return false
		}
		return match(p[1:], n[1:])
	}
	return match(patternParts, nameParts)
}

// sortedKeys returns a map's keys in order.
func sortedKeys(m map[string]interface{}) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
