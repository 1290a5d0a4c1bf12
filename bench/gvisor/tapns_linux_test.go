package gvisorbench

import (
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/medina-net/medina/internal/netns"
)

// inNamespace runs fn on an OS thread of its own moved into ns's network
// namespace, and moves the thread back. A socket stays in the namespace
// it was made in, so the sockets fn opens live in ns while this process
// goes on using them from any thread: the linux row's Go sockets stand
// where the stack stands in the other rows, measured by the same code.
func inNamespace(ns *netns.Namespace, fn func() error) error {
	done := make(chan error, 1)
	go func() {
		// Never unlocked if the thread cannot go home: Go then ends the
		// thread with this goroutine instead of reusing it elsewhere.
		runtime.LockOSThread()
		home, err := os.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
		if err != nil {
			done <- err
			return
		}
		defer home.Close()
		target, err := os.Open("/run/netns/" + ns.Name)
		if err != nil {
			done <- err
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			done <- fmt.Errorf("setns %s: %w", ns.Name, err)
			return
		}
		ferr := fn()
		if err := unix.Setns(int(home.Fd()), unix.CLONE_NEWNET); err != nil {
			done <- fmt.Errorf("setns back from %s: %w", ns.Name, err)
			return
		}
		runtime.UnlockOSThread()
		done <- ferr
	}()
	return <-done
}
