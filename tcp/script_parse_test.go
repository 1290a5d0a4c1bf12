package tcp

// The script language of the RFC behaviour tests: parsing, and printing
// segments both the way tcpdump does and the way a script writes them.
// script_test.go describes the language.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// scriptLine is one line of a script.
type scriptLine struct {
	num     int
	text    string // as written, without the comment
	hasTime bool
	relTime bool // +d: d after the previous line's time
	t       time.Duration
	cmd     string // "<", ">", or an action or directive
	args    []string
	seg     *segSpec // for < and >
}

// numSpec is a number in a segment, or * (any, or the natural value).
type numSpec struct {
	v   uint32
	any bool
}

func (n numSpec) String() string {
	if n.any {
		return "*"
	}
	return strconv.FormatUint(uint64(n.v), 10)
}

// segSpec is a segment as a script writes it.
type segSpec struct {
	none    bool // "> none": nothing sent
	flags   Flags
	seq     numSpec
	length  int
	ack     numSpec
	win     numSpec
	winSet  bool
	opts    []optSpec
	optsSet bool
	rest    bool // "...": the window and options are not checked unless given
}

// optSpec is one option of a segment as a script writes it.
type optSpec struct {
	kind   OptionKind
	v1, v2 numSpec // MSS or shift; TS val and ecr
	blocks [][2]numSpec
}

var (
	timeRE = regexp.MustCompile(`^\+?[0-9]+(\.[0-9]+)?$`)
	seqRE  = regexp.MustCompile(`^(\*|[0-9]+):(\*|[0-9]+)\(([0-9]+)\)$`)
)

// scriptActions are the actions and directives, with the number of
// arguments each takes (min, max).
var scriptActions = map[string][2]int{
	"listen": {1, 1}, "connect": {1, 1}, "dialed": {0, 1}, "accept": {0, 0},
	"write": {1, 2}, "read": {1, 1}, "close": {0, 0}, "shutdown-write": {0, 0},
	"set": {2, 2}, "state": {1, 1}, "stat": {2, 2}, "peer": {1, 1}, "local": {1, 1}, "mtu": {1, 1},
	"config": {1, 100}, "skip": {1, 100},
}

// parseScript parses a script; errors name the line.
func parseScript(src string) ([]*scriptLine, error) {
	var lines []*scriptLine
	for i, raw := range strings.Split(src, "\n") {
		text := raw
		if j := strings.IndexByte(text, '#'); j >= 0 {
			text = text[:j]
		}
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		l, err := parseLine(text)
		if err != nil {
			return nil, fmt.Errorf("line %d: %q: %v", i+1, text, err)
		}
		l.num = i + 1
		lines = append(lines, l)
	}
	return lines, nil
}

func parseLine(text string) (*scriptLine, error) {
	l := &scriptLine{text: text}
	f := strings.Fields(text)
	if timeRE.MatchString(f[0]) {
		l.hasTime = true
		l.relTime = strings.HasPrefix(f[0], "+")
		v, err := strconv.ParseFloat(strings.TrimPrefix(f[0], "+"), 64)
		if err != nil {
			return nil, err
		}
		l.t = time.Duration(v*1e6+0.5) * time.Microsecond
		f = f[1:]
		if len(f) == 0 {
			return nil, fmt.Errorf("a time and nothing to do")
		}
	}
	l.cmd, l.args = f[0], f[1:]
	switch l.cmd {
	case "<", ">":
		if !l.hasTime {
			return nil, fmt.Errorf("a segment needs a time")
		}
		s, err := parseSegment(strings.Join(l.args, " "), l.cmd == ">")
		if err != nil {
			return nil, err
		}
		l.seg = s
		return l, nil
	}
	n, ok := scriptActions[l.cmd]
	if !ok {
		return nil, fmt.Errorf("unknown action %q", l.cmd)
	}
	if len(l.args) < n[0] || len(l.args) > n[1] {
		return nil, fmt.Errorf("%s takes %d to %d arguments", l.cmd, n[0], n[1])
	}
	if (l.cmd == "config" || l.cmd == "skip") && l.hasTime {
		return nil, fmt.Errorf("%s takes no time", l.cmd)
	}
	return l, nil
}

// parseNum parses a number, or * where star allows it.
func parseNum(s string, star bool) (numSpec, error) {
	if s == "*" {
		if !star {
			return numSpec{}, fmt.Errorf("* is not allowed here")
		}
		return numSpec{any: true}, nil
	}
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return numSpec{}, fmt.Errorf("bad number %q", s)
	}
	return numSpec{v: uint32(v)}, nil
}

var flagOfLetter = map[rune]Flags{'F': FlagFIN, 'S': FlagSYN, 'R': FlagRST, 'P': FlagPSH,
	'.': FlagACK, 'U': FlagURG, 'E': FlagECE, 'W': FlagCWR}

// parseSegment parses what follows < or >. out is true for >: wildcards
// are allowed in more places, and the window must be given (or "...").
func parseSegment(text string, out bool) (*segSpec, error) {
	s := &segSpec{}
	text = strings.TrimSpace(text)
	if out && text == "none" {
		s.none = true
		return s, nil
	}
	if rest, ok := strings.CutSuffix(text, "..."); ok {
		if !out {
			return nil, fmt.Errorf("... only in segments the engine sends")
		}
		s.rest, text = true, strings.TrimSpace(rest)
	}
	if i := strings.IndexByte(text, '<'); i >= 0 {
		j := strings.LastIndexByte(text, '>')
		if j < i || strings.TrimSpace(text[j+1:]) != "" {
			return nil, fmt.Errorf("options must be a <...> list at the end")
		}
		opts, err := parseOptionsSpec(text[i+1:j], out)
		if err != nil {
			return nil, err
		}
		s.opts, s.optsSet = opts, true
		text = text[:i]
	}
	f := strings.Fields(text)
	if len(f) < 2 {
		return nil, fmt.Errorf("want FLAGS SEQ:END(LEN) [ack N] [win N] [<options>]")
	}
	for _, r := range f[0] {
		if f[0] == "none" {
			break // no flag at all, as tcpdump writes it
		}
		fl, ok := flagOfLetter[r]
		if !ok {
			return nil, fmt.Errorf("bad flag %q in %q", r, f[0])
		}
		s.flags |= fl
	}
	m := seqRE.FindStringSubmatch(f[1])
	if m == nil {
		return nil, fmt.Errorf("bad sequence %q: want SEQ:END(LEN)", f[1])
	}
	var err error
	if s.seq, err = parseNum(m[1], out); err != nil {
		return nil, err
	}
	end, err := parseNum(m[2], out)
	if err != nil {
		return nil, err
	}
	s.length, _ = strconv.Atoi(m[3])
	if s.seq.any != end.any || !s.seq.any && end.v != s.seq.v+uint32(s.length) {
		return nil, fmt.Errorf("%s: END must be SEQ+LEN", f[1])
	}
	hasAck := false
	for f = f[2:]; len(f) > 0; f = f[2:] {
		if len(f) < 2 {
			return nil, fmt.Errorf("%q without a value", f[0])
		}
		switch f[0] {
		case "ack":
			if s.ack, err = parseNum(f[1], out); err != nil {
				return nil, err
			}
			hasAck = true
		case "win":
			if s.win, err = parseNum(f[1], out); err != nil {
				return nil, err
			}
			if s.win.v > 0xffff {
				return nil, fmt.Errorf("window %d does not fit 16 bits", s.win.v)
			}
			s.winSet = true
		default:
			return nil, fmt.Errorf("unknown field %q", f[0])
		}
	}
	if hasAck != (s.flags&FlagACK != 0) {
		return nil, fmt.Errorf("ack N goes with the . (ACK) flag, and only with it")
	}
	if out && !s.winSet && !s.rest {
		return nil, fmt.Errorf("say win N, win *, or end with ... to leave the window unchecked")
	}
	if !out && !s.winSet {
		s.win = numSpec{v: 65535}
	}
	return s, nil
}

// parseOptionsSpec parses the list between < and >.
func parseOptionsSpec(text string, out bool) ([]optSpec, error) {
	var opts []optSpec
	if strings.TrimSpace(text) == "" {
		return opts, nil
	}
	for _, item := range strings.Split(text, ",") {
		f := strings.Fields(item)
		if len(f) == 0 {
			return nil, fmt.Errorf("empty option")
		}
		var o optSpec
		var err error
		argc := 0
		switch strings.ToLower(f[0]) {
		case "nop":
			o.kind = OptNOP
		case "eol":
			o.kind = OptEOL
		case "sackok":
			o.kind = OptSACKPermitted
		case "mss":
			o.kind, argc = OptMSS, 1
			if len(f) == 2 {
				o.v1, err = parseNum(f[1], out)
			}
		case "wscale":
			o.kind, argc = OptWindowScale, 1
			if len(f) == 2 {
				o.v1, err = parseNum(f[1], out)
			}
		case "ts":
			o.kind, argc = OptTimestamps, 4
			if len(f) == 5 && f[1] == "val" && f[3] == "ecr" {
				if o.v1, err = parseNum(f[2], out); err == nil {
					o.v2, err = parseNum(f[4], true) // ecr * in < echoes our last TS val
				}
			} else {
				err = fmt.Errorf("want TS val N ecr N")
			}
		case "sack":
			o.kind, argc = OptSACK, len(f)-1
			for _, b := range f[1:] {
				l, r, ok := strings.Cut(b, ":")
				if !ok {
					return nil, fmt.Errorf("bad SACK block %q: want L:R", b)
				}
				var blk [2]numSpec
				if blk[0], err = parseNum(l, out); err != nil {
					return nil, err
				}
				if blk[1], err = parseNum(r, out); err != nil {
					return nil, err
				}
				o.blocks = append(o.blocks, blk)
			}
			if len(o.blocks) == 0 || len(o.blocks) > 4 {
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
func (s *segSpec) String() string {
	if s.none {
		return "none"
	}
	var b strings.Builder
	b.WriteString(scriptFlags(s.flags))
	if s.seq.any {
		fmt.Fprintf(&b, " *:*(%d)", s.length)
	} else {
		fmt.Fprintf(&b, " %d:%d(%d)", s.seq.v, s.seq.v+uint32(s.length), s.length)
	}
	if s.flags&FlagACK != 0 {
		fmt.Fprintf(&b, " ack %s", s.ack)
	}
	if s.winSet {
		fmt.Fprintf(&b, " win %s", s.win)
	}
	if len(s.opts) > 0 {
		b.WriteString(" <")
		for i, o := range s.opts {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(o.String())
		}
		b.WriteString(">")
	}
	if s.rest {
		b.WriteString(" ...")
	}
	return b.String()
}

func (o optSpec) String() string {
	switch o.kind {
	case OptNOP:
		return "nop"
	case OptEOL:
		return "eol"
	case OptSACKPermitted:
		return "sackOK"
	case OptMSS:
		return "mss " + o.v1.String()
	case OptWindowScale:
		return "wscale " + o.v1.String()
	case OptTimestamps:
		return "TS val " + o.v1.String() + " ecr " + o.v2.String()
	case OptSACK:
		var b strings.Builder
		b.WriteString("sack")
		for _, blk := range o.blocks {
			fmt.Fprintf(&b, " %s:%s", blk[0], blk[1])
		}
		return b.String()
	}
	return fmt.Sprintf("kind %d", o.kind)
}

// scriptFlags writes flags as a script does: tcpdump's letters, and "."
// for a bare ACK.
func scriptFlags(f Flags) string {
	if byte(f) == 0 {
		return "none"
	}
	return f.String()
}
