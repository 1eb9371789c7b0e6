{{/* The chart's name, or nameOverride. */}}
{{- define "glia.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The prefix of every object's name: <release>-<name>, or the release name when it already contains the name. */}}
{{- define "glia.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "glia.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The selector labels of one component: include "glia.selectorLabels" (dict "ctx" $ "component" "router"). */}}
{{- define "glia.selectorLabels" -}}
app.kubernetes.io/name: {{ include "glia.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Every label of one component's objects. */}}
{{- define "glia.labels" -}}
helm.sh/chart: {{ include "glia.chart" .ctx }}
{{ include "glia.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: glia
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "glia.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "glia.operator.serviceAccountName" -}}
{{- default (printf "%s-operator" (include "glia.fullname" .)) .Values.operator.serviceAccount.name }}
{{- end }}

{{- define "glia.research.serviceAccountName" -}}
{{- default (printf "%s-research" (include "glia.fullname" .)) .Values.operator.research.serviceAccount.name }}
{{- end }}

{{- define "glia.router.serviceAccountName" -}}
{{- default (printf "%s-router" (include "glia.fullname" .)) .Values.router.serviceAccount.name }}
{{- end }}

{{/* The namespace of the engines the router discovers. */}}
{{- define "glia.engines.namespace" -}}
{{- default .Release.Namespace .Values.router.engines.namespace }}
{{- end }}

{{/* The router's engine selector: the configured one, or the labels of this release's emulated engines. */}}
{{- define "glia.engines.selector" -}}
{{- if .Values.router.engines.selector }}
{{- .Values.router.engines.selector }}
{{- else }}
{{- $labels := include "glia.selectorLabels" (dict "ctx" . "component" "engine") | fromYaml }}
{{- $pairs := list }}
{{- range $key := keys $labels | sortAlpha }}
{{- $pairs = append $pairs (printf "%s=%s" $key (get $labels $key)) }}
{{- end }}
{{- join "," $pairs }}
{{- end }}
{{- end }}

{{/* The writable directories of a read-only-root Glia container: mounts, then volumes. */}}
{{- define "glia.scratchMounts" -}}
- name: tmp
  mountPath: /tmp
- name: work
  mountPath: /home/glia
{{- end }}
{{- define "glia.scratchVolumes" -}}
- name: tmp
  emptyDir: {}
- name: work
  emptyDir: {}
{{- end }}
