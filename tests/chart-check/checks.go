package main

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// workloadKinds are the kinds whose pod template is checked, with the path to it.
var workloadKinds = map[string][]string{
	"Deployment":  {"spec", "template"},
	"StatefulSet": {"spec", "template"},
	"DaemonSet":   {"spec", "template"},
	"Job":         {"spec", "template"},
	"CronJob":     {"spec", "jobTemplate", "spec", "template"},
}

var configMapKey = regexp.MustCompile(`^[-._a-zA-Z0-9]+$`)

// renderCheck holds one render's objects and what values declare to exist outside the chart.
type renderCheck struct {
	objects    []Object
	values     map[string]interface{}
	external   map[string]map[string]bool
	violations []Violation
	warnings   []Violation
}

// CheckRendered runs every check on one render of the chart. Warnings are legal but worth an operator's attention
// (an analytic without rules renders, and its correlator reports the empty pack when it starts).
func CheckRendered(rendered *Rendered) (violations []Violation, warnings []Violation) {
	objects, violations := ParseDocuments(rendered.Documents)
	c := &renderCheck{objects: objects, values: rendered.Values, external: externalNames(rendered.Values), violations: violations}
	c.unique()
	for _, o := range objects {
		if templatePath, ok := workloadKinds[o.Kind]; ok {
			c.workload(o, mapOf(dig(o.Data, templatePath...)))
		}
	}
	c.selectors()
	c.disruptionBudgets()
	consumers := c.consumers()
	c.analytics(consumers)
	c.autoscaling(consumers)
	return c.violations, c.warnings
}

func (c *renderCheck) fail(check string, o Object, format string, args ...interface{}) {
	c.violations = append(c.violations, Violation{check, o.Ref() + " (" + o.Source + ")", fmt.Sprintf(format, args...)})
}

// externalNames collects what values declare as existing outside the chart: every existingSecret (and other
// <something>Secret name, e.g. caSecret, tokenSecret) and existingConfigMap, image pull secrets, and the
// ServiceAccount when the chart does not create it.
func externalNames(values map[string]interface{}) map[string]map[string]bool {
	external := map[string]map[string]bool{"Secret": {}, "ConfigMap": {}, "ServiceAccount": {}}
	var walk func(v interface{})
	walk = func(v interface{}) {
		switch t := v.(type) {
		case map[string]interface{}:
			for key, value := range t {
				if s := str(value); s != "" && (key == "existingSecret" || strings.HasSuffix(key, "Secret")) {
					external["Secret"][s] = true
				}
				if s := str(value); s != "" && key == "existingConfigMap" {
					external["ConfigMap"][s] = true
				}
				walk(value)
			}
		case []interface{}:
			for _, item := range t {
				walk(item)
			}
		}
	}
	walk(values)
	for _, secret := range listOf(values["imagePullSecrets"]) {
		external["Secret"][str(dig(secret, "name"))] = true
	}
	if create, ok := dig(values, "serviceAccount", "create").(bool); ok && !create {
		external["ServiceAccount"][str(dig(values, "serviceAccount", "name"))] = true
	}
	return external
}

func (c *renderCheck) unique() {
	seen := map[string]Object{}
	for _, o := range c.objects {
		if first, dup := seen[o.Ref()]; dup {
			c.fail("unique", o, "is rendered twice (also by %s)", first.Source)
			continue
		}
		seen[o.Ref()] = o
	}
}

func (c *renderCheck) find(kind, name string) (Object, bool) {
	for _, o := range c.objects {
		if o.Kind == kind && o.Name == name {
			return o, true
		}
	}
	return Object{}, false
}

// reference checks that a referenced object is rendered or declared external; for a pre-install hook, a rendered
// object must itself be an earlier hook, since Helm creates the release's other resources only after its hooks.
func (c *renderCheck) reference(from Object, kind, name string) {
	if name == "" || c.external[kind][name] {
		return
	}
	target, rendered := c.find(kind, name)
	if !rendered {
		c.fail("references", from, "uses %s %q, which the chart does not render and values do not declare as existing", kind, name)
		return
	}
	if hooks := from.Annotation("helm.sh/hook"); strings.Contains(hooks, "pre-install") {
		if !strings.Contains(target.Annotation("helm.sh/hook"), "pre-install") || hookWeight(target) >= hookWeight(from) {
			c.fail("hooks", from, "is a pre-install hook but uses %s, which does not exist yet when it runs (make it an earlier hook)", target.Ref())
		}
	}
}

func hookWeight(o Object) int {
	weight, _ := strconv.Atoi(o.Annotation("helm.sh/hook-weight"))
	return weight
}

func (c *renderCheck) workload(o Object, template map[string]interface{}) {
	spec := mapOf(template["spec"])
	podSecurity := mapOf(spec["securityContext"])
	if account := str(spec["serviceAccountName"]); account != "" && account != "default" {
		c.reference(o, "ServiceAccount", account)
	}
	for _, secret := range listOf(spec["imagePullSecrets"]) {
		c.reference(o, "Secret", str(dig(secret, "name")))
	}
	volumes := map[string]map[string]interface{}{}
	for _, volume := range listOf(spec["volumes"]) {
		v := mapOf(volume)
		volumes[str(v["name"])] = v
		if cm := mapOf(v["configMap"]); len(cm) > 0 && cm["optional"] != true {
			c.reference(o, "ConfigMap", str(cm["name"]))
		}
		if secret := mapOf(v["secret"]); len(secret) > 0 && secret["optional"] != true {
			c.reference(o, "Secret", str(secret["secretName"]))
		}
	}
	var containers []interface{}
	containers = append(containers, listOf(spec["initContainers"])...)
	containers = append(containers, listOf(spec["containers"])...)
	if len(listOf(spec["containers"])) == 0 {
		c.fail("identity", o, "has no containers")
	}
	for _, item := range containers {
		container := mapOf(item)
		name := str(container["name"])
		c.containerSecurity(o, name, podSecurity, mapOf(container["securityContext"]))
		c.resources(o, name, mapOf(container["resources"]))
		c.image(o, name, str(container["image"]))
		mountedTmp := false
		for _, mount := range listOf(container["volumeMounts"]) {
			m := mapOf(mount)
			volume, declared := volumes[str(m["name"])]
			if !declared {
				c.fail("volumes", o, "container %s mounts volume %q, which the pod does not declare", name, m["name"])
				continue
			}
			if str(m["mountPath"]) == "/tmp" && volume["emptyDir"] != nil {
				mountedTmp = true
			}
		}
		if dig(container, "securityContext", "readOnlyRootFilesystem") == true && !mountedTmp {
			c.fail("writable-tmp", o, "container %s has a read-only root filesystem but no emptyDir at /tmp", name)
		}
		c.mountedFiles(o, container, volumes)
		for _, env := range listOf(container["env"]) {
			if ref := mapOf(dig(env, "valueFrom", "secretKeyRef")); len(ref) > 0 && ref["optional"] != true {
				c.reference(o, "Secret", str(ref["name"]))
			}
			if ref := mapOf(dig(env, "valueFrom", "configMapKeyRef")); len(ref) > 0 && ref["optional"] != true {
				c.reference(o, "ConfigMap", str(ref["name"]))
			}
		}
		for _, source := range listOf(container["envFrom"]) {
			if ref := mapOf(dig(source, "secretRef")); len(ref) > 0 {
				c.reference(o, "Secret", str(ref["name"]))
			}
			if ref := mapOf(dig(source, "configMapRef")); len(ref) > 0 {
				c.reference(o, "ConfigMap", str(ref["name"]))
			}
		}
		if o.Kind == "Deployment" {
			c.probes(o, container)
		}
	}
}

// mountedFiles checks that every file a setting names (an environment variable ending in Path or File whose value is
// a path under /etc/vigil/, e.g. a TLS certificate, key or token) is mounted: a volume is mounted at its directory
// and, when the volume lists items, one of them is the file. A certificate that is configured but not mounted
// would only fail when the pod starts.
func (c *renderCheck) mountedFiles(o Object, container map[string]interface{}, volumes map[string]map[string]interface{}) {
	name := str(container["name"])
	for _, env := range listOf(container["env"]) {
		variable := str(dig(env, "name"))
		file := str(dig(env, "value"))
		if !strings.HasPrefix(file, "/etc/vigil/") || !(strings.HasSuffix(variable, "Path") || strings.HasSuffix(variable, "File")) {
			continue
		}
		var found bool
		for _, mount := range listOf(container["volumeMounts"]) {
			m := mapOf(mount)
			if str(m["mountPath"]) == file || strings.HasPrefix(str(m["mountPath"]), file+"/") {
				// A directory setting (e.g. a rules path) with volumes mounted at or in it; the rules check covers those.
				found = true
				break
			}
			if str(m["mountPath"]) != path.Dir(file) || str(m["subPath"]) != "" {
				continue
			}
			volume := volumes[str(m["name"])]
			source := mapOf(volume["secret"])
			if len(source) == 0 {
				source = mapOf(volume["configMap"])
			}
			items := listOf(source["items"])
			if len(items) == 0 {
				found = true
				break
			}
			for _, item := range items {
				if str(dig(item, "path")) == path.Base(file) {
					found = true
				}
			}
		}
		if !found {
			c.fail("files", o, "container %s sets %s=%s, but no volume mounted at %s holds %s", name, variable, file, path.Dir(file), path.Base(file))
		}
	}
}

func (c *renderCheck) containerSecurity(o Object, name string, pod, container map[string]interface{}) {
	effective := func(key string) interface{} {
		if value, set := container[key]; set {
			return value
		}
		return pod[key]
	}
	if effective("runAsNonRoot") != true {
		c.fail("security", o, "container %s may run as root (runAsNonRoot is not true)", name)
	}
	if uid, ok := number(effective("runAsUser")); ok && uid == 0 {
		c.fail("security", o, "container %s runs as UID 0", name)
	}
	if str(dig(effective("seccompProfile"), "type")) != "RuntimeDefault" {
		c.fail("security", o, "container %s has no RuntimeDefault seccomp profile", name)
	}
	if container["allowPrivilegeEscalation"] != false {
		c.fail("security", o, "container %s does not set allowPrivilegeEscalation: false", name)
	}
	if container["readOnlyRootFilesystem"] != true {
		c.fail("security", o, "container %s does not set readOnlyRootFilesystem: true", name)
	}
	if container["privileged"] == true {
		c.fail("security", o, "container %s is privileged", name)
	}
	dropsAll := false
	for _, capability := range listOf(dig(container, "capabilities", "drop")) {
		if capability == "ALL" {
			dropsAll = true
		}
	}
	if !dropsAll {
		c.fail("security", o, "container %s does not drop ALL capabilities", name)
	}
	if added := listOf(dig(container, "capabilities", "add")); len(added) > 0 {
		c.fail("security", o, "container %s adds capabilities %v", name, added)
	}
}

func (c *renderCheck) resources(o Object, name string, resources map[string]interface{}) {
	for _, kind := range []string{"requests", "limits"} {
		for _, resource := range []string{"cpu", "memory"} {
			if dig(resources, kind, resource) == nil {
				c.fail("resources", o, "container %s has no %s.%s", name, kind, resource)
			}
		}
	}
}

func (c *renderCheck) image(o Object, name, image string) {
	reference := image[strings.LastIndex(image, "/")+1:]
	if !strings.Contains(reference, ":") && !strings.Contains(image, "@sha256:") {
		c.fail("image", o, "container %s image %q has no tag", name, image)
	} else if strings.HasSuffix(image, ":latest") || strings.HasSuffix(image, ":") {
		c.fail("image", o, "container %s image %q is not pinned to a version", name, image)
	}
}

// probes: a Vigil service is live on /health/live and ready on /health/ready, on a port its container declares.
func (c *renderCheck) probes(o Object, container map[string]interface{}) {
	name := str(container["name"])
	ports := map[string]bool{}
	for _, port := range listOf(container["ports"]) {
		ports[str(dig(port, "name"))] = true
		if n, ok := number(dig(port, "containerPort")); ok {
			ports[strconv.Itoa(int(n))] = true
		}
	}
	for probe, expected := range map[string]string{"livenessProbe": "/health/live", "readinessProbe": "/health/ready", "startupProbe": ""} {
		get := mapOf(dig(container, probe, "httpGet"))
		if len(get) == 0 {
			if expected != "" {
				c.fail("probes", o, "container %s has no HTTP %s on %s", name, probe, expected)
			}
			continue
		}
		if expected != "" && str(get["path"]) != expected {
			c.fail("probes", o, "container %s %s checks %q, not %s", name, probe, get["path"], expected)
		}
		port := fmt.Sprint(get["port"])
		if n, ok := number(get["port"]); ok {
			port = strconv.Itoa(int(n))
		}
		if !ports[port] {
			c.fail("probes", o, "container %s %s uses port %s, which the container does not declare", name, probe, port)
		}
	}
}

// podLabels returns the pod template labels of every Deployment.
func (c *renderCheck) podLabels() map[string]map[string]interface{} {
	labels := map[string]map[string]interface{}{}
	for _, o := range c.objects {
		if o.Kind == "Deployment" {
			labels[o.Name] = mapOf(dig(o.Data, "spec", "template", "metadata", "labels"))
		}
	}
	return labels
}

func (c *renderCheck) selectors() {
	pods := c.podLabels()
	for _, o := range c.objects {
		switch o.Kind {
		case "Deployment":
			if !labelsMatch(mapOf(dig(o.Data, "spec", "selector", "matchLabels")), pods[o.Name]) {
				c.fail("selectors", o, "spec.selector does not match its own pod template labels")
			}
		case "Service":
			selector := mapOf(dig(o.Data, "spec", "selector"))
			matched := false
			for _, labels := range pods {
				matched = matched || labelsMatch(selector, labels)
			}
			if !matched {
				c.fail("selectors", o, "selects no pod of the chart")
			}
		case "ServiceMonitor":
			selector := mapOf(dig(o.Data, "spec", "selector", "matchLabels"))
			matched := false
			for _, s := range c.objects {
				matched = matched || (s.Kind == "Service" && labelsMatch(selector, mapOf(dig(s.Data, "metadata", "labels"))))
			}
			if !matched {
				c.fail("selectors", o, "selects no Service of the chart")
			}
		}
	}
}

func (c *renderCheck) disruptionBudgets() {
	pods := c.podLabels()
	covered := map[string]bool{}
	for _, o := range c.objects {
		if o.Kind != "PodDisruptionBudget" {
			continue
		}
		selector := mapOf(dig(o.Data, "spec", "selector", "matchLabels"))
		matched := false
		for deployment, labels := range pods {
			if labelsMatch(selector, labels) {
				covered[deployment], matched = true, true
			}
		}
		if !matched {
			c.fail("disruption", o, "selects no Deployment's pods")
		}
	}
	for _, o := range c.objects {
		if o.Kind == "Deployment" && !covered[o.Name] {
			c.fail("disruption", o, "has no PodDisruptionBudget")
		}
	}
}

// consumer describes how a Deployment consumes: its analytic (if a correlator), its group and the manifest it reads.
type consumer struct {
	deployment Object
	analytic   string
	group      string
	manifest   *topicManifest
	rulesPath  string
	container  map[string]interface{}
	volumes    map[string]map[string]interface{}
}

type topicManifest struct {
	Topics []struct {
		Role       string  `json:"role"`
		Name       string  `json:"name"`
		Partitions float64 `json:"partitions"`
	} `json:"topics"`
	ConsumerGroups []struct {
		Name     string   `json:"name"`
		Service  string   `json:"service"`
		Analytic string   `json:"analytic"`
		Topics   []string `json:"topics"`
	} `json:"consumerGroups"`
}

func (m *topicManifest) group(service, analytic string) string {
	for _, g := range m.ConsumerGroups {
		if g.Service == service && g.Analytic == analytic {
			return g.Name
		}
	}
	return ""
}

func (m *topicManifest) partitions(topic string) (float64, bool) {
	for _, t := range m.Topics {
		if t.Name == topic {
			return t.Partitions, true
		}
	}
	return 0, false
}

func envValue(container map[string]interface{}, name string) (string, bool) {
	for _, env := range listOf(container["env"]) {
		if str(dig(env, "name")) == name {
			return str(dig(env, "value")), true
		}
	}
	return "", false
}

// consumers reads every Deployment's consumer settings the way the service resolves them.
func (c *renderCheck) consumers() []consumer {
	var result []consumer
	for _, o := range c.objects {
		if o.Kind != "Deployment" {
			continue
		}
		spec := mapOf(dig(o.Data, "spec", "template", "spec"))
		volumes := map[string]map[string]interface{}{}
		for _, v := range listOf(spec["volumes"]) {
			volumes[str(dig(v, "name"))] = mapOf(v)
		}
		for _, item := range listOf(spec["containers"]) {
			container := mapOf(item)
			cons := consumer{deployment: o, container: container, volumes: volumes}
			args := listOf(container["args"])
			for i := 0; i+1 < len(args); i++ {
				if args[i] == "--analytic" {
					cons.analytic = fmt.Sprint(args[i+1])
				}
			}
			cons.rulesPath, _ = envValue(container, "Correlator__RulesPath")
			manifestPath, declared := envValue(container, "Kafka__TopicManifest")
			if declared {
				cons.manifest = c.mountedManifest(o, container, volumes, manifestPath)
			}
			service := str(dig(o.Data, "spec", "template", "metadata", "labels", "app.kubernetes.io/component"))
			if service == "" && cons.analytic != "" {
				service = "correlator"
			}
			if override, set := envValue(container, "Kafka__Consumer__GroupId"); set {
				cons.group = override
			} else if cons.manifest != nil {
				analytic := cons.analytic
				if service == "baseline" {
					analytic = "an1227"
				}
				cons.group = cons.manifest.group(service, analytic)
			}
			result = append(result, cons)
		}
	}
	return result
}

func (c *renderCheck) mountedManifest(o Object, container map[string]interface{}, volumes map[string]map[string]interface{}, file string) *topicManifest {
	for _, mount := range listOf(container["volumeMounts"]) {
		mountPath := str(dig(mount, "mountPath"))
		if path.Dir(file) != mountPath {
			continue
		}
		name := str(dig(volumes[str(dig(mount, "name"))], "configMap", "name"))
		cm, found := c.find("ConfigMap", name)
		if !found {
			return nil
		}
		var manifest topicManifest
		if err := json.Unmarshal([]byte(str(dig(cm.Data, "data", path.Base(file)))), &manifest); err != nil || len(manifest.Topics) == 0 {
			c.fail("analytics", cm, "does not hold a topic manifest at %s: %v", path.Base(file), err)
			return nil
		}
		return &manifest
	}
	c.fail("analytics", o, "reads its topic manifest from %s, which no mounted ConfigMap provides", file)
	return nil
}

// analytics: every analytic in values runs as exactly one Deployment with a consumer group of its own, and its
// rules are mounted where it reads them.
func (c *renderCheck) analytics(consumers []consumer) {
	groups := map[string]string{}
	for _, cons := range consumers {
		if cons.analytic != "" {
			c.ruleMounts(cons)
		}
		if cons.group == "" {
			if cons.manifest != nil {
				c.fail("analytics", cons.deployment, "has no consumer group: its manifest declares none for it and Kafka__Consumer__GroupId is not set")
			}
			continue
		}
		if other, taken := groups[cons.group]; taken {
			c.fail("analytics", cons.deployment, "shares consumer group %s with %s: each would see only part of the telemetry", cons.group, other)
		}
		groups[cons.group] = cons.deployment.Ref()
	}
	for _, entry := range listOf(dig(c.values, "correlator", "analytics")) {
		name := str(dig(entry, "name"))
		count := 0
		for _, cons := range consumers {
			if cons.analytic == name {
				count++
			}
		}
		if count != 1 {
			c.violations = append(c.violations, Violation{"analytics", "values correlator.analytics", fmt.Sprintf("analytic %s runs in %d Deployments, expected 1", name, count)})
		}
	}
}

// ruleMounts: the rules folder a correlator reads is mounted, and every file of its rules ConfigMap is in it.
func (c *renderCheck) ruleMounts(cons consumer) {
	if cons.rulesPath == "" {
		c.fail("rules", cons.deployment, "sets no Correlator__RulesPath")
		return
	}
	mounted := map[string]bool{}
	configMaps := map[string]bool{}
	folderMounted := false
	for _, mount := range listOf(cons.container["volumeMounts"]) {
		m := mapOf(mount)
		mountPath := str(m["mountPath"])
		configMap := str(dig(cons.volumes[str(m["name"])], "configMap", "name"))
		switch {
		case mountPath == cons.rulesPath:
			folderMounted = true
			configMaps[configMap] = true
		case path.Dir(mountPath) == cons.rulesPath:
			if str(m["subPath"]) != path.Base(mountPath) {
				c.fail("rules", cons.deployment, "mounts %s from key %q: a rule file must keep its name", mountPath, m["subPath"])
			}
			mounted[path.Base(mountPath)] = true
			configMaps[configMap] = true
		}
	}
	if !folderMounted && len(mounted) == 0 {
		for _, volume := range cons.volumes {
			if cm, rendered := c.find("ConfigMap", str(dig(volume, "configMap", "name"))); rendered && len(mapOf(cm.Data["data"])) == 0 {
				c.warnings = append(c.warnings, Violation{"rules", cons.deployment.Ref(), fmt.Sprintf("analytic %s has an empty rule pack (%s)", cons.analytic, cm.Ref())})
				return
			}
		}
		c.fail("rules", cons.deployment, "mounts nothing at its rules path %s", cons.rulesPath)
	}
	for name := range configMaps {
		cm, rendered := c.find("ConfigMap", name)
		if !rendered {
			continue
		}
		for key := range mapOf(cm.Data["data"]) {
			if !configMapKey.MatchString(key) {
				c.fail("rules", cm, "key %q is not a valid ConfigMap key", key)
			}
			if !folderMounted && !mounted[key] {
				c.fail("rules", cons.deployment, "does not mount rule file %s of %s", key, cm.Ref())
			}
		}
	}
}

// autoscaling: a KEDA ScaledObject targets a Deployment that leaves replicas to it, reads that Deployment's own consumer
// group, and never asks for more replicas than the topic has partitions.
func (c *renderCheck) autoscaling(consumers []consumer) {
	for _, o := range c.objects {
		switch o.Kind {
		case "ScaledObject":
			target := str(dig(o.Data, "spec", "scaleTargetRef", "name"))
			deployment, found := c.find("Deployment", target)
			if !found {
				c.fail("autoscaling", o, "scales Deployment %q, which the chart does not render", target)
				continue
			}
			if dig(deployment.Data, "spec", "replicas") != nil {
				c.fail("autoscaling", deployment, "sets spec.replicas although %s scales it: every upgrade would reset the replica count", o.Ref())
			}
			max, hasMax := number(dig(o.Data, "spec", "maxReplicaCount"))
			min, _ := number(dig(o.Data, "spec", "minReplicaCount"))
			if !hasMax {
				c.fail("autoscaling", o, "has no maxReplicaCount")
			} else if min > max {
				c.fail("autoscaling", o, "minReplicaCount %v exceeds maxReplicaCount %v", min, max)
			}
			var cons *consumer
			for i := range consumers {
				if consumers[i].deployment.Name == target {
					cons = &consumers[i]
				}
			}
			for _, trigger := range listOf(dig(o.Data, "spec", "triggers")) {
				if str(dig(trigger, "type")) != "kafka" {
					continue
				}
				group := str(dig(trigger, "metadata", "consumerGroup"))
				topic := str(dig(trigger, "metadata", "topic"))
				if cons != nil && cons.group != group {
					c.fail("autoscaling", o, "reads the lag of group %q but %s consumes as %q", group, deployment.Ref(), cons.group)
				}
				if cons != nil && cons.manifest != nil {
					partitions, known := cons.manifest.partitions(topic)
					if !known {
						c.fail("autoscaling", o, "reads the lag of topic %q, which the manifest does not declare", topic)
					} else if hasMax && max > partitions {
						c.fail("autoscaling", o, "maxReplicaCount %v exceeds the %v partitions of %s: the extra replicas would sit idle", max, partitions, topic)
					}
				}
				if auth := str(dig(trigger, "authenticationRef", "name")); auth != "" {
					if _, found := c.find("TriggerAuthentication", auth); !found {
						c.fail("references", o, "uses TriggerAuthentication %q, which the chart does not render", auth)
					}
				}
			}
		case "TriggerAuthentication":
			for _, ref := range listOf(dig(o.Data, "spec", "secretTargetRef")) {
				c.reference(o, "Secret", str(dig(ref, "name")))
			}
		}
	}
}
