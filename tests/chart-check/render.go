package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	yaml2 "gopkg.in/yaml.v2"
)

// Release is what templates see as .Release.
type Release struct {
	Name      string
	Namespace string
	IsInstall bool
	IsUpgrade bool
	Revision  int
	Service   string
}

// Capabilities is a minimal .Capabilities: a fixed Kubernetes version and no cluster APIs, like `helm template`.
type Capabilities struct {
	KubeVersion KubeVersion
	APIVersions VersionSet
	HelmVersion map[string]string
}

// KubeVersion is .Capabilities.KubeVersion.
type KubeVersion struct {
	Version    string
	Major      string
	Minor      string
	GitVersion string
}

// VersionSet is .Capabilities.APIVersions.
type VersionSet []string

// Has reports whether an API version (group/version or group/version/Kind) is known.
func (v VersionSet) Has(apiVersion string) bool {
	for _, known := range v {
		if known == apiVersion {
			return true
		}
	}
	return false
}

// Document is one rendered Kubernetes object as text, with the template it came from.
type Document struct {
	Source string
	Body   string
}

// Rendered is a chart rendered with one set of values.
type Rendered struct {
	Values    map[string]interface{}
	Documents []Document
	Notes     string
}

// RenderChart renders chart with values files laid over its defaults, as `helm template` does: with helm
// itself when it is on PATH, otherwise with Helm's template engine (text/template + sprig + Helm's functions).
func RenderChart(chart *Chart, valueFiles []string, release Release) (*Rendered, error) {
	values := chart.Values
	for _, file := range valueFiles {
		raw, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		user, err := ParseValues(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		values = CoalesceValues(values, user)
	}
	if helm, err := exec.LookPath("helm"); err == nil && os.Getenv("VIGIL_CHART_RENDERER") != "builtin" {
		docs, err := renderWithHelm(helm, chart, valueFiles, release)
		if err != nil {
			return nil, err
		}
		return &Rendered{Values: values, Documents: docs}, nil
	}
	if chart.Schema != nil {
		if problems := ValidateSchema(chart.Schema, values); len(problems) > 0 {
			return nil, fmt.Errorf("values don't meet the chart's schema:\n- %s", strings.Join(problems, "\n- "))
		}
	}
	return Render(chart, values, release)
}

// renderWithHelm lints the chart strictly with the values, then renders it; VIGIL_CHART_RENDERER=builtin skips helm.
func renderWithHelm(helm string, chart *Chart, valueFiles []string, release Release) ([]Document, error) {
	var valueArgs []string
	for _, file := range valueFiles {
		valueArgs = append(valueArgs, "--values", file)
	}
	run := func(args ...string) (string, error) {
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(helm, args...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("helm %s: %v: %s%s", args[0], err, stdout.String(), stderr.String())
		}
		return stdout.String(), nil
	}
	if _, err := run(append([]string{"lint", "--strict", chart.Dir}, valueArgs...)...); err != nil {
		return nil, err
	}
	output, err := run(append([]string{"template", release.Name, chart.Dir, "--namespace", release.Namespace}, valueArgs...)...)
	if err != nil {
		return nil, err
	}
	var docs []Document
	source := ""
	for _, part := range regexp.MustCompile(`(?m)^---\s*$`).Split(output, -1) {
		if m := regexp.MustCompile(`(?m)^# Source: (.+)$`).FindStringSubmatch(part); m != nil {
			source = m[1]
		}
		if strings.TrimSpace(stripComments(part)) != "" {
			docs = append(docs, Document{Source: source, Body: part})
		}
	}
	return docs, nil
}

// Render executes every template of chart with values, like Helm's engine.
func Render(chart *Chart, values map[string]interface{}, release Release) (*Rendered, error) {
	root := template.New("gotpl")
	// As `helm lint --strict`: a template reading a key that values do not have fails instead of rendering
	// nothing, so a misspelt value name in a template is caught here rather than silently ignored by Helm.
	root.Option("missingkey=error")
	funcs := helmFuncs(root)
	root.Funcs(funcs)

	names := make([]string, 0, len(chart.Templates))
	for name := range chart.Templates {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, err := root.New(chart.Metadata.Name + "/" + name).Parse(chart.Templates[name]); err != nil {
			return nil, err
		}
	}

	top := func(name string) map[string]interface{} {
		return map[string]interface{}{
			"Values":  values,
			"Release": release,
			"Chart":   chart.Metadata,
			"Files":   chart.Files,
			"Capabilities": Capabilities{
				KubeVersion: KubeVersion{Version: "v1.30.0", Major: "1", Minor: "30", GitVersion: "v1.30.0"},
				APIVersions: VersionSet{"v1", "apps/v1", "batch/v1", "policy/v1"},
				HelmVersion: map[string]string{"Version": "v3.16.0"},
			},
			"Template": map[string]string{"Name": name, "BasePath": chart.Metadata.Name + "/templates"},
		}
	}

	rendered := &Rendered{Values: values}
	for _, name := range names {
		base := path.Base(name)
		if strings.HasPrefix(base, "_") || (!strings.HasSuffix(base, ".yaml") && !strings.HasSuffix(base, ".yml") && base != "NOTES.txt") {
			continue
		}
		full := chart.Metadata.Name + "/" + name
		var out bytes.Buffer
		if err := root.ExecuteTemplate(&out, full, top(full)); err != nil {
			return nil, err
		}
		text := strings.ReplaceAll(out.String(), "<no value>", "")
		if base == "NOTES.txt" {
			rendered.Notes = text
			continue
		}
		for _, part := range regexp.MustCompile(`(?m)^---\s*$`).Split(text, -1) {
			if strings.TrimSpace(stripComments(part)) != "" {
				rendered.Documents = append(rendered.Documents, Document{Source: full, Body: part})
			}
		}
	}
	return rendered, nil
}

func stripComments(text string) string {
	var kept []string
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "\n")
}

// helmFuncs is sprig's function map as Helm uses it (no env access) plus Helm's own functions.
func helmFuncs(root *template.Template) template.FuncMap {
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	depth := 0
	funcs["include"] = func(name string, data interface{}) (string, error) {
		depth++
		defer func() { depth-- }()
		if depth > 1000 {
			return "", fmt.Errorf("include %q: too deep (a template includes itself?)", name)
		}
		var out bytes.Buffer
		if err := root.ExecuteTemplate(&out, name, data); err != nil {
			return "", err
		}
		return out.String(), nil
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err := clone.New("tpl").Parse(text)
		if err != nil {
			return "", fmt.Errorf("tpl: %w", err)
		}
		var out bytes.Buffer
		if err := t.Execute(&out, data); err != nil {
			return "", fmt.Errorf("tpl: %w", err)
		}
		return strings.ReplaceAll(out.String(), "<no value>", ""), nil
	}
	funcs["required"] = func(message string, value interface{}) (interface{}, error) {
		if value == nil {
			return nil, fmt.Errorf("%s", message)
		}
		if s, ok := value.(string); ok && s == "" {
			return nil, fmt.Errorf("%s", message)
		}
		return value, nil
	}
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = func(text string) map[string]interface{} {
		values, err := ParseValues([]byte(text))
		if err != nil {
			return map[string]interface{}{"Error": err.Error()}
		}
		return values
	}
	funcs["fromYamlArray"] = func(text string) []interface{} {
		var list []interface{}
		raw, err := yamlToJSON(text)
		if err == nil {
			err = json.Unmarshal(raw, &list)
		}
		if err != nil {
			return []interface{}{err.Error()}
		}
		return list
	}
	funcs["toJson"] = func(v interface{}) string {
		raw, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(raw)
	}
	funcs["fromJson"] = func(text string) map[string]interface{} {
		values := map[string]interface{}{}
		if err := json.Unmarshal([]byte(text), &values); err != nil {
			return map[string]interface{}{"Error": err.Error()}
		}
		return values
	}
	funcs["fromJsonArray"] = func(text string) []interface{} {
		var list []interface{}
		if err := json.Unmarshal([]byte(text), &list); err != nil {
			return []interface{}{err.Error()}
		}
		return list
	}
	funcs["toToml"] = func(interface{}) (string, error) {
		return "", fmt.Errorf("toToml is not implemented by this renderer")
	}
	// helm template has no cluster to look in.
	funcs["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	return funcs
}

// toYAML is Helm's toYaml: through JSON (sigs.k8s.io/yaml), keys sorted, without the final newline.
func toYAML(v interface{}) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var decoded interface{}
	if err := yaml2.Unmarshal(raw, &decoded); err != nil {
		return ""
	}
	out, err := yaml2.Marshal(decoded)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(out), "\n")
}

func yamlToJSON(text string) ([]byte, error) {
	var parsed interface{}
	if err := yaml2.Unmarshal([]byte(text), &parsed); err != nil {
		return nil, err
	}
	return json.Marshal(jsonCompatible(parsed))
}

// jsonCompatible turns yaml.v2's map[interface{}]interface{} into map[string]interface{}.
func jsonCompatible(v interface{}) interface{} {
	switch t := v.(type) {
	case map[interface{}]interface{}:
		m := map[string]interface{}{}
		for k, val := range t {
			m[fmt.Sprint(k)] = jsonCompatible(val)
		}
		return m
	case []interface{}:
		for i := range t {
			t[i] = jsonCompatible(t[i])
		}
		return t
	default:
		return v
	}
}
