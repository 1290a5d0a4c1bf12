package stack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

func TestTCPEcho(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 10, nil)
		ln, err := p.a.Listen("tcp", ":80")
		if err != nil {
			t.Fatal(err)
		}
		go serveTCPEcho(ln)
		c, err := p.b.DialContext(context.Background(), "tcp", "10.0.0.1:80")
		if err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{1, 100, 1460, 5000, 100000} {
			msg := make([]byte, size)
			for i := range msg {
				msg[i] = byte(i * 7)
			}
			go c.Write(msg)
			got := make([]byte, size)
			if _, err := io.ReadFull(c, got); err != nil {
				t.Fatalf("reading the echo of %d bytes: %v", size, err)
			}
			if !bytes.Equal(got, msg) {
				t.Fatalf("echo of %d bytes differs", size)
			}
		}
		if err := c.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
			t.Fatal(err)
		}
		if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			t.Fatalf("after the server closed: %d, %v; want EOF", n, err)
		}
		c.Close()
		time.Sleep(2 * time.Minute) // through TIME-WAIT
		if sa, sb := p.a.TCPStats(), p.b.TCPStats(); sa.CurrEstab != 0 || sb.CurrEstab != 0 {
			t.Errorf("connections left established: %d, %d", sa.CurrEstab, sb.CurrEstab)
		}
	})
}

func TestTCPBulk(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 11, nil)
		ln, err := p.a.Listen("tcp", ":5001")
		if err != nil {
			t.Fatal(err)
		}
		const total = 20 << 20
		sum := make(chan [32]byte)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				t.Error(err)
				return
			}
			h := sha256.New()
			n, err := io.Copy(h, c)
			if err != nil || n != total {
				t.Errorf("server read %d bytes, %v", n, err)
			}
			sum <- [32]byte(h.Sum(nil))
		}()
		c, err := p.b.DialContext(context.Background(), "tcp", "10.0.0.1:5001")
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		r := rand.New(rand.NewPCG(1, 2))
		buf := make([]byte, 64<<10)
		start := time.Now()
		for sent := 0; sent < total; sent += len(buf) {
			for i := range buf {
				buf[i] = byte(r.Uint32())
			}
			h.Write(buf)
			if _, err := c.Write(buf); err != nil {
				t.Fatal(err)
			}
		}
		c.Close()
		if got := <-sum; got != [32]byte(h.Sum(nil)) {
			t.Fatal("the server's SHA-256 differs")
		}
		t.Logf("20 MiB in %v of virtual time; client %+v", time.Since(start), p.b.TCPStats())
	})
}

func TestTCPRefused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 12, nil)
		_, err := p.b.DialContext(context.Background(), "tcp", "10.0.0.1:81")
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("dial to a closed port: %v, want ECONNREFUSED", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second) // ARP gives up at 3 s
		defer cancel()
		_, err = p.b.DialContext(ctx, "tcp", "10.0.0.9:80")
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("dial to nobody: %v, want a timeout", err)
		}
	})
}
