// leaky is a small HTTP service that leaks goroutines (and the heap they hold) at a set rate.
// It serves Prometheus metrics at /metrics and the Go profiler at /debug/pprof/, like a real
// service instrumented with client_golang. LeakGuard's tests run it as a pod's process.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

var leaked [][]byte

func main() {
	addr := flag.String("listen", "127.0.0.1:9090", "address to serve /metrics and /debug/pprof on")
	perSecond := flag.Int("leak-goroutines-per-second", 0, "goroutines leaked each second, each blocked forever on a channel send")
	bytesEach := flag.Int("leak-bytes-per-goroutine", 0, "heap bytes each leaked goroutine keeps alive")
	churn := flag.Int("garbage-kib-per-second", 0, "short-lived heap allocated each second: a healthy GC sawtooth")
	flag.Parse()

	if *perSecond > 0 {
		go leak(*perSecond, *bytesEach)
	}
	if *churn > 0 {
		go makeGarbage(*churn)
	}
	server := &http.Server{Addr: *addr}
	http.Handle("/metrics", promhttp.HandlerFor(prometheus.DefaultGatherer, promhttp.HandlerOpts{EnableOpenMetrics: true}))
	http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		log.Printf("SIGTERM received: shutting down gracefully")
		server.Close()
	}()
	log.Printf("listening on %s", *addr)
	if err := server.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
	log.Printf("stopped")
}

func leak(perSecond, bytesEach int) {
	ticker := time.NewTicker(time.Second)
	for range ticker.C {
		for i := 0; i < perSecond; i++ {
			blocked := make(chan []byte)
			go worker(blocked, bytesEach)
		}
	}
}

// worker holds its buffer and blocks forever sending on a channel nobody reads: the leak.
func worker(out chan []byte, size int) {
	buf := make([]byte, size)
	for i := range buf {
		buf[i] = byte(i)
	}
	out <- buf
}

var sink []byte

// makeGarbage allocates and drops memory steadily, so the heap rises and falls with each GC cycle
// while its trough stays flat: what a healthy service looks like.
func makeGarbage(kibPerSecond int) {
	ticker := time.NewTicker(100 * time.Millisecond)
	for range ticker.C {
		for i := 0; i < kibPerSecond/10; i++ {
			sink = make([]byte, 1024)
			sink[0] = byte(i)
		}
	}
}
