package impair_test

import (
	"testing"

	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/impair"
	"github.com/medina-net/medina/link/pipe"
)

// Impairing a layer-3 device leaves it one, so that a stack over the
// wrapper resolves no neighbours; an Ethernet device stays Ethernet.
func TestLayer3PassedOn(t *testing.T) {
	l3, _ := pipe.NewLayer3(pipe.Config{})
	eth, _ := pipe.New(pipe.Config{})
	for _, c := range []struct {
		dev  link.Device
		want bool
	}{{l3, true}, {eth, false}} {
		d := impair.New(c.dev, impair.Config{})
		if got := link.IsLayer3(d); got != c.want {
			t.Errorf("impair.New(%T): Layer3 %v, want %v", c.dev, got, c.want)
		}
		d.Close()
	}
}
