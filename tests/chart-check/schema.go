package main

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
)

// ValidateSchema checks values against a values.schema.json the way Helm does before rendering. It implements the
// JSON Schema keywords charts use (type, properties, additionalProperties, required, items, enum, minimum, maximum,
// minLength, maxLength, minItems, pattern, propertyNames, local $ref) and reports any other keyword as a problem,
// so the schema never holds a rule this check silently skips.
func ValidateSchema(schemaJSON []byte, values map[string]interface{}) []string {
	var schema map[string]interface{}
	if err := json.Unmarshal(schemaJSON, &schema); err != nil {
		return []string{"values.schema.json: " + err.Error()}
	}
	v := &schemaValidator{root: schema}
	v.check(schema, values, "")
	sort.Strings(v.problems)
	return v.problems
}

type schemaValidator struct {
	root     map[string]interface{}
	problems []string
}

var annotationKeywords = map[string]bool{"$schema": true, "$id": true, "title": true, "description": true, "definitions": true, "$comment": true, "default": true, "examples": true}

func (v *schemaValidator) fail(at, format string, args ...interface{}) {
	if at == "" {
		at = "(root)"
	}
	v.problems = append(v.problems, at+": "+fmt.Sprintf(format, args...))
}

func (v *schemaValidator) check(schema map[string]interface{}, value interface{}, at string) {
	if ref, ok := schema["$ref"].(string); ok {
		target, err := v.resolve(ref)
		if err != nil {
			v.fail(at, "%v", err)
			return
		}
		v.check(target, value, at)
		return
	}
	for keyword := range schema {
		switch keyword {
		case "type", "properties", "additionalProperties", "required", "items", "enum", "minimum", "maximum",
			"minLength", "maxLength", "minItems", "pattern", "propertyNames":
		default:
			if !annotationKeywords[keyword] {
				v.fail(at, "schema keyword %q is not supported by this checker", keyword)
			}
		}
	}
	if types, ok := schema["type"]; ok && !matchesType(types, value) {
		v.fail(at, "is %s, expected %v", describeType(value), types)
		return
	}
	if enum, ok := schema["enum"].([]interface{}); ok {
		found := false
		for _, allowed := range enum {
			if fmt.Sprint(allowed) == fmt.Sprint(value) && describeType(allowed) == describeType(value) {
				found = true
			}
		}
		if !found {
			v.fail(at, "%v is not one of %v", value, enum)
		}
	}
	switch t := value.(type) {
	case map[string]interface{}:
		v.checkObject(schema, t, at)
	case []interface{}:
		if min, ok := schema["minItems"].(float64); ok && float64(len(t)) < min {
			v.fail(at, "has %d items, at least %v required", len(t), min)
		}
		if items, ok := schema["items"].(map[string]interface{}); ok {
			for i, item := range t {
				v.check(items, item, fmt.Sprintf("%s[%d]", at, i))
			}
		}
	case string:
		if min, ok := schema["minLength"].(float64); ok && float64(len([]rune(t))) < min {
			v.fail(at, "%q is shorter than %v", t, min)
		}
		if max, ok := schema["maxLength"].(float64); ok && float64(len([]rune(t))) > max {
			v.fail(at, "%q is longer than %v", t, max)
		}
		if pattern, ok := schema["pattern"].(string); ok {
			if re, err := regexp.Compile(pattern); err != nil {
				v.fail(at, "bad pattern %q: %v", pattern, err)
			} else if !re.MatchString(t) {
				v.fail(at, "%q does not match %s", t, pattern)
			}
		}
	case float64:
		if min, ok := schema["minimum"].(float64); ok && t < min {
			v.fail(at, "%v is below the minimum %v", t, min)
		}
		if max, ok := schema["maximum"].(float64); ok && t > max {
			v.fail(at, "%v is above the maximum %v", t, max)
		}
	}
}

func (v *schemaValidator) checkObject(schema map[string]interface{}, object map[string]interface{}, at string) {
	properties, _ := schema["properties"].(map[string]interface{})
	if required, ok := schema["required"].([]interface{}); ok {
		for _, name := range required {
			if _, present := object[name.(string)]; !present {
				v.fail(at, "%s is required", name)
			}
		}
	}
	names, _ := schema["propertyNames"].(map[string]interface{})
	for _, key := range sortedKeys(object) {
		child := at + "." + key
		if at == "" {
			child = key
		}
		if names != nil {
			v.check(names, key, child+" (name)")
		}
		if property, ok := properties[key].(map[string]interface{}); ok {
			v.check(property, object[key], child)
			continue
		}
		switch additional := schema["additionalProperties"].(type) {
		case bool:
			if !additional {
				v.fail(at, "unknown key %q (allowed: %s)", key, strings.Join(sortedKeys(properties), ", "))
			}
		case map[string]interface{}:
			v.check(additional, object[key], child)
		}
	}
}

func (v *schemaValidator) resolve(ref string) (map[string]interface{}, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("only local $ref is supported, got %q", ref)
	}
	var node interface{} = v.root
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, ok := node.(map[string]interface{})
		if !ok {
			return nil, fmt.Errorf("$ref %q does not resolve", ref)
		}
		node = m[part]
	}
	target, ok := node.(map[string]interface{})
	if !ok {
		return nil, fmt.Errorf("$ref %q does not resolve", ref)
	}
	return target, nil
}

func matchesType(types interface{}, value interface{}) bool {
	var list []interface{}
	switch t := types.(type) {
	case string:
		list = []interface{}{t}
	case []interface{}:
		list = t
	}
	for _, name := range list {
		switch name {
		case "object":
			if _, ok := value.(map[string]interface{}); ok {
				return true
			}
		case "array":
			if _, ok := value.([]interface{}); ok {
				return true
			}
		case "string":
			if _, ok := value.(string); ok {
				return true
			}
		case "boolean":
			if _, ok := value.(bool); ok {
				return true
			}
		case "number":
			if _, ok := value.(float64); ok {
				return true
			}
		case "integer":
			if f, ok := value.(float64); ok && f == math.Trunc(f) {
				return true
			}
		case "null":
			if value == nil {
				return true
			}
		}
	}
	return false
}

func describeType(value interface{}) string {
	switch t := value.(type) {
	case nil:
		return "null"
	case map[string]interface{}:
		return "an object"
	case []interface{}:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64:
		if t == math.Trunc(t) {
			return "an integer"
		}
		return "a number"
	}
	return fmt.Sprintf("%T", value)
}
