package stack

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/medina-net/medina/arp"
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmp"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/neigh"
	"github.com/medina-net/medina/tcp"
)

// Stack is a network stack over one device, with IPv4 and IPv6
// addresses (dual-stack).
type Stack struct {
	dev   link.Device
	cfg   Config
	clock link.Clock
	mac   ethernet.Addr
	mtu   int

	// Every address of both families, read without a lock (addrs.go):
	// the first IPv4 one is the primary address, which sockets and ARP
	// use unless another is on the link in question. The IPv4 gateway
	// is there too: DHCP changes both while the stack runs.
	addrMu  sync.Mutex // serializes changes
	ifaddrs atomic.Pointer[ifaddrs]
	has6    bool // the link can carry IPv6 (MTU at least 1280)

	rngMu sync.Mutex
	rng   *rand.Rand

	ipID atomic.Uint32 // the next IP ID, counting from a random start

	neigh      *arp.Cache
	neighTimer timerSlot
	reasm      *ipv4.Reassembler
	reasmTimer timerSlot
	icmpLimit  *icmp.RateLimiter
	pmtu       pmtuTable

	// neigh6 is made when the stack gets its first IPv6 address
	// (ensureNeigh6): the table draws from the stack's random source,
	// and a stack without IPv6 must draw exactly what it drew before.
	neigh6      atomic.Pointer[neigh.Table]
	neigh6Timer timerSlot
	reasm6      *ipv6.Reassembler
	reasm6Timer timerSlot
	icmp6Limit  *icmp.RateLimiter
	autoconf    *autoconf // with Config.Autoconf (autoconf.go)
	// What Router Advertisements may set (ndpseam.go): the IPv6 link
	// MTU, when below the device's, and the hop limit; 0 for the
	// defaults.
	mtu6Set      atomic.Int32
	hopLimit6Set atomic.Uint32
	// mtu4Set is the IPv4 link MTU a DHCP lease set, when below the
	// device's; 0 for the device's (dhcp_addrs.go).
	mtu4Set atomic.Int32
	dhcp    *dhcpClient // with Config.DHCP (dhcp.go)

	udp     udpTable
	anyUDP  atomic.Pointer[AnyUDPListener] // any-address mode's (forward_udp.go), or nil
	tcp     *tcp.Engine
	segBufs sync.Pool // *tcp.SegmentBuffer
	pings   pingTable
	dns     resolverSlot // the resolver, made on first use (dnsclient.go)

	bufs    bufferPools
	swapper link.Swapper   // the device, when it exchanges buffers
	gsoDev  link.GSOWriter // the device, when it takes TCP super-frames
	// layer3: the device carries bare IP packets (link.Layer3): no
	// neighbour is resolved, every destination is on the link.
	layer3 bool
	// batchAcks: the device's reads hand over receive-offload
	// super-packets cut up (link.ReceiveOffloader), so the TCP engine
	// acknowledges each read's data once (tcp.Engine.BeginBatch).
	batchAcks bool
	frameLen  int
	ctr       counters
	capture   captureHook // live captures (capture.go)

	closeOnce sync.Once
	closed    chan struct{}
	readDone  chan struct{}
}

// New starts a stack on dev: it reads frames from dev on a goroutine of
// its own until Close, and announces its address with a gratuitous ARP
// unless Config.NoGratuitousARP is set or dev is a layer-3 device
// (link.Layer3), which has no ARP.
func New(dev link.Device, cfg Config) (*Stack, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	mtu := dev.MTU()
	if mtu < minMTU {
		return nil, fmt.Errorf("%w: device MTU %d is below IPv4's minimum of %d", ErrConfig, mtu, minMTU)
	}
	if cfg.DHCP != nil && link.IsLayer3(dev) {
		return nil, fmt.Errorf("%w: DHCP on a layer-3 device, which has no broadcast and no hardware address", ErrConfig)
	}
	if cfg.Autoconf != nil && mtu < ipv6.MinMTU {
		return nil, fmt.Errorf("%w: Autoconf on a device whose MTU %d is below IPv6's minimum of %d", ErrConfig, mtu, ipv6.MinMTU)
	}
	s := &Stack{
		dev:        dev,
		cfg:        cfg,
		clock:      cfg.Clock,
		mac:        dev.HardwareAddr(),
		mtu:        mtu,
		rng:        rand.New(cfg.Rand),
		neigh:      arp.NewCache(cfg.ARP),
		reasm:      ipv4.NewReassembler(cfg.Reassembly),
		icmpLimit:  icmp.NewRateLimiter(cfg.ICMPErrorRate, cfg.ICMPErrorBurst),
		reasm6:     ipv6.NewReassembler(cfg.Reassembly6),
		icmp6Limit: icmp.NewRateLimiter(cfg.ICMPErrorRate, cfg.ICMPErrorBurst),
		has6:       mtu >= ipv6.MinMTU,
		layer3:     link.IsLayer3(dev),
		closed:     make(chan struct{}),
		readDone:   make(chan struct{}),
	}
	if err := s.initAddrs(); err != nil {
		return nil, err
	}
	s.ipID.Store(s.rng.Uint32() & 0xffff)
	s.neighTimer.init(s.clock, s.neighTick)
	s.reasmTimer.init(s.clock, s.reasmTick)
	s.neigh6Timer.init(s.clock, s.neigh6Tick)
	s.reasm6Timer.init(s.clock, s.reasm6Tick)
	s.udp.init()
	s.pings.init()
	s.pmtu.init(cfg.PathMTU)
	s.bufs.init(link.FrameLen(dev))
	s.swapper, _ = dev.(link.Swapper)
	s.gsoDev, _ = dev.(link.GSOWriter)
	if ro, ok := dev.(link.ReceiveOffloader); ok && ro.ReceiveOffload() {
		s.batchAcks = true
	}
	if or, ok := dev.(link.OffloadReader); ok && or.MaxReadFrame() > 0 {
		// Each read may carry several super-frames, each acknowledged
		// once at the batch's end.
		s.batchAcks = true
	}
	s.frameLen = link.FrameLen(dev)
	s.segBufs.New = func() any { return new(tcp.SegmentBuffer) }
	tcfg := cfg.TCP
	tcfg.Clock = s.clock
	tcfg.Rand = lockedSource{s}
	if s.tcp, err = tcp.NewEngine(tcpNetwork{s}, tcfg); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}

	if cfg.Autoconf != nil {
		s.startAutoconf()
	}
	go s.readLoop()
	if cfg.DHCP != nil {
		s.startDHCP()
	}
	if s.addrs().has4() && !cfg.NoGratuitousARP && !s.layer3 {
		s.sendGratuitousARP()
	}
	return s, nil
}

// initAddrs publishes the configured addresses and sets the primary
// IPv4 address from them.
func (s *Stack) initAddrs() error {
	a := &ifaddrs{layer3: s.layer3}
	for _, p := range s.cfg.allAddrs() {
		if p.Addr().Is4() {
			a.v4 = append(a.v4, newAddr4(p))
			continue
		}
		if !s.has6 {
			return fmt.Errorf("%w: device MTU %d is below IPv6's minimum of %d", ErrConfig, s.mtu, ipv6.MinMTU)
		}
		x, _ := ipv6.AddrFromNetip(p.Addr())
		if _, dup := a.find6(x); dup {
			return fmt.Errorf("%w: address %v given twice", ErrConfig, p.Addr())
		}
		a.v6 = append(a.v6, addr6{addr: x, prefix: p.Masked()})
	}
	if g := s.cfg.Gateway6; g.IsValid() {
		a.gw6, a.hasGW6 = ipv6.Addr(g.As16()), true
	}
	if len(a.v6) > 0 {
		s.ensureNeigh6()
	}
	if g := s.cfg.Gateway; g.IsValid() {
		a.gw4, a.hasGW4 = ipv4.Addr(g.As4()), true
	}
	s.ifaddrs.Store(a.withGroups())
	return nil
}

// directedBroadcast returns the all-ones host address of p, or the
// limited broadcast address when p has no broadcast address of its own: a
// /31 is a point-to-point link whose two addresses are both hosts' (RFC
// 3021), a /32 holds only us, and a /0 is no link at all.
func directedBroadcast(p netip.Prefix) ipv4.Addr {
	a := p.Addr().As4()
	hostBits := 32 - p.Bits()
	if hostBits < 2 || hostBits >= 32 {
		return ipv4.Broadcast
	}
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	return ipv4.AddrFromUint32(v | 1<<hostBits - 1)
}

// ensureNeigh6 makes the IPv6 neighbour table if there is none yet.
func (s *Stack) ensureNeigh6() {
	if s.neigh6.Load() != nil {
		return
	}
	ncfg := s.cfg.NDP
	ncfg.Rand = lockedSource{s}
	ncfg.UnicastProbes, ncfg.DropOldest = true, true
	s.neigh6.CompareAndSwap(nil, neigh.New(ncfg))
}

// nd6 returns the IPv6 neighbour table, nil until the stack has had an
// IPv6 address.
func (s *Stack) nd6() *neigh.Table { return s.neigh6.Load() }

// Addr returns the stack's primary IPv4 address and the prefix of its
// link, or, on a stack without IPv4, its first IPv6 address.
func (s *Stack) Addr() netip.Prefix {
	if p, ok := s.addrs().primary4(); ok {
		return netip.PrefixFrom(p.addr.Netip(), p.prefix.Bits())
	}
	if a := s.Addrs(); len(a) > 0 {
		return a[0]
	}
	return netip.Prefix{}
}

// HardwareAddr returns the MAC address the stack sends from.
func (s *Stack) HardwareAddr() ethernet.Addr { return s.mac }

// MTU returns the device's MTU.
func (s *Stack) MTU() int { return s.mtu }

// Close stops the stack: it closes the device, which ends the read loop,
// closes every socket and stops the timers. It waits for the read loop to
// finish.
func (s *Stack) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closed)
		s.neighTimer.stop()
		s.reasmTimer.stop()
		s.neigh6Timer.stop()
		s.reasm6Timer.stop()
		if s.autoconf != nil {
			s.autoconf.timer.stop()
		}
		if s.dhcp != nil {
			s.dhcp.stop()
		}
		s.tcp.Close()
		err = s.dev.Close()
		<-s.readDone
		// A timer's callback that was running when the timers stopped
		// may be sending; the device is closed, so it is about to fail.
		// No timer of the stack's runs once Close returns.
		s.neighTimer.wait()
		s.reasmTimer.wait()
		s.neigh6Timer.wait()
		s.reasm6Timer.wait()
		if s.autoconf != nil {
			s.autoconf.timer.wait()
		}
		if s.dhcp != nil {
			s.dhcp.wait()
		}
		s.udp.closeAll()
		s.closeAnyUDP()
		s.pings.closeAll()
	})
	return err
}

// isClosed reports whether Close has been called.
func (s *Stack) isClosed() bool {
	select {
	case <-s.closed:
		return true
	default:
		return false
	}
}

// random returns a random 32-bit value from the stack's source.
func (s *Stack) random() uint32 {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return s.rng.Uint32()
}

// lockedSource hands the TCP engine the stack's random source, so that one
// seed drives everything.
type lockedSource struct{ s *Stack }

func (l lockedSource) Uint64() uint64 {
	l.s.rngMu.Lock()
	defer l.s.rngMu.Unlock()
	return l.s.rng.Uint64()
}

// readBatch is how many frames the read loop asks a batch reader for;
// offloadReadBatch, a device that hands over receive-offload super-packets
// cut up (link.ReceiveOffloader): a 64 KiB super-packet is 45 frames at
// a 1448-byte MSS, and one read that takes it whole is acknowledged once;
// superReadBatch, a link.OffloadReader, whose buffers each hold a
// super-frame of up to 64 KiB: a megabyte in all.
const (
	readBatch        = 16
	offloadReadBatch = 64
	superReadBatch   = 16
)

// readLoop reads frames and carries each up the stack until the device is
// closed. It reads in batches whatever the device: a plain one is a
// reader of batches of one (readOne), so one loop serves every kind.
func (s *Stack) readLoop() {
	defer close(s.readDone)
	read, batch, frameLen := s.frameReader()
	bufs := make([][]byte, batch)
	for i := range bufs {
		bufs[i] = make([]byte, frameLen)
	}
	lens := make([]int, batch)
	offs := make([]link.RxOffload, batch) // all zero but from an OffloadReader
	for {
		n, err := read(bufs, lens, offs)
		if n > 0 {
			// One clock read serves the batch: on some machines a
			// read costs as much as the rest of a TCP segment's
			// processing.
			now := s.clock.Now()
			if s.capture.on() {
				s.captureBatch(bufs[:n], lens, offs, now)
			}
			if s.batchAcks {
				s.tcp.BeginBatch()
			}
			for i := range n {
				s.inputAt(bufs[i][:lens[i]], offs[i], now)
			}
			if s.batchAcks {
				s.tcp.EndBatch(now)
			}
		}
		if err != nil && s.readFailed(err) {
			return
		}
	}
}

// frameReader returns how the read loop reads the device, how many
// frames at a time, and the size of the buffers it reads into. A
// link.OffloadReader hands over super-frames whole, into buffers that
// hold them; a link.Swapper hands its own buffers over in place of the
// loop's, whose places it keeps at the capacity it exchanges
// (s.frameLen), so nothing is copied; a link.BatchReader copies several
// frames per call; any other device is read a frame at a time. Only an
// OffloadReader says anything in offs.
func (s *Stack) frameReader() (read func(bufs [][]byte, lens []int, offs []link.RxOffload) (int, error), batch, frameLen int) {
	if or, ok := s.dev.(link.OffloadReader); ok {
		if n := or.MaxReadFrame(); n > 0 {
			return or.ReadFramesOffload, superReadBatch, n
		}
	}
	var plain func(bufs [][]byte, lens []int) (int, error)
	batch = readBatch
	switch br, ok := s.dev.(link.BatchReader); {
	case s.swapper != nil:
		plain = s.swapper.SwapReadFrames
	case ok:
		plain = br.ReadFrames
		if s.batchAcks {
			batch = offloadReadBatch
		}
	default:
		plain, batch = s.readOne, 1
	}
	read = func(bufs [][]byte, lens []int, _ []link.RxOffload) (int, error) { return plain(bufs, lens) }
	return read, batch, s.frameLen
}

// readOne reads one frame into bufs[0], as a batch of one.
func (s *Stack) readOne(bufs [][]byte, lens []int) (int, error) {
	n, err := s.dev.ReadFrame(bufs[0])
	if err != nil {
		return 0, err
	}
	lens[0] = n
	return 1, nil
}

// readFailed counts a read error and reports whether the loop must stop:
// when the device or the stack is closed.
func (s *Stack) readFailed(err error) bool {
	if errors.Is(err, net.ErrClosed) || s.isClosed() {
		return true
	}
	s.ctr.link.readFailures.Add(1)
	return false
}

// input handles one frame read from the device.
func (s *Stack) input(frame []byte) { s.inputAt(frame, link.RxOffload{}, s.clock.Now()) }

// inputAt is input for a frame read at now, of which a device with
// receive offload vouches for off (the zero RxOffload for any other).
func (s *Stack) inputAt(frame []byte, off link.RxOffload, now time.Time) {
	s.ctr.link.inFrames.Add(1)
	if off.SegmentSize != 0 {
		s.ctr.link.inSuperFrames.Add(1)
	}
	f, err := ethernet.NewFrame(frame)
	if err != nil {
		s.ctr.link.inErrors.Add(1)
		return
	}
	dst := f.Dst()
	if dst != s.mac && !dst.IsBroadcast() && !(dst.IsMulticast() && s.addrs().joinedMAC(dst)) {
		s.ctr.link.inOtherHost.Add(1)
		return
	}
	switch f.Type() {
	case ethernet.TypeIPv4:
		s.ipInput(f.Payload(), dst.IsBroadcast(), off, now)
	case ethernet.TypeIPv6:
		s.ip6Input(f.Payload(), dst.IsMulticast(), off, now)
	case ethernet.TypeARP:
		s.arpInput(f.Payload())
	default:
		s.ctr.link.inUnknown.Add(1)
	}
}

// writeFrame sends a frame built in place.
func (s *Stack) writeFrame(frame []byte) error { return s.writeFrameFrom(frame, nil) }

// writeFrameFrom sends a frame built at the start of the pooled buffer
// *bp, which a device that is a link.Swapper may exchange for one of its
// own instead of copying the frame. bp may be nil.
func (s *Stack) writeFrameFrom(frame []byte, bp *[]byte) error {
	if s.capture.on() {
		s.captureFrame(s.clock.Now(), frame, true)
	}
	var err error
	if s.swapper != nil && bp != nil && cap(*bp) == s.frameLen && len(frame) > 0 && &(*bp)[0] == &frame[0] {
		err = s.swapper.SwapWriteFrame(bp, len(frame))
	} else {
		err = s.dev.WriteFrame(frame)
	}
	if err != nil {
		s.ctr.link.outErrors.Add(1)
		return err
	}
	s.ctr.link.outFrames.Add(1)
	return nil
}
