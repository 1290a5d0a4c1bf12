package pktscript

import (
	"fmt"

	"github.com/medina-net/medina/tcp"
)

// Match lists how got, a segment sent as Tuple.Describe gives it, differs
// from want, a segment to expect; none means it matches.
func Match(want, got *Segment) []string {
	var d []string
	if want.Flags != got.Flags {
		d = append(d, fmt.Sprintf("flags %s, want %s", FlagsString(got.Flags), FlagsString(want.Flags)))
	}
	if !want.Seq.Any && want.Seq.V != got.Seq.V {
		d = append(d, fmt.Sprintf("seq %d, want %d", got.Seq.V, want.Seq.V))
	}
	if want.Len != got.Len {
		d = append(d, fmt.Sprintf("length %d, want %d", got.Len, want.Len))
	}
	if want.Flags&tcp.FlagACK != 0 && got.Flags&tcp.FlagACK != 0 && !want.Ack.Any && want.Ack.V != got.Ack.V {
		d = append(d, fmt.Sprintf("ack %d, want %d", got.Ack.V, want.Ack.V))
	}
	if (want.WinSet || !want.Rest) && !want.Win.Any && want.Win.V != got.Win.V {
		d = append(d, fmt.Sprintf("win %d, want %d", got.Win.V, want.Win.V))
	}
	if (want.OptsSet || !want.Rest) && !optionsMatch(want.Opts, got.Opts) {
		d = append(d, "options differ")
	}
	return d
}

func optionsMatch(want, got []Option) bool {
	if len(want) != len(got) {
		return false
	}
	eq := func(w, g Num) bool { return w.Any || w.V == g.V }
	for i, w := range want {
		g := got[i]
		if w.Kind != g.Kind || !eq(w.V1, g.V1) || !eq(w.V2, g.V2) || len(w.Blocks) != len(g.Blocks) {
			return false
		}
		for j, b := range w.Blocks {
			if !eq(b[0], g.Blocks[j][0]) || !eq(b[1], g.Blocks[j][1]) {
				return false
			}
		}
	}
	return true
}
