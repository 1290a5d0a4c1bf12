package filter

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// applyRow is a line of apply.tsv: what libpcap master's filter returns for
// each packet of a capture.
type applyRow struct {
	capture, expr string
	results       []uint32
}

func readApplyRows(t testing.TB) []applyRow {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir(t), "filters", "apply.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []applyRow
	sc := bufio.NewScanner(f)
	sc.Scan()
	for sc.Scan() {
		fs := strings.Split(sc.Text(), "\t")
		if len(fs) != 3 {
			continue
		}
		r := applyRow{capture: fs[0], expr: fs[1]}
		for _, v := range strings.Split(fs[2], ",") {
			if v == "" {
				continue
			}
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				t.Fatalf("apply.tsv %q: %v", sc.Text(), err)
			}
			r.results = append(r.results, uint32(n))
		}
		rows = append(rows, r)
	}
	return rows
}

// TestApply checks apply.tsv's per-packet results on the captures of link
// types the compiler handles. apply.tsv comes from libpcap master; where
// libpcap 1.10.3 (tcpdump 4.99.3) gives something else, as the cached
// tcpdump verdicts say, 1.10.3 is the reference and the row is logged.
func TestApply(t *testing.T) {
	rows := readApplyRows(t)
	vc, err := readVerdicts(verdictsFile)
	if err != nil {
		t.Fatalf("%v (make it with -update where tcpdump is installed)", err)
	}
	groups := conformanceGroups(t)
	where := map[string]*group{}
	var groupOf = map[*capture]*group{}
	for _, g := range groups {
		for _, c := range g.captures {
			where[c.name] = g
			groupOf[c] = g
		}
	}
	agree, differ, refused, skipped := 0, 0, 0, 0
	for _, r := range rows {
		g := where["filters/captures/"+r.capture]
		if g == nil {
			skipped++ // a link type the compiler does not handle
			continue
		}
		var c *capture
		var ci int
		for i, gc := range g.captures {
			if gc.name == "filters/captures/"+r.capture {
				c, ci = gc, i
			}
		}
		v, ok := vc.verdicts[g.name][r.expr]
		if !ok {
			t.Errorf("%s %q: no tcpdump verdict cached; run TestTcpdumpConformance with -update", r.capture, r.expr)
			continue
		}
		f, err := CompileOptions(r.expr, Options{LinkType: c.linkType, Snaplen: int(c.snaplen), NullBigEndian: c.big})
		if v.err != "" {
			if err == nil {
				t.Errorf("%s %q: compiles, tcpdump 4.99.3 refuses it: %s", r.capture, r.expr, v.err)
			} else {
				refused++
				t.Logf("%s %q: refused as libpcap 1.10.3 refuses it (%s); master accepts it", r.capture, r.expr, v.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %q: %v", r.capture, r.expr, err)
			continue
		}
		kept := map[int]bool{}
		for _, i := range v.kept {
			if i >= g.first[ci] && i < g.first[ci]+len(c.packets) {
				kept[i-g.first[ci]] = true
			}
		}
		masterDiffers := false
		for i, p := range c.packets {
			got := f.Run(p.data, p.wirelen)
			if got != 0 != kept[i] {
				t.Errorf("%s %q packet %d: ours %d, tcpdump 4.99.3 keeps it: %v", r.capture, r.expr, i+1, got, kept[i])
			}
			if i < len(r.results) && got != r.results[i] {
				masterDiffers = true
			}
		}
		if len(r.results) != len(c.packets) {
			t.Logf("%s %q: apply.tsv has %d results for %d packets", r.capture, r.expr, len(r.results), len(c.packets))
		}
		if masterDiffers {
			differ++
			t.Logf("%s %q: libpcap master gives %v; 1.10.3 and we agree otherwise", r.capture, r.expr, r.results)
		} else {
			agree++
		}
	}
	t.Logf("apply.tsv: %d rows agree, %d differ where 1.10.3 differs from master, %d refused as 1.10.3 refuses them, %d on link types not handled",
		agree, differ, refused, skipped)
}
