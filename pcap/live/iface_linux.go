package live

import (
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/medina-net/medina/pcap"
)

// ifIndex returns the index of the interface called name, or -1.
func ifIndex(fd int, name string) int {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return -1
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFINDEX, ifr); err != nil {
		return -1
	}
	return int(int32(ifr.Uint32()))
}

// ifHardwareType returns the ARPHRD_ type of the interface called name.
func ifHardwareType(fd int, name string) (uint16, error) {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return 0, err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFHWADDR, ifr); err != nil {
		return 0, err
	}
	// The union starts with the hardware address's sa_family.
	return ifr.Uint16(), nil
}

// ifError words a failed interface ioctl as libpcap does: no such device
// is a kind of its own.
func ifError(dev, what string, err error) *Error {
	if err == unix.ENODEV || err == unix.ENXIO {
		return &Error{Device: dev, Kind: ErrNoSuchDevice, Detail: ErrNoSuchDevice.Error(), Err: err}
	}
	return &Error{Device: dev, Detail: what + ": " + strerror(err), Err: err}
}

// ARPHRD_ values (linux/if_arp.h) that libpcap gives a link type.
const (
	arphrdEther      = 1
	arphrdEEther     = 2
	arphrdAX25       = 3
	arphrdPronet     = 4
	arphrdChaos      = 5
	arphrdIEEE802    = 6
	arphrdArcnet     = 7
	arphrdDLCI       = 15
	arphrdIPOverFC   = 18
	arphrdATM        = 19
	arphrdMetricom   = 23
	arphrdSlip       = 256
	arphrdCSlip      = 257
	arphrdSlip6      = 258
	arphrdCSlip6     = 259
	arphrdAdapt      = 264
	arphrdCAN        = 280
	arphrdPPP        = 512
	arphrdCisco      = 513
	arphrdRawHDLC    = 518
	arphrdTunnel     = 768
	arphrdFRAD       = 770
	arphrdLoopback   = 772
	arphrdLocalTalk  = 773
	arphrdFDDI       = 774
	arphrdSit        = 776
	arphrdIrDA       = 783
	arphrdFCPP       = 784
	arphrdFCAL       = 785
	arphrdFCPL       = 786
	arphrdFCFabric   = 787
	arphrdIEEE802TR  = 800
	arphrdIEEE80211  = 801
	arphrdPrism      = 802
	arphrdRadiotap   = 803
	arphrdIEEE802154 = 804
	arphrdNetlink    = 824
	arphrdVsockMon   = 826
	arphrdLAPD       = 8445
	arphrdNone       = 0xfffe
)

// linkTypeOf is libpcap's map_arphrd_to_dlt: the link type of an interface
// of hardware type arphrd, as a LINKTYPE_ value, and whether the capture
// must use a cooked (SOCK_DGRAM) socket. A type libpcap does not know is
// captured cooked, as LINUX_SLL.
func linkTypeOf(arphrd uint16) (lt pcap.LinkType, cooked bool) {
	switch arphrd {
	case arphrdEther, arphrdMetricom, arphrdLoopback:
		return pcap.LinkTypeEthernet, false
	case arphrdEEther:
		return 2, false // EN3MB
	case arphrdAX25:
		return 202, false // AX25_KISS
	case arphrdPronet:
		return 4, false
	case arphrdChaos:
		return 5, false
	case arphrdCAN:
		return 227, false // CAN_SOCKETCAN
	case arphrdIEEE802TR, arphrdIEEE802:
		return 6, false
	case arphrdArcnet:
		return 129, false // ARCNET_LINUX
	case arphrdFDDI:
		return 10, false
	case arphrdIEEE80211:
		return pcap.LinkTypeIEEE80211, false
	case arphrdPrism:
		return 119, false
	case arphrdRadiotap:
		return pcap.LinkTypeIEEE80211Radiotap, false
	case arphrdCisco:
		return 104, false // C_HDLC
	case arphrdTunnel, arphrdSit, arphrdCSlip, arphrdSlip6, arphrdCSlip6, arphrdAdapt,
		arphrdSlip, arphrdRawHDLC, arphrdDLCI, arphrdNone:
		return pcap.LinkTypeRaw, false
	case arphrdFRAD:
		return 107, false // FRELAY
	case arphrdLocalTalk:
		return 114, false // LTALK
	case arphrdIPOverFC:
		return 122, false
	case arphrdFCPP, arphrdFCAL, arphrdFCPL, arphrdFCFabric:
		return 224, false // FC_2
	case arphrdIEEE802154:
		return 230, false // IEEE802_15_4_NOFCS
	case arphrdVsockMon:
		return 271, false // VSOCK
	case arphrdIrDA:
		return 144, true // LINUX_IRDA, with a cooked header
	case arphrdLAPD:
		return 177, true // LINUX_LAPD, with a cooked header
	case arphrdNetlink:
		return 253, true // NETLINK, with a cooked header
	}
	// PPP, ATM and anything unknown.
	return pcap.LinkTypeLinuxSLL, true
}

// ifDrops is what the interface dropped, from sysfs, for Stats.IfDropped.
func ifDrops(dev string) uint64 {
	return sysfsCounter(dev, "rx_missed_errors") + sysfsCounter(dev, "rx_fifo_errors")
}

func sysfsCounter(dev, name string) uint64 {
	b, err := os.ReadFile("/sys/class/net/" + dev + "/statistics/" + name)
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return n
}

// strerror renders err as glibc's strerror does: Go's errno strings are
// glibc's with a lower-case first letter.
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" && s[0] >= 'a' && s[0] <= 'z' {
			s = strings.ToUpper(s[:1]) + s[1:]
		}
		return s
	}
	return err.Error()
}

// Interfaces lists the devices a capture can be opened on, in libpcap's
// order (pcap_findalldevs): the system's interfaces by index, then sorted
// so that devices up and running come first, then "any", then loopback
// devices, then devices that are down or disconnected. libpcap lists a few
// more pseudo-devices (bluetooth-monitor, nflog, nfqueue, D-Bus) that this
// package cannot capture on; they are left out.
func Interfaces() ([]Interface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	sock, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		sock = -1
	} else {
		defer unix.Close(sock)
	}
	var list []Interface
	for _, ifc := range ifs {
		d := Interface{Name: ifc.Name}
		if ifc.Flags&net.FlagUp != 0 {
			d.Flags |= FlagUp
		}
		if ifc.Flags&net.FlagRunning != 0 {
			d.Flags |= FlagRunning
		}
		if ifc.Flags&net.FlagLoopback != 0 {
			d.Flags |= FlagLoopback
			d.Status = StatusNotApplicable
		} else {
			d.Flags, d.Status = ifStatus(sock, ifc.Name, d.Flags)
		}
		list = insertByMerit(list, d)
	}
	list = insertByMerit(list, Interface{
		Name:        "any",
		Description: "Pseudo-device that captures on all interfaces",
		Flags:       FlagUp | FlagRunning,
		Status:      StatusNotApplicable,
	})
	return list, nil
}

// ifStatus finds whether a device is wireless and connected, as libpcap's
// get_if_flags does: wireless by its sysfs entries and hardware type,
// connected by ethtool's link state.
func ifStatus(sock int, name string, flags uint32) (uint32, ConnectionStatus) {
	if isWireless(name) {
		flags |= FlagWireless
	} else if b, err := os.ReadFile("/sys/class/net/" + name + "/type"); err == nil {
		switch t, _ := strconv.Atoi(strings.TrimSpace(string(b))); t {
		case arphrdLoopback:
			return flags, StatusUnknown
		case arphrdIrDA, arphrdIEEE80211, arphrdPrism, arphrdRadiotap, arphrdIEEE802154:
			flags |= FlagWireless
		}
	}
	if sock < 0 {
		return flags, StatusUnknown
	}
	up, err := ethtoolLink(sock, name)
	switch {
	case err == unix.EOPNOTSUPP || err == unix.EINVAL:
		return flags, StatusNotApplicable
	case err != nil:
		return flags, StatusUnknown
	case up:
		return flags, StatusConnected
	}
	return flags, StatusDisconnected
}

// isWireless is libpcap's is_wifi: a wireless extension or an 802.11 PHY
// in sysfs.
func isWireless(name string) bool {
	for _, p := range []string{"/sys/class/net/" + name + "/wireless", "/sys/class/net/" + name + "/phy80211"} {
		if _, err := os.Stat(p); err == nil {
			return true
		}
	}
	return false
}

// ethtoolLink asks the driver whether the link is up (ETHTOOL_GLINK).
func ethtoolLink(sock int, name string) (bool, error) {
	// struct ethtool_value, pointed to by the ifreq's data; x/sys/unix
	// has no wrapper for this command. The pointer stays an
	// unsafe.Pointer so that it follows value if the stack moves.
	value := struct{ cmd, data uint32 }{cmd: unix.ETHTOOL_GLINK}
	var ifr struct {
		name [unix.IFNAMSIZ]byte
		data unsafe.Pointer
		_    [24 - unsafe.Sizeof(uintptr(0))]byte // the rest of the union
	}
	copy(ifr.name[:unix.IFNAMSIZ-1], name)
	ifr.data = unsafe.Pointer(&value)
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(sock), unix.SIOCETHTOOL, uintptr(unsafe.Pointer(&ifr)))
	if errno != 0 {
		return false, errno
	}
	return value.data != 0, nil
}
