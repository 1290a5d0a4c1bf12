package tls_test

import (
	"encoding/hex"
	"fmt"

	"github.com/medina-net/medina/tls"
)

// A ClientHello's body (after the 4-byte handshake header) as a capture
// holds it: TLS 1.3 and 1.2 offered, two TLS 1.3 suites, SNI
// example.com, ALPN h2 and http/1.1.
const clientHelloHex = "0303" + // legacy_version
	"0000000000000000000000000000000000000000000000000000000000000000" + // random
	"00" + "0004" + "13011302" + "0100" + // session id, cipher suites, compression
	"0043" + // extensions
	"00000010000e00000b6578616d706c652e636f6d" + // server_name
	"000a00060004001d0017" + // supported_groups
	"000d0006000404030804" + // signature_algorithms
	"0010000e000c02683208687474702f312e31" + // ALPN
	"002b00050403040303" // supported_versions

// ExampleParseClientHello reads a ClientHello and prints what an analyst
// looks at, with its JA3 and JA4 fingerprints.
func ExampleParseClientHello() {
	body, _ := hex.DecodeString(clientHelloHex)
	ch, err := tls.ParseClientHello(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("SNI:", ch.ServerName)
	fmt.Println("ALPN:", ch.ALPN)
	fmt.Println("versions:", ch.SupportedVersions)
	for _, cs := range ch.CipherSuites {
		fmt.Println("suite:", tls.CipherSuiteName(cs))
	}
	fmt.Println("JA3:", tls.JA3(ch).Raw)
	fmt.Println("JA4:", tls.JA4(ch).JA4)
	// Output:
	// SNI: example.com
	// ALPN: [h2 http/1.1]
	// versions: [TLS 1.3 TLS 1.2]
	// suite: TLS_AES_128_GCM_SHA256
	// suite: TLS_AES_256_GCM_SHA384
	// JA3: 771,4865-4866,0-10-13-16-43,29-23,
	// JA4: t13d0205h2_62ed6f6ca7ad_fbabbea27ee8
}
