// Command udpecho is a unikernel-style UDP echo server: it brings medina's
// stack up on a Linux TAP interface and sends every datagram it receives
// back to its sender. Linux (or anything on the TAP's other side) reaches
// it at the stack's own address, which the kernel does not own.
//
//	sudo udpecho -tap medina0 -addr 10.77.0.2/24 -pcap echo.pcapng
//
// With -pcap, every frame the stack reads or writes is recorded, with its
// direction, for netdump or tcpdump to read afterwards. It stops on
// SIGINT or SIGTERM, printing the stack's counters.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"syscall"

	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/tap"
	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/stack"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("udpecho: ")
	var (
		tapName = flag.String("tap", "medina0", "name of the TAP interface to create")
		addr    = flag.String("addr", "10.77.0.2/24", "the stack's address and prefix")
		gateway = flag.String("gateway", "", "default gateway (optional)")
		port    = flag.Int("port", 7, "UDP port to echo on")
		record  = flag.String("pcap", "", "record the stack's frames to this pcapng file")
	)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *tapName, *addr, *gateway, *port, *record); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, tapName, addr, gateway string, port int, record string) error {
	cfg := stack.Config{}
	var err error
	if cfg.Addr, err = netip.ParsePrefix(addr); err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	if gateway != "" {
		if cfg.Gateway, err = netip.ParseAddr(gateway); err != nil {
			return fmt.Errorf("-gateway: %w", err)
		}
	}

	dev, err := tap.Open(tap.Config{Name: tapName})
	if err != nil {
		return err
	}
	var d link.Device = dev
	var capture *pcap.Tap
	if record != "" {
		f, err := os.Create(record)
		if err != nil {
			dev.Close()
			return err
		}
		defer f.Close()
		w, err := pcap.NewNgWriter(f, pcap.NgInterface{LinkType: pcap.LinkTypeEthernet, Name: dev.Name()})
		if err != nil {
			dev.Close()
			return err
		}
		capture = pcap.NewTap(dev, w, link.SystemClock)
		d = capture
	}

	s, err := stack.New(d, cfg)
	if err != nil {
		d.Close()
		return err
	}
	log.Printf("stack up on %s: %v at %v (the kernel's side is %v); echoing UDP port %d",
		dev.Name(), cfg.Addr, s.HardwareAddr(), dev.KernelAddr(), port)

	pc, err := s.ListenPacket("udp", fmt.Sprintf(":%d", port))
	if err != nil {
		s.Close()
		return err
	}
	go func() {
		<-ctx.Done()
		s.Close() // unblocks the read below
	}()
	buf := make([]byte, 65536)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				log.Print(err)
			}
			break
		}
		log.Printf("%d bytes from %v", n, from)
		if _, err := pc.WriteTo(buf[:n], from); err != nil {
			log.Print(err)
		}
	}
	st := s.Stats()
	log.Printf("counters: link %+v", st.Link)
	log.Printf("counters: IP %+v", st.IP)
	log.Printf("counters: ICMP %+v", st.ICMP)
	log.Printf("counters: UDP %+v", st.UDP)
	if capture != nil {
		if err := capture.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("recording: %w", err)
		}
		log.Printf("recorded %+v to %s", capture.Stats(), record)
	}
	return nil
}
