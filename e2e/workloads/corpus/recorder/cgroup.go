package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// cgroup is a memory cgroup with a limit: v1 (memory.limit_in_bytes) where the v1 memory controller
// is mounted, else v2 (memory.max) under the unified hierarchy.
type cgroup struct {
	dir   string
	v2    bool
	procs string
}

func newCgroup(name string, limit int64) (*cgroup, error) {
	if st, err := os.Stat("/sys/fs/cgroup/memory"); err == nil && st.IsDir() {
		dir := filepath.Join("/sys/fs/cgroup/memory", name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("cannot create a memory cgroup (run as root): %w", err)
		}
		if err := os.WriteFile(filepath.Join(dir, "memory.limit_in_bytes"), []byte(strconv.FormatInt(limit, 10)), 0o644); err != nil {
			return nil, err
		}
		return &cgroup{dir: dir, procs: filepath.Join(dir, "cgroup.procs")}, nil
	}
	dir := filepath.Join("/sys/fs/cgroup", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create a cgroup v2 group (run as root, or in a delegated subtree): %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "memory.max"), []byte(strconv.FormatInt(limit, 10)), 0o644); err != nil {
		return nil, err
	}
	return &cgroup{dir: dir, v2: true, procs: filepath.Join(dir, "cgroup.procs")}, nil
}

// oomKills is the kernel's count of OOM kills in the group.
func (c *cgroup) oomKills() int64 {
	file, key := "memory.oom_control", "oom_kill "
	if c.v2 {
		file, key = "memory.events", "oom_kill "
	}
	raw, err := os.ReadFile(filepath.Join(c.dir, file))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, key) {
			n, _ := strconv.ParseInt(strings.TrimSpace(line[len(key):]), 10, 64)
			return n
		}
	}
	return 0
}

// workingSet is what cAdvisor reports as container_memory_working_set_bytes: usage less inactive file pages.
func (c *cgroup) workingSet() (float64, bool) {
	usageFile, inactiveKey := "memory.usage_in_bytes", "total_inactive_file "
	if c.v2 {
		usageFile, inactiveKey = "memory.current", "inactive_file "
	}
	raw, err := os.ReadFile(filepath.Join(c.dir, usageFile))
	if err != nil {
		return 0, false
	}
	usage, err := strconv.ParseFloat(strings.TrimSpace(string(raw)), 64)
	if err != nil {
		return 0, false
	}
	stat, _ := os.ReadFile(filepath.Join(c.dir, "memory.stat"))
	for _, line := range strings.Split(string(stat), "\n") {
		if strings.HasPrefix(line, inactiveKey) {
			inactive, _ := strconv.ParseFloat(strings.TrimSpace(line[len(inactiveKey):]), 64)
			if inactive < usage {
				usage -= inactive
			}
		}
	}
	return usage, true
}

func (c *cgroup) remove() {
	_ = os.Remove(c.dir)
}
