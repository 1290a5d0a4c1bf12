// Package gvisorbench measures medina's TCP side by side with gVisor's
// netstack (gvisor.dev/gvisor/pkg/tcpip), the userspace stack Go programs
// embed today, on the same kind of link: two stacks in one process joined
// by an in-memory Ethernet cable, MTU 1500.
//
// It is a module of its own so that gVisor never enters medina's go.mod.
// Everything lives in the _test.go files; run it with
//
//	go test -run '^$' -bench . -benchtime 1x
//
// or through ../tcp-vs-gvisor.sh, which prints the comparison table.
// ../tap.sh measures the same stacks, and Linux, over a real TAP or TUN
// to the kernel: TCP, UDP datagrams and HTTP requests (TestTAPBench). See
// README.md for what each figure means.
package gvisorbench
