package pktscript

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Line is one line of a script, with the packet of a < or > line parsed
// by the harness's notation into P.
type Line[P any] struct {
	Num     int    // line number in the file, from 1
	Text    string // as written, without the comment
	HasTime bool
	RelTime bool // +d: d after the previous line's time
	T       time.Duration
	Cmd     string   // "<", ">", or an action or directive
	Args    []string // the fields after Cmd
	Packet  P        // for < and >
}

// Arity is how many arguments an action takes; a directive applies to
// the whole script (config, skip) and takes no time.
type Arity struct {
	Min, Max  int
	Directive bool
}

// Takes is the Arity of an action of min to max arguments.
func Takes(min, max int) Arity { return Arity{Min: min, Max: max} }

// Directive is the Arity of a directive of min to max arguments.
func Directive(min, max int) Arity { return Arity{Min: min, Max: max, Directive: true} }

// Language is what a harness adds to the line syntax: its actions and
// directives, and its packet notation.
type Language[P any] struct {
	Actions map[string]Arity
	// Packet parses what follows < or > (out is true for >, a packet
	// to expect).
	Packet func(text string, out bool) (P, error)
}

var timeRE = regexp.MustCompile(`^\+?[0-9]+(\.[0-9]+)?$`)

// Parse parses a script; an error names the line.
func Parse[P any](src string, lang Language[P]) ([]*Line[P], error) {
	var lines []*Line[P]
	for i, raw := range strings.Split(src, "\n") {
		text := raw
		if j := strings.IndexByte(text, '#'); j >= 0 {
			text = text[:j]
		}
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		l, err := parseLine(text, lang)
		if err != nil {
			return nil, fmt.Errorf("line %d: %q: %v", i+1, text, err)
		}
		l.Num = i + 1
		lines = append(lines, l)
	}
	return lines, nil
}

func parseLine[P any](text string, lang Language[P]) (*Line[P], error) {
	l := &Line[P]{Text: text}
	f := strings.Fields(text)
	if timeRE.MatchString(f[0]) {
		l.HasTime = true
		l.RelTime = strings.HasPrefix(f[0], "+")
		v, err := strconv.ParseFloat(strings.TrimPrefix(f[0], "+"), 64)
		if err != nil {
			return nil, err
		}
		// Microseconds, rounded: 0.1 is not exact in binary.
		l.T = time.Duration(v*1e6+0.5) * time.Microsecond
		f = f[1:]
		if len(f) == 0 {
			return nil, fmt.Errorf("a time and nothing to do")
		}
	}
	l.Cmd, l.Args = f[0], f[1:]
	switch l.Cmd {
	case "<", ">":
		if !l.HasTime {
			return nil, fmt.Errorf("a packet needs a time")
		}
		// The packet is the text after the arrow, spacing kept.
		rest := strings.TrimSpace(text[strings.Index(text, l.Cmd)+1:])
		p, err := lang.Packet(rest, l.Cmd == ">")
		if err != nil {
			return nil, err
		}
		l.Packet = p
		return l, nil
	}
	n, ok := lang.Actions[l.Cmd]
	if !ok {
		return nil, fmt.Errorf("unknown action %q", l.Cmd)
	}
	if len(l.Args) < n.Min || len(l.Args) > n.Max {
		return nil, fmt.Errorf("%s takes %d to %d arguments", l.Cmd, n.Min, n.Max)
	}
	if n.Directive && l.HasTime {
		return nil, fmt.Errorf("%s takes no time", l.Cmd)
	}
	return l, nil
}

// At returns the time of the line, given the time of the previous one:
// its own, that plus its relative time, or the previous one's if it has
// none. It fails if the time goes back.
func (l *Line[P]) At(prev time.Duration) (time.Duration, error) {
	if !l.HasTime {
		return prev, nil
	}
	t := l.T
	if l.RelTime {
		t += prev
	}
	if t < prev {
		return prev, fmt.Errorf("time goes back from %s to %s", FormatTime(prev), FormatTime(t))
	}
	return t, nil
}

// FormatTime writes a time since the start as a script does: seconds,
// to the millisecond.
func FormatTime(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}
