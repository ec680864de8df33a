package main

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Violation is one broken expectation about a rendered chart, a compose file or their sources.
type Violation struct {
	Check   string
	Where   string
	Message string
}

func (v Violation) String() string { return fmt.Sprintf("[%s] %s: %s", v.Check, v.Where, v.Message) }

// Object is one parsed Kubernetes object of a render.
type Object struct {
	Source     string
	APIVersion string
	Kind       string
	Name       string
	Data       map[string]interface{}
}

// Ref names an object as kind/name.
func (o Object) Ref() string { return o.Kind + "/" + o.Name }

// Annotation returns a metadata annotation, or "".
func (o Object) Annotation(key string) string {
	return str(dig(o.Data, "metadata", "annotations", key))
}

// ParseDocuments parses rendered documents; documents that are not valid objects become violations.
func ParseDocuments(docs []Document) ([]Object, []Violation) {
	var objects []Object
	var violations []Violation
	for i, doc := range docs {
		where := fmt.Sprintf("%s (document %d)", doc.Source, i+1)
		var data map[string]interface{}
		if err := yaml.Unmarshal([]byte(doc.Body), &data); err != nil {
			violations = append(violations, Violation{"yaml", where, "is not valid YAML: " + err.Error()})
			continue
		}
		if data == nil {
			violations = append(violations, Violation{"yaml", where, "is not a YAML mapping"})
			continue
		}
		object := Object{Source: doc.Source, Data: data, APIVersion: str(data["apiVersion"]), Kind: str(data["kind"]), Name: str(dig(data, "metadata", "name"))}
		var missing []string
		for field, value := range map[string]string{"apiVersion": object.APIVersion, "kind": object.Kind, "metadata.name": object.Name} {
			if value == "" {
				missing = append(missing, field)
			}
		}
		if len(missing) > 0 {
			violations = append(violations, Violation{"identity", where, "has no " + strings.Join(sortedStrings(missing), ", ")})
			continue
		}
		objects = append(objects, object)
	}
	return objects, violations
}

// dig walks nested maps by key.
func dig(v interface{}, keys ...string) interface{} {
	for _, key := range keys {
		m, ok := v.(map[string]interface{})
		if !ok {
			return nil
		}
		v = m[key]
	}
	return v
}

func str(v interface{}) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

func mapOf(v interface{}) map[string]interface{} {
	if m, ok := v.(map[string]interface{}); ok {
		return m
	}
	return map[string]interface{}{}
}

func listOf(v interface{}) []interface{} {
	if l, ok := v.([]interface{}); ok {
		return l
	}
	return nil
}

func number(v interface{}) (float64, bool) {
	switch t := v.(type) {
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case float64:
		return t, true
	}
	return 0, false
}

func sortedStrings(list []string) []string {
	out := append([]string(nil), list...)
	sort.Strings(out)
	return out
}

// labelsMatch reports whether every selector label is among labels.
func labelsMatch(selector, labels map[string]interface{}) bool {
	if len(selector) == 0 {
		return false
	}
	for key, value := range selector {
		if fmt.Sprint(labels[key]) != fmt.Sprint(value) {
			return false
		}
	}
	return true
}
