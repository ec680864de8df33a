package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

var defineLine = regexp.MustCompile(`^\{\{-? define "([^"]+)" -?\}\}`)

// CheckValuesDocumented reports every key of a values file that has no comment above it. A commented key documents
// what is under it (e.g. resources); an uncommented section counts as documented when each of its keys is.
func CheckValuesDocumented(file string) []Violation {
	raw, err := os.ReadFile(file)
	if err != nil {
		return []Violation{{"documented", file, err.Error()}}
	}
	var document yaml.Node
	if err := yaml.Unmarshal(raw, &document); err != nil || len(document.Content) == 0 {
		return []Violation{{"documented", file, fmt.Sprintf("is not a YAML mapping: %v", err)}}
	}
	var violations []Violation
	var walk func(mapping *yaml.Node, prefix string)
	walk = func(mapping *yaml.Node, prefix string) {
		for i := 0; i+1 < len(mapping.Content); i += 2 {
			key, value := mapping.Content[i], mapping.Content[i+1]
			name := prefix + key.Value
			commented := strings.TrimSpace(key.HeadComment) != ""
			if value.Kind == yaml.MappingNode && len(value.Content) > 0 && !commented {
				walk(value, name+".")
				continue
			}
			if !commented {
				violations = append(violations, Violation{"documented", fmt.Sprintf("%s:%d", filepath.Base(file), key.Line), name + " has no comment saying what it is for"})
			}
		}
	}
	walk(document.Content[0], "")
	return violations
}

// CheckHelpersDocumented reports every named template of a _helpers.tpl without a one-line comment right above it.
func CheckHelpersDocumented(file string) []Violation {
	raw, err := os.ReadFile(file)
	if err != nil {
		return []Violation{{"documented", file, err.Error()}}
	}
	lines := strings.Split(string(raw), "\n")
	var violations []Violation
	for i, line := range lines {
		m := defineLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if i == 0 || !strings.HasPrefix(lines[i-1], "{{/*") || !strings.HasSuffix(lines[i-1], "*/}}") {
			violations = append(violations, Violation{"documented", fmt.Sprintf("%s:%d", filepath.Base(file), i+1), fmt.Sprintf("named template %s has no one-line comment above it", m[1])})
		}
	}
	return violations
}
