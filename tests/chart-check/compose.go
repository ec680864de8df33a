package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// vigilDockerfile is the one Dockerfile every Vigil image is built from.
const vigilDockerfile = "deploy/docker/Dockerfile"

var (
	interpolation = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-([^}]*))?\}`)
	projectArg    = regexp.MustCompile(`^services/Vigil\.[A-Za-z]+$`)
	conditions    = map[string]bool{"service_started": true, "service_healthy": true, "service_completed_successfully": true}
)

// composeService is one service of a compose file, with what the checks need resolved.
type composeService struct {
	name       string
	data       map[string]interface{}
	env        map[string]string
	command    []string
	dependsOn  map[string]string
	vigilBuild bool
	assembly   string
}

// CheckCompose validates a docker-compose file structurally: images or builds, dependencies, health checks,
// connection settings that name existing services, one correlator per manifest analytic, the topic job.
func CheckCompose(file string, manifest *topicManifest) []Violation {
	raw, err := os.ReadFile(file)
	if err != nil {
		return []Violation{{"compose", file, err.Error()}}
	}
	var document map[string]interface{}
	if err := yaml.Unmarshal(raw, &document); err != nil {
		return []Violation{{"compose", file, "is not valid YAML: " + err.Error()}}
	}
	dir := filepath.Dir(file)
	var violations []Violation
	fail := func(where, format string, args ...interface{}) {
		violations = append(violations, Violation{"compose", where, fmt.Sprintf(format, args...)})
	}
	services := map[string]*composeService{}
	for name, value := range mapOf(document["services"]) {
		services[name] = readService(name, mapOf(value))
	}
	if len(services) == 0 {
		fail(file, "declares no services")
		return violations
	}
	oneShot := map[string]bool{}
	for _, s := range services {
		for target, condition := range s.dependsOn {
			if condition == "service_completed_successfully" {
				oneShot[target] = true
			}
		}
	}
	hostnames := map[string]bool{}
	for _, s := range services {
		hostnames[s.name] = true
		if h := str(s.data["hostname"]); h != "" {
			hostnames[h] = true
		}
	}
	names := make([]string, 0, len(services))
	for name := range services {
		names = append(names, name)
	}
	sort.Strings(names)
	topicJob := ""
	for _, name := range names {
		s := services[name]
		where := "service " + name
		image := interpolate(str(s.data["image"]))
		build := s.data["build"]
		if image == "" && build == nil {
			fail(where, "has neither image nor build")
		}
		if image != "" && build == nil {
			tag := image[strings.LastIndex(image, "/")+1:]
			if !strings.Contains(tag, ":") || strings.HasSuffix(image, ":latest") {
				fail(where, "image %s is not pinned to a version", image)
			}
		}
		if build != nil {
			checkBuild(s, dir, where, fail)
		}
		for target, condition := range s.dependsOn {
			other, exists := services[target]
			switch {
			case !exists:
				fail(where, "depends on %s, which is not a service", target)
			case !conditions[condition]:
				fail(where, "depends on %s with unknown condition %q", target, condition)
			case condition == "service_healthy" && !hasHealthcheck(other):
				fail(where, "waits for %s to be healthy, but %s has no healthcheck", target, target)
			case condition == "service_completed_successfully" && restarts(other):
				fail(where, "waits for %s to complete, but %s restarts (restart: %s)", target, target, str(other.data["restart"]))
			}
		}
		if !oneShot[name] && !hasHealthcheck(s) {
			fail(where, "has no healthcheck (a long-running service must say when it is ready)")
		}
		if s.vigilBuild && hasHealthcheck(s) {
			test := listOf(dig(s.data, "healthcheck", "test"))
			if len(test) < 4 || test[0] != "CMD" || test[1] != "/app/cli/vigil" || test[2] != "health" || !strings.HasPrefix(fmt.Sprint(test[3]), "http://127.0.0.1:8080/health/") {
				fail(where, "health check must run [CMD, /app/cli/vigil, health, http://127.0.0.1:8080/health/...]: Vigil images have no shell or curl")
			}
		}
		for _, port := range listOf(s.data["ports"]) {
			if p := fmt.Sprint(port); strings.Count(p, ":") < 2 || !strings.HasPrefix(p, "127.0.0.1:") {
				fail(where, "publishes port %s on every interface; bind it to 127.0.0.1", p)
			}
		}
		checkEndpoints(s, hostnames, where, fail)
		if len(s.command) >= 2 && s.command[0] == "topics" && s.command[1] == "apply" {
			topicJob = name
		}
		if s.vigilBuild && !oneShot[name] {
			if _, set := s.env["SchemaRegistry__Url"]; !set {
				fail(where, "does not set SchemaRegistry__Url: its records would carry fixed schema ids")
			}
		}
	}
	if topicJob == "" {
		fail(file, "has no service running `vigil topics apply`")
	}
	analytics := map[string]string{}
	for _, name := range names {
		s := services[name]
		if !s.vigilBuild || oneShot[name] {
			continue
		}
		if topicJob != "" && s.dependsOn[topicJob] != "service_completed_successfully" {
			fail("service "+name, "does not wait for %s to complete: it could start before its topics exist", topicJob)
		}
		analytic, runsAnalytic := "", false
		for i := 0; i < len(s.command); i++ {
			if s.command[i] == "--analytic" {
				runsAnalytic = true
				if i+1 < len(s.command) {
					analytic = s.command[i+1]
				}
			}
		}
		if s.assembly != "vigil-correlator" && !runsAnalytic {
			continue
		}
		switch {
		case analytic == "":
			fail("service "+name, "runs the correlator without --analytic")
		case manifest != nil && manifest.group("correlator", analytic) == "":
			fail("service "+name, "runs analytic %s, which deploy/topics.json declares no consumer group for", analytic)
		case analytics[analytic] != "":
			fail("service "+name, "runs analytic %s like %s: two services would share one consumer group", analytic, analytics[analytic])
		}
		analytics[analytic] = name
	}
	if manifest != nil {
		for _, g := range manifest.ConsumerGroups {
			if g.Service == "correlator" && analytics[g.Analytic] == "" {
				fail(file, "runs no correlator for analytic %s of deploy/topics.json", g.Analytic)
			}
		}
	}
	if cycle := dependencyCycle(services); cycle != "" {
		fail(file, "depends_on has a cycle: %s", cycle)
	}
	return violations
}

func readService(name string, data map[string]interface{}) *composeService {
	s := &composeService{name: name, data: data, env: map[string]string{}, dependsOn: map[string]string{}}
	switch env := data["environment"].(type) {
	case map[string]interface{}:
		for k, v := range env {
			s.env[k] = interpolate(fmt.Sprint(v))
		}
	case []interface{}:
		for _, item := range env {
			parts := strings.SplitN(fmt.Sprint(item), "=", 2)
			if len(parts) == 2 {
				s.env[parts[0]] = interpolate(parts[1])
			}
		}
	}
	switch command := data["command"].(type) {
	case []interface{}:
		for _, part := range command {
			s.command = append(s.command, interpolate(fmt.Sprint(part)))
		}
	case string:
		s.command = strings.Fields(interpolate(command))
	}
	switch deps := data["depends_on"].(type) {
	case []interface{}:
		for _, d := range deps {
			s.dependsOn[fmt.Sprint(d)] = "service_started"
		}
	case map[string]interface{}:
		for target, spec := range deps {
			condition := str(dig(spec, "condition"))
			if condition == "" {
				condition = "service_started"
			}
			s.dependsOn[target] = condition
		}
	}
	if build := mapOf(data["build"]); str(build["dockerfile"]) == vigilDockerfile {
		s.vigilBuild = true
		s.assembly = str(dig(build, "args", "ASSEMBLY"))
	}
	return s
}

func checkBuild(s *composeService, dir, where string, fail func(string, string, ...interface{})) {
	build := mapOf(s.data["build"])
	if b, isString := s.data["build"].(string); isString {
		build = map[string]interface{}{"context": b}
	}
	context := filepath.Join(dir, str(build["context"]))
	if info, err := os.Stat(context); err != nil || !info.IsDir() {
		fail(where, "build context %s does not exist", build["context"])
		return
	}
	dockerfile := str(build["dockerfile"])
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	if _, err := os.Stat(filepath.Join(context, dockerfile)); err != nil {
		fail(where, "Dockerfile %s does not exist in the build context", dockerfile)
	}
	if s.vigilBuild {
		project := str(dig(build, "args", "PROJECT"))
		if !projectArg.MatchString(project) || s.assembly == "" {
			fail(where, "builds %s without build args PROJECT=services/Vigil.<Part> and ASSEMBLY=<name>", vigilDockerfile)
		}
	}
}

// checkEndpoints: the Kafka, Redis and Schema Registry addresses a service is given name services of this file.
func checkEndpoints(s *composeService, hostnames map[string]bool, where string, fail func(string, string, ...interface{})) {
	for key, value := range s.env {
		var hosts []string
		switch {
		case key == "Kafka__BootstrapServers":
			for _, server := range strings.Split(value, ",") {
				hosts = append(hosts, strings.Split(strings.TrimSpace(server), ":")[0])
			}
		case strings.HasPrefix(key, "Redis__Endpoints__"):
			hosts = append(hosts, strings.Split(value, ":")[0])
		case key == "SchemaRegistry__Url":
			host := strings.TrimPrefix(strings.TrimPrefix(value, "http://"), "https://")
			hosts = append(hosts, strings.Split(strings.Split(host, "/")[0], ":")[0])
		}
		for _, host := range hosts {
			if !hostnames[host] {
				fail(where, "%s points at %s, which is no service of this file", key, host)
			}
		}
	}
	if s.vigilBuild {
		if _, set := s.env["Kafka__BootstrapServers"]; !set {
			fail(where, "does not set Kafka__BootstrapServers")
		}
	}
}

func hasHealthcheck(s *composeService) bool {
	health := mapOf(s.data["healthcheck"])
	return len(listOf(health["test"])) > 0 && health["disable"] != true
}

func restarts(s *composeService) bool {
	restart := str(s.data["restart"])
	return restart != "" && restart != "no"
}

func interpolate(text string) string {
	return interpolation.ReplaceAllStringFunc(text, func(m string) string {
		parts := interpolation.FindStringSubmatch(m)
		return parts[3]
	})
}

func dependencyCycle(services map[string]*composeService) string {
	state := map[string]int{}
	var stack []string
	var visit func(name string) string
	visit = func(name string) string {
		switch state[name] {
		case 1:
			return strings.Join(append(stack, name), " -> ")
		case 2:
			return ""
		}
		state[name] = 1
		stack = append(stack, name)
		if s := services[name]; s != nil {
			targets := make([]string, 0, len(s.dependsOn))
			for t := range s.dependsOn {
				targets = append(targets, t)
			}
			sort.Strings(targets)
			for _, t := range targets {
				if cycle := visit(t); cycle != "" {
					return cycle
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[name] = 2
		return ""
	}
	names := make([]string, 0, len(services))
	for n := range services {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if cycle := visit(n); cycle != "" {
			return cycle
		}
	}
	return ""
}
