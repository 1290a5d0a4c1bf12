package tun_test

import (
	"fmt"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/tun"
)

func ExampleOpen() {
	dev, err := tun.Open(tun.Config{Name: "medina%d", Offload: true})
	if err != nil {
		fmt.Println(err) // not root, no /dev/net/tun, not Linux
		return
	}
	defer dev.Close()
	// Give the kernel's side an address whose prefix routes into the
	// tunnel and bring it up ("ip addr add 10.9.0.1/24 dev NAME", "ip
	// link set NAME up"), then hand dev to a stack (stack.New(dev,
	// stack.Config{Addr: 10.9.0.2/24})), which sees link.Layer3 and
	// resolves no neighbours, or read packets behind their synthetic
	// headers:
	buf := make([]byte, link.FrameLen(dev))
	go func() {
		for {
			n, err := dev.ReadFrame(buf)
			if err != nil {
				return // closed
			}
			fmt.Printf("%d bytes of %v\n", n-ethernet.HeaderLen, ethernet.Frame(buf[:n]).Type())
		}
	}()
}
