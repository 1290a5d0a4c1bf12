package dump

import (
	"strings"
	"testing"
)

// flagOptions turns tcpdump's flags, in which the test tables are written
// (so that the installed tcpdump can be run with the same ones), into
// Options: -e, -v, -x, -X, -A, -q, -S, -K, -t, -#, --nano, bundled or not.
// -n and -r with its argument are accepted and change nothing.
func flagOptions(t testing.TB, args []string) Options {
	t.Helper()
	var o Options
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--nano":
			o.Nano = true
			continue
		case a == "-r":
			i++
			continue
		case !strings.HasPrefix(a, "-") || strings.HasPrefix(a, "--"):
			t.Fatalf("flag %q is not one the tests use", a)
		}
		for _, c := range a[1:] {
			switch c {
			case 'n':
			case 'e':
				o.LinkHeader = true
			case 'v':
				o.Verbose++
			case 'x':
				o.Hex++
			case 'X':
				o.HexASCII++
			case 'A':
				o.ASCII++
			case 'q':
				o.Quiet = true
			case 'S':
				o.AbsoluteSeq = true
			case 'K':
				o.NoChecksum = true
			case 't':
				o.TimestampFormat++
			case '#':
				o.PacketNumbers = true
			default:
				t.Fatalf("flag -%c in %q is not one the tests use", c, a)
			}
		}
	}
	return o
}
