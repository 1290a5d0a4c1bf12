package tcpstream

import (
	"net/netip"
	"slices"
	"testing"
	"time"
)

// After an RST, what the other end sent before the RST reached it is
// still on its way: a capture near the end that reset shows it after the
// RST (a TLS server's close_notify, answering the client's, crossing the
// client's RST). A connection reset by one end stays open for it for
// Config.ResetLinger of capture time, unless nothing more can come.
// otherAddr is an end of another connection.
var otherAddr = netip.MustParseAddrPort("10.0.0.3:40001")

func TestResetLinger(t *testing.T) {
	linger := DefaultResetLinger
	tests := []struct {
		name  string
		cfg   Config
		steps []step
		want  []string
		late  int64 // Stats.Late
	}{{
		name: "data the peer sent before it saw the RST",
		steps: hs(
			c(fA|fP, ci+1, si+1, "bye"),
			c(fR|fA, ci+4, si+1, "").after(time.Millisecond),
			s(fA|fP, si+1, ci+4, "alert").after(2*time.Millisecond),
			c(fR, ci+4, 0, "").after(3*time.Millisecond), // the client's answer: another RST
		),
		want: []string{"C=bye S=alert rst"},
	}, {
		name: "the bytes before a FIN, arriving after the peer's RST",
		steps: hs(
			c(fA|fP, ci+1, si+1, "x"),
			s(fF|fA, si+6, ci+2, ""), // the FIN came before the data
			c(fR|fA, ci+2, si+1, ""),
			s(fA|fP, si+1, ci+2, "alert"),
		),
		want: []string{"C=x S=alert rst"},
	}, {
		name: "RST gives up what is held when the linger ends",
		steps: hs(
			c(fA, ci+1, si+1, "ab"),
			c(fA, ci+5, si+1, "ef"),
			s(fR|fA, si+1, ci+3, ""),
			c(fA, ci+7, si+1, "late"), // sent before the RST arrived
			c(fA, ci+11, si+1, "later").after(linger+time.Millisecond),
		),
		want: []string{"C=ab<2>eflate S= rst"},
		late: 1,
	}, {
		name: "a segment of another connection ends the linger",
		steps: append(hs(
			c(fA|fP, ci+1, si+1, "bye"),
			c(fR|fA, ci+4, si+1, ""),
		), step{src: srvAddr, dst: otherAddr, fl: fS, seq: 7, at: linger + time.Millisecond},
			s(fA|fP, si+1, ci+4, "late").after(linger+2*time.Millisecond)),
		want: []string{"C=bye S= rst", "C= S= end"},
		late: 1,
	}, {
		// Flush forgets the connections it ends, as it does those that
		// had ended before: what comes after begins a new one.
		name: "a Flush ends the linger",
		steps: hs(
			c(fA|fP, ci+1, si+1, "bye"),
			c(fR|fA, ci+4, si+1, ""),
			flushAt(time.Millisecond),
			s(fA|fP, si+1, ci+4, "late"),
		),
		want: []string{"C=bye S= rst", "C= S=late end"},
	}, {
		name: "nothing can come: the peer's FIN is through, the RST is where its sender is",
		steps: hs(
			c(fA|fF|fP, ci+1, si+1, "q"),
			s(fA|fP, si+1, ci+3, "r"),
			s(fR|fA, si+2, ci+3, ""),
			s(fA|fP, si+2, ci+3, "z"), // after the RST of its own sender
		),
		want: []string{"C=q S=r rst"},
		late: 1,
	}, {
		name: "the peer's FIN during the linger ends it",
		steps: hs(
			c(fA|fP, ci+1, si+1, "a"),
			c(fR|fA, ci+2, si+1, ""),
			s(fA|fF|fP, si+1, ci+2, "b"),
			s(fA, si+3, ci+2, ""),
		),
		want: []string{"C=a S=b rst"},
		late: 1,
	}, {
		name:  "a refused connection ends at once",
		steps: []step{c(fS, ci, 0, ""), s(fR|fA, 0, ci+1, ""), c(fS, ci, 0, "")},
		want:  []string{"C= S= rst"},
		late:  1,
	}, {
		name: "a new connection on the same ends during the linger",
		steps: hs(
			c(fA|fP, ci+1, si+1, "one"),
			c(fR|fA, ci+4, si+1, ""),
			c(fS, 90000, 0, ""),
			c(fA|fP, 90001, 0, "two"),
		),
		want: []string{"C=one S= rst", "C=two S= end"},
	}, {
		name: "no linger",
		cfg:  Config{ResetLinger: -1},
		steps: hs(
			c(fA|fP, ci+1, si+1, "bye"),
			c(fR|fA, ci+4, si+1, ""),
			s(fA|fP, si+1, ci+4, "alert"),
		),
		want: []string{"C=bye S= rst"},
		late: 1,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, a := run(t, tt.cfg, tt.steps, 0)
			if got := render(r); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if st := a.Stats(); st.Late != tt.late {
				t.Errorf("Late %d, want %d", st.Late, tt.late)
			}
		})
	}
}
