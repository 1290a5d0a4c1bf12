// Command netdump prints packets the way tcpdump 4.99.3 does, byte for
// byte, with tcpdump's flags: from pcap and pcapng captures, or captured
// live on Linux, and writes them to capture files as tcpdump does:
//
//	netdump -r capture.pcap
//	netdump -nnvvXX -c 10 -r capture.pcapng.gz
//	netdump -r - < capture.pcap
//	netdump -n -i eth0                      # live, as root (CAP_NET_RAW)
//	netdump -i any -w trace.pcap            # LINUX_SLL2, as tcpdump
//	netdump -i eth0 -C 100 -W 10 -w ring.pcap
//	netdump -r big.pcap -c 1000 -w head.pcap
//
// Names are never resolved, so -n and -nn change nothing; the output is
// tcpdump's with -n. Printing: -c N, -e, -v/-vv/-vvv, -x/-xx/-X/-XX/-A/-AA,
// -q, -S, -K, -t/-tt/-ttt/-tttt/-ttttt, --nano, --micro, -# (packet
// numbers), -l (line-buffered output), --count. Input: -r FILE, or a live
// capture (pcap/live: AF_PACKET, a TPACKET_V3 ring, the filter in the
// kernel) with -i IFACE (or any, or a number from -D's list), -p, -s, -B,
// -Q in|out|inout, -y, --immediate-mode. Output: -w FILE (pcapng when
// the name ends in .pcapng; - for the standard output), -C, -G, -W, -U and
// --print, with tcpdump's file names. -D lists the interfaces; -h and
// --version print to the standard output. A live capture ends on -c,
// SIGINT, SIGTERM, SIGPIPE or SIGHUP with tcpdump's three counts (SIGUSR1
// prints them on the way).
//
// Beyond tcpdump, a TLS view decodes the TLS of every TCP connection,
// whatever its port, and decrypts it with a key log:
//
//	netdump --tls -r https.pcapng                   # a line per TLS message after its packet
//	netdump --tls-only --keylog keys.txt -r capture.pcap
//	netdump --tls-sessions -r capture.pcapng        # a summary per TLS connection
//
// Keys come from --keylog FILE, the SSLKEYLOGFILE environment variable and
// the capture's pcapng Decryption Secrets Blocks. What the view holds is
// bounded, 64 MiB in all and 4 MiB per connection by default
// (--tls-memory MiB sets the total): past the bound the least recently
// active connections are dropped and a warning says how many. Without
// these flags the output is tcpdump's, byte for byte.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/medina-net/medina/pcap"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is netdump with its arguments and streams; it returns the exit status:
// 0, or 1 for a bad command line, an unreadable file, a capture that cannot
// be opened, or a file that ends in the middle of a record (after printing
// every packet before it), as tcpdump does.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	opt, err := parseArgs(args)
	switch {
	case errors.Is(err, errHelp):
		printUsage(stdout)
		return 0
	case errors.Is(err, errVersion):
		printVersion(stdout)
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "netdump: %s\n", err)
		printUsage(stderr)
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "netdump: %v\n", err)
		return 1
	}
	if opt.listIfaces {
		if err := listInterfaces(stdout); err != nil {
			fmt.Fprintf(stderr, "netdump: %v\n", err)
			return 1
		}
		return 0
	}
	opt.stdout = stdout
	if opt.dump > 0 && opt.file == "" && opt.iface == "" {
		return dumpWithoutInput(opt, stdout, stderr)
	}
	if opt.packetBuffer && opt.printing() {
		// -U makes the printed output packet-buffered too.
		opt.lineBuf = true
	}

	// A file (-r) wins over a device (-i), as in tcpdump; without either,
	// the first device -D lists.
	var in input
	var capture *liveInput
	if opt.file != "" {
		in, err = openFile(opt, stdin, stderr)
	} else if capture, err = openLive(opt, stderr); err == nil {
		in = capture
	}
	if errors.Is(err, errFilterDumped) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "netdump: %v\n", err)
		return 1
	}
	defer in.Close()
	var out *output
	if opt.write != "" {
		if out, err = openOutput(opt, in, stdout); err != nil {
			fmt.Fprintf(stderr, "netdump: %v\n", err)
			return 1
		}
	}
	if capture != nil {
		if err := capture.start(opt); err != nil {
			fmt.Fprintf(stderr, "netdump: %v\n", err)
			return 1
		}
	}

	w := bufio.NewWriterSize(stdout, 64<<10)
	p := newPrinter(opt)
	warn := func(msg string) { fmt.Fprintf(stderr, "netdump: %s\n", msg) }
	var view *tlsView
	if opt.tlsView() && opt.printing() {
		if view, err = newTLSView(p, opt, warn); err != nil {
			fmt.Fprintf(stderr, "netdump: %v\n", err)
			return 1
		}
	}
	status := 0
	interrupted, outputGone := false, false
	captured := 0
	for n := 1; opt.count == 0 || n <= opt.count; n++ {
		pkt, err := in.Next()
		if err == io.EOF {
			break
		}
		if err == errInterrupted {
			interrupted = true
			break
		}
		if err != nil {
			// Flush what was printed so the error follows it, as tcpdump
			// does after pcap_loop fails.
			w.Flush()
			fmt.Fprintf(stderr, "netdump: pcap_loop: %s\n", describeReadError(err))
			status = 1
			break
		}
		captured++
		if out != nil {
			if err := out.write(pkt); err != nil {
				if errors.Is(err, pcap.ErrFileLimit) {
					return fileLimitReached(opt, capture, stderr)
				}
				fmt.Fprintf(stderr, "netdump: %v\n", err)
				return 1
			}
		}
		if !opt.printing() {
			continue
		}
		p.out = p.out[:0]
		if opt.packetLines() {
			p.printPacket(pkt)
		}
		if view != nil {
			if r := in.reader(); r != nil {
				view.secrets(r, warn)
			}
			view.packet(pkt)
		}
		if _, err := w.Write(p.out); err != nil {
			if errors.Is(err, syscall.EPIPE) {
				// The reader went away (netdump | head): tcpdump
				// stops on the SIGPIPE as on Ctrl-C, quietly.
				outputGone = true
				break
			}
			fmt.Fprintf(stderr, "netdump: Unable to write output: %v\n", err)
			return 1
		}
		if opt.lineBuf {
			w.Flush()
		}
	}
	if outputGone {
		view = nil
		interrupted = false
	}
	if view != nil {
		// The connections still open end with the capture.
		p.out = p.out[:0]
		view.end(warn)
		if _, err := w.Write(p.out); err != nil {
			fmt.Fprintf(stderr, "netdump: Unable to write output: %v\n", err)
			return 1
		}
	}
	if interrupted && opt.write == "" {
		// A line may have been cut short: tcpdump ends it.
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil && !errors.Is(err, syscall.EPIPE) {
		fmt.Fprintf(stderr, "netdump: Unable to write output: %v\n", err)
		return 1
	}
	if out != nil {
		if err := out.Close(); err != nil {
			fmt.Fprintf(stderr, "netdump: %v\n", err)
			status = 1
		}
	}
	if capture != nil {
		capture.info(true)
	}
	if opt.countOnly && capture == nil {
		fmt.Fprintf(stdout, "%d packet%s\n", captured, plural(captured))
	}
	return status
}

// fileLimitReached ends the run when -G with -W has made its last file, as
// tcpdump does: it says so, prints the counts and exits 0.
func fileLimitReached(opt *options, capture *liveInput, stderr io.Writer) int {
	fmt.Fprintf(stderr, "Maximum file limit reached: %d\n", opt.fileCount)
	if capture != nil {
		capture.info(true)
	} else {
		fmt.Fprintln(stderr, "pcap_stats: Statistics aren't available from savefiles")
	}
	return 0
}

// describeReadError words an error met in the middle of a file as tcpdump
// does after "pcap_loop: ", with the file name in front and the offset of
// the record at fault after it.
func describeReadError(err error) string {
	var pe *pcap.Error
	if errors.As(err, &pe) {
		return fmt.Sprintf("%s (record at byte %d)", pe.Error(), pe.Offset)
	}
	return err.Error()
}

// linkTypeLabel is how tcpdump names a link type on its "reading from file"
// line: "EN10MB (Ethernet)", or the bare number for a type libpcap does not
// name.
func linkTypeLabel(lt pcap.LinkType) string {
	if !lt.Known() {
		return lt.String()
	}
	return lt.String() + " (" + lt.Description() + ")"
}
