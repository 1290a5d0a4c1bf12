// Package link defines the frame device a medina stack runs over, and
// holds its backends: link/pipe (two devices joined in memory), link/impair
// (seeded loss, duplication, reordering, delay, corruption and rate limits
// around any device), link/tap (a Linux TAP interface) and link/tun (a
// Linux TUN interface, a layer-3 link: see Layer3).
//
// A Device carries whole Ethernet frames, without preamble or FCS. It is
// deliberately small: the stack reads frames into buffers it owns and
// reuses, and writes frames it has built in place, so a device needs to
// allocate nothing per frame. Devices that can move several frames per
// system call or lock acquisition also implement BatchReader or
// BatchWriter, which the stack uses when present; devices with
// offloads implement GSOWriter (TCP super-frames sent whole) and
// OffloadReader (the receive side's super-frames taken whole, checksums
// vouched for). Wrappers that must see wire-size frames implement
// neither, and get them cut.
package link

import (
	"github.com/medina-net/medina/ethernet"
)

// Device is a network interface that carries Ethernet frames.
//
// ReadFrame and WriteFrame may be called concurrently with each other and
// with Close; concurrent calls of ReadFrame (or of WriteFrame) are allowed
// but their order is not defined. After Close, both return an error that
// matches net.ErrClosed with errors.Is, and a blocked ReadFrame returns.
type Device interface {
	// ReadFrame waits for the next frame and copies it into buf, returning
	// its length. A frame longer than buf is cut to len(buf); a buffer of
	// MTU()+ethernet.HeaderLen+ethernet.TagLen bytes always holds a whole
	// frame.
	ReadFrame(buf []byte) (int, error)
	// WriteFrame sends one frame. The device does not keep frame after
	// WriteFrame returns, so the caller may reuse it at once. A device
	// whose queue is full may drop the frame, as hardware does; that is
	// not an error.
	WriteFrame(frame []byte) error
	// MTU is the largest payload, after the Ethernet header, the device
	// carries: 1500 for standard Ethernet.
	MTU() int
	// HardwareAddr is the device's MAC address, the source of the frames
	// a stack sends through it.
	HardwareAddr() ethernet.Addr
	// Close releases the device and unblocks ReadFrame.
	Close() error
}

// BatchReader is implemented by devices that can deliver several frames
// at once.
type BatchReader interface {
	// ReadFrames waits for at least one frame and copies up to len(bufs)
	// frames into bufs, storing their lengths in lens (which is at least
	// as long as bufs). It returns the number of frames read.
	ReadFrames(bufs [][]byte, lens []int) (int, error)
}

// BatchWriter is implemented by devices that can send several frames at
// once.
type BatchWriter interface {
	// WriteFrames sends frames in order and returns how many were taken
	// (sent or dropped by a full queue), which is len(frames) unless err
	// is not nil.
	WriteFrames(frames [][]byte) (int, error)
}

// Swapper is implemented by in-memory devices that can pass frames from
// writer to reader by handing buffers over instead of copying frames into
// them, the way a virtio ring passes descriptors. Every buffer exchanged has
// the capacity FrameLen(dev), and a caller that uses Swapper keeps only
// such buffers in the places it swaps.
type Swapper interface {
	// SwapReadFrames is ReadFrames exchanging buffers: each frame read
	// ends up in a buffer of the device's, which takes the place of
	// bufs[i] (resliced to its full capacity), and the device keeps the
	// buffer it took out in exchange. Buffers whose capacity is not
	// FrameLen are copied into as ReadFrames does.
	SwapReadFrames(bufs [][]byte, lens []int) (int, error)
	// SwapWriteFrame sends the frame (*buf)[:n] and, when it is queued,
	// keeps *buf and stores in its place a buffer of the device's of the
	// same capacity, for the caller to reuse. A buffer whose capacity is
	// not FrameLen is copied, as WriteFrame does.
	SwapWriteFrame(buf *[]byte, n int) error
}

// FrameLen returns the size of a buffer that holds any frame of dev: the
// MTU plus an Ethernet header and one VLAN tag.
func FrameLen(dev Device) int {
	return dev.MTU() + ethernet.HeaderLen + ethernet.TagLen
}

// GSO describes a TCP super-frame handed to a GSOWriter: one frame whose
// payload stands for several segments of SegmentSize bytes each (the
// last may be shorter), which the device, or the kernel behind it, cuts
// up as TCP segmentation offload does.
type GSO struct {
	// IPv6 says the frame carries IPv6; IPv4 otherwise.
	IPv6 bool
	// NetworkOff is where the IP header starts in the frame (behind the
	// Ethernet header and any VLAN tag), TransportOff where the TCP
	// header starts, and HeaderLen where the payload starts: the
	// headers every segment repeats.
	NetworkOff, TransportOff, HeaderLen int
	// SegmentSize is the payload of each segment: the connection's MSS.
	SegmentSize int
}

// GSOWriter is implemented by a device that takes TCP super-frames. The
// frame's IP header describes the whole (its length fields the super-
// frame's, an IPv4 header checksum complete), and its TCP checksum field
// holds only the pseudo-header's sum over the whole length, folded and
// not complemented: each segment's checksum is the device's to make, as
// a NIC with checksum offload makes it. A stack uses WriteGSO only while
// MaxGSO says it may, and sends ordinary frames otherwise; wrappers that
// must see wire-size frames (a recorder, an impairment) do not implement
// it, and so get ordinary frames.
type GSOWriter interface {
	// MaxGSO returns the length of the largest super-frame the device
	// takes, or 0 when it takes none.
	MaxGSO() int
	// WriteGSO sends the super-frame frame, laid out as gso says.
	WriteGSO(frame []byte, gso GSO) error
}

// ReceiveOffloader is implemented by a device whose reads may hand over,
// one after the other, the frames cut from a receive-offload super-packet
// (a TAP with virtio-net headers: the kernel sends its TCP in packets of
// up to 64 KiB, which the device cuts up). A stack may then acknowledge
// the data of one read once, as Linux acknowledges a GRO packet once,
// rather than every second segment.
type ReceiveOffloader interface {
	// ReceiveOffload reports whether the device's reads do so.
	ReceiveOffload() bool
}

// RxOffload is what a device with receive offload vouches for about a
// frame it read (OffloadReader). The zero RxOffload vouches for nothing:
// an ordinary frame, whose checksums the stack verifies.
type RxOffload struct {
	// ChecksumValid says the frame's TCP checksum need not be verified:
	// the device verified it (virtio-net's DATA_VALID), or the frame
	// never crossed a wire and its checksum field holds only the
	// pseudo-header's partial sum, left for a NIC to complete
	// (NEEDS_CSUM: a local kernel's segment, or another stack's in
	// memory). The IP header's checksum, where there is one, is whole.
	ChecksumValid bool
	// SegmentSize is not 0 for a TCP super-frame: one frame, its IP
	// header describing the whole, whose payload stands for segments of
	// SegmentSize bytes (the last may be shorter) that the peer's
	// segmentation offload would cut, or that the kernel's GRO joined.
	// Such a frame is longer than the MTU. The segments share their
	// headers but for the sequence number, and for the flags PSH and
	// FIN, which only the last one carries.
	SegmentSize int
}

// OffloadReader is implemented by a device that can hand over frames as
// its receive offload has them, TCP super-frames whole and checksums
// unverified, rather than cut into wire-size frames with every checksum
// complete (which its ReadFrame and ReadFrames keep doing, for readers
// that must see wire-size frames: a recorder, an impairment). A stack
// that reads through it takes a super-frame's segments in one pass,
// neither cutting them nor summing their bytes.
type OffloadReader interface {
	// MaxReadFrame returns the length of a buffer that holds any frame
	// ReadFramesOffload gives, super-frames included; 0 when the device
	// hands over none (it is not offloading) and ReadFrames serves.
	MaxReadFrame() int
	// ReadFramesOffload is ReadFrames that also stores in offs (at least
	// as long as bufs) what the device vouches for about each frame.
	// Only TCP frames are ever vouched for; the others come as
	// ReadFrames gives them.
	ReadFramesOffload(bufs [][]byte, lens []int, offs []RxOffload) (int, error)
}

// Layer3 is implemented by a device whose link carries bare IP packets,
// with no link-layer header and no link-layer addresses: a TUN interface
// (link/tun), a point-to-point tunnel, pipe.NewLayer3. Such a device
// still presents each packet as a frame behind a 14-byte Ethernet
// header, so that a stack's buffers and offsets are those of Ethernet,
// but the header is synthetic: on the frames it reads, the destination
// is the device's HardwareAddr, the source 00:00:00:00:00:00 and the
// EtherType IPv4's or IPv6's, from the packet's version nibble; on the
// frames it is given, it sends what follows the first 14 bytes and reads
// nothing of them.
//
// A stack over a device whose Layer3 reports true resolves no
// neighbours: it sends no ARP and no Neighbor Solicitation for address
// resolution, runs no Duplicate Address Detection (Linux does none on an
// IFF_NOARP interface), ignores ARP frames, and treats every destination
// as reachable through the link, with no gateway. Wrappers (pcap.Tap,
// impair.Device) pass the answer of the device they wrap on.
type Layer3 interface {
	// Layer3 reports whether the device carries bare IP packets.
	Layer3() bool
}

// IsLayer3 reports whether dev is a Layer3 device that says it carries
// bare IP packets.
func IsLayer3(dev Device) bool {
	l, ok := dev.(Layer3)
	return ok && l.Layer3()
}
