// Command pyroscope-receiver stands in for a Pyroscope server in LeakGuard's tests: it accepts the
// /ingest API as Pyroscope does (the name, from, until and format parameters; the profile and its
// sample_type_config as a multipart form, or the profile as the raw body), parses each profile with
// github.com/google/pprof/profile, and answers 400 with the parser's error when one does not parse.
// GET /received lists what it accepted, as JSON.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/google/pprof/profile"
)

// Received is one accepted profile.
type Received struct {
	Name             string   `json:"name"`
	Format           string   `json:"format"`
	From             string   `json:"from"`
	Until            string   `json:"until"`
	SampleTypes      []string `json:"sampleTypes"`
	Samples          int      `json:"samples"`
	Total            int64    `json:"total"`
	Functions        []string `json:"functions"`
	SampleTypeConfig string   `json:"sampleTypeConfig"`
}

var (
	mu       sync.Mutex
	received []Received
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	// The test reads the chosen address from the first line.
	fmt.Fprintf(os.Stdout, "listening on %s\n", l.Addr())
	http.HandleFunc("/ingest", ingest)
	http.HandleFunc("/received", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(received)
	})
	log.Fatal(http.Serve(l, nil))
}

func ingest(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	if q.Get("name") == "" || q.Get("from") == "" || q.Get("until") == "" {
		http.Error(w, "name, from and until are required", http.StatusBadRequest)
		return
	}
	if q.Get("format") != "pprof" {
		http.Error(w, "this receiver takes format=pprof only", http.StatusBadRequest)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	data, config := body, ""
	if mediaType, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mediaType == "multipart/form-data" {
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			http.Error(w, "multipart form: "+err.Error(), http.StatusBadRequest)
			return
		}
		_ = params
		data = field(r, "profile")
		config = string(field(r, "sample_type_config"))
		if data == nil {
			http.Error(w, "the form has no profile field", http.StatusBadRequest)
			return
		}
	}
	p, err := profile.Parse(bytes.NewReader(data))
	if err != nil {
		http.Error(w, "profile does not parse: "+err.Error(), http.StatusBadRequest)
		return
	}
	got := Received{Name: q.Get("name"), Format: q.Get("format"), From: q.Get("from"), Until: q.Get("until"),
		Samples: len(p.Sample), SampleTypeConfig: config}
	for _, st := range p.SampleType {
		got.SampleTypes = append(got.SampleTypes, st.Type+"/"+st.Unit)
	}
	seen := map[string]bool{}
	for _, s := range p.Sample {
		if len(s.Value) > 0 {
			got.Total += s.Value[0]
		}
		for _, loc := range s.Location {
			for _, line := range loc.Line {
				if line.Function != nil && !seen[line.Function.Name] && strings.HasPrefix(line.Function.Name, "main.") {
					seen[line.Function.Name] = true
					got.Functions = append(got.Functions, line.Function.Name)
				}
			}
		}
	}
	mu.Lock()
	received = append(received, got)
	mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func field(r *http.Request, name string) []byte {
	files := r.MultipartForm.File[name]
	if len(files) > 0 {
		f, err := files[0].Open()
		if err != nil {
			return nil
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		return b
	}
	if values := r.MultipartForm.Value[name]; len(values) > 0 {
		return []byte(values[0])
	}
	return nil
}
