// Command metrics-farm serves the /metrics of thousands of simulated pods from one process, for
// LeakGuard's scale benchmark: each pod on its own loopback address (its pod IP, 127.x.y.z), one
// listener each. Each line of the -pods file is "IP KIND"; KIND is go, go-leaking, go-slow,
// go-failing, jvm or jvm-leaking. Go pods answer with an exposition the size and shape of
// client_golang's default collectors plus an application's request histograms; JVM pods with
// Micrometer's. Leaking pods grow their goroutines (threads) and memory from the farm's start; slow
// pods answer after -slow; failing pods answer 500. /debug/pprof/goroutine?debug=2 serves a small
// goroutine dump. GET /healthz on -control reports how many listeners are up, and GET /scrapes how
// many times each pod's /metrics was asked for ("IP COUNT" lines): a pod watched by two operators
// is asked twice as often.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"math"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

type pod struct {
	ip    string
	kind  string
	seed  float64
	start time.Time
	asked atomic.Int64
}

var (
	slow      = flag.Duration("slow", 3*time.Second, "how long a slow pod takes to answer")
	leakRate  = flag.Float64("leak-mib-per-minute", 12, "how fast a leaking pod's memory grows")
	limitMiB  = flag.Float64("limit-mib", 512, "the pods' memory limit, for the leaking pods' starting level")
	served    atomic.Int64
	listening atomic.Int64
)

func main() {
	podsFile := flag.String("pods", "", "file of 'IP KIND' lines")
	port := flag.Int("port", 9090, "port every pod listens on")
	control := flag.String("control", "127.0.0.1:0", "address of the farm's own /healthz")
	flag.Parse()
	raiseFileLimit()
	f, err := os.Open(*podsFile)
	if err != nil {
		log.Fatal(err)
	}
	var pods []*pod
	scanner := bufio.NewScanner(f)
	for i := 0; scanner.Scan(); i++ {
		fields := strings.Fields(scanner.Text())
		if len(fields) != 2 {
			continue
		}
		pods = append(pods, &pod{ip: fields[0], kind: fields[1], seed: float64(i%97) / 97, start: time.Now()})
	}
	for _, p := range pods {
		l, err := net.Listen("tcp", fmt.Sprintf("%s:%d", p.ip, *port))
		if err != nil {
			log.Fatalf("listen %s: %v", p.ip, err)
		}
		mux := http.NewServeMux()
		p := p
		mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) { metrics(w, p) })
		mux.HandleFunc("/debug/pprof/goroutine", func(w http.ResponseWriter, r *http.Request) { dump(w, p) })
		// Idle connections are closed, so that 10,000 pods do not hold 10,000 sockets each side.
		server := &http.Server{Handler: mux, IdleTimeout: 5 * time.Second, ReadHeaderTimeout: 5 * time.Second}
		go server.Serve(l)
		listening.Add(1)
	}
	cl, err := net.Listen("tcp", *control)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("control on %s, %d pods\n", cl.Addr(), len(pods))
	cm := http.NewServeMux()
	cm.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "listening %d served %d\n", listening.Load(), served.Load())
	})
	cm.HandleFunc("/scrapes", func(w http.ResponseWriter, r *http.Request) {
		bw := bufio.NewWriter(w)
		for _, p := range pods {
			fmt.Fprintf(bw, "%s %d\n", p.ip, p.asked.Load())
		}
		bw.Flush()
	})
	log.Fatal(http.Serve(cl, cm))
}

func raiseFileLimit() {
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) == nil {
		rl.Cur = rl.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
	}
}

// level is a pod's state now: goroutines (threads), heap in use and resident memory, in bytes.
func level(p *pod) (threads, heap, rss float64) {
	minutes := time.Since(p.start).Minutes()
	wave := math.Sin(minutes/7 + p.seed*6.28)
	threads = 40 + 20*p.seed + 5*wave
	heap = (30 + 20*p.seed + 3*wave) * (1 << 20)
	rss = heap*1.6 + 20*(1<<20)
	if strings.HasSuffix(p.kind, "-leaking") {
		threads += 60 * minutes
		grown := *leakRate * minutes * (1 << 20)
		heap += grown
		rss += grown
		if rss > *limitMiB*(1<<20) {
			rss = *limitMiB * (1 << 20)
		}
	}
	return
}

func metrics(w http.ResponseWriter, p *pod) {
	served.Add(1)
	p.asked.Add(1)
	switch p.kind {
	case "go-slow":
		time.Sleep(*slow)
	case "go-failing":
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	threads, heap, rss := level(p)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	var b strings.Builder
	if strings.HasPrefix(p.kind, "jvm") {
		jvm(&b, threads, heap, rss)
	} else {
		goRuntime(&b, threads, heap, rss)
	}
	requests(&b)
	fmt.Fprint(w, b.String())
}

// goRuntime writes what client_golang's Go and process collectors expose, with these levels.
func goRuntime(b *strings.Builder, threads, heap, rss float64) {
	b.WriteString("# HELP go_gc_duration_seconds A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.\n# TYPE go_gc_duration_seconds summary\n")
	for _, q := range []string{"0", "0.25", "0.5", "0.75", "1"} {
		fmt.Fprintf(b, "go_gc_duration_seconds{quantile=%q} %g\n", q, 3.1e-05)
	}
	b.WriteString("go_gc_duration_seconds_sum 0.0123\ngo_gc_duration_seconds_count 412\n")
	fmt.Fprintf(b, "# HELP go_goroutines Number of goroutines that currently exist.\n# TYPE go_goroutines gauge\ngo_goroutines %d\n", int(threads))
	b.WriteString("# HELP go_info Information about the Go environment.\n# TYPE go_info gauge\ngo_info{version=\"go1.27.3\"} 1\n")
	gauges := map[string]float64{
		"go_memstats_alloc_bytes": heap * 0.8, "go_memstats_buck_hash_sys_bytes": 1.5e6, "go_memstats_gc_sys_bytes": 4.2e6,
		"go_memstats_heap_alloc_bytes": heap * 0.8, "go_memstats_heap_idle_bytes": heap * 0.3, "go_memstats_heap_inuse_bytes": heap,
		"go_memstats_heap_objects": heap / 64, "go_memstats_heap_released_bytes": heap * 0.1, "go_memstats_heap_sys_bytes": heap * 1.3,
		"go_memstats_last_gc_time_seconds": float64(time.Now().Unix()), "go_memstats_mcache_inuse_bytes": 9600, "go_memstats_mcache_sys_bytes": 15600,
		"go_memstats_mspan_inuse_bytes": 410000, "go_memstats_mspan_sys_bytes": 490000, "go_memstats_next_gc_bytes": heap * 1.6,
		"go_memstats_other_sys_bytes": 1.9e6, "go_memstats_stack_inuse_bytes": threads * 8192, "go_memstats_stack_sys_bytes": threads * 8192,
		"go_memstats_sys_bytes": rss * 0.95, "go_threads": 12, "process_open_fds": 23, "process_max_fds": 1048576,
		"process_resident_memory_bytes": rss, "process_virtual_memory_bytes": rss * 4.5, "process_virtual_memory_max_bytes": 1.8446744073709552e+19,
		"process_start_time_seconds": 1.7e9, "go_sched_gomaxprocs_threads": 2, "go_gc_gogc_percent": 100, "go_gc_gomemlimit_bytes": 9.223372036854776e+18,
	}
	for _, name := range sortedKeys(gauges) {
		fmt.Fprintf(b, "# HELP %s Go runtime or process gauge.\n# TYPE %s gauge\n%s %g\n", name, name, name, gauges[name])
	}
	for _, name := range []string{"go_memstats_alloc_bytes_total", "go_memstats_frees_total", "go_memstats_mallocs_total", "process_cpu_seconds_total", "go_memstats_lookups_total"} {
		fmt.Fprintf(b, "# HELP %s Go runtime or process counter.\n# TYPE %s counter\n%s %g\n", name, name, name, 1.2345e9)
	}
}

// jvm writes what Micrometer's JVM binders expose, with these levels.
func jvm(b *strings.Builder, threads, heap, rss float64) {
	for _, area := range []struct{ area, id string }{{"heap", "G1 Eden Space"}, {"heap", "G1 Old Gen"}, {"heap", "G1 Survivor Space"},
		{"nonheap", "Metaspace"}, {"nonheap", "CodeCache"}, {"nonheap", "Compressed Class Space"}} {
		used := 20e6
		if area.id == "G1 Old Gen" {
			used = heap
		}
		fmt.Fprintf(b, "jvm_memory_used_bytes{area=%q,id=%q} %g\n", area.area, area.id, used)
		fmt.Fprintf(b, "jvm_memory_committed_bytes{area=%q,id=%q} %g\n", area.area, area.id, used*1.2)
		fmt.Fprintf(b, "jvm_memory_max_bytes{area=%q,id=%q} %g\n", area.area, area.id, 268435456.0)
	}
	fmt.Fprintf(b, "# TYPE jvm_threads_live_threads gauge\njvm_threads_live_threads %d\n", int(threads))
	fmt.Fprintf(b, "jvm_threads_daemon_threads 18\njvm_threads_peak_threads %d\n", int(threads)+3)
	for _, state := range []string{"runnable", "blocked", "waiting", "timed-waiting", "new", "terminated"} {
		fmt.Fprintf(b, "jvm_threads_states_threads{state=%q} %d\n", state, int(threads)/6)
	}
	fmt.Fprintf(b, "jvm_gc_live_data_size_bytes %g\njvm_gc_max_data_size_bytes 268435456\n", heap)
	fmt.Fprintf(b, "process_resident_memory_bytes %g\nprocess_cpu_usage 0.02\nsystem_cpu_count 2\n", rss)
	for _, pool := range []string{"direct", "mapped"} {
		fmt.Fprintf(b, "jvm_buffer_memory_used_bytes{id=%q} 81920\njvm_buffer_count_buffers{id=%q} 10\n", pool, pool)
	}
}

// requests writes an application's request-duration histograms, as most services add.
func requests(b *strings.Builder) {
	b.WriteString("# HELP http_request_duration_seconds Duration of HTTP requests.\n# TYPE http_request_duration_seconds histogram\n")
	for _, route := range []string{"/api/cart", "/api/checkout", "/api/items", "/healthz"} {
		for _, code := range []string{"200", "500"} {
			for _, le := range []string{"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"} {
				fmt.Fprintf(b, "http_request_duration_seconds_bucket{route=%q,code=%q,le=%q} 1234\n", route, code, le)
			}
			fmt.Fprintf(b, "http_request_duration_seconds_sum{route=%q,code=%q} 45.6\nhttp_request_duration_seconds_count{route=%q,code=%q} 1234\n",
				route, code, route, code)
		}
	}
}

func dump(w http.ResponseWriter, p *pod) {
	threads, _, _ := level(p)
	fmt.Fprintf(w, "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:20 +0x1d\n\n")
	for i := 0; i < int(threads); i++ {
		fmt.Fprintf(w, "goroutine %d [chan send, 3 minutes]:\nmain.worker(...)\n\t/app/main.go:70\ncreated by main.leak in goroutine 1\n\t/app/main.go:59 +0x25\n\n", i+2)
	}
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
