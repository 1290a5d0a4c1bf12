//go:build !linux

package tap

import (
	"errors"
	"fmt"

	"github.com/medina-net/medina/ethernet"
)

// Device is an open TAP interface; TAP devices are only supported on
// Linux.
type Device struct{}

// Open fails with errors.ErrUnsupported: TAP devices are only supported
// on Linux.
func Open(cfg Config) (*Device, error) {
	return nil, fmt.Errorf("tap: %w on this system", errors.ErrUnsupported)
}

// Name returns "".
func (d *Device) Name() string { return "" }

// MTU returns 0.
func (d *Device) MTU() int { return 0 }

// HardwareAddr returns the zero address.
func (d *Device) HardwareAddr() ethernet.Addr { return ethernet.Addr{} }

// KernelAddr returns the zero address.
func (d *Device) KernelAddr() ethernet.Addr { return ethernet.Addr{} }

// ReadFrame fails.
func (d *Device) ReadFrame(buf []byte) (int, error) { return 0, errors.ErrUnsupported }

// ReadFrames fails.
func (d *Device) ReadFrames(bufs [][]byte, lens []int) (int, error) {
	return 0, errors.ErrUnsupported
}

// WriteFrame fails.
func (d *Device) WriteFrame(frame []byte) error { return errors.ErrUnsupported }

// Close does nothing.
func (d *Device) Close() error { return nil }

// Stats returns zero counters.
func (d *Device) Stats() Stats { return Stats{} }
