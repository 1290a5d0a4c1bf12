module github.com/medina-net/medina

go 1.26.0

require github.com/gopacket/gopacket v1.7.7

require (
	github.com/songgao/water v0.0.0-20200317203138-2b4b6d7c09d8
	golang.org/x/crypto v0.59.0
	golang.org/x/net v0.62.0
	golang.org/x/sys v0.50.0
)
