package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const repo = "../.."

func TestTheRepositorysChartFilesAndComposeFilePassEveryCheck(t *testing.T) {
	report := CheckRepository(repo)
	for _, v := range report.Violations {
		t.Error(v)
	}
	for _, label := range []string{"default values", "large-fleet-values.yaml", "external-accounts-values.yaml", "strimzi-values.yaml", "monitoring-values.yaml", "grpc-tls-values.yaml"} {
		if report.Renders[label] == 0 {
			t.Errorf("helm/vigil was not rendered with %s", label)
		}
	}
}

func TestTheChartRendersOneDeploymentAndConsumerGroupPerAnalytic(t *testing.T) {
	objects := renderObjects(t, filepath.Join(repo, "helm", "vigil", "ci", "large-fleet-values.yaml"))
	c := &renderCheck{objects: objects}
	groups := map[string]string{}
	for _, cons := range c.consumers() {
		if cons.analytic != "" {
			groups[cons.analytic] = cons.group
		}
	}
	want := map[string]string{
		"an0167":            "vigil.correlator.an0167",
		"an0994":            "vigil.correlator.an0994.blue",
		"an0425":            "vigil.correlator.an0425",
		"installer-network": "vigil.correlator.installer-network",
		"an9999":            "vigil.correlator.an9999",
		"an0500":            "vigil.correlator.an0500",
	}
	for analytic, group := range want {
		if groups[analytic] != group {
			t.Errorf("analytic %s consumes as %q, want %q", analytic, groups[analytic], group)
		}
	}
	if len(groups) != len(want) {
		t.Errorf("rendered analytics %v, want %v", groups, want)
	}
}

func TestKedaNeverAsksForMoreReplicasThanTelemetryPartitions(t *testing.T) {
	objects := renderObjects(t, filepath.Join(repo, "helm", "vigil", "ci", "large-fleet-values.yaml"))
	scaled := 0
	for _, o := range objects {
		if o.Kind != "ScaledObject" {
			continue
		}
		scaled++
		// Correlators ask for 64, capped at the 48 partitions; the baseline asks for 24.
		want := 48.0
		if o.Name == "vigil-baseline" {
			want = 24
		}
		if max, _ := number(dig(o.Data, "spec", "maxReplicaCount")); max != want {
			t.Errorf("%s: maxReplicaCount %v, want %v", o.Ref(), max, want)
		}
	}
	// an0425 turns autoscaling off for itself.
	if scaled != 6 {
		t.Errorf("rendered %d ScaledObjects, want 5 correlators and the baseline", scaled)
	}
}

func TestABrokenChartFailsEveryCheck(t *testing.T) {
	chart, err := LoadChart(filepath.Join("testdata", "broken-chart"))
	if err != nil {
		t.Fatal(err)
	}
	rendered, err := Render(chart, chart.Values, testRelease)
	if err != nil {
		t.Fatal(err)
	}
	violations, _ := CheckRendered(rendered)
	expected := map[string]string{
		"yaml":         "is not valid YAML",
		"identity":     "has no kind",
		"unique":       "ConfigMap/extra",
		"security":     "does not drop ALL capabilities",
		"resources":    "has no limits.cpu",
		"writable-tmp": "no emptyDir at /tmp",
		"volumes":      `mounts volume "scratch"`,
		"references":   `Secret "kafka-creds"`,
		"probes":       "uses port 9090, which the container does not declare",
		"image":        "vigil/correlator:latest",
		"hooks":        "ServiceAccount/runner",
		"selectors":    "does not match its own pod template labels",
		"disruption":   "Deployment/correlator-a",
		"analytics":    "shares consumer group g.a",
		"rules":        "mounts nothing at its rules path /etc/rules/a",
		"files":        "Redis__CaCertificatePath=/etc/vigil/redis-tls/ca.crt, but no volume mounted at /etc/vigil/redis-tls",
		"autoscaling":  "maxReplicaCount 100 exceeds the 8 partitions of t",
	}
	for check, fragment := range expected {
		if !hasViolation(violations, check, fragment) {
			t.Errorf("no %q violation mentioning %q; got:\n%s", check, fragment, describe(violations))
		}
	}
	for _, fragment := range []string{`checks "/healthz", not /health/ready`, "analytic b runs in 0 Deployments", `reads the lag of group "g.wrong"`, `sets spec.replicas although ScaledObject/correlator-a scales it`, `ConfigMap "missing-rules"`} {
		if !hasViolation(violations, "", fragment) {
			t.Errorf("no violation mentioning %q; got:\n%s", fragment, describe(violations))
		}
	}
}

func TestValuesThatContradictTheChartAreRejectedBeforeAnythingIsRendered(t *testing.T) {
	chart, err := LoadChart(filepath.Join(repo, "helm", "vigil"))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"typo.yaml":                     `unknown key "replicaCont"`,
		"sasl-without-secret.yaml":      "needs kafka.sasl.mechanism and kafka.sasl.existingSecret",
		"duplicate-analytic.yaml":       "lists an0167 twice",
		"bad-analytic-name.yaml":        `"AN_0167" does not match`,
		"secret-in-values.yaml":         `unknown key "password"`,
		"keda-with-plain-username.yaml": "KEDA reads the SASL username from a Secret",
	}
	for file, fragment := range cases {
		_, err := RenderChart(chart, []string{filepath.Join("testdata", "broken-values", file)}, testRelease)
		if err == nil || !strings.Contains(err.Error(), fragment) {
			t.Errorf("%s: error %v, want one mentioning %q", file, err, fragment)
		}
	}
}

func TestABrokenComposeFileFailsEveryComposeCheck(t *testing.T) {
	manifest, err := readManifest(filepath.Join(repo, "deploy", "topics.json"))
	if err != nil {
		t.Fatal(err)
	}
	violations := CheckCompose(filepath.Join("testdata", "broken-compose", "docker-compose.yml"), manifest)
	for _, fragment := range []string{
		"depends on zookeeper, which is not a service",
		"image apache/kafka is not pinned",
		"image redis:latest is not pinned",
		"waits for redis to be healthy, but redis has no healthcheck",
		"Dockerfile deploy/docker/Dockerfile does not exist",
		"without build args PROJECT",
		"Kafka__BootstrapServers points at broker",
		"publishes port 8080:8080 on every interface",
		"Vigil images have no shell or curl",
		"does not set SchemaRegistry__Url",
		"which deploy/topics.json declares no consumer group for",
		"runs no correlator for analytic an0167",
		"has no service running `vigil topics apply`",
		"depends_on has a cycle",
		"service kafka: has no healthcheck",
	} {
		if !hasViolation(violations, "compose", fragment) {
			t.Errorf("no violation mentioning %q; got:\n%s", fragment, describe(violations))
		}
	}
}

func TestChartCopiesThatDriftFromTheirSourcesAreReported(t *testing.T) {
	root := t.TempDir()
	write := func(rel, content string) {
		full := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("deploy/topics.json", `{"topics": []}`)
	write("helm/vigil/files/topics.json", `{"topics": [], "consumerGroups": []}`)
	write("rules/an0167/curl.toml", "a")
	write("rules/an0167/wget.toml", "b")
	write("helm/vigil/files/rules/an0167/curl.toml", "a, edited in the chart")
	write("helm/vigil/files/rules/an0994/old.toml", "c")
	write("rules/an0425/nested/rule.toml", "d")

	violations := CheckSync(root, filepath.Join(root, "helm", "vigil"))

	for _, fragment := range []string{
		"files/topics.json: differs from deploy/topics.json",
		"rules/an0167/wget.toml: has no copy in the chart",
		"files/rules/an0167/curl.toml: differs from rules/an0167/curl.toml",
		"files/rules/an0994/old.toml: has no source in rules/",
		"rule packs are flat",
	} {
		if !hasViolation(violations, "sync", fragment) {
			t.Errorf("no violation mentioning %q; got:\n%s", fragment, describe(violations))
		}
	}
}

func TestValuesReadLikeHelmReadsThem(t *testing.T) {
	values, err := ParseValues([]byte("replicas: 3\nnested: {keep: 1, drop: 2}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, isFloat := values["replicas"].(float64); !isFloat {
		t.Errorf("replicas is %T; Helm's values hold JSON numbers (float64)", values["replicas"])
	}
	user, _ := ParseValues([]byte("nested: {drop: null, add: 3}\n"))
	merged := CoalesceValues(values, user)
	nested := mapOf(merged["nested"])
	if _, kept := nested["drop"]; kept || nested["keep"] != 1.0 || nested["add"] != 3.0 {
		t.Errorf("merged %v: null must remove a default, other keys merge", nested)
	}
}

func TestToYamlMatchesHelmsOutput(t *testing.T) {
	got := toYAML(map[string]interface{}{"b": 1.0, "a": "line one\nline two", "c": []interface{}{"x"}})
	want := "a: |-\n  line one\n  line two\nb: 1\nc:\n- x"
	if got != want {
		t.Errorf("toYaml gave\n%s\nwant\n%s", got, want)
	}
}

func TestRequiredStopsTheRenderWithItsMessage(t *testing.T) {
	chart := &Chart{
		Metadata: ChartMetadata{Name: "tiny", Version: "0.1.0"},
		Values:   map[string]interface{}{"name": ""},
		Files:    Files{},
		Templates: map[string]string{
			"templates/a.yaml": `name: {{ required "name is required" .Values.name }}`,
		},
	}
	if _, err := Render(chart, chart.Values, testRelease); err == nil || !strings.Contains(err.Error(), "name is required") {
		t.Errorf("render error %v, want the required message", err)
	}
	chart.Values["name"] = "x"
	rendered, err := Render(chart, chart.Values, testRelease)
	if err != nil || len(rendered.Documents) != 1 || strings.TrimSpace(rendered.Documents[0].Body) != "name: x" {
		t.Errorf("render gave %v, %v", rendered, err)
	}
}

func TestTheSchemaCheckRefusesKeywordsItDoesNotImplement(t *testing.T) {
	problems := ValidateSchema([]byte(`{"type": "object", "oneOf": [{"required": ["a"]}]}`), map[string]interface{}{})
	if len(problems) != 1 || !strings.Contains(problems[0], `"oneOf" is not supported`) {
		t.Errorf("problems %v, want the unsupported keyword reported", problems)
	}
}

func renderObjects(t *testing.T, valueFiles ...string) []Object {
	t.Helper()
	chart, err := LoadChart(filepath.Join(repo, "helm", "vigil"))
	if err != nil {
		t.Fatal(err)
	}
	rendered, err := RenderChart(chart, valueFiles, testRelease)
	if err != nil {
		t.Fatal(err)
	}
	objects, violations := ParseDocuments(rendered.Documents)
	if len(violations) > 0 {
		t.Fatal(describe(violations))
	}
	return objects
}

func hasViolation(violations []Violation, check, fragment string) bool {
	for _, v := range violations {
		if (check == "" || v.Check == check) && strings.Contains(v.String(), fragment) {
			return true
		}
	}
	return false
}

func describe(violations []Violation) string {
	var lines []string
	for _, v := range violations {
		lines = append(lines, "  "+v.String())
	}
	return strings.Join(lines, "\n")
}

func TestATemplateReadingAValueThatDoesNotExistFails(t *testing.T) {
	chart := &Chart{
		Metadata:  ChartMetadata{Name: "tiny", Version: "0.1.0"},
		Values:    map[string]interface{}{"replicaCount": 2.0},
		Files:     Files{},
		Templates: map[string]string{"templates/a.yaml": `replicas: {{ .Values.replicaCont }}`},
	}
	if _, err := Render(chart, chart.Values, testRelease); err == nil || !strings.Contains(err.Error(), `no entry for key "replicaCont"`) {
		t.Errorf("render error %v, want the misspelt key reported", err)
	}
}

func TestUndocumentedValuesAndHelpersAreReported(t *testing.T) {
	dir := t.TempDir()
	values := filepath.Join(dir, "values.yaml")
	helpers := filepath.Join(dir, "_helpers.tpl")
	if err := os.WriteFile(values, []byte("# -- Documented.\nreplicas: 1\nkafka:\n  # -- Documented.\n  bootstrap: x\n  timeout: 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(helpers, []byte("{{/* Says what it returns. */}}\n{{- define \"a\" -}}x{{- end -}}\n\n{{- define \"b\" -}}y{{- end -}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	violations := append(CheckValuesDocumented(values), CheckHelpersDocumented(helpers)...)

	if len(violations) != 2 || !hasViolation(violations, "documented", "kafka.timeout has no comment") || !hasViolation(violations, "documented", "named template b has no one-line comment") {
		t.Errorf("got:\n%s", describe(violations))
	}
}

func TestHelmOnPathRendersInsteadOfTheBuiltinEngine(t *testing.T) {
	bin := t.TempDir()
	calls := filepath.Join(bin, "calls")
	script := `#!/bin/sh
echo "$@" >> ` + calls + `
if [ "$1" = template ]; then
  printf -- '---\n# Source: vigil/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# Source: vigil/templates/b.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n'
fi
`
	if err := os.WriteFile(filepath.Join(bin, "helm"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	chart, err := LoadChart(filepath.Join(repo, "helm", "vigil"))
	if err != nil {
		t.Fatal(err)
	}

	values := filepath.Join(repo, "helm", "vigil", "ci", "strimzi-values.yaml")
	rendered, err := RenderChart(chart, []string{values}, testRelease)

	if err != nil || len(rendered.Documents) != 2 || rendered.Documents[1].Source != "vigil/templates/b.yaml" {
		t.Fatalf("render %+v, %v", rendered, err)
	}
	logged, _ := os.ReadFile(calls)
	want := "lint --strict " + chart.Dir + " --values " + values + "\ntemplate vigil " + chart.Dir + " --namespace detection --values " + values + "\n"
	if string(logged) != want {
		t.Errorf("helm was called as\n%s\nwant\n%s", logged, want)
	}
}

func TestTheServicesMetricNamesAreReadFromTheirSource(t *testing.T) {
	exported, err := ExportedMetrics(filepath.Join(repo, "services"))
	if err != nil {
		t.Fatal(err)
	}
	// A counter, a gauge, a histogram with its series, and the console's own.
	for _, name := range []string{"vigil_records_consumed_total", "vigil_consumer_lag", "vigil_handler_batch_duration_seconds_bucket",
		"vigil_handler_batch_duration_seconds_count", "vigil_baseline_profiles_matured_total", "vigil_console_alerts_stored_total"} {
		if !exported[name] {
			t.Errorf("%s is not among the exported metrics", name)
		}
	}
	if exported["vigil_handler_batch_duration_seconds"+"_total"] {
		t.Error("invented a series the histogram does not have")
	}
}

func TestABrokenDashboardAndAlertRuleFailTheMonitoringCheck(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "broken-monitoring", "objects.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var docs []Document
	for _, part := range strings.Split(string(raw), "\n---\n") {
		docs = append(docs, Document{Source: "broken-monitoring/objects.yaml", Body: part})
	}
	objects, problems := ParseDocuments(docs)
	if len(problems) > 0 {
		t.Fatal(describe(problems))
	}
	exported, err := ExportedMetrics(filepath.Join(repo, "services"))
	if err != nil {
		t.Fatal(err)
	}
	violations, _ := CheckMonitoring(objects, exported, map[string]bool{})
	report := describe(violations)
	for _, want := range []string{
		"not-json.json: is not valid JSON",
		`panel "Renamed metric": reads vigil_consumer_lags, which no service registers (did you mean vigil_consumer_lag?)`,
		`panel "Same id": needs an id of its own`,
		`panel "Same id": expression "sum(rate(vigil_records_consumed_total[$__rate_interval])": unclosed '('`,
		`panel "Not a function": calls percentile(), which is not a PromQL function`,
		`panel "Not a function": uses $namespace, which the dashboard does not define`,
		`panel "Queries nothing": queries nothing`,
		"alert DeadLettersTypo: reads vigil_dead_letters_total, which no service registers",
		`alert DeadLettersTypo: for "ten minutes" is not a duration`,
		"alert DeadLettersTypo: has no severity label",
		"alert DeadLettersTypo: is declared twice",
		"alert DeadLettersTypo: has no summary annotation",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("missing violation %q in:\n%s", want, report)
		}
	}
}

func TestAPendingMetricThatIsRegisteredMustLeaveThePendingList(t *testing.T) {
	exported := map[string]bool{"vigil_consumer_lag": true}
	pending := map[string]bool{"vigil_consumer_lag": true, "vigil_future_total": true}
	violations, _ := CheckMonitoring(nil, exported, pending)
	if len(violations) != 1 || !strings.Contains(violations[0].Message, "vigil_consumer_lag is registered by the services now") {
		t.Errorf("got %v", violations)
	}
	// The repository's pending list holds only names the services do not register yet.
	listed, err := PendingMetrics("pending-metrics.txt")
	if err != nil {
		t.Fatal(err)
	}
	registered, err := ExportedMetrics(filepath.Join(repo, "services"))
	if err != nil {
		t.Fatal(err)
	}
	for name := range listed {
		if registered[name] {
			t.Errorf("%s is registered: remove it from pending-metrics.txt", name)
		}
	}
}

func TestTheShippedDashboardAndRulesReadOnlyRegisteredOrPendingMetrics(t *testing.T) {
	objects := renderObjects(t, filepath.Join(repo, "helm", "vigil", "ci", "monitoring-values.yaml"))
	kinds := map[string]int{}
	for _, o := range objects {
		if o.Kind == "PrometheusRule" || (o.Kind == "ConfigMap" && str(dig(o.Data, "metadata", "labels", "grafana_dashboard")) == "1") {
			kinds[o.Kind]++
		}
	}
	if kinds["PrometheusRule"] != 1 || kinds["ConfigMap"] != 1 {
		t.Fatalf("rendered %v, want one dashboard ConfigMap and one PrometheusRule", kinds)
	}
	exported, _ := ExportedMetrics(filepath.Join(repo, "services"))
	pending, _ := PendingMetrics("pending-metrics.txt")
	violations, _ := CheckMonitoring(objects, exported, pending)
	for _, v := range violations {
		t.Error(v)
	}
	// Were the lag gauge renamed in the services, the same dashboard and rules would fail.
	delete(exported, "vigil_consumer_lag")
	violations, _ = CheckMonitoring(objects, exported, pending)
	if !strings.Contains(describe(violations), "VigilConsumerLagGrowing: reads vigil_consumer_lag, which no service registers") {
		t.Errorf("a missing vigil_consumer_lag went unnoticed: %s", describe(violations))
	}
}
