//go:build !linux

package tun

import (
	"errors"
	"fmt"

	"github.com/medina-net/medina/ethernet"
)

// Device is an open TUN interface; TUN devices are only supported on
// Linux.
type Device struct{}

// Open fails with errors.ErrUnsupported: TUN devices are only supported
// on Linux.
func Open(cfg Config) (*Device, error) {
	return nil, fmt.Errorf("tun: %w on this system", errors.ErrUnsupported)
}

// Name returns "".
func (d *Device) Name() string { return "" }

// MTU returns 0.
func (d *Device) MTU() int { return 0 }

// HardwareAddr returns the zero address.
func (d *Device) HardwareAddr() ethernet.Addr { return ethernet.Addr{} }

// Layer3 reports true.
func (d *Device) Layer3() bool { return true }

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
