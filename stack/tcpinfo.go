package stack

import "github.com/medina-net/medina/tcp"

// AppendTCPInfo appends the state of the stack's TCP connections, both
// families, to dst, at most limit of them when limit > 0 (see
// tcp.Engine.AppendInfo): what ss -ti shows of a host's sockets. It
// allocates nothing but dst's growth.
func (s *Stack) AppendTCPInfo(dst []tcp.Info, limit int) []tcp.Info {
	return s.tcp.AppendInfo(dst, limit)
}

// NumTCPConns returns the number of TCP connections in the stack's
// table, in every state from SYN-SENT to TIME-WAIT.
func (s *Stack) NumTCPConns() int { return s.tcp.NumConns() }

// AppendTCPListenerInfo appends the state of the stack's TCP listeners
// to dst (see tcp.Engine.AppendListenerInfo): what ss -lt shows.
func (s *Stack) AppendTCPListenerInfo(dst []tcp.ListenerInfo) []tcp.ListenerInfo {
	return s.tcp.AppendListenerInfo(dst)
}
