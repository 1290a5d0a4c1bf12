package filter

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/medina-net/medina/pcap"
)

// The conformance test runs every expression tcpdump 4.99.3 accepts for
// Ethernet (accept.tsv) over every capture of the corpus whose link type
// the compiler handles, and compares the packets each filter keeps with
// those tcpdump keeps. What tcpdump keeps is cached in testdata, made by
// running tcpdump with -update: all the captures of a link type are merged
// into one file whose records carry their index as the timestamp, which
// tcpdump -w - writes back for the packets it keeps.

const verdictsFile = "testdata/tcpdump-verdicts.txt"

// group is the captures of one link type (and byte order, which a NULL
// capture's filter depends on), merged in order.
type group struct {
	name     string
	linkType pcap.LinkType
	big      bool
	captures []*capture
	// first[i] is the merged index of captures[i]'s first packet.
	first []int
	total int
}

// supportedLinkTypes are those whose captures the test runs.
var supportedLinkTypes = []pcap.LinkType{
	pcap.LinkTypeEthernet, pcap.LinkTypeRaw, pcap.LinkTypeIPv4, pcap.LinkTypeIPv6,
	pcap.LinkTypeNull, pcap.LinkTypeLoop, pcap.LinkTypeLinuxSLL, pcap.LinkTypeLinuxSLL2,
	pcap.LinkTypePPP, 50, 104, 8, 12,
}

func conformanceGroups(t testing.TB) []*group {
	byKey := map[string]*group{}
	var groups []*group
	for _, c := range corpusCaptures(t) {
		ok := false
		for _, lt := range supportedLinkTypes {
			ok = ok || c.linkType == lt
		}
		if !ok {
			continue
		}
		key := c.linkType.String()
		big := false
		if c.linkType.DLT() == dltNull {
			big = c.big
			if big {
				key += "-BE"
			}
		}
		g := byKey[key]
		if g == nil {
			g = &group{name: key, linkType: c.linkType, big: big}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.first = append(g.first, g.total)
		g.captures = append(g.captures, c)
		g.total += len(c.packets)
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].name < groups[j].name })
	return groups
}

// packetAt returns the capture and the 1-based packet number of a merged
// index.
func (g *group) packetAt(i int) (*capture, int) {
	k := sort.Search(len(g.first), func(k int) bool { return g.first[k] > i }) - 1
	return g.captures[k], i - g.first[k] + 1
}

// signature identifies the packets of a group, so that a cache made from
// other captures is detected.
func (g *group) signature() string {
	h := sha256.New()
	for _, c := range g.captures {
		fmt.Fprintf(h, "%s %d\n", c.name, len(c.packets))
		for _, p := range c.packets {
			binary.Write(h, binary.BigEndian, uint32(p.wirelen))
			h.Write(p.data)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// writeMerged writes the group's packets as one classic pcap file, each
// record's timestamp its merged index.
func (g *group) writeMerged(path string) error {
	var b bytes.Buffer
	var order binary.ByteOrder = binary.LittleEndian
	if g.big {
		order = binary.BigEndian
	}
	hdr := make([]byte, 24)
	order.PutUint32(hdr[0:], 0xa1b2c3d4)
	order.PutUint16(hdr[4:], 2)
	order.PutUint16(hdr[6:], 4)
	order.PutUint32(hdr[16:], MaxSnaplenForTest)
	order.PutUint32(hdr[20:], uint32(g.linkType))
	b.Write(hdr)
	i := 0
	for _, c := range g.captures {
		for _, p := range c.packets {
			rec := make([]byte, 16)
			order.PutUint32(rec[0:], uint32(i))
			order.PutUint32(rec[8:], uint32(len(p.data)))
			order.PutUint32(rec[12:], uint32(p.wirelen))
			b.Write(rec)
			b.Write(p.data)
			i++
		}
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// MaxSnaplenForTest is the merged files' snapshot length.
const MaxSnaplenForTest = 262144

// tcpdumpKeeps runs tcpdump over a merged file and returns the indexes of
// the packets it keeps, or its error message.
func tcpdumpKeeps(tcpdump, merged, expr string) ([]int, string, error) {
	cmd := exec.Command(tcpdump, "-r", merged, "-w", "-", "--", expr)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); ok {
			return nil, tcpdumpError(stderr.String()), nil
		}
		return nil, "", err
	}
	out := stdout.Bytes()
	if len(out) < 24 {
		return nil, "", fmt.Errorf("tcpdump -w - wrote %d bytes", len(out))
	}
	order := binary.ByteOrder(binary.LittleEndian)
	if binary.BigEndian.Uint32(out) == 0xa1b2c3d4 {
		order = binary.BigEndian
	}
	var kept []int
	for p := 24; p+16 <= len(out); {
		kept = append(kept, int(order.Uint32(out[p:])))
		p += 16 + int(order.Uint32(out[p+8:]))
	}
	return kept, "", nil
}

// verdict is tcpdump's result for an expression over a group: the packets
// it keeps, or its error.
type verdict struct {
	err  string
	kept []int
}

func (v verdict) String() string {
	if v.err != "" {
		return "error " + strconv.Quote(v.err)
	}
	return "keeps " + formatRanges(v.kept)
}

func formatRanges(xs []int) string {
	if len(xs) == 0 {
		return "-"
	}
	var b strings.Builder
	for i := 0; i < len(xs); {
		j := i
		for j+1 < len(xs) && xs[j+1] == xs[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		if j == i {
			fmt.Fprint(&b, xs[i])
		} else {
			fmt.Fprintf(&b, "%d-%d", xs[i], xs[j])
		}
		i = j + 1
	}
	return b.String()
}

func parseRanges(s string) ([]int, error) {
	if s == "-" {
		return nil, nil
	}
	var xs []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, err
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil {
				return nil, err
			}
		}
		for x := a; x <= b; x++ {
			xs = append(xs, x)
		}
	}
	return xs, nil
}

// verdictCache is the content of verdictsFile: per group its signature,
// and per group and expression tcpdump's verdict.
type verdictCache struct {
	signatures map[string]string
	verdicts   map[string]map[string]verdict // group, expression
}

func readVerdicts(path string) (*verdictCache, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	vc := &verdictCache{signatures: map[string]string{}, verdicts: map[string]map[string]verdict{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		fs := strings.SplitN(line, "\t", 4)
		switch {
		case fs[0] == "group" && len(fs) == 3:
			vc.signatures[fs[1]] = fs[2]
		case fs[0] == "expr" && len(fs) == 4:
			expr, err := strconv.Unquote(fs[2])
			if err != nil {
				return nil, fmt.Errorf("%s: %v", line, err)
			}
			var v verdict
			kind, rest, _ := strings.Cut(fs[3], " ")
			if kind == "error" {
				if v.err, err = strconv.Unquote(rest); err != nil {
					return nil, fmt.Errorf("%s: %v", line, err)
				}
			} else if v.kept, err = parseRanges(rest); err != nil {
				return nil, fmt.Errorf("%s: %v", line, err)
			}
			if vc.verdicts[fs[1]] == nil {
				vc.verdicts[fs[1]] = map[string]verdict{}
			}
			vc.verdicts[fs[1]][expr] = v
		default:
			return nil, fmt.Errorf("bad line %q", line)
		}
	}
	return vc, sc.Err()
}

// conformanceExprs are the expressions of the test: every EN10MB
// expression tcpdump accepts, and those of apply.tsv.
func conformanceExprs(t testing.TB) []string {
	exprs := acceptedEN10MB(t)
	seen := map[string]bool{}
	for _, e := range exprs {
		seen[e] = true
	}
	for _, a := range readApplyRows(t) {
		if !seen[a.expr] {
			seen[a.expr] = true
			exprs = append(exprs, a.expr)
		}
	}
	return exprs
}

// updateVerdicts runs tcpdump for every group and expression.
func updateVerdicts(t *testing.T, groups []*group, exprs []string) {
	tcpdump := tcpdumpPath(t)
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("# What tcpdump 4.99.3 keeps of the corpus's captures, merged by link type,\n")
	b.WriteString("# for each expression; made by go test ./filter -run TestTcpdumpConformance -update.\n")
	for _, g := range groups {
		fmt.Fprintf(&b, "group\t%s\t%s\n", g.name, g.signature())
	}
	for _, g := range groups {
		merged := filepath.Join(dir, g.name+".pcap")
		if err := g.writeMerged(merged); err != nil {
			t.Fatal(err)
		}
		for _, e := range exprs {
			kept, msg, err := tcpdumpKeeps(tcpdump, merged, e)
			if err != nil {
				t.Fatalf("%s %q: %v", g.name, e, err)
			}
			fmt.Fprintf(&b, "expr\t%s\t%s\t%s\n", g.name, strconv.Quote(e), verdict{msg, kept})
		}
	}
	if err := os.WriteFile(verdictsFile, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTcpdumpConformance compares what each filter keeps of every capture
// with what tcpdump keeps, and its errors with tcpdump's.
func TestTcpdumpConformance(t *testing.T) {
	groups := conformanceGroups(t)
	exprs := conformanceExprs(t)
	if *update {
		updateVerdicts(t, groups, exprs)
	}
	vc, err := readVerdicts(verdictsFile)
	if err != nil {
		t.Fatalf("%v (make it with -update where tcpdump is installed)", err)
	}
	accepted := map[string]bool{}
	for _, e := range acceptedEN10MB(t) {
		accepted[e] = true
	}
	for _, g := range groups {
		sig, ok := vc.signatures[g.name]
		if !ok {
			t.Errorf("%s: not in %s; run with -update", g.name, verdictsFile)
			continue
		}
		if sig != g.signature() {
			t.Errorf("%s: the captures changed since %s was made; run with -update", g.name, verdictsFile)
			continue
		}
		pairs, pass, exprsOK, refused := 0, 0, 0, 0
		for _, e := range exprs {
			want, ok := vc.verdicts[g.name][e]
			if !ok {
				t.Errorf("%s %q: not in %s; run with -update", g.name, e, verdictsFile)
				continue
			}
			f, err := CompileOptions(e, Options{LinkType: g.linkType, NullBigEndian: g.big})
			if want.err != "" {
				refused++
				switch {
				case err == nil:
					t.Errorf("%s %q: compiles; tcpdump: %s", g.name, e, want.err)
				case strings.TrimSuffix(err.(*Error).Msg, "\n") != want.err:
					t.Errorf("%s %q: error %q; tcpdump: %q", g.name, e, err.(*Error).Msg, want.err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s %q: %v; tcpdump accepts it", g.name, e, err)
				continue
			}
			got := keptBy(f, g)
			bad := diffKept(got, want.kept)
			// Count per capture.
			badCap := map[*capture]bool{}
			for _, i := range bad {
				c, _ := g.packetAt(i)
				badCap[c] = true
			}
			if g.linkType == pcap.LinkTypeEthernet && accepted[e] {
				pairs += len(g.captures)
				pass += len(g.captures) - len(badCap)
			}
			if len(bad) == 0 {
				exprsOK++
				continue
			}
			var where []string
			for _, i := range bad[:min(len(bad), 5)] {
				c, n := g.packetAt(i)
				where = append(where, fmt.Sprintf("%s #%d", c.name, n))
			}
			t.Errorf("%s %q: %d packets kept differently from tcpdump: %s", g.name, e, len(bad), strings.Join(where, ", "))
		}
		t.Logf("%s: %d captures, %d packets: %d of %d expressions keep what tcpdump keeps (%d refused as tcpdump refuses them)",
			g.name, len(g.captures), g.total, exprsOK, len(exprs)-refused, refused)
		if pairs > 0 {
			t.Logf("%s: accepted EN10MB expressions x captures: %d of %d pairs agree", g.name, pass, pairs)
		}
	}
}

// keptBy returns the merged indexes of the packets f keeps.
func keptBy(f *Filter, g *group) []int {
	var kept []int
	i := 0
	for _, c := range g.captures {
		for _, p := range c.packets {
			if f.Match(p.data, p.wirelen) {
				kept = append(kept, i)
			}
			i++
		}
	}
	return kept
}

// diffKept returns the indexes in one list and not the other.
func diffKept(a, b []int) []int {
	in := map[int]int{}
	for _, x := range a {
		in[x]++
	}
	for _, x := range b {
		in[x]--
	}
	var out []int
	for x, n := range in {
		if n != 0 {
			out = append(out, x)
		}
	}
	sort.Ints(out)
	return out
}
