// service is an HTTP service whose memory behaviour is chosen by flags: leaks of goroutines, heap,
// goroutine stacks or memory outside the Go heap, each driven by the requests it serves (so a leak
// follows traffic), and healthy patterns (a bounded cache, periodic batches, in-flight requests).
// It serves client_golang's /metrics and /debug/pprof. LeakGuard records real traces from it.
package main

import (
	"container/list"
	"flag"
	"fmt"
	"log"
	"net/http"
	_ "net/http/pprof"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

var (
	leakMode   = flag.String("leak", "", "what each leaking request keeps: goroutine, heap, stack or native (empty: no leak)")
	leakBytes  = flag.Int("leak-bytes", 16<<10, "bytes kept per leaking request (heap held by a goroutine, heap, or native memory)")
	leakEvery  = flag.Int("leak-every", 1, "one request in this many leaks")
	leakAfter  = flag.Duration("leak-after", 0, "the leak starts this long after start")
	stackDepth = flag.Int("stack-depth", 200, "recursion depth of a leaked goroutine (stack mode)")
	garbage    = flag.Int("garbage-bytes", 32<<10, "short-lived bytes allocated per request")
	latency    = flag.Duration("latency", 50*time.Millisecond, "time each request takes (in-flight goroutines follow traffic)")
	cacheMax   = flag.Int("cache-entries", 0, "a bounded LRU cache filled by requests (0: none)")
	cacheBytes = flag.Int("cache-bytes", 8<<10, "bytes per cache entry")
	cacheFlush = flag.Duration("cache-flush-every", 0, "empty the cache this often, as a TTL sweep does (0: never)")
	batchEvery = flag.Duration("batch-every", 0, "a batch job that holds memory runs this often (0: never)")
	batchBytes = flag.Int("batch-bytes", 32<<20, "bytes a batch holds while it runs")
	batchHold  = flag.Duration("batch-hold", 2*time.Minute, "how long a batch holds its memory")
	listen     = flag.String("listen", "127.0.0.1:8080", "address to serve on")
)

var (
	started  = time.Now()
	requests atomic.Int64
	mu       sync.Mutex
	kept     [][]byte
	cache    = list.New()
	sink     atomic.Int64
)

func main() {
	flag.Parse()
	http.Handle("/metrics", promhttp.Handler())
	http.HandleFunc("/work", work)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	if *batchEvery > 0 {
		go batches()
	}
	if *cacheFlush > 0 {
		go flushes()
	}
	log.Printf("serving on %s", *listen)
	log.Fatal(http.ListenAndServe(*listen, nil))
}

func work(w http.ResponseWriter, _ *http.Request) {
	n := requests.Add(1)
	scratch := make([]byte, *garbage)
	for i := 0; i < len(scratch); i += 4096 {
		scratch[i] = byte(n)
	}
	sink.Add(int64(scratch[0]))
	if *cacheMax > 0 {
		remember(n)
	}
	if *leakMode != "" && time.Since(started) >= *leakAfter && n%int64(*leakEvery) == 0 {
		leak()
	}
	time.Sleep(*latency)
	fmt.Fprintln(w, "done")
}

func leak() {
	switch *leakMode {
	case "goroutine":
		held := make([]byte, *leakBytes)
		for i := 0; i < len(held); i += 4096 {
			held[i] = 1
		}
		go func() {
			block := make(chan []byte)
			block <- held // never received: blocked forever, holding its bytes
		}()
	case "heap":
		b := make([]byte, *leakBytes)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		mu.Lock()
		kept = append(kept, b)
		mu.Unlock()
	case "stack":
		go recurse(*stackDepth)
	case "native":
		// Anonymous memory the Go heap never sees, as cgo or a native library would hold.
		b, err := syscall.Mmap(-1, 0, *leakBytes, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err == nil {
			for i := 0; i < len(b); i += 4096 {
				b[i] = 1
			}
		}
	}
}

func recurse(depth int) byte {
	var frame [256]byte
	frame[depth%256] = byte(depth)
	if depth == 0 {
		select {} // blocked forever, with a deep stack
	}
	return recurse(depth-1) + frame[0]
}

func remember(n int64) {
	mu.Lock()
	defer mu.Unlock()
	cache.PushFront(make([]byte, *cacheBytes))
	if cache.Len() > *cacheMax {
		cache.Remove(cache.Back())
	}
	_ = n
}

// flushes empties the cache every -cache-flush-every: memory climbs as requests fill it, then the GC frees it all.
func flushes() {
	for range time.Tick(*cacheFlush) {
		mu.Lock()
		cache.Init()
		mu.Unlock()
	}
}

func batches() {
	for range time.Tick(*batchEvery) {
		held := make([]byte, *batchBytes)
		for i := 0; i < len(held); i += 4096 {
			held[i] = 1
		}
		time.Sleep(*batchHold)
		sink.Add(int64(held[0]))
	}
}

func init() {
	prometheus.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "service_requests_total_gauge",
		Help: "Requests served."}, func() float64 { return float64(requests.Load()) }))
}
