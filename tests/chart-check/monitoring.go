package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// The dashboard and alert checks: every metric a Grafana panel or a PrometheusRule expression reads must be one the
// services register (read from their source, so a renamed or removed metric fails here, not as an empty panel or
// an alert that can never fire), the dashboard must be JSON Grafana loads, and each expression must be well formed.

// registration matches prometheus-net registrations through a host's metric factory (factory.CreateCounter("name",
// ...)) or the static one (Metrics.CreateCounter(...)), and the like, the name possibly on the next line.
var registration = regexp.MustCompile(`\.\s*Create(Counter|Gauge|Histogram|Summary)\s*\(\s*"([a-zA-Z_:][a-zA-Z0-9_:]*)"`)

// metricName finds identifiers in a PromQL expression that name Vigil metrics.
var metricName = regexp.MustCompile(`\bvigil_[a-z0-9_]+\b`)

// callName finds identifiers used as functions or aggregations.
var callName = regexp.MustCompile(`\b([a-z_]+)\s*\(`)

// promqlFunctions are the PromQL functions and aggregation operators an expression may call.
var promqlFunctions = setOf("abs", "absent", "absent_over_time", "avg", "avg_over_time", "bottomk", "ceil", "changes",
	"clamp", "clamp_max", "clamp_min", "count", "count_over_time", "count_values", "day_of_month", "day_of_week", "delta",
	"deriv", "exp", "floor", "group", "histogram_quantile", "holt_winters", "hour", "idelta", "increase", "irate",
	"label_join", "label_replace", "last_over_time", "ln", "log10", "log2", "max", "max_over_time", "min",
	"min_over_time", "minute", "month", "predict_linear", "present_over_time", "quantile", "quantile_over_time", "rate",
	"resets", "round", "scalar", "sgn", "sort", "sort_desc", "sqrt", "stddev", "stddev_over_time", "stdvar", "sum",
	"sum_over_time", "time", "timestamp", "topk", "vector", "year",
	// Keywords that take a parenthesised label list.
	"by", "without", "on", "ignoring", "group_left", "group_right")

func setOf(names ...string) map[string]bool {
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	return set
}

// ExportedMetrics reads the metric names registered in the C# sources under dir. A histogram also exports
// name_bucket, name_sum and name_count; a summary name_sum and name_count.
func ExportedMetrics(dir string) (map[string]bool, error) {
	exported := map[string]bool{}
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.IsDir() && (info.Name() == "bin" || info.Name() == "obj") {
			return filepath.SkipDir
		}
		if info.IsDir() || !strings.HasSuffix(path, ".cs") {
			return nil
		}
		source, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range registration.FindAllStringSubmatch(string(source), -1) {
			name := m[2]
			exported[name] = true
			switch m[1] {
			case "Histogram":
				exported[name+"_bucket"], exported[name+"_sum"], exported[name+"_count"] = true, true, true
			case "Summary":
				exported[name+"_sum"], exported[name+"_count"] = true, true
			}
		}
		return nil
	})
	if err == nil && len(exported) == 0 {
		err = fmt.Errorf("no metric registrations found under %s", dir)
	}
	return exported, err
}

// PendingMetrics reads names that services are about to register (one per line, "#" comments): an expression may
// use them, reported as warnings, until they are registered; then the entry must go.
func PendingMetrics(file string) (map[string]bool, error) {
	pending := map[string]bool{}
	f, err := os.Open(file)
	if os.IsNotExist(err) {
		return pending, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := strings.TrimSpace(strings.SplitN(scanner.Text(), "#", 2)[0])
		if line != "" {
			pending[line] = true
		}
	}
	return pending, scanner.Err()
}

// monitoringCheck collects the violations and warnings of one render's dashboards and rules.
type monitoringCheck struct {
	exported, pending map[string]bool
	violations        []Violation
	warnings          []Violation
}

// CheckMonitoring checks the dashboards (ConfigMaps labelled grafana_dashboard) and PrometheusRules of a render.
func CheckMonitoring(objects []Object, exported, pending map[string]bool) (violations, warnings []Violation) {
	c := &monitoringCheck{exported: exported, pending: pending}
	for name := range pending {
		if exported[name] {
			c.violations = append(c.violations, Violation{"metrics", "pending-metrics.txt", fmt.Sprintf("%s is registered by the services now: remove it from the pending list", name)})
		}
	}
	for _, o := range objects {
		switch {
		case o.Kind == "ConfigMap" && str(dig(o.Data, "metadata", "labels", "grafana_dashboard")) != "":
			for key, value := range mapOf(o.Data["data"]) {
				c.dashboard(o.Ref()+" "+key, str(value))
			}
		case o.Kind == "PrometheusRule":
			c.rules(o)
		}
	}
	return c.violations, c.warnings
}

func (c *monitoringCheck) fail(where, format string, args ...interface{}) {
	c.violations = append(c.violations, Violation{"monitoring", where, fmt.Sprintf(format, args...)})
}

func (c *monitoringCheck) dashboard(where, text string) {
	var dashboard map[string]interface{}
	if err := json.Unmarshal([]byte(text), &dashboard); err != nil {
		c.fail(where, "is not valid JSON: %v", err)
		return
	}
	for _, field := range []string{"uid", "title"} {
		if str(dashboard[field]) == "" {
			c.fail(where, "has no %s", field)
		}
	}
	if uid := str(dashboard["uid"]); len(uid) > 40 {
		c.fail(where, "uid %q is longer than Grafana's 40 characters", uid)
	}
	variables := map[string]bool{"__rate_interval": true, "__interval": true, "__range": true}
	for _, v := range listOf(dig(dashboard, "templating", "list")) {
		variables[str(dig(v, "name"))] = true
	}
	panels := listOf(dashboard["panels"])
	if len(panels) == 0 {
		c.fail(where, "has no panels")
	}
	ids := map[string]bool{}
	var walk func([]interface{})
	walk = func(panels []interface{}) {
		for _, p := range panels {
			panel := mapOf(p)
			id := fmt.Sprint(panel["id"])
			title := str(panel["title"])
			at := fmt.Sprintf("%s panel %q", where, title)
			if panel["id"] == nil || ids[id] {
				c.fail(at, "needs an id of its own (got %s)", id)
			}
			ids[id] = true
			if title == "" {
				c.fail(where+" panel "+id, "has no title")
			}
			if panel["gridPos"] == nil {
				c.fail(at, "has no gridPos")
			}
			targets := listOf(panel["targets"])
			if str(panel["type"]) != "row" && len(targets) == 0 {
				c.fail(at, "queries nothing")
			}
			for _, t := range targets {
				expr := str(dig(t, "expr"))
				c.expression(at, expr)
				for _, m := range regexp.MustCompile(`\$\{?([a-zA-Z_][a-zA-Z0-9_]*)`).FindAllStringSubmatch(expr, -1) {
					if !variables[m[1]] {
						c.fail(at, "uses $%s, which the dashboard does not define", m[1])
					}
				}
			}
			walk(listOf(panel["panels"]))
		}
	}
	walk(panels)
}

func (c *monitoringCheck) rules(o Object) {
	groups := listOf(dig(o.Data, "spec", "groups"))
	if len(groups) == 0 {
		c.fail(o.Ref(), "has no rule groups")
	}
	names := map[string]bool{}
	for _, g := range groups {
		for _, r := range listOf(dig(g, "rules")) {
			rule := mapOf(r)
			name := str(rule["alert"])
			at := fmt.Sprintf("%s alert %s", o.Ref(), name)
			if name == "" {
				c.fail(o.Ref(), "has a rule without an alert name")
			}
			if names[name] {
				c.fail(at, "is declared twice")
			}
			names[name] = true
			if f := str(rule["for"]); f != "" && !regexp.MustCompile(`^[0-9]+(ms|s|m|h|d)$`).MatchString(f) {
				c.fail(at, "for %q is not a duration", f)
			}
			if str(dig(rule, "labels", "severity")) == "" {
				c.fail(at, "has no severity label")
			}
			if str(dig(rule, "annotations", "summary")) == "" {
				c.fail(at, "has no summary annotation")
			}
			c.expression(at, str(rule["expr"]))
		}
	}
}

// expression checks a PromQL expression's shape and the metrics it reads.
func (c *monitoringCheck) expression(where, expr string) {
	if strings.TrimSpace(expr) == "" {
		c.fail(where, "has an empty expression")
		return
	}
	if problem := balanced(expr); problem != "" {
		c.fail(where, "expression %q: %s", expr, problem)
	}
	for _, m := range callName.FindAllStringSubmatch(stripSelectors(expr), -1) {
		if !promqlFunctions[m[1]] {
			c.fail(where, "calls %s(), which is not a PromQL function", m[1])
		}
	}
	seen := map[string]bool{}
	for _, name := range metricName.FindAllString(expr, -1) {
		if seen[name] {
			continue
		}
		seen[name] = true
		switch {
		case c.exported[name]:
		case c.pending[name]:
			c.warnings = append(c.warnings, Violation{"monitoring", where, fmt.Sprintf("reads %s, which is pending: no service registers it yet", name)})
		default:
			c.fail(where, "reads %s, which no service registers%s", name, nearest(name, c.exported))
		}
	}
}

// stripSelectors removes label matchers and strings, so a label value never looks like a function call.
func stripSelectors(expr string) string {
	expr = regexp.MustCompile(`"(\\.|[^"\\])*"`).ReplaceAllString(expr, `""`)
	return regexp.MustCompile(`\{[^}]*\}`).ReplaceAllString(expr, "{}")
}

// balanced reports the first unbalanced (), [] or {} outside strings.
func balanced(expr string) string {
	var stack []rune
	pairs := map[rune]rune{')': '(', ']': '[', '}': '{'}
	inString := false
	for i, r := range expr {
		switch {
		case inString:
			if r == '"' && (i == 0 || expr[i-1] != '\\') {
				inString = false
			}
		case r == '"':
			inString = true
		case r == '(' || r == '[' || r == '{':
			stack = append(stack, r)
		case r == ')' || r == ']' || r == '}':
			if len(stack) == 0 || stack[len(stack)-1] != pairs[r] {
				return fmt.Sprintf("unbalanced %q at %d", r, i)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if inString {
		return "unterminated string"
	}
	if len(stack) > 0 {
		return fmt.Sprintf("unclosed %q", stack[len(stack)-1])
	}
	return ""
}

// nearest suggests registered names sharing the longest prefix, to make a typo obvious.
func nearest(name string, exported map[string]bool) string {
	best, bestLen := []string{}, 0
	for candidate := range exported {
		n := 0
		for n < len(name) && n < len(candidate) && name[n] == candidate[n] {
			n++
		}
		if n > bestLen {
			best, bestLen = []string{candidate}, n
		} else if n == bestLen {
			best = append(best, candidate)
		}
	}
	if bestLen < len("vigil_")+3 || len(best) > 3 {
		return ""
	}
	sort.Strings(best)
	return " (did you mean " + strings.Join(best, " or ") + "?)"
}
