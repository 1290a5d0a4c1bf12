package pcap

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// corpusFailures lists the corpus files that do not read to a clean end
// with the zero Config, and the error each must stop with: "open: MSG" at
// open, "N: MSG" after N packets.
var corpusFailures = map[string]string{
	"libpcap/pcap-invalid-version-1.pcap":                  "open: archaic pcap savefile format",
	"libpcap/pcap-invalid-version-2.pcap":                  "open: unsupported pcap savefile version 2.5",
	"libpcap/pcapng-invalid-vers-1.pcapng":                 "open: unsupported pcapng savefile version 0.1",
	"libpcap/pcapng-invalid-vers-2.pcapng":                 "open: unsupported pcapng savefile version 1.1",
	"libpcap/shb-option-too-long.pcapng":                   "open: block total length in header and trailer don't match",
	"gopacket/le/test901.pcapng":                           "1: unknown pcapng savefile major version number 2",
	"gopacket/be/test901.pcapng":                           "1: unknown pcapng savefile major version number 2",
	"pcapng-test-generator/output_le/basic/test002.pcapng": "open: the capture file has no Interface Description Blocks",
	"pcapng-test-generator/output_be/basic/test002.pcapng": "open: the capture file has no Interface Description Blocks",
	"pcapng-test-generator/output_le/basic/test017.pcapng": "open: the capture file has no Interface Description Blocks",
	"pcapng-test-generator/output_be/basic/test017.pcapng": "open: the capture file has no Interface Description Blocks",
}

// TestCorpus opens every capture of the shared corpus and reads it to the
// end, or to the error listed in corpusFailures. For the pcapng test
// generator's files it also checks the packet count against the block
// counts of their descriptions.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	for _, f := range corpusFiles(t) {
		name, _ := filepath.Rel(dir, f)
		t.Run(name, func(t *testing.T) {
			got := readFile(t, f)
			want, ok := corpusFailures[name]
			if !ok {
				want = "end"
			}
			if !strings.HasSuffix(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
			if strings.HasPrefix(name, "pcapng-test-generator/") {
				if n, ok := generatorPackets(t, strings.TrimSuffix(f, ".pcapng")+".txt"); ok && want == "end" && got != strconv.Itoa(n)+" packets: end" {
					t.Errorf("got %q, the description has %d packet blocks", got, n)
				}
			}
		})
	}
}

// readFile reads a file and summarises how it ended: "open: MSG",
// "N: MSG", or "N packets: end".
func readFile(t *testing.T, path string) string {
	r, err := Open(path)
	if err != nil {
		return "open: " + msgOf(err)
	}
	defer r.Close()
	for n := 0; ; n++ {
		p, err := r.Next()
		if err != nil {
			if msgOf(err) == "EOF" {
				return strconv.Itoa(n) + " packets: end"
			}
			return strconv.Itoa(n) + ": " + msgOf(err)
		}
		if len(p.Data) > p.Length && p.Length != 0 {
			// Allowed (tcpdump does not check), but not in this corpus.
			t.Logf("packet %d: %d bytes captured of %d", n+1, len(p.Data), p.Length)
		}
	}
}

var blockCount = regexp.MustCompile(`^\s+(EPB|SPB|PB):\s+(\d+)`)

// generatorPackets sums the packet blocks of a pcapng-test-generator
// description.
func generatorPackets(t *testing.T, path string) (int, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := blockCount.FindStringSubmatch(sc.Text()); m != nil {
			k, _ := strconv.Atoi(m[2])
			n += k
		}
	}
	return n, true
}

// TestLibpcapInvalidFiles checks libpcap's list of files it must refuse at
// open (invalid_files.tsv, from libpcap master) with the words of libpcap
// 1.10.3, which differ for some, and which accepts the file with reserved
// link type bits.
func TestLibpcapInvalidFiles(t *testing.T) {
	dir := filepath.Join(corpusDir(t), "libpcap")
	b, err := os.ReadFile(filepath.Join(dir, "invalid_files.tsv"))
	if err != nil {
		t.Skip(err)
	}
	// libpcap 1.10.3's words, where master's differ (see NOTES.txt).
	v1103 := map[string]string{
		"pcap-invalid-version-1.pcap": "archaic pcap savefile format",
		"shb-option-too-long.pcapng":  "block total length in header and trailer don't match",
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n")[2:] {
		fields := strings.Split(line, "\t")
		file, want := fields[1], strings.TrimPrefix(fields[2], "Failed opening: ")
		if w, ok := v1103[file]; ok {
			want = w
		}
		r, err := Open(filepath.Join(dir, file))
		if file == "linktype-reserved-field-not-zero.pcap" {
			// libpcap 1.10.3 opens it; tcpdump then finds the link
			// type unknown.
			if err != nil || r.LinkType() != 3145728 || r.LinkType().Known() {
				t.Errorf("%s: %v", file, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: opened; want %q", file, want)
			continue
		}
		if msgOf(err) != want {
			t.Errorf("%s: %q, want %q", file, msgOf(err), want)
		}
	}
}
