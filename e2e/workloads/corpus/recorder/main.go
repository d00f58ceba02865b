// recorder runs each scenario of a list as a real process in its own memory cgroup with the pod's
// limit, drives it with loadgen, samples its /metrics every interval until the kernel's OOM killer
// ends it (or the JVM exits on OutOfMemoryError) or its time is up, and writes what it saw as
// Prometheus query_range responses (one file per pod, labelled namespace="recorded" and pod) with
// the truth in truth.tsv. Scenarios run side by side.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Scenario is one recorded pod.
type Scenario struct {
	Name          string            `json:"name"`
	Kind          string            `json:"kind"`
	Leaking       bool              `json:"leaking"`
	GoroutineOnly bool              `json:"goroutineOnly"`
	LimitMiB      int               `json:"limitMiB"`
	Minutes       int               `json:"minutes"`
	LeakAfterMin  float64           `json:"leakAfterMinutes"`
	Command       []string          `json:"command"` // {service} and {port} are replaced
	Env           map[string]string `json:"env"`
	Load          []string          `json:"load"` // loadgen flags; -target and -duration are added
}

var wanted = map[string]bool{
	"go_goroutines": true, "go_memstats_heap_inuse_bytes": true, "process_resident_memory_bytes": true,
	"go_memstats_next_gc_bytes": true, "go_memstats_stack_inuse_bytes": true, "go_gc_gomemlimit_bytes": true,
	"jvm_threads_live_threads": true, "jvm_gc_live_data_size_bytes": true, "jvm_gc_max_data_size_bytes": true,
	"jvm_memory_committed_bytes": true, "jvm_memory_used_bytes": true, "jvm_memory_max_bytes": true,
	// The allocation counters, whose rate is the load that in-flight goroutines and threads follow.
	"go_memstats_alloc_bytes_total": true, "jvm_gc_memory_allocated_bytes_total": true,
}

type point struct {
	t float64
	v float64
}

type series struct {
	labels map[string]string
	points []point
}

func main() {
	list := flag.String("scenarios", "scenarios.json", "scenario list")
	only := flag.String("only", "", "comma-separated scenario names to run (default: all)")
	bin := flag.String("bin", "", "folder holding the built service and loadgen")
	jvmlib := flag.String("jvmlib", "", "folder of the Micrometer jars the JVM workload needs")
	jvmsource := flag.String("jvmsource", "", "the JVM workload's source file (LeakyJvm.java)")
	out := flag.String("output", "recorded", "output folder")
	interval := flag.Duration("interval", 15*time.Second, "sampling interval")
	scale := flag.Float64("scale", 1, "multiply every scenario's duration (for a quick trial)")
	flag.Parse()

	raw, err := os.ReadFile(*list)
	if err != nil {
		log.Fatal(err)
	}
	var scenarios []Scenario
	if err := json.Unmarshal(raw, &scenarios); err != nil {
		log.Fatalf("%s: %v", *list, err)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	selected := map[string]bool{}
	for _, n := range strings.Split(*only, ",") {
		if n != "" {
			selected[n] = true
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	truth := []string{}
	for i, s := range scenarios {
		if len(selected) > 0 && !selected[s.Name] {
			continue
		}
		wg.Add(1)
		go func(i int, s Scenario) {
			defer wg.Done()
			for k := range s.Command {
				s.Command[k] = strings.NewReplacer("{jvmlib}", *jvmlib, "{jvmsource}", *jvmsource).Replace(s.Command[k])
			}
			line, err := record(s, 19000+i*2, *bin, *out, *interval, *scale)
			if err != nil {
				log.Printf("%s: %v", s.Name, err)
				return
			}
			mu.Lock()
			truth = append(truth, line)
			mu.Unlock()
		}(i, s)
	}
	wg.Wait()
	sort.Strings(truth)
	header := "namespace\tpod\tscenario\tleaking\tgoroutine_only\tstart\tleak_start\tdied_at\tdeath\n"
	f := filepath.Join(*out, "truth.tsv")
	if existing, err := os.ReadFile(f); err == nil && len(selected) > 0 {
		// A partial run replaces only its own lines.
		for _, l := range strings.Split(strings.TrimSpace(string(existing)), "\n")[1:] {
			name := strings.Split(l, "\t")[1]
			if !selected[name] {
				truth = append(truth, l)
			}
		}
		sort.Strings(truth)
	}
	if err := os.WriteFile(f, []byte(header+strings.Join(truth, "\n")+"\n"), 0o644); err != nil {
		log.Fatal(err)
	}
}

func record(s Scenario, port int, bin, out string, interval time.Duration, scale float64) (string, error) {
	limit := int64(s.LimitMiB) << 20
	cgroup, err := newCgroup("leakguard-rec-"+s.Name, limit)
	if err != nil {
		return "", err
	}
	defer cgroup.remove()
	args := make([]string, len(s.Command))
	for i, a := range s.Command {
		a = strings.ReplaceAll(a, "{service}", filepath.Join(bin, "service"))
		args[i] = strings.ReplaceAll(a, "{port}", strconv.Itoa(port))
	}
	cmd := exec.Command("/bin/sh", append([]string{"-c", "echo $$ > " + cgroup.procs + " && exec \"$@\"", "rec"}, args...)...)
	cmd.Env = os.Environ()
	for k, v := range s.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	logFile, _ := os.Create(filepath.Join(os.TempDir(), "leakguard-rec-"+s.Name+".log"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	if err := waitServing(base, exited); err != nil {
		return "", err
	}
	duration := time.Duration(float64(s.Minutes) * scale * float64(time.Minute))
	load := exec.Command(filepath.Join(bin, "loadgen"), append(s.Load, "-target", base+"/work",
		"-duration", duration.String())...)
	if err := load.Start(); err != nil {
		return "", err
	}
	defer func() { _ = load.Process.Kill(); _, _ = load.Process.Wait() }()

	all := map[string]*series{}
	add := func(key string, labels map[string]string, t, v float64) {
		sr := all[key]
		if sr == nil {
			sr = &series{labels: labels}
			all[key] = sr
		}
		sr.points = append(sr.points, point{t, v})
	}
	deadline := start.Add(duration)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	var diedAt float64
	death := "-"
	client := &http.Client{Timeout: 5 * time.Second}
loop:
	for {
		select {
		case <-exited:
			diedAt = float64(time.Now().UnixMilli()) / 1000
			switch {
			case cgroup.oomKills() > 0:
				death = "OOMKilled"
			case cmd.ProcessState != nil && cmd.ProcessState.ExitCode() == 3:
				death = "OutOfMemoryError" // -XX:+ExitOnOutOfMemoryError exits with 3
			default:
				death = "Exited"
			}
			break loop
		case now := <-ticker.C:
			if now.After(deadline) {
				_ = cmd.Process.Kill()
				<-exited
				break loop
			}
			t := float64(now.UnixMilli()) / 1000
			scrape(client, base+"/metrics", t, add)
			if ws, ok := cgroup.workingSet(); ok {
				add("container_memory_working_set_bytes", map[string]string{"__name__": "container_memory_working_set_bytes"}, t, ws)
			}
		}
	}
	first, last := start.Unix(), time.Now().Unix()
	limitPoints := []point{}
	for t := first; t <= last; t += int64(interval / time.Second) {
		limitPoints = append(limitPoints, point{float64(t), float64(limit)})
	}
	all["limit"] = &series{labels: map[string]string{"__name__": "kube_pod_container_resource_limits",
		"resource": "memory", "unit": "byte"}, points: limitPoints}
	if err := write(filepath.Join(out, s.Name+".json"), s.Name, all); err != nil {
		return "", err
	}
	leakStart := "-"
	if s.Leaking {
		leakStart = fmt.Sprintf("%.0f", float64(start.Unix())+s.LeakAfterMin*60*scale)
	}
	died := "-"
	if death == "OOMKilled" || death == "OutOfMemoryError" {
		died = fmt.Sprintf("%.0f", diedAt)
	}
	log.Printf("%s: ended after %s: %s", s.Name, time.Since(start).Round(time.Second), death)
	return strings.Join([]string{"recorded", s.Name, s.Kind, strconv.FormatBool(s.Leaking),
		strconv.FormatBool(s.GoroutineOnly), strconv.FormatInt(first, 10), leakStart, died, death}, "\t"), nil
}

func waitServing(base string, exited chan error) error {
	for i := 0; i < 600; i++ {
		select {
		case err := <-exited:
			return fmt.Errorf("exited before serving: %v", err)
		default:
		}
		if c, err := net.DialTimeout("tcp", strings.TrimPrefix(base, "http://"), time.Second); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("not serving on %s after 60s", base)
}

// scrape reads the wanted gauges of a Prometheus text exposition; a failed scrape records nothing.
func scrape(client *http.Client, url string, t float64, add func(string, map[string]string, float64, float64)) {
	resp, err := client.Get(url)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 8<<20))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, labels, rest := line, map[string]string{}, ""
		if i := strings.IndexByte(line, '{'); i >= 0 {
			j := strings.LastIndexByte(line, '}')
			if j < i {
				continue
			}
			name, rest = line[:i], strings.TrimSpace(line[j+1:])
			for _, kv := range splitLabels(line[i+1 : j]) {
				if k, v, ok := strings.Cut(kv, "="); ok {
					labels[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), "\"")
				}
			}
		} else if i := strings.IndexByte(line, ' '); i >= 0 {
			name, rest = line[:i], strings.TrimSpace(line[i+1:])
		}
		if !wanted[name] {
			continue
		}
		v, err := strconv.ParseFloat(strings.Fields(rest)[0], 64)
		if err != nil {
			continue
		}
		labels["__name__"] = name
		add(line[:len(line)-len(rest)], labels, t, v)
	}
}

func splitLabels(s string) []string {
	var parts []string
	quoted, from := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			if i == 0 || s[i-1] != '\\' {
				quoted = !quoted
			}
		case ',':
			if !quoted {
				parts = append(parts, s[from:i])
				from = i + 1
			}
		}
	}
	return append(parts, s[from:])
}

func write(file, pod string, all map[string]*series) error {
	type result struct {
		Metric map[string]string `json:"metric"`
		Values [][2]any          `json:"values"`
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	results := []result{}
	for _, k := range keys {
		s := all[k]
		m := map[string]string{"namespace": "recorded", "pod": pod, "container": "app"}
		for lk, lv := range s.labels {
			m[lk] = lv
		}
		r := result{Metric: m}
		for _, p := range s.points {
			r.Values = append(r.Values, [2]any{p.t, strconv.FormatFloat(p.v, 'g', -1, 64)})
		}
		results = append(results, r)
	}
	body, err := json.Marshal(map[string]any{"status": "success", "data": map[string]any{"resultType": "matrix", "result": results}})
	if err != nil {
		return err
	}
	return os.WriteFile(file, body, 0o644)
}
