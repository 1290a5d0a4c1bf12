package tls

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// fzChunks cuts b into Feeds of dir whose sizes the bytes of split give
// (1 to 256, cycling; all of b at once when split is empty).
func fzChunks(dir Direction, b, split []byte) []ptFeed {
	var out []ptFeed
	for i, k := 0, 0; i < len(b); k++ {
		n := len(b) - i
		if len(split) > 0 {
			n = min(n, int(split[k%len(split)])+1)
		}
		out = append(out, ptFeed{dir: dir, data: b[i : i+n]})
		i += n
	}
	return out
}

// fzInterleave merges two lists of Feeds, one of each in turn.
func fzInterleave(a, b []ptFeed) []ptFeed {
	var out []ptFeed
	for len(a) > 0 || len(b) > 0 {
		if len(a) > 0 {
			out, a = append(out, a[0]), a[1:]
		}
		if len(b) > 0 {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return out
}

// fzEvents describes a session's events of one direction, Data
// included, without times.
func fzEvents(r *sxRecorder, dir Direction) string {
	var b strings.Builder
	for _, e := range r.events {
		if e.Dir != dir {
			continue
		}
		e.Time = time.Time{}
		fmt.Fprintf(&b, "%v %x\n", e, e.Data)
	}
	return b.String()
}

// fzRun feeds a session, checking after each Feed what a direction
// searching for its hello holds, and that the events of each direction
// go forward in its stream.
func fzRun(t *testing.T, feeds []ptFeed) *sxRecorder {
	t.Helper()
	s, r := newRecordedSession(nil)
	var fed [2]int64
	for _, f := range feeds {
		if f.gap > 0 {
			s.Gap(f.dir, f.gap)
			fed[f.dir] += int64(f.gap)
		} else {
			s.Feed(f.dir, f.data, time.Time{})
			fed[f.dir] += int64(len(f.data))
		}
		for d := range s.h {
			if h := &s.h[d]; h.scanning && len(h.buf) >= helloProbe {
				t.Fatalf("%v searching for its hello holds %d bytes", h.dir, len(h.buf))
			}
		}
	}
	s.Close()
	var last [2]int64
	for _, e := range r.events {
		if e.Offset < last[e.Dir] || e.Offset > fed[e.Dir] {
			t.Fatalf("event %v after one at %d, in a stream of %d bytes", e, last[e.Dir], fed[e.Dir])
		}
		last[e.Dir] = e.Offset
		if e.Kind == EventPreamble && (e.Length <= 0 || e.Offset+int64(e.Length) > fed[e.Dir]) {
			t.Fatalf("event %v in a stream of %d bytes", e, fed[e.Dir])
		}
	}
	return r
}

// FuzzSession feeds a Session two streams cut in pieces, with a gap in
// the server's, and checks that it does not panic, that a direction
// looking for its hello holds only a record's start, that events go
// forward; and that a client's stream alone gives the same events
// however it is cut.
func FuzzSession(f *testing.F) {
	ch, sh := ptClientHello("fuzz.example"), ptServerHello(0xc02f)
	ccs := ptRecord(ContentChangeCipherSpec, VersionTLS12, []byte{1})
	app := ptRecord(ContentApplicationData, VersionTLS12, []byte("ciphertext"))
	f.Add(ch, sh, []byte{}, uint16(0))
	f.Add(slices.Concat(ch, ccs, app), slices.Concat(sh, ccs, app), []byte{3, 0, 200}, uint16(5))
	f.Add(slices.Concat([]byte(smtpClient), ch), slices.Concat([]byte(smtpServer), sh), []byte{7, 1}, uint16(0))
	f.Add(slices.Concat(app, app), slices.Concat(app, app), []byte{4}, uint16(2))
	f.Add(slices.Concat(ch, ccs, ch), []byte{}, []byte{10}, uint16(0))
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"), []byte("HTTP/1.1 200 OK\r\n\r\n"), []byte{0}, uint16(1))
	f.Add([]byte{0x80, 0x1c, 1, 3, 1, 0, 3, 0, 0, 0, 16, 0, 0, 0x2f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, []byte{}, []byte{}, uint16(0))
	f.Fuzz(func(t *testing.T, client, server, split []byte, gapAt uint16) {
		c, s := fzChunks(FromClient, client, split), fzChunks(FromServer, server, split)
		if i := int(gapAt); i > 0 && i <= len(s) {
			s = slices.Insert(s, i-1, ptFeed{dir: FromServer, gap: int(gapAt)})
		}
		fzRun(t, fzInterleave(c, s))
		fzRun(t, slices.Concat(s, c))
		// The client alone: the same events, whole or in pieces.
		whole := fzEvents(fzRun(t, fzChunks(FromClient, client, nil)), FromClient)
		if cut := fzEvents(fzRun(t, c), FromClient); cut != whole {
			t.Fatalf("fed whole:\n%s\nfed in pieces:\n%s", whole, cut)
		}
	})
}

// FuzzSessionPreamble puts a hello after a preamble of fuzzed bytes and
// feeds it in pieces: the search must find it where a byte-by-byte look
// at the whole stream does, and report the preamble before it.
func FuzzSessionPreamble(f *testing.F) {
	f.Add([]byte(smtpClient), []byte{}, false)
	f.Add([]byte(smtpServer), []byte{1, 5, 9}, true)
	f.Add([]byte{0, 0, 0, 8, 4, 210, 22, 47}, []byte{6, 0}, false)
	f.Add([]byte{'x', 22, 3, 1, 0, 10, 1, 0, 0, 6, 1, 2, 3, 4, 5, 6}, []byte{2}, false)
	f.Add([]byte{'x', 22, 3, 1, 0, 80, 1, 0, 0, 76, 22, 3}, []byte{3, 8}, false)
	f.Add([]byte{5, 0, 22, 3, 3, 0, 50, 2, 0, 0, 1}, []byte{0}, true)
	f.Fuzz(func(t *testing.T, pre, split []byte, server bool) {
		if len(pre) == 0 || len(pre) > maxPreamble {
			return
		}
		if pre[0] >= byte(ContentChangeCipherSpec) && pre[0] <= byte(ContentHeartbeat) || pre[0]&0x80 != 0 {
			// A first byte that may start a record (or an SSL 2.0 one)
			// is decided on by other rules.
			pre = slices.Concat([]byte("x"), pre)
		}
		dir, typ, hello := FromClient, ClientHelloType, ptClientHello("pre.example")
		if server {
			dir, typ, hello = FromServer, ServerHelloType, ptServerHello(0x009c)
		}
		stream := slices.Concat(pre, hello)
		// Where the hello is, looking at every byte.
		at := -1
		for i := 0; i+helloProbe <= len(stream); i++ {
			if helloStart(stream[i:], typ) {
				at = i
				break
			}
		}
		var feeds []ptFeed
		if server {
			// The client's bytes say the stream is not TLS from its
			// start; the server's are searched.
			feeds = append(feeds, ptFeed{dir: FromClient, data: []byte("EHLO x\r\n")})
		}
		feeds = append(feeds, fzChunks(dir, stream, split)...)
		r := fzRun(t, feeds)
		var got []Event
		for _, e := range r.events {
			if e.Dir == dir {
				got = append(got, e)
			}
		}
		// After the preamble: the record there, or (when something in the
		// preamble looks like a hello's start) the error of a record cut
		// short by the end of the stream.
		if len(got) < 2 || got[0].Kind != EventPreamble || got[0].Length != at || got[0].Offset != 0 ||
			!bytes.Equal(got[0].Data, stream[:min(at, preambleShown)]) || got[1].Offset != int64(at) {
			t.Fatalf("hello at %d of % x; events:\n%s", at, stream, fzEvents(r, dir))
		}
	})
}
