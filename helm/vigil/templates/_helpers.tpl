{{/* The chart name, or nameOverride; used in the app.kubernetes.io/name label. */}}
{{- define "vigil.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The prefix of every resource name: fullnameOverride, else <release>-<name> (just <release> when it already contains the name). */}}
{{- define "vigil.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 30 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 30 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 30 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The helm.sh/chart label value: <chart>-<version>. */}}
{{- define "vigil.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels that select one component's pods; takes (dict "root" $ "component" <name> "analytic" <name or "">). */}}
{{- define "vigil.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vigil.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- if .analytic }}
vigil.io/analytic: {{ .analytic }}
{{- end }}
{{- end -}}

{{/* Every label of a resource: the selector labels plus chart, version and manager; same argument as vigil.selectorLabels. */}}
{{- define "vigil.labels" -}}
{{ include "vigil.selectorLabels" . }}
app.kubernetes.io/part-of: vigil
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ include "vigil.chart" .root }}
{{- end -}}

{{/* A full image reference; takes (dict "root" $ "image" <component image values>). */}}
{{- define "vigil.image" -}}
{{- $repository := .image.repository -}}
{{- if .root.Values.image.registry -}}
{{- $repository = printf "%s/%s" (trimSuffix "/" .root.Values.image.registry) $repository -}}
{{- end -}}
{{- printf "%s:%s" $repository (default .root.Chart.AppVersion .root.Values.image.tag) -}}
{{- end -}}

{{/* The ServiceAccount of Vigil's pods. */}}
{{- define "vigil.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "vigil.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name must name an existing ServiceAccount when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The ServiceAccount of the topic hook job, which runs before the chart's other resources exist. */}}
{{- define "vigil.topics.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- printf "%s-topics" (include "vigil.fullname" .) -}}
{{- else -}}
{{- include "vigil.serviceAccountName" . -}}
{{- end -}}
{{- end -}}

{{/* Fails the render on values that contradict each other (the schema checks each value alone). */}}
{{- define "vigil.validate" -}}
{{- $kafka := .Values.kafka -}}
{{- if hasPrefix "sasl_" $kafka.securityProtocol -}}
{{- if or (not $kafka.sasl.mechanism) (not $kafka.sasl.existingSecret) -}}
{{- fail (printf "kafka.securityProtocol %s needs kafka.sasl.mechanism and kafka.sasl.existingSecret (a Secret with the SASL username and password)" $kafka.securityProtocol) -}}
{{- end -}}
{{- else if or $kafka.sasl.mechanism $kafka.sasl.existingSecret $kafka.sasl.username -}}
{{- fail (printf "kafka.sasl is set but kafka.securityProtocol is %s: use sasl_plaintext or sasl_ssl" $kafka.securityProtocol) -}}
{{- end -}}
{{- if and $kafka.tls.existingSecret (not (hasSuffix "ssl" $kafka.securityProtocol)) -}}
{{- fail (printf "kafka.tls.existingSecret is set but kafka.securityProtocol is %s: use ssl or sasl_ssl" $kafka.securityProtocol) -}}
{{- end -}}
{{- if and $kafka.sasl.username (include "vigil.keda.enabled" .) -}}
{{- fail "KEDA reads the SASL username from a Secret: leave kafka.sasl.username empty and put the username under kafka.sasl.usernameKey in kafka.sasl.existingSecret" -}}
{{- end -}}
{{- if and .Values.redis.tls.existingSecret (not .Values.redis.tls.enabled) -}}
{{- fail "redis.tls.existingSecret is set but redis.tls.enabled is false" -}}
{{- end -}}
{{- $grpc := .Values.baseline.grpcTls -}}
{{- $toBaseline := .Values.console.baseline -}}
{{- if and $grpc.requireClientCertificate (not $grpc.clientCaSecret) -}}
{{- fail "baseline.grpcTls.requireClientCertificate needs baseline.grpcTls.clientCaSecret (the CA client certificates must chain to)" -}}
{{- end -}}
{{- if and $grpc.clientCaSecret (not $grpc.existingSecret) -}}
{{- fail "baseline.grpcTls.clientCaSecret is set but baseline.grpcTls.existingSecret is not: client certificates need TLS" -}}
{{- end -}}
{{- if and .Values.baseline.enabled .Values.console.enabled -}}
{{- if and $grpc.existingSecret (not $toBaseline.caSecret) -}}
{{- fail "baseline.grpcTls.existingSecret is set: set console.baseline.caSecret to the CA of that certificate, or the console cannot read the baseline" -}}
{{- end -}}
{{- if and $toBaseline.caSecret (not $grpc.existingSecret) -}}
{{- fail "console.baseline.caSecret is set but the baseline serves gRPC without TLS (baseline.grpcTls.existingSecret is empty)" -}}
{{- end -}}
{{- if and $grpc.requireClientCertificate (not $toBaseline.clientSecret) -}}
{{- fail "baseline.grpcTls.requireClientCertificate is on: set console.baseline.clientSecret (a certificate from baseline.grpcTls.clientCaSecret), or the console cannot read the baseline" -}}
{{- end -}}
{{- if and .Values.baseline.reads.existingSecret (not $toBaseline.tokenSecret) -}}
{{- fail "baseline.reads.existingSecret restricts reads: set console.baseline.tokenSecret (usually the same Secret), or the console cannot read the baseline" -}}
{{- end -}}
{{- end -}}
{{- $seen := dict -}}
{{- range .Values.correlator.analytics -}}
{{- if hasKey $seen .name -}}
{{- fail (printf "correlator.analytics lists %s twice" .name) -}}
{{- end -}}
{{- $_ := set $seen .name true -}}
{{- end -}}
{{- range $component := list "correlator" "baseline" -}}
{{- $autoscaling := (index $.Values $component).autoscaling -}}
{{- if lt (int $autoscaling.maxReplicas) (int $autoscaling.minReplicas) -}}
{{- fail (printf "%s.autoscaling.maxReplicas (%v) is below minReplicas (%v)" $component $autoscaling.maxReplicas $autoscaling.minReplicas) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The manifest pods and the topic job read, as JSON: files/topics.json plus a group vigil.correlator.<name> for each analytic it does not declare. */}}
{{- define "vigil.manifest" -}}
{{- $manifest := .Files.Get "files/topics.json" | fromJson -}}
{{- if not (get $manifest "topics") -}}
{{- fail "files/topics.json is missing or declares no topics: run `make chart-sync`" -}}
{{- end -}}
{{- $groups := $manifest.consumerGroups -}}
{{- $telemetry := include "vigil.telemetryTopic" . -}}
{{- range .Values.correlator.analytics -}}
{{- $name := .name -}}
{{- $declared := false -}}
{{- range $groups -}}
{{- if and (eq .service "correlator") (eq (get . "analytic") $name) -}}
{{- $declared = true -}}
{{- end -}}
{{- end -}}
{{- if not $declared -}}
{{- $groups = append $groups (dict "name" (printf "vigil.correlator.%s" $name) "service" "correlator" "analytic" $name "topics" (list $telemetry)) -}}
{{- end -}}
{{- end -}}
{{- $_ := set $manifest "consumerGroups" $groups -}}
{{- toPrettyJson $manifest -}}
{{- end -}}

{{/* The topic (from files/topics.json) with the telemetry role, as JSON. */}}
{{- define "vigil.telemetryTopicDeclaration" -}}
{{- $manifest := .Files.Get "files/topics.json" | fromJson -}}
{{- $found := dict -}}
{{- range $manifest.topics -}}
{{- if eq .role "telemetry" -}}
{{- $found = . -}}
{{- end -}}
{{- end -}}
{{- if not (get $found "name") -}}
{{- fail "files/topics.json declares no topic with role telemetry" -}}
{{- end -}}
{{- toJson $found -}}
{{- end -}}

{{/* The name of the telemetry topic every consumer group reads. */}}
{{- define "vigil.telemetryTopic" -}}
{{- (include "vigil.telemetryTopicDeclaration" . | fromJson).name -}}
{{- end -}}

{{/* The telemetry topic's partition count: the most consumers a group can keep busy. */}}
{{- define "vigil.telemetryPartitions" -}}
{{- (include "vigil.telemetryTopicDeclaration" . | fromJson).partitions | int -}}
{{- end -}}

{{/* The consumer group of a service (and analytic) in the effective manifest; takes (dict "root" $ "service" <s> "analytic" <a>). */}}
{{- define "vigil.manifestGroup" -}}
{{- $manifest := include "vigil.manifest" .root | fromJson -}}
{{- $found := "" -}}
{{- range $manifest.consumerGroups -}}
{{- if and (eq .service $.service) (eq (get . "analytic") $.analytic) -}}
{{- $found = .name -}}
{{- end -}}
{{- end -}}
{{- required (printf "the topic manifest declares no consumer group for %s %s" .service .analytic) $found -}}
{{- end -}}

{{/* An analytic's settings as YAML: correlator.* with its entry laid over (maps merged key by key, so false and 0 override too); takes (dict "root" $ "analytic" <entry>). */}}
{{- define "vigil.correlator.settings" -}}
{{- $settings := deepCopy (omit .root.Values.correlator "analytics") -}}
{{- $_ := set $settings "groupId" "" -}}
{{- $_ := set $settings "rules" (dict "files" (dict) "existingConfigMap" "") -}}
{{- range $key, $value := .analytic -}}
{{- if and (kindIs "map" $value) (kindIs "map" (get $settings $key)) -}}
{{- $merged := deepCopy (get $settings $key) -}}
{{- range $k, $v := $value -}}
{{- $_ := set $merged $k $v -}}
{{- end -}}
{{- $_ := set $settings $key $merged -}}
{{- else -}}
{{- $_ := set $settings $key $value -}}
{{- end -}}
{{- end -}}
{{- toYaml $settings -}}
{{- end -}}

{{/* The resource name of an analytic's Deployment, PDB, ScaledObject and rules ConfigMap; takes (dict "root" $ "analytic" <name>). */}}
{{- define "vigil.correlator.fullname" -}}
{{- printf "%s-correlator-%s" (include "vigil.fullname" .root) .analytic | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The consumer group of an analytic: its groupId setting, else the manifest's; takes (dict "root" $ "settings" <effective settings>). */}}
{{- define "vigil.correlator.groupId" -}}
{{- default (include "vigil.manifestGroup" (dict "root" .root "service" "correlator" "analytic" .settings.name)) .settings.groupId -}}
{{- end -}}

{{/* An analytic's rule files as YAML (file name: TOML): the chart's files/rules/<name>/*.toml, then rules.files; takes (dict "root" $ "settings" <effective settings>). */}}
{{- define "vigil.correlator.ruleFiles" -}}
{{- $files := dict -}}
{{- range $path, $content := .root.Files.Glob (printf "files/rules/%s/*.toml" .settings.name) -}}
{{- $_ := set $files (base $path) (toString $content) -}}
{{- end -}}
{{- range $name, $content := .settings.rules.files -}}
{{- $_ := set $files $name $content -}}
{{- end -}}
{{- toYaml $files -}}
{{- end -}}

{{/* The resource name of the baseline's Deployment, Service, PDB and ScaledObject. */}}
{{- define "vigil.baseline.fullname" -}}
{{- printf "%s-baseline" (include "vigil.fullname" .) -}}
{{- end -}}

{{/* The resource name of the ingest service's Deployment and PDB. */}}
{{- define "vigil.ingest.fullname" -}}
{{- printf "%s-ingest" (include "vigil.fullname" .) -}}
{{- end -}}

{{/* The resource name of the console's Deployment, Service and PDB. */}}
{{- define "vigil.console.fullname" -}}
{{- printf "%s-console" (include "vigil.fullname" .) -}}
{{- end -}}

{{/* The name of a component's /metrics Service for the console: <component fullname>-metrics; takes the component's fullname. */}}
{{- define "vigil.metricsServiceName" -}}
{{- printf "%s-metrics" (trunc 55 . | trimSuffix "-") -}}
{{- end -}}

{{/* The console's /metrics endpoints, one "name=url" a line: console.metricsTargets, else every correlator's, the baseline's and ingest's metrics Service. */}}
{{- define "vigil.console.metricsTargets" -}}
{{- if .Values.console.metricsTargets -}}
{{- range .Values.console.metricsTargets }}
{{ . }}
{{- end -}}
{{- else -}}
{{- range $entry := .Values.correlator.analytics }}
correlator-{{ $entry.name }}=http://{{ include "vigil.metricsServiceName" (include "vigil.correlator.fullname" (dict "root" $ "analytic" $entry.name)) }}:8080/metrics
{{- end -}}
{{- if .Values.baseline.enabled }}
baseline=http://{{ include "vigil.metricsServiceName" (include "vigil.baseline.fullname" .) }}:8080/metrics
{{- end -}}
{{- if .Values.ingest.enabled }}
ingest=http://{{ include "vigil.metricsServiceName" (include "vigil.ingest.fullname" .) }}:8080/metrics
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The name of the ConfigMap holding the effective topic manifest for the services. */}}
{{- define "vigil.topics.configMapName" -}}
{{- printf "%s-topics" (include "vigil.fullname" .) -}}
{{- end -}}

{{/* The name of the KEDA TriggerAuthentication carrying the Kafka credentials of the lag scaler. */}}
{{- define "vigil.keda.authenticationName" -}}
{{- printf "%s-kafka-lag" (include "vigil.fullname" .) -}}
{{- end -}}

{{/* True (non-empty) when KEDA needs credentials or a CA to read consumer lag. */}}
{{- define "vigil.keda.needsAuthentication" -}}
{{- if or .Values.kafka.sasl.existingSecret .Values.kafka.tls.existingSecret -}}true{{- end -}}
{{- end -}}

{{/* True (non-empty) when any component scales with KEDA. */}}
{{- define "vigil.keda.enabled" -}}
{{- $enabled := .Values.correlator.autoscaling.enabled -}}
{{- range .Values.correlator.analytics -}}
{{- if get (get . "autoscaling" | default dict) "enabled" -}}
{{- $enabled = true -}}
{{- end -}}
{{- end -}}
{{- if or $enabled (and .Values.baseline.enabled .Values.baseline.autoscaling.enabled) -}}true{{- end -}}
{{- end -}}

{{/* A KEDA ScaledObject spec, maxReplicaCount capped at the telemetry partitions; takes (dict "root" $ "target" <deployment> "group" <consumer group> "autoscaling" <settings>). */}}
{{- define "vigil.keda.scaledObjectSpec" -}}
{{- $root := .root -}}
{{- $kafka := $root.Values.kafka -}}
{{- $partitions := include "vigil.telemetryPartitions" $root | int -}}
scaleTargetRef:
  name: {{ .target }}
minReplicaCount: {{ .autoscaling.minReplicas | int }}
maxReplicaCount: {{ min (.autoscaling.maxReplicas | int) $partitions }}
pollingInterval: {{ .autoscaling.pollingInterval | int }}
cooldownPeriod: {{ .autoscaling.cooldownPeriod | int }}
triggers:
  - type: kafka
    metadata:
      bootstrapServers: {{ $kafka.bootstrapServers | quote }}
      consumerGroup: {{ .group | quote }}
      topic: {{ include "vigil.telemetryTopic" $root | quote }}
      lagThreshold: {{ .autoscaling.lagThreshold | int | quote }}
      activationLagThreshold: {{ .autoscaling.activationLagThreshold | int | quote }}
      offsetResetPolicy: earliest
      allowIdleConsumers: "false"
      {{- if $kafka.sasl.mechanism }}
      sasl: {{ get (dict "PLAIN" "plaintext" "SCRAM-SHA-256" "scram_sha256" "SCRAM-SHA-512" "scram_sha512") $kafka.sasl.mechanism }}
      {{- end }}
      {{- if hasSuffix "ssl" $kafka.securityProtocol }}
      tls: enable
      {{- end }}
    {{- if include "vigil.keda.needsAuthentication" $root }}
    authenticationRef:
      name: {{ include "vigil.keda.authenticationName" $root }}
    {{- end }}
{{- end -}}

{{/* Environment every Vigil container gets: Kafka, Schema Registry, Redis, logging, the manifest (secrets only as file paths). */}}
{{- define "vigil.env" -}}
{{- $v := .Values -}}
- name: Kafka__BootstrapServers
  value: {{ $v.kafka.bootstrapServers | quote }}
- name: Kafka__SecurityProtocol
  value: {{ $v.kafka.securityProtocol | quote }}
- name: Kafka__TopicManifest
  value: /etc/vigil/topics/topics.json
{{- if $v.kafka.sasl.mechanism }}
- name: Kafka__SaslMechanism
  value: {{ $v.kafka.sasl.mechanism | quote }}
- name: Kafka__SaslUsername
  {{- if $v.kafka.sasl.username }}
  value: {{ $v.kafka.sasl.username | quote }}
  {{- else }}
  valueFrom:
    secretKeyRef:
      name: {{ $v.kafka.sasl.existingSecret }}
      key: {{ $v.kafka.sasl.usernameKey }}
  {{- end }}
- name: Kafka__SaslPasswordFile
  value: /etc/vigil/kafka-sasl/password
{{- end }}
{{- if $v.kafka.tls.existingSecret }}
- name: Kafka__SslCaLocation
  value: /etc/vigil/kafka-tls/ca.crt
{{- end }}
{{- range $key, $value := $v.kafka.properties }}
- name: {{ printf "Kafka__Properties__%s" $key | quote }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- if $v.schemaRegistry.url }}
- name: SchemaRegistry__Url
  value: {{ $v.schemaRegistry.url | quote }}
{{- end }}
{{- if $v.schemaRegistry.basicAuth.existingSecret }}
- name: SchemaRegistry__BasicAuthUserInfo
  valueFrom:
    secretKeyRef:
      name: {{ $v.schemaRegistry.basicAuth.existingSecret }}
      key: {{ $v.schemaRegistry.basicAuth.userInfoKey }}
{{- end }}
- name: Redis__Mode
  value: {{ $v.redis.mode | quote }}
{{- range $index, $endpoint := $v.redis.endpoints }}
- name: {{ printf "Redis__Endpoints__%d" $index }}
  value: {{ $endpoint | quote }}
{{- end }}
{{- if $v.redis.protocol }}
- name: Redis__Protocol
  value: {{ $v.redis.protocol | quote }}
{{- end }}
{{- if $v.redis.user }}
- name: Redis__User
  value: {{ $v.redis.user | quote }}
{{- end }}
{{- if $v.redis.existingSecret }}
- name: Redis__PasswordFile
  value: /etc/vigil/redis-auth/password
{{- end }}
{{- if $v.redis.tls.enabled }}
- name: Redis__Ssl
  value: "true"
{{- end }}
{{- if $v.redis.tls.existingSecret }}
- name: Redis__CaCertificatePath
  value: /etc/vigil/redis-tls/ca.crt
{{- end }}
- name: Vigil__LogFormat
  value: {{ $v.logFormat | quote }}
{{- end -}}

{{/* Static membership (use when kafka.staticMembership is on): the pod name as the consumer's group instance id. */}}
{{- define "vigil.staticMembershipEnv" -}}
- name: Kafka__Consumer__GroupInstanceId
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
{{- end -}}

{{/* Volumes every Vigil pod gets: /tmp, the manifest and the mounted secrets; takes (dict "root" $ "manifestConfigMap" <name>). */}}
{{- define "vigil.volumes" -}}
{{- $v := .root.Values -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ $v.pod.tmpSizeLimit }}
- name: topics
  configMap:
    name: {{ .manifestConfigMap }}
{{- if $v.kafka.sasl.existingSecret }}
- name: kafka-sasl
  secret:
    secretName: {{ $v.kafka.sasl.existingSecret }}
    defaultMode: 0440
    items:
      - key: {{ $v.kafka.sasl.passwordKey }}
        path: password
{{- end }}
{{- if $v.kafka.tls.existingSecret }}
- name: kafka-tls
  secret:
    secretName: {{ $v.kafka.tls.existingSecret }}
    defaultMode: 0440
    items:
      - key: {{ $v.kafka.tls.caKey }}
        path: ca.crt
{{- end }}
{{- if $v.redis.existingSecret }}
- name: redis-auth
  secret:
    secretName: {{ $v.redis.existingSecret }}
    defaultMode: 0440
    items:
      - key: {{ $v.redis.passwordKey }}
        path: password
{{- end }}
{{- if $v.redis.tls.existingSecret }}
- name: redis-tls
  secret:
    secretName: {{ $v.redis.tls.existingSecret }}
    defaultMode: 0440
    items:
      - key: {{ $v.redis.tls.caKey }}
        path: ca.crt
{{- end }}
{{- end -}}

{{/* Mounts of the volumes in vigil.volumes. */}}
{{- define "vigil.volumeMounts" -}}
{{- $v := .Values -}}
- name: tmp
  mountPath: /tmp
- name: topics
  mountPath: /etc/vigil/topics
  readOnly: true
{{- if $v.kafka.sasl.existingSecret }}
- name: kafka-sasl
  mountPath: /etc/vigil/kafka-sasl
  readOnly: true
{{- end }}
{{- if $v.kafka.tls.existingSecret }}
- name: kafka-tls
  mountPath: /etc/vigil/kafka-tls
  readOnly: true
{{- end }}
{{- if $v.redis.existingSecret }}
- name: redis-auth
  mountPath: /etc/vigil/redis-auth
  readOnly: true
{{- end }}
{{- if $v.redis.tls.existingSecret }}
- name: redis-tls
  mountPath: /etc/vigil/redis-tls
  readOnly: true
{{- end }}
{{- end -}}

{{/* A count or a percentage as Kubernetes expects it: 1 stays a number, "25%" a string (values hold numbers as floats). */}}
{{- define "vigil.intOrPercent" -}}
{{- if kindIs "string" . -}}{{ . | quote }}{{- else -}}{{ . | int }}{{- end -}}
{{- end -}}

{{/* The pod security context of every Vigil pod: non-root, the image's app user, RuntimeDefault seccomp. */}}
{{- define "vigil.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.pod.runAsUser | int64 }}
runAsGroup: {{ .Values.pod.runAsUser | int64 }}
fsGroup: {{ .Values.pod.runAsUser | int64 }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The container security context of every Vigil container: read-only root, no privilege escalation, no capabilities. */}}
{{- define "vigil.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Probes of a Vigil service container on its http port: live while the process runs, ready while its consume loops poll. */}}
{{- define "vigil.probes" -}}
startupProbe:
  httpGet:
    path: /health/live
    port: http
  periodSeconds: 2
  failureThreshold: 30
livenessProbe:
  httpGet:
    path: /health/live
    port: http
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /health/ready
    port: http
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
{{- end -}}

{{/* Spreads a component's replicas across nodes (best effort) unless topologySpreadConstraints are given; takes the vigil.selectorLabels argument plus "constraints". */}}
{{- define "vigil.topologySpread" -}}
{{- if .constraints -}}
{{- toYaml .constraints -}}
{{- else -}}
- maxSkew: 1
  topologyKey: kubernetes.io/hostname
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- include "vigil.selectorLabels" . | nindent 6 }}
{{- end -}}
{{- end -}}
