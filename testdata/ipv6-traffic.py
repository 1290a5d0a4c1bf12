# Makes the crafted part of testdata/pcaps/ipv6.pcap: IPv6 datagrams with
# the extension headers the kernel will not build itself (routing headers
# of types 0, 2, 3 and 4, AH, ESP, the mobility header) and DCCP, sent as
# they are through a raw socket, and UDP with hop-by-hop and destination
# options the kernel builds from socket options. Run by
# testdata/record-ipv6.sh inside its namespace; the argument is the peer.
import socket, struct, sys, time

A, B = sys.argv[1], sys.argv[2]
src, dst = socket.inet_pton(socket.AF_INET6, A), socket.inet_pton(socket.AF_INET6, B)
C = socket.inet_pton(socket.AF_INET6, '2001:db8::c')
D = socket.inet_pton(socket.AF_INET6, '2001:db8::d')


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def with_sum(proto, l4, off, final):
    ph = src + final + struct.pack('!I', len(l4)) + b'\0\0\0' + bytes([proto])
    return l4[:off] + struct.pack('!H', csum(ph + l4[:off] + b'\0\0' + l4[off + 2:])) + l4[off + 2:]


def udp(sport, dport, data, final=dst):
    u = struct.pack('!HHHH', sport, dport, 8 + len(data), 0) + data
    return with_sum(17, u, 6, final)


def ip6(first, body):
    return struct.pack('!IHBB', 0x60000000, len(body), first, 64) + src + dst + body


raw = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)


def send(pkt):
    raw.sendto(pkt, (B, 0))
    time.sleep(0.1)


def send_with(opt, val, payload, port=7777):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, opt, val)
    s.sendto(payload, (B, port))
    s.close()
    time.sleep(0.1)


# Options the kernel builds: a router alert and PadN hop by hop, and an
# unknown skippable destination option.
send_with(socket.IPV6_HOPOPTS, bytes([17, 0, 5, 2, 0, 0, 1, 0]), b'hbh')
send_with(socket.IPV6_DSTOPTS, bytes([17, 0, 0x1e, 2, 0xab, 0xcd, 1, 0]), b'dstopts')
# Routing type 0 through C and D, the UDP checksum to the last address.
send(ip6(43, bytes([17, 4, 0, 2, 0, 0, 0, 0]) + C + D + udp(4000, 7777, b'type 0', D)))
# Routing type 2, a home address.
send(ip6(43, bytes([17, 2, 2, 1, 0, 0, 0, 0]) + C + udp(4000, 7777, b'type 2', C)))
# A segment routing header: segments D (the last) and C, and an HMAC TLV.
srh = bytes([17, 6, 4, 1, 1, 0, 0x12, 0x34]) + D + C + bytes([5, 14]) + bytes(13) + b'\x01'
send(ip6(43, srh + udp(4000, 7777, b'srh', D)))
# An RPL source route (type 3), which tcpdump 4.99.3 does not know.
send(ip6(43, bytes([59, 2, 3, 1, 0xee, 0x80, 0, 0, 0, 3]) + bytes(6) + bytes([0, 4]) + bytes(6)))
# AH (HMAC-SHA1-96 sized), then UDP; ESP.
ah = bytes([17, 4, 0, 0]) + struct.pack('!II', 0x1001, 9) + bytes(range(0xa0, 0xac))
send(ip6(51, ah + udp(4000, 7777, b'ah')))
send(ip6(50, struct.pack('!II', 0x2002, 3) + bytes(range(32))))
# Mobility: a binding update with a refresh advice and an alternate
# care-of address, a binding acknowledgement, a home test.
bu = bytes([59, 4, 5, 0, 0, 0, 0, 9, 0xc0, 0, 0, 100, 2, 2, 0, 30, 3, 16]) + C + bytes(6)
send(ip6(135, bu))
send(ip6(135, bytes([59, 1, 6, 0, 0, 0, 0, 0x80, 0, 9, 0, 100, 1, 2, 0, 0])))
send(ip6(135, bytes([59, 3, 3, 0, 0, 0, 0, 7]) + bytes(range(1, 17)) + bytes([4, 4, 0, 1, 0, 2, 1, 0])))
# DCCP: a request with options (48-bit sequence numbers).
dccp = struct.pack('!HHBBHBBHI', 40000, 5001, 7, 0, 0, 0 << 1 | 1, 0, 0, 1337) + struct.pack('!I', 42) + bytes([32, 4, 1, 2, 43, 4, 0, 9])
send(ip6(33, with_sum(33, dccp, 6, dst)))
