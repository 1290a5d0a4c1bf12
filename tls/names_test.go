package tls

import "testing"

func TestNames(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{CipherSuiteName(0x1301), "TLS_AES_128_GCM_SHA256"},
		{CipherSuiteName(0xc02f), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
		{CipherSuiteName(0x0003), "TLS_RSA_EXPORT_WITH_RC4_40_MD5"},
		{CipherSuiteName(0x0062), "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA"},
		{CipherSuiteName(0x00ff), "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
		{CipherSuiteName(0x5600), "TLS_FALLBACK_SCSV"},
		{CipherSuiteName(0xcc13), "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
		{CipherSuiteName(0xfeff), "SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA"},
		{CipherSuiteName(0x0a0a), "GREASE (0x0a0a)"},
		{CipherSuiteName(0x1234), "Unknown (0x1234)"},
		{ExtensionName(0), "server_name"},
		{ExtensionName(10), "supported_groups"},
		{ExtensionName(11), "ec_point_formats"},
		{ExtensionName(13), "signature_algorithms"},
		{ExtensionName(16), "application_layer_protocol_negotiation"},
		{ExtensionName(23), "extended_master_secret"},
		{ExtensionName(27), "compress_certificate"},
		{ExtensionName(28), "record_size_limit"},
		{ExtensionName(35), "session_ticket"},
		{ExtensionName(41), "pre_shared_key"},
		{ExtensionName(43), "supported_versions"},
		{ExtensionName(45), "psk_key_exchange_modes"},
		{ExtensionName(51), "key_share"},
		{ExtensionName(0xfe0d), "encrypted_client_hello"},
		{ExtensionName(0xff01), "renegotiation_info"},
		{ExtensionName(0xdada), "GREASE (0xdada)"},
		{ExtensionName(0x1234), "Unknown (0x1234)"},
		{GroupName(29), "x25519"},
		{GroupName(23), "secp256r1"},
		{GroupName(0x11ec), "X25519MLKEM768"},
		{GroupName(0x6399), "X25519Kyber768Draft00"},
		{GroupName(256), "ffdhe2048"},
		{GroupName(0x2a2a), "GREASE (0x2a2a)"},
		{GroupName(999), "Unknown (0x03e7)"},
		{SignatureSchemeName(0x0403), "ecdsa_secp256r1_sha256"},
		{SignatureSchemeName(0x0804), "rsa_pss_rsae_sha256"},
		{SignatureSchemeName(0x0807), "ed25519"},
		{SignatureSchemeName(0x0202), "dsa_sha1"},
		{SignatureSchemeName(0x0301), "rsa_sha224"},
		{SignatureSchemeName(0x0a0a), "GREASE (0x0a0a)"},
		{SignatureSchemeName(0xeeee), "Unknown (0xeeee)"},
		{AlertName(40), "Handshake Failure"},
		{AlertName(48), "Unknown CA"},
		{AlertIANAName(40), "handshake_failure"},
		{AlertName(201), "Unknown (201)"},
		{AlertLevelName(2), "Fatal"},
		{AlertLevelName(1), "Warning"},
		{AlertLevelName(9), "Unknown (9)"},
		{CompressionMethodName(0), "null"},
		{CompressionMethodName(1), "DEFLATE"},
		{ECPointFormatName(0), "uncompressed"},
		{PSKKeyExchangeModeName(1), "psk_dhe_ke"},
		{CertCompressionAlgorithmName(2), "brotli"},
		{VersionName(0x0303), "TLS 1.2"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if _, ok := LookupCipherSuite(0x0a0a); ok {
		t.Error("GREASE is not a cipher suite")
	}
	if n, ok := LookupExtension(51); !ok || n != "key_share" {
		t.Error("LookupExtension(51)")
	}
	if _, ok := LookupGroup(0x1a1a); ok {
		t.Error("GREASE is not a group")
	}
	if _, ok := LookupSignatureScheme(0x0707); !ok {
		t.Error("LookupSignatureScheme(0x0707)")
	}
}

// TestNameTables checks the tables' shape: IANA names are non-empty,
// have no GREASE value, and cipher suite names start with TLS_ or SSL_.
func TestNameTables(t *testing.T) {
	for v, n := range cipherSuiteNames {
		if IsGREASE(v) || len(n) < 5 || (n[:4] != "TLS_" && n[:4] != "SSL_") {
			t.Errorf("cipher suite 0x%04x: %q", v, n)
		}
	}
	if len(cipherSuiteNames) < 350 {
		t.Errorf("only %d cipher suites", len(cipherSuiteNames))
	}
	for _, m := range []map[uint16]string{extensionNames, groupNames, signatureSchemeNames} {
		for v, n := range m {
			if IsGREASE(v) || n == "" {
				t.Errorf("0x%04x: %q", v, n)
			}
		}
	}
}
