package main

import (
	"io"
	"os"
	"strings"

	"github.com/medina-net/medina/pcap"
)

// output writes the packets to -w's file, or files with -C and -G, as
// tcpdump -w does: classic pcap with the header libpcap writes (pcapng
// when the name ends in .pcapng, which tcpdump 4.99.3 cannot write), each
// record as the input gave it, in microseconds unless --nano.
type output struct {
	w    *pcap.RotatingWriter
	unit uint32 // units of a second in the records: 1e6, or 1e9 with --nano
}

// openOutput opens -w's first file; stdout takes "-".
func openOutput(opt *options, in input, stdout io.Writer) (*output, error) {
	cfg := pcap.RotateConfig{
		Name:    opt.write,
		Size:    opt.rotateSize,
		Seconds: opt.rotateSecs,
		Count:   opt.fileCount,
		Flush:   opt.packetBuffer,
		Header:  in.dumpHeader(opt.nano),
		Create: func(name string) (io.WriteCloser, error) {
			if name == "-" {
				return nopCloser{stdout}, nil
			}
			return os.Create(name)
		},
	}
	if strings.HasSuffix(opt.write, ".pcapng") {
		cfg.Ng = &pcap.NgInterface{LinkType: in.LinkType(), Snaplen: in.Snaplen()}
		if _, isLive := in.(*liveInput); isLive {
			cfg.Ng.Name = in.name()
		}
	}
	w, err := pcap.NewRotatingWriter(cfg)
	if err != nil {
		return nil, err
	}
	o := &output{w: w, unit: 1e6}
	if opt.nano {
		o.unit = 1e9
	}
	return o, nil
}

// write writes one packet; it returns pcap.ErrFileLimit when -G with -W
// has made as many files as allowed.
func (o *output) write(p *pcap.Packet) error {
	sec, frac := p.Stamp(o.unit)
	return o.w.WritePacket(uint32(sec), frac, p.Data, uint32(p.Length), p.Flags)
}

// Close flushes and closes the current file.
func (o *output) Close() error { return o.w.Close() }

// nopCloser keeps the standard output open when the writer closes "-".
type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
