{{/* Full name: the release name, with the chart name unless the release already holds it. */}}
{{- define "leakguard.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "leakguard.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: leakguard
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "leakguard.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "leakguard.serviceAccountName" -}}
{{- default (include "leakguard.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{/* The rules the operator needs in each namespace it watches; each one says why. */}}
{{- define "leakguard.namespacedRules" -}}
# Track the pods that policies select, and read their owners and readiness.
- apiGroups: [""]
  resources: [pods]
  verbs: [list, watch]
# Restart leaking pods gracefully: the Eviction API honours PodDisruptionBudgets and grace periods.
- apiGroups: [""]
  resources: [pods/eviction]
  verbs: [create]
{{- if .Values.rbac.podExec }}
# JVM thread dumps: jcmd/jstack/kill -3 inside the container (rbac.podExec).
- apiGroups: [""]
  resources: [pods/exec]
  verbs: [create]
# The kill -3 fallback reads the dump from the container's log (rbac.podExec).
- apiGroups: [""]
  resources: [pods/log]
  verbs: [get]
{{- end }}
# Events on pods and policies: LeakDetected, DumpCollected, Evicted, EvictionBlocked...
- apiGroups: [""]
  resources: [events]
  verbs: [create]
# Dumps are kept in ConfigMaps owned by their policy; retention lists them and deletes the oldest.
- apiGroups: [""]
  resources: [configmaps]
  verbs: [list, create, delete]
# The Slack webhook URL and the Prometheus bearer token, from Secrets named in policies; only Secrets
# labelled leakguard.io/readable=true by the namespace's admins are used, never service-account tokens.
- apiGroups: [""]
  resources: [secrets]
  verbs: [get]
# The LeakPolicies themselves: watch them, and patch the operator's finalizer in and out (get: the
# finalizer patch re-reads the policy when it meets a conflict).
- apiGroups: [leakguard.io]
  resources: [leakpolicies]
  verbs: [get, list, watch, patch]
# Their status: counts, verdicts, dumps and the remediation history the budgets are counted from.
- apiGroups: [leakguard.io]
  resources: [leakpolicies/status]
  verbs: [patch]
{{- end -}}

{{/*
The namespaces watched, comma-separated (empty: all): watchNamespaces, or every shard's. Fails on a
namespace in two shards (its pods would be watched and restarted twice) and on both settings at once.
*/}}
{{- define "leakguard.watchedNamespaces" -}}
{{- if .Values.shards -}}
{{- if .Values.watchNamespaces -}}
{{- fail "set watchNamespaces or shards, not both: with shards, each shard lists its own namespaces" -}}
{{- end -}}
{{- $seen := dict -}}
{{- $shardNames := dict -}}
{{- range .Values.shards -}}
{{- if hasKey $shardNames .name -}}
{{- fail (printf "two shards are named %s: shard names must differ" .name) -}}
{{- end -}}
{{- $_ := set $shardNames .name true -}}
{{- $shard := .name -}}
{{- range .namespaces -}}
{{- if hasKey $seen . -}}
{{- fail (printf "namespace %s is in shards %s and %s: a namespace belongs to one shard, or its pods are watched twice" . (get $seen .) $shard) -}}
{{- end -}}
{{- $_ := set $seen . $shard -}}
{{- end -}}
{{- end -}}
{{- keys $seen | sortAlpha | join "," -}}
{{- else -}}
{{- join "," .Values.watchNamespaces -}}
{{- end -}}
{{- end -}}
