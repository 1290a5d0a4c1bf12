module github.com/medina-net/medina/bench/gvisor

go 1.26.3

require (
	github.com/medina-net/medina v0.0.0
	golang.org/x/net v0.62.0
)

require github.com/songgao/water v0.0.0-20200317203138-2b4b6d7c09d8 // indirect

require (
	github.com/google/btree v1.1.2 // indirect
	golang.org/x/exp v0.0.0-20250711185948-6ae5c78190dc // indirect
	golang.org/x/sys v0.50.0
	golang.org/x/time v0.15.0 // indirect
	gvisor.dev/gvisor v0.0.0-20260905035102-160fafc42237
)

replace github.com/medina-net/medina => ../..
