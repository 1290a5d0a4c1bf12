# Makes the traffic of testdata/pcaps/linux-lo.pcap: Linux answering itself
# on lo (echo, timestamp, address mask, port unreachables quoting short and
# long datagrams, and IP options the kernel fills in: record route,
# timestamps, router alert, LSRR). Run as root, from the module root, while
#     tcpdump -i lo -s 0 -w testdata/pcaps/linux-lo.pcap ip
# captures. The capture serves the tests of ipv4/ and icmp/, and netdump's
# golden and differential tests (regenerate its golden files with
# `go test ./cmd/netdump -run TestGolden -update`).
import socket, struct, time, os

def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b)//2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff

def icmp(t, c, rest, data):
    h = struct.pack('!BBH', t, c, 0) + rest + data
    return struct.pack('!BBH', t, c, csum(h)) + rest + data

raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
# echo request/reply, 56 bytes of data like ping
raw.sendto(icmp(8, 0, struct.pack('!HH', 0x1234, 1), bytes(range(0x10, 0x10+56))), ('127.0.0.1', 0))
time.sleep(0.05)
# timestamp request (Linux answers)
raw.sendto(icmp(13, 0, struct.pack('!HH', 0x4321, 7), struct.pack('!III', 12345678, 0, 0)), ('127.0.0.1', 0))
time.sleep(0.05)
# address mask request (Linux ignores, but the request is real)
raw.sendto(icmp(17, 0, struct.pack('!HH', 0x55, 2), b'\0\0\0\0'), ('127.0.0.1', 0))
time.sleep(0.05)
# UDP to a closed port: short and long payload -> port unreachable quoting all / 576 bytes
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(b'hello, closed port\n', ('127.0.0.1', 9))
time.sleep(1.1)
u.sendto(b'x' * 1000, ('127.0.0.1', 9))
time.sleep(1.1)
# IP options through the kernel: record route, timestamps, router alert, LSRR
def withopts(opts, payload, port=7):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, opts)
    s.sendto(payload, ('127.0.0.1', port))
    s.close()
    time.sleep(1.1)
withopts(bytes([7, 39, 4]) + bytes(36) + b'\x01', b'rr')          # RR, 9 slots, + NOP pad
withopts(bytes([68, 36, 5, 0]) + bytes(32), b'tsonly')          # TS only, 8 slots
withopts(bytes([68, 36, 5, 1]) + bytes(32), b'tsaddr')          # TS and address, 4 slots
withopts(bytes([68, 12, 5, 3, 127,0,0,1, 0,0,0,0]), b'prespec') # prespecified
withopts(bytes([148, 4, 0, 0]), b'ra')                          # router alert
withopts(bytes([1, 131, 7, 4, 127,0,0,1]), b'lsrr')             # NOP + LSRR via 127.0.0.1
# ping with TTL 1 and DF
raw.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 1)
raw.sendto(icmp(8, 0, struct.pack('!HH', 0x1234, 2), b'ttl1'), ('127.0.0.1', 0))
time.sleep(0.1)
