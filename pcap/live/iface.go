package live

// Interface flags, as pcap_findalldevs reports them.
const (
	FlagLoopback uint32 = 1 << iota
	FlagUp
	FlagRunning
	FlagWireless
)

// ConnectionStatus is whether an interface is plugged into a network.
type ConnectionStatus int

// Connection statuses.
const (
	StatusUnknown ConnectionStatus = iota
	StatusConnected
	StatusDisconnected
	// StatusNotApplicable is the status of loopback devices, of devices
	// that cannot tell, and of "any".
	StatusNotApplicable
)

// Interface is a device a capture can be opened on, as tcpdump -D lists
// it.
type Interface struct {
	// Name is what Config.Interface takes.
	Name string
	// Description is "" except for the "any" device.
	Description string
	// Flags are FlagUp, FlagRunning, FlagLoopback and FlagWireless.
	Flags uint32
	// Status says whether the device is connected.
	Status ConnectionStatus
}

// insertByMerit inserts d after the last device whose figure of merit is
// at most d's, as libpcap's add_dev does.
func insertByMerit(list []Interface, d Interface) []Interface {
	m := merit(d)
	i := len(list)
	for i > 0 && merit(list[i-1]) > m {
		i--
	}
	list = append(list, Interface{})
	copy(list[i+1:], list[i:])
	list[i] = d
	return list
}

// merit is libpcap's get_figure_of_merit: lower sorts first.
func merit(d Interface) uint32 {
	var n uint32
	if d.Flags&FlagRunning == 0 {
		n |= 0x80000000
	}
	if d.Flags&FlagUp == 0 {
		n |= 0x40000000
	}
	if d.Flags&FlagWireless == 0 && d.Status == StatusDisconnected {
		n |= 0x20000000
	}
	if d.Flags&FlagLoopback != 0 {
		n |= 0x10000000
	}
	if d.Name == "any" {
		n |= 0x08000000
	}
	return n
}
