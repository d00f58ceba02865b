module leakguard.io/workloads/metrics-farm

go 1.26.0
