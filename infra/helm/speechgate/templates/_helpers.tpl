{{/* Release-scoped names and labels. */}}
{{- define "speechgate.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "speechgate.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
speechgate.dev/region: {{ .Values.region }}
{{- end -}}

{{- define "speechgate.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "speechgate.secretName" -}}
{{- if .Values.internalAuth.existingSecret -}}
{{- .Values.internalAuth.existingSecret -}}
{{- else -}}
{{- printf "%s-internal-auth" (include "speechgate.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* The gateway regions document: the configured one, or this release's node Service. */}}
{{- define "speechgate.regions" -}}
{{- if .Values.gateway.regions.regions -}}
{{- toJson .Values.gateway.regions -}}
{{- else -}}
{{- $node := printf "http://%s-node:%d" (include "speechgate.fullname" .) (int .Values.node.port) -}}
{{- toJson (dict "regions" (list (dict "name" .Values.region "nodes" (list $node) "weight" 1 "drain" false))) -}}
{{- end -}}
{{- end -}}
