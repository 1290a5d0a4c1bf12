//go:build !linux

package live

import (
	"golang.org/x/net/bpf"

	"github.com/medina-net/medina/pcap"
)

// Handle is an open capture; on this system none can be opened.
type Handle struct{}

// Open returns ErrUnsupported: live capture is implemented on Linux only.
func Open(cfg Config) (*Handle, error) { return nil, ErrUnsupported }

// LinkType returns 0.
func (h *Handle) LinkType() pcap.LinkType { return 0 }

// Snaplen returns 0.
func (h *Handle) Snaplen() int { return 0 }

// Interface returns "".
func (h *Handle) Interface() string { return "" }

// VLANExtensions returns false.
func (h *Handle) VLANExtensions() bool { return false }

// KernelFilter returns false.
func (h *Handle) KernelFilter() bool { return false }

// SetFilter returns ErrUnsupported.
func (h *Handle) SetFilter(prog []bpf.RawInstruction) error { return ErrUnsupported }

// Start returns ErrUnsupported.
func (h *Handle) Start() error { return ErrUnsupported }

// Break does nothing.
func (h *Handle) Break() {}

// Next returns ErrUnsupported.
func (h *Handle) Next() (*pcap.Packet, error) { return nil, ErrUnsupported }

// Stats returns ErrUnsupported.
func (h *Handle) Stats() (Stats, error) { return Stats{}, ErrUnsupported }

// Close does nothing.
func (h *Handle) Close() error { return nil }

// Interfaces returns ErrUnsupported.
func Interfaces() ([]Interface, error) { return nil, ErrUnsupported }
