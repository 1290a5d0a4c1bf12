package pktscript

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/medina-net/medina/tcp"
)

// Num is a number in a packet, or * (any value, or the natural one).
type Num struct {
	V   uint32
	Any bool
}

// String writes the number as a script does.
func (n Num) String() string {
	if n.Any {
		return "*"
	}
	return strconv.FormatUint(uint64(n.V), 10)
}

// ParseNum parses a number that fits 32 bits, or * where star allows it.
func ParseNum(s string, star bool) (Num, error) {
	if s == "*" {
		if !star {
			return Num{}, fmt.Errorf("* is not allowed here")
		}
		return Num{Any: true}, nil
	}
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return Num{}, fmt.Errorf("bad number %q", s)
	}
	return Num{V: uint32(v)}, nil
}

// Segment is a TCP segment as a script writes it.
type Segment struct {
	None    bool // "> none" in package tcp's scripts: nothing sent
	Flags   tcp.Flags
	Seq     Num
	Len     int
	Ack     Num
	Win     Num
	WinSet  bool
	Opts    []Option
	OptsSet bool
	Rest    bool // "...": the window and options are not checked unless given
}

// Option is one TCP option of a segment as a script writes it.
type Option struct {
	Kind   tcp.OptionKind
	V1, V2 Num // MSS or shift; TS val and ecr
	Blocks [][2]Num
}

var seqRE = regexp.MustCompile(`^(\*|[0-9]+):(\*|[0-9]+)\(([0-9]+)\)$`)

var flagOfLetter = map[rune]tcp.Flags{'F': tcp.FlagFIN, 'S': tcp.FlagSYN, 'R': tcp.FlagRST, 'P': tcp.FlagPSH,
	'.': tcp.FlagACK, 'U': tcp.FlagURG, 'E': tcp.FlagECE, 'W': tcp.FlagCWR}

// IsFlags reports whether s reads as a segment's FLAGS, so that a
// harness can tell a TCP segment from its other notations.
func IsFlags(s string) bool {
	if s == "none" {
		return true
	}
	for _, r := range s {
		if _, ok := flagOfLetter[r]; !ok {
			return false
		}
	}
	return s != ""
}

// ParseSegment parses a segment. out is true for a segment to expect:
// wildcards are allowed in more places, and the window must be given (or
// "...").
func ParseSegment(text string, out bool) (*Segment, error) {
	s := &Segment{}
	text = strings.TrimSpace(text)
	if out && text == "none" {
		s.None = true
		return s, nil
	}
	if rest, ok := strings.CutSuffix(text, "..."); ok {
		if !out {
			return nil, fmt.Errorf("... only in segments to expect")
		}
		s.Rest, text = true, strings.TrimSpace(rest)
	}
	if i := strings.IndexByte(text, '<'); i >= 0 {
		j := strings.LastIndexByte(text, '>')
		if j < i || strings.TrimSpace(text[j+1:]) != "" {
			return nil, fmt.Errorf("options must be a <...> list at the end")
		}
		opts, err := parseOptions(text[i+1:j], out)
		if err != nil {
			return nil, err
		}
		s.Opts, s.OptsSet = opts, true
		text = text[:i]
	}
	f := strings.Fields(text)
	if len(f) < 2 {
		return nil, fmt.Errorf("want FLAGS SEQ:END(LEN) [ack N] [win N] [<options>]")
	}
	if f[0] != "none" { // no flag at all, as tcpdump writes it
		for _, r := range f[0] {
			fl, ok := flagOfLetter[r]
			if !ok {
				return nil, fmt.Errorf("bad flag %q in %q", r, f[0])
			}
			s.Flags |= fl
		}
	}
	m := seqRE.FindStringSubmatch(f[1])
	if m == nil {
		return nil, fmt.Errorf("bad sequence %q: want SEQ:END(LEN)", f[1])
	}
	var err error
	if s.Seq, err = ParseNum(m[1], out); err != nil {
		return nil, err
	}
	end, err := ParseNum(m[2], out)
	if err != nil {
		return nil, err
	}
	s.Len, _ = strconv.Atoi(m[3])
	if s.Seq.Any != end.Any || !s.Seq.Any && end.V != s.Seq.V+uint32(s.Len) {
		return nil, fmt.Errorf("%s: END must be SEQ+LEN", f[1])
	}
	hasAck := false
	for f = f[2:]; len(f) > 0; f = f[2:] {
		if len(f) < 2 {
			return nil, fmt.Errorf("%q without a value", f[0])
		}
		switch f[0] {
		case "ack":
			if s.Ack, err = ParseNum(f[1], out); err != nil {
				return nil, err
			}
			hasAck = true
		case "win":
			if s.Win, err = ParseNum(f[1], out); err != nil {
				return nil, err
			}
			if s.Win.V > 0xffff {
				return nil, fmt.Errorf("window %d does not fit 16 bits", s.Win.V)
			}
			s.WinSet = true
		default:
			return nil, fmt.Errorf("unknown field %q", f[0])
		}
	}
	if hasAck != (s.Flags&tcp.FlagACK != 0) {
		return nil, fmt.Errorf("ack N goes with the . (ACK) flag, and only with it")
	}
	if out && !s.WinSet && !s.Rest {
		return nil, fmt.Errorf("say win N, win *, or end with ... to leave the window unchecked")
	}
	if !out && !s.WinSet {
		s.Win = Num{V: 65535}
	}
	return s, nil
}

// parseOptions parses the list between < and >.
func parseOptions(text string, out bool) ([]Option, error) {
	var opts []Option
	if strings.TrimSpace(text) == "" {
		return opts, nil
	}
	for _, item := range strings.Split(text, ",") {
		f := strings.Fields(item)
		if len(f) == 0 {
			return nil, fmt.Errorf("empty option")
		}
		var o Option
		var err error
		argc := 0
		switch strings.ToLower(f[0]) {
		case "nop":
			o.Kind = tcp.OptNOP
		case "eol":
			o.Kind = tcp.OptEOL
		case "sackok":
			o.Kind = tcp.OptSACKPermitted
		case "mss":
			o.Kind, argc = tcp.OptMSS, 1
			if len(f) == 2 {
				o.V1, err = ParseNum(f[1], out)
			}
		case "wscale":
			o.Kind, argc = tcp.OptWindowScale, 1
			if len(f) == 2 {
				o.V1, err = ParseNum(f[1], out)
			}
		case "ts":
			o.Kind, argc = tcp.OptTimestamps, 4
			if len(f) == 5 && f[1] == "val" && f[3] == "ecr" {
				if o.V1, err = ParseNum(f[2], out); err == nil {
					o.V2, err = ParseNum(f[4], true) // ecr * in < echoes the latest TS val
				}
			} else {
				err = fmt.Errorf("want TS val N ecr N")
			}
		case "sack":
			o.Kind, argc = tcp.OptSACK, len(f)-1
			for _, b := range f[1:] {
				l, r, ok := strings.Cut(b, ":")
				if !ok {
					return nil, fmt.Errorf("bad SACK block %q: want L:R", b)
				}
				var blk [2]Num
				if blk[0], err = ParseNum(l, out); err != nil {
					return nil, err
				}
				if blk[1], err = ParseNum(r, out); err != nil {
					return nil, err
				}
				o.Blocks = append(o.Blocks, blk)
			}
			if len(o.Blocks) == 0 || len(o.Blocks) > 4 {
				return nil, fmt.Errorf("sack takes 1 to 4 blocks")
			}
		default:
			return nil, fmt.Errorf("unknown option %q", f[0])
		}
		if err != nil {
			return nil, fmt.Errorf("option %q: %v", strings.TrimSpace(item), err)
		}
		if len(f)-1 != argc {
			return nil, fmt.Errorf("option %q: wrong number of values", strings.TrimSpace(item))
		}
		opts = append(opts, o)
	}
	return opts, nil
}

// String writes the segment back in script form.
func (s *Segment) String() string {
	if s.None {
		return "none"
	}
	var b strings.Builder
	b.WriteString(FlagsString(s.Flags))
	if s.Seq.Any {
		fmt.Fprintf(&b, " *:*(%d)", s.Len)
	} else {
		fmt.Fprintf(&b, " %d:%d(%d)", s.Seq.V, s.Seq.V+uint32(s.Len), s.Len)
	}
	if s.Flags&tcp.FlagACK != 0 {
		fmt.Fprintf(&b, " ack %s", s.Ack)
	}
	if s.WinSet {
		fmt.Fprintf(&b, " win %s", s.Win)
	}
	if len(s.Opts) > 0 {
		b.WriteString(" <")
		for i, o := range s.Opts {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(o.String())
		}
		b.WriteString(">")
	}
	if s.Rest {
		b.WriteString(" ...")
	}
	return b.String()
}

// String writes the option as a script does, in a <...> list.
func (o Option) String() string {
	switch o.Kind {
	case tcp.OptNOP:
		return "nop"
	case tcp.OptEOL:
		return "eol"
	case tcp.OptSACKPermitted:
		return "sackOK"
	case tcp.OptMSS:
		return "mss " + o.V1.String()
	case tcp.OptWindowScale:
		return "wscale " + o.V1.String()
	case tcp.OptTimestamps:
		return "TS val " + o.V1.String() + " ecr " + o.V2.String()
	case tcp.OptSACK:
		var b strings.Builder
		b.WriteString("sack")
		for _, blk := range o.Blocks {
			fmt.Fprintf(&b, " %s:%s", blk[0], blk[1])
		}
		return b.String()
	}
	return fmt.Sprintf("kind %d", o.Kind)
}

// FlagsString writes flags as a script does: tcpdump's letters, "." for
// a bare ACK, and "none" for no flag at all.
func FlagsString(f tcp.Flags) string {
	if byte(f) == 0 {
		return "none"
	}
	return f.String()
}
