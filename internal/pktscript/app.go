package pktscript

import (
	"fmt"
	"io"
	"time"
)

// Wait is the longest a harness waits for an application call that the
// script says will not block, or for a goroutine of the side under test.
const Wait = 5 * time.Second

// Call runs an application call that should not block, in a goroutine
// so that a script that guessed wrong fails rather than hangs; the call
// goes on in the background until whatever it waits for is closed.
func Call(f func()) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
		return nil
	case <-time.After(Wait):
		return fmt.Errorf("the call blocked")
	}
}

// WritePattern writes n bytes of the pattern from stream offset off to
// w, in one Write under Call, returning what Write did.
func WritePattern(w io.Writer, n, off int) (written int, err error) {
	b := make([]byte, n)
	FillPattern(b, off)
	if cerr := Call(func() { written, err = w.Write(b) }); cerr != nil {
		return 0, cerr
	}
	return written, err
}

// ReadPattern reads exactly n bytes from r, each Read under Call, and
// checks that they are the pattern from stream offset off, the bytes the
// peer sent there.
func ReadPattern(r io.Reader, n, off int) error {
	b := make([]byte, n)
	got := 0
	var err error
	for got < n && err == nil {
		var k int
		if cerr := Call(func() { k, err = r.Read(b[got:]) }); cerr != nil {
			return fmt.Errorf("read %d of %d bytes: %v", got, n, cerr)
		}
		got += k
	}
	if err != nil {
		return fmt.Errorf("read %d of %d bytes: %v", got, n, err)
	}
	if i, ok := CheckPattern(b, off); !ok {
		return fmt.Errorf("byte %d read is not the byte the peer sent at stream offset %d", i, off+i)
	}
	return nil
}
