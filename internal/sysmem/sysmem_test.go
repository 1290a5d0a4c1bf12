package sysmem

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

func TestMemTotal(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "meminfo")
	os.WriteFile(p, []byte("MemFree:  100 kB\nMemTotal:       24576000 kB\nBuffers: 1 kB\n"), 0o644)
	if got, want := memTotal(p), int64(24576000)<<10; got != want {
		t.Errorf("memTotal = %d, want %d", got, want)
	}
	os.WriteFile(p, []byte("MemTotal: lots\n"), 0o644)
	if got := memTotal(p); got != 0 {
		t.Errorf("memTotal of a garbled line = %d, want 0", got)
	}
	if got := memTotal(filepath.Join(dir, "absent")); got != 0 {
		t.Errorf("memTotal of a missing file = %d, want 0", got)
	}
}

func TestCgroupLimit(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "memory.max")
	os.WriteFile(p, []byte("max\n"), 0o644)
	if got := cgroupLimit(p); got != 0 {
		t.Errorf("cgroupLimit(max) = %d, want 0 (no limit)", got)
	}
	os.WriteFile(p, []byte("536870912\n"), 0o644)
	if got := cgroupLimit(p); got != 512<<20 {
		t.Errorf("cgroupLimit = %d, want %d", got, 512<<20)
	}
}

// TestLimitFollowsGoMemoryLimit: a Go memory limit below the machine's
// memory is the one that counts.
func TestLimitFollowsGoMemoryLimit(t *testing.T) {
	machine := Limit()
	if machine <= 0 {
		t.Fatalf("Limit() = %d", machine)
	}
	old := debug.SetMemoryLimit(machine / 4)
	defer debug.SetMemoryLimit(old)
	if got := Limit(); got != machine/4 {
		t.Errorf("with GOMEMLIMIT at a quarter of %d, Limit() = %d", machine, got)
	}
}
