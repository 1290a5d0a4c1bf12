// Package sysmem tells how much memory the program may count on, for the
// defaults of memory budgets: the machine's physical memory, or less where
// the Go runtime's memory limit (GOMEMLIMIT, debug.SetMemoryLimit) or the
// process's cgroup says so. A budget sized from it scales with the machine
// the program runs on, as Linux sizes tcp_mem from the memory it finds at
// boot.
package sysmem

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
)

// Fallback is what Limit reports when nothing tells the memory: on a
// system without /proc/meminfo and without a Go memory limit.
const Fallback = 4 << 30

var (
	once     sync.Once
	physical int64 // bytes of memory the machine or the cgroup allows, 0 if unknown
)

// Limit returns the bytes of memory the program may use: the smallest of
// the machine's physical memory, the memory limit of its cgroup (v2) and
// the Go runtime's soft memory limit, or Fallback when none is known. The
// machine's and the cgroup's are read once; the runtime's is read at each
// call, since a program may set it after starting.
func Limit() int64 {
	once.Do(func() { physical = readPhysical() })
	limit := physical
	if rt := debug.SetMemoryLimit(-1); rt > 0 && rt < math.MaxInt64 && (limit == 0 || rt < limit) {
		limit = rt
	}
	if limit <= 0 {
		return Fallback
	}
	return limit
}

// readPhysical returns the smaller of MemTotal and the cgroup's limit, or
// 0 when neither can be read.
func readPhysical() int64 {
	total := memTotal("/proc/meminfo")
	if cg := cgroupLimit("/sys/fs/cgroup/memory.max"); cg > 0 && (total == 0 || cg < total) {
		total = cg
	}
	return total
}

// memTotal parses the MemTotal line of a /proc/meminfo, which counts
// kibibytes.
func memTotal(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("MemTotal:"))
		if !ok {
			continue
		}
		fields := bytes.Fields(rest)
		if len(fields) == 0 {
			return 0
		}
		kb, err := strconv.ParseInt(string(fields[0]), 10, 64)
		if err != nil || kb <= 0 {
			return 0
		}
		return kb << 10
	}
	return 0
}

// cgroupLimit parses a cgroup v2 memory.max: a byte count, or "max" for
// none.
func cgroupLimit(path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	v, err := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64)
	if err != nil || v <= 0 {
		return 0
	}
	return v
}
