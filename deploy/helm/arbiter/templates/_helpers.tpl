{{/* Names and labels shared by every object. */}}
{{- define "arbiter.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "arbiter.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "worker"). */}}
{{- define "arbiter.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "arbiter.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/*
terminationGracePeriodSeconds: the drain (ARBITER_SHUTDOWN_GRACE) + the 5 s shutdown margin
of workers/signals.ts + the preStop sleep + 5 s slack, so the kubelet never kills a draining worker.
*/}}
{{- define "arbiter.terminationGrace" -}}
{{ add .Values.shutdownGraceSeconds 5 .Values.preStopSleepSeconds 5 }}
{{- end -}}

{{/*
The pod template every process shares: (dict "root" $ "component" "worker" "args" (list "worker")
"spec" .Values.worker "env" (list ...) "ports" (list ...) "probes" "metrics"|"api").
*/}}
{{- define "arbiter.pod" -}}
{{- $root := .root -}}
{{- $spec := .spec -}}
metadata:
  labels:
    {{- include "arbiter.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
  annotations:
    checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
    prometheus.io/scrape: 'true'
    prometheus.io/port: {{ $root.Values.metricsPort | quote }}
spec:
  serviceAccountName: {{ include "arbiter.fullname" $root }}
  automountServiceAccountToken: false
  terminationGracePeriodSeconds: {{ include "arbiter.terminationGrace" $root }}
  securityContext:
    {{- toYaml $root.Values.podSecurityContext | nindent 4 }}
  {{- with $root.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: {{ .component }}
      image: {{ include "arbiter.image" $root }}
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      args:
        {{- toYaml .args | nindent 8 }}
      envFrom:
        - configMapRef:
            name: {{ include "arbiter.fullname" $root }}
        - secretRef:
            name: {{ $root.Values.secrets.existingSecret }}
      env:
        - name: ARBITER_METRICS_PORT
          value: {{ $root.Values.metricsPort | quote }}
        - name: ARBITER_SHUTDOWN_GRACE
          value: {{ printf "%ds" (int $root.Values.shutdownGraceSeconds) | quote }}
        {{- with .env }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      ports:
        - name: metrics
          containerPort: {{ $root.Values.metricsPort }}
        {{- if eq .probes "api" }}
        - name: http
          containerPort: {{ $root.Values.api.port }}
        {{- end }}
      {{- $path := ternary "/healthz" "/metrics" (eq .probes "api") }}
      {{- $port := ternary "http" "metrics" (eq .probes "api") }}
      # /metrics is served from a process's first seconds until it has drained: alive. Readiness
      # of the API is /healthz (database and Temporal): out of the Service, not restarted, while they are down.
      startupProbe:
        httpGet: { path: /metrics, port: metrics }
        periodSeconds: 5
        failureThreshold: 36
      livenessProbe:
        httpGet: { path: /metrics, port: metrics }
        periodSeconds: 15
        timeoutSeconds: 5
        failureThreshold: 4
      readinessProbe:
        httpGet: { path: {{ $path }}, port: {{ $port }} }
        periodSeconds: 10
        timeoutSeconds: 5
      lifecycle:
        # Let Services and load balancers drop the pod before SIGTERM starts the drain.
        preStop:
          sleep:
            seconds: {{ $root.Values.preStopSleepSeconds }}
      resources:
        {{- toYaml $spec.resources | nindent 8 }}
      securityContext:
        {{- toYaml $root.Values.securityContext | nindent 8 }}
      volumeMounts:
        # readOnlyRootFilesystem: the one writable place (ARBITER_DATA_DIR, temporary files).
        - name: tmp
          mountPath: /tmp
        - name: data
          mountPath: /home/node/.arbiter
  volumes:
    - name: tmp
      emptyDir: {}
    - name: data
      emptyDir: {}
  {{- with $spec.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $spec.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $spec.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{/* HPA and PDB of one Deployment: (dict "root" $ "component" "worker" "name" "..." "spec" .Values.worker). */}}
{{- define "arbiter.scaling" -}}
{{- $root := .root -}}
{{- $auto := .spec.autoscaling | default dict -}}
{{- if $auto.enabled }}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ .name }}
  labels:
    {{- include "arbiter.labels" $root | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ .name }}
  minReplicas: {{ $auto.minReplicas | default 1 }}
  maxReplicas: {{ $auto.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $auto.targetCPUUtilizationPercentage | default 70 }}
  behavior:
    scaleDown:
      # Scaling down drains workers: one pod a minute at most.
      stabilizationWindowSeconds: 300
      policies:
        - type: Pods
          value: 1
          periodSeconds: 60
{{- end }}
{{- with .spec.pdb }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ $.name }}
  labels:
    {{- include "arbiter.labels" $root | nindent 4 }}
spec:
  {{- if hasKey . "maxUnavailable" }}
  maxUnavailable: {{ .maxUnavailable }}
  {{- else }}
  minAvailable: {{ .minAvailable | default 1 }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "arbiter.selector" (dict "root" $root "component" $.component) | nindent 6 }}
{{- end }}
{{- end -}}

{{/* A Deployment of one process. */}}
{{- define "arbiter.deployment" -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .name }}
  labels:
    {{- include "arbiter.labels" .root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  {{- if not (.spec.autoscaling | default dict).enabled }}
  replicas: {{ .spec.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "arbiter.selector" (dict "root" .root "component" .component) | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  template:
    {{- include "arbiter.pod" . | nindent 4 }}
{{ include "arbiter.scaling" . }}
{{- end -}}
