package tcp_test

import (
	"strings"
	"testing"
)

// TestScriptHarness checks that the script harness fails a script that is
// wrong, and says why: a checker that cannot fail proves nothing.
func TestScriptHarness(t *testing.T) {
	const open = `
0.000 listen :8080
0.000 < S 1000:1000(0) win 65535 <mss 1460>
0.000 > S. 0:0(0) ack 1001 win 65535 <mss 1460>
0.010 < . 1001:1001(0) ack 1 win 65535
0.010 accept
`
	for _, tc := range []struct {
		name, script, want string
	}{
		{"passes", open + "0.020 write 10\n0.020 > P. 1:11(10) ack 1001 win 65535\n", ""},
		{"wildcards", open + "0.020 write 10\n0.020 > P. *:*(10) ack * win *\n", ""},
		{"rest", open + "0.020 write 10\n0.020 > P. 1:11(10) ack 1001 ...\n", ""},
		{"flags", open + "0.020 write 10\n0.020 > . 1:11(10) ack 1001 win 65535\n", "flags P., want ."},
		{"seq", open + "0.020 write 10\n0.020 > P. 2:12(10) ack 1001 win 65535\n", "seq 1, want 2"},
		{"length", open + "0.020 write 10\n0.020 > P. 1:12(11) ack 1001 win 65535\n", "length 10, want 11"},
		{"ack", open + "0.020 write 10\n0.020 > P. 1:11(10) ack 1000 win 65535\n", "ack 1001, want 1000"},
		{"window", open + "0.020 write 10\n0.020 > P. 1:11(10) ack 1001 win 1\n", "win 65535, want 1"},
		{"options", open + "0.020 write 10\n0.020 > P. 1:11(10) ack 1001 win 65535 <nop>\n", "options differ"},
		{"no options", "0.000 listen :8080\n0.000 < S 1000:1000(0) win 65535\n0.000 > S. 0:0(0) ack 1001 win 65535\n", "options differ"},
		{"time", open + "0.020 write 10\n0.030 > P. 1:11(10) ack 1001 win 65535\n", "sent at 0.020"},
		{"nothing sent", open + "0.020 > . 1:1(0) ack 1001 win 65535\n", "nothing was sent by 0.020"},
		{"none", open + "0.020 write 10\n0.030 > none\n", "unexpected segment sent at 0.020"},
		{"unmatched before input", open + "0.020 write 10\n0.030 < . 1001:1001(0) ack 11 win 65535\n", "unexpected segment"},
		{"unmatched at the end", open + "0.020 write 10\n", "at the end: unexpected segment"},
		{"four-tuple", open + "0.020 write 10\n0.020 > P. 1:11(10) ack 1001 win 65535\n0.030 peer 40001\n" +
			"1.020 > P. 1:11(10) ack 1001 win 65535\n", "not on the current"},
		{"time back", open + "0.005 write 10\n", "time goes back"},
		{"state", open + "0.020 state CLOSE-WAIT\n", "state ESTABLISHED, want CLOSE-WAIT"},
		{"stat", open + "0.020 stat PassiveOpens 2\n", "PassiveOpens is 1, want 2"},
		{"read", open + "0.020 read 1\n", "0 bytes to read, want 1"},
		{"accept", open + "0.020 accept\n", "no connection waiting for Accept"},
		{"parse: ack without .", "0.000 < S 1:1(0) ack 1 win 1\n", "ack N goes with the . (ACK) flag"},
		{"parse: END", "0.000 < S 1:2(0) win 1\n", "END must be SEQ+LEN"},
		{"parse: window", "0.000 > S 0:0(0)\n", "say win N"},
		{"parse: wildcard in", "0.000 < S *:*(0) win 1\n", "* is not allowed here"},
		{"parse: action", "0.000 frobnicate\n", "unknown action"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines, err := parseScript(tc.script)
			if err == nil {
				r := &scriptRun{t: t, file: tc.name}
				err = r.run(lines)
				r.cleanup()
			}
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("failed: %v", err)
			case tc.want != "" && err == nil:
				t.Errorf("passed, want a failure saying %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Errorf("failed with\n%v\nwant it to say %q", err, tc.want)
			}
		})
	}
}
