package tls

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/medina-net/medina/internal/corpus"
)

// zeekLog is one section of a Zeek log: its field names and rows.
type zeekLog struct {
	name   string
	fields []string
	rows   []map[string]string
}

// readZeekLogs reads a Zeek ASCII log; a "#file" line or a new #fields
// starts a new section.
func readZeekLogs(t *testing.T, path string) []*zeekLog {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var logs []*zeekLog
	var cur *zeekLog
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "#fields\t"):
			cur = &zeekLog{name: filepath.Base(path), fields: strings.Split(line, "\t")[1:]}
			logs = append(logs, cur)
		case strings.HasPrefix(line, "#"):
		case cur != nil && line != "":
			vals := strings.Split(line, "\t")
			row := map[string]string{}
			for i, v := range vals {
				if i < len(cur.fields) {
					row[cur.fields[i]] = v
				}
			}
			cur.rows = append(cur.rows, row)
		}
	}
	return logs
}

// zeekVersion is Zeek's name for a version.
func zeekVersion(v Version) string {
	switch v {
	case 0x0002:
		return "SSLv2"
	case VersionSSL30:
		return "SSLv3"
	case VersionTLS10:
		return "TLSv10"
	case VersionTLS11:
		return "TLSv11"
	case VersionTLS12:
		return "TLSv12"
	case VersionTLS13:
		return "TLSv13"
	case 0xfeff:
		return "DTLSv10"
	case 0xfefd:
		return "DTLSv12"
	case 0xfefc:
		return "DTLSv13"
	}
	if v>>8 == 0x7f {
		return "TLSv13-draft" + strconv.Itoa(int(v&0xff))
	}
	return "unknown-" + strconv.Itoa(int(v))
}

// zeekList formats a list as Zeek logs a vector.
func zeekList[T any](v []T) string {
	if v == nil {
		return "-"
	}
	if len(v) == 0 {
		return "(empty)"
	}
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ",")
}

func zeekStr(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// TestZeekCorpus checks the fields of Zeek's ssl.log (version, cipher,
// curve, server_name, ALPN, certificate chain fingerprints, and in the
// ssl-log-ext test's ssl-all.log the hellos' lists) and x509.log (every
// certificate field) against Zeek's baselines.
func TestZeekCorpus(t *testing.T) {
	root := filepath.Join(corpus.Need(t), "tls", "zeek")
	ssl := newTally(t, "zeek ssl.log", 60, 60)   // 67 of 67 today
	x509 := newTally(t, "zeek x509.log", 40, 40) // 47 of 47 today
	defer ssl.report()
	defer x509.report()
	b, err := os.ReadFile(filepath.Join(root, "MAP.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n")[1:] {
		cols := strings.Split(line, "\t")
		if len(cols) < 3 {
			continue
		}
		test, traces := cols[0], strings.Fields(cols[1])
		var flows []*tlsFlow
		for _, tr := range traces {
			flows = append(flows, flowsOf(t, filepath.Join(root, "traces", tr))...)
		}
		logs, _ := filepath.Glob(filepath.Join(root, "baselines", test, "*.log"))
		for _, lp := range logs {
			base := filepath.Base(lp)
			switch {
			case strings.HasPrefix(base, "ssl"):
				for _, l := range readZeekLogs(t, lp) {
					for _, row := range l.rows {
						checkZeekSSL(t, ssl, test+"/"+base, row, flows)
					}
				}
			case strings.HasPrefix(base, "x509"):
				for _, l := range readZeekLogs(t, lp) {
					for _, row := range l.rows {
						checkZeekX509(x509, test+"/"+base, row, flows)
					}
				}
			}
		}
	}
}

func checkZeekSSL(t *testing.T, ta *tally, log string, row map[string]string, flows []*tlsFlow) {
	orig, ok1 := parseEndpoint(row["id.orig_h"], row["id.orig_p"])
	resp, ok2 := parseEndpoint(row["id.resp_h"], row["id.resp_p"])
	if !ok1 || !ok2 {
		t.Errorf("%s: bad endpoints %v", log, row)
		return
	}
	key := log + " " + orig.String()
	if strings.HasPrefix(row["version"], "DTLS") {
		ta.skip(key + ": DTLS (UDP)")
		return
	}
	fl := findFlow(flows, orig, resp)
	if fl == nil {
		if row["version"] == "-" && row["cipher"] == "-" && row["server_name"] == "-" {
			ta.skip(key + ": no hello either way (Zeek logs the connection only)")
			return
		}
	}
	ta.session()
	defer ta.done()
	if !ta.check(key, "flow", fl != nil, true) {
		return
	}
	var ch *ClientHello
	if len(fl.ClientHellos) > 0 {
		ch = fl.ClientHellos[len(fl.ClientHellos)-1]
	}
	var sh *ServerHello
	if len(fl.ServerHellos) > 0 {
		sh = fl.ServerHellos[len(fl.ServerHellos)-1]
	}
	version, cipher, curve, alpn := "-", "-", "-", "-"
	if sh != nil {
		version = zeekVersion(sh.NegotiatedVersion())
		cipher = CipherSuiteName(sh.CipherSuite)
		if sh.KeyShareGroup != 0 {
			curve = GroupName(sh.KeyShareGroup)
		}
		alpn = zeekStr(sh.ALPN)
	}
	if fl.HasCurve {
		curve = GroupName(fl.Curve)
	}
	sni := "-"
	if ch != nil {
		sni = zeekStr(ch.ServerName)
	}
	ta.check(key, "version", version, row["version"])
	ta.check(key, "cipher", cipher, row["cipher"])
	ta.check(key, "curve", curve, row["curve"])
	ta.check(key, "server_name", sni, row["server_name"])
	ta.check(key, "next_protocol", alpn, row["next_protocol"])
	// Zeek leaves both chains unset when no Certificate message was
	// seen, and logs an empty one for a side that sent none.
	if want, ok := row["cert_chain_fps"]; ok {
		ta.check(key, "cert_chain_fps", zeekFingerprints(fl.Certs, fl.HasCerts), want)
	}
	if want, ok := row["client_cert_chain_fps"]; ok {
		ta.check(key, "client_cert_chain_fps", zeekFingerprints(fl.ClientCerts, fl.HasCerts), want)
	}
	if _, ok := row["client_ciphers"]; !ok || ch == nil || sh == nil {
		return
	}
	// ssl-log-ext's fields: the hellos' lists, GREASE included.
	ta.check(key, "server_version", int(sh.Version), row["server_version"])
	ta.check(key, "client_version", int(ch.Version), row["client_version"])
	ta.check(key, "client_ciphers", zeekList(ch.CipherSuites), row["client_ciphers"])
	var cexts, sexts []uint16
	for _, e := range ch.Extensions {
		cexts = append(cexts, e.Type)
	}
	for _, e := range sh.Extensions {
		sexts = append(sexts, e.Type)
	}
	ta.check(key, "ssl_client_exts", zeekList(cexts), row["ssl_client_exts"])
	ta.check(key, "ssl_server_exts", zeekList(sexts), row["ssl_server_exts"])
	ta.check(key, "point_formats", zeekList(ch.ECPointFormats), row["point_formats"])
	ta.check(key, "client_curves", zeekList(ch.SupportedGroups), row["client_curves"])
	ta.check(key, "orig_alpn", zeekList(ch.ALPN), row["orig_alpn"])
	var sv []uint16
	for _, v := range ch.SupportedVersions {
		sv = append(sv, uint16(v))
	}
	ta.check(key, "client_supported_versions", zeekList(sv), row["client_supported_versions"])
	ssv := "-"
	if sh.SelectedVersion != 0 {
		ssv = strconv.Itoa(int(sh.SelectedVersion))
	}
	ta.check(key, "server_supported_version", ssv, row["server_supported_version"])
	ta.check(key, "psk_key_exchange_modes", zeekList(ch.PSKModes), row["psk_key_exchange_modes"])
	ta.check(key, "client_key_share_groups", zeekList(ch.KeyShareGroups), row["client_key_share_groups"])
	ksg := "-"
	if sh.KeyShareGroup != 0 {
		ksg = strconv.Itoa(int(sh.KeyShareGroup))
	}
	ta.check(key, "server_key_share_group", ksg, row["server_key_share_group"])
	ta.check(key, "client_comp_methods", zeekList(ch.CompressionMethods), row["client_comp_methods"])
	var sigs, hashes []uint8
	if ch.SignatureAlgorithms != nil {
		sigs, hashes = []uint8{}, []uint8{}
		for _, s := range ch.SignatureAlgorithms {
			hashes = append(hashes, uint8(s>>8))
			sigs = append(sigs, uint8(s))
		}
	}
	ta.check(key, "sigalgs", zeekList(sigs), row["sigalgs"])
	ta.check(key, "hashalgs", zeekList(hashes), row["hashalgs"])
}

func zeekFingerprints(certs [][]byte, seen bool) string {
	if !seen {
		return "-"
	}
	if len(certs) == 0 {
		return "(empty)"
	}
	var fps []string
	for _, c := range certs {
		fps = append(fps, SummarizeCert(c).SHA256)
	}
	return strings.Join(fps, ",")
}

func checkZeekX509(ta *tally, log string, row map[string]string, flows []*tlsFlow) {
	fp := row["fingerprint"]
	key := log + " " + fp[:min(len(fp), 12)]
	var c *CertSummary
	for _, fl := range flows {
		for _, der := range append(append([][]byte{}, fl.Certs...), fl.ClientCerts...) {
			if s := SummarizeCert(der); s.SHA256 == fp {
				c = s
			}
		}
	}
	if c == nil && strings.Contains(log, "dtls") {
		ta.skip(key + ": certificate sent over DTLS (UDP)")
		return
	}
	ta.session()
	defer ta.done()
	if !ta.check(key, "certificate", c != nil, true) {
		return
	}
	ta.check(key, "version", c.Version, row["certificate.version"])
	ta.check(key, "serial", strings.ToUpper(c.Serial), row["certificate.serial"])
	ta.check(key, "subject", c.Subject, row["certificate.subject"])
	ta.check(key, "issuer", c.Issuer, row["certificate.issuer"])
	ta.check(key, "not_valid_before", fmt.Sprintf("%d.000000", c.NotBefore.Unix()), row["certificate.not_valid_before"])
	ta.check(key, "not_valid_after", fmt.Sprintf("%d.000000", c.NotAfter.Unix()), row["certificate.not_valid_after"])
	ta.check(key, "key_alg", c.KeyAlgorithm, row["certificate.key_alg"])
	ta.check(key, "sig_alg", c.SignatureAlgorithm, row["certificate.sig_alg"])
	ta.check(key, "key_type", c.KeyType, row["certificate.key_type"])
	ta.check(key, "key_length", c.KeyBits, row["certificate.key_length"])
	exp := "-"
	if c.RSAExponent != 0 {
		exp = strconv.Itoa(c.RSAExponent)
	}
	ta.check(key, "exponent", exp, row["certificate.exponent"])
	ta.check(key, "curve", zeekStr(c.Curve), row["certificate.curve"])
	ta.check(key, "san.dns", zeekList(c.DNSNames), row["san.dns"])
	ta.check(key, "san.uri", zeekList(c.URIs), row["san.uri"])
	ta.check(key, "san.email", zeekList(c.EmailAddresses), row["san.email"])
	ta.check(key, "san.ip", zeekList(c.IPAddresses), row["san.ip"])
	ca, pl := "-", "-"
	if c.HasBasicConstraints {
		ca = "F"
		if c.IsCA {
			ca = "T"
		}
		if c.MaxPathLen >= 0 {
			pl = strconv.Itoa(c.MaxPathLen)
		}
	}
	ta.check(key, "basic_constraints.ca", ca, row["basic_constraints.ca"])
	ta.check(key, "basic_constraints.path_len", pl, row["basic_constraints.path_len"])
}
