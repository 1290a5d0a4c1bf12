package pcap

import (
	"strconv"
	"time"
)

// strftime expands the conversions of a strftime(3) pattern with t, as
// glibc does in the C locale, for the file names of RotateConfig.Seconds
// (tcpdump -G passes -w's argument to strftime). It knows every conversion
// glibc documents, the flags '-' (no padding), '_' (spaces), '0' (zeros)
// and '^' (upper case), a field width, and the E and O modifiers, which the
// C locale ignores. An unknown conversion is copied as it is, as glibc
// copies it.
func strftime(pattern string, t time.Time) string {
	out := make([]byte, 0, len(pattern)+16)
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c != '%' {
			out = append(out, c)
			continue
		}
		start := i
		// Flags, width and modifier, then the conversion letter.
		var flag byte
		for i+1 < len(pattern) && (pattern[i+1] == '-' || pattern[i+1] == '_' || pattern[i+1] == '0' || pattern[i+1] == '^' || pattern[i+1] == '#') {
			i++
			if pattern[i] != '#' {
				flag = pattern[i]
			}
		}
		width := -1
		for i+1 < len(pattern) && pattern[i+1] >= '0' && pattern[i+1] <= '9' {
			i++
			if width < 0 {
				width = 0
			}
			if width < 4096 {
				width = width*10 + int(pattern[i]-'0')
			}
		}
		if i+1 < len(pattern) && (pattern[i+1] == 'E' || pattern[i+1] == 'O') {
			i++
		}
		if i+1 >= len(pattern) {
			out = append(out, pattern[start:]...)
			break
		}
		i++
		conv, ok := strftimeConv(pattern[i], t)
		if !ok {
			out = append(out, pattern[start:i+1]...)
			continue
		}
		out = appendField(out, conv, flag, width)
	}
	return string(out)
}

// field is one expanded conversion: its text, and for numbers the padding
// glibc uses by default and the width it pads to.
type field struct {
	text    string
	numeric bool
	pad     byte // '0' or ' '
	width   int
}

// appendField pads or transforms f as the flag and width say.
func appendField(out []byte, f field, flag byte, width int) []byte {
	text := f.text
	if flag == '^' {
		b := []byte(text)
		for j, c := range b {
			if c >= 'a' && c <= 'z' {
				b[j] = c - 'a' + 'A'
			}
		}
		text = string(b)
	}
	pad, w := f.pad, f.width
	if width >= 0 {
		w = width
		if !f.numeric {
			pad = ' '
		}
	}
	switch flag {
	case '-':
		if width < 0 {
			w = 0
		}
	case '_':
		pad = ' '
	case '0':
		pad = '0'
	}
	if !f.numeric && width < 0 {
		w = 0
	}
	neg := f.numeric && len(text) > 0 && text[0] == '-'
	if neg && pad == '0' {
		out = append(out, '-')
		text = text[1:]
		w--
	}
	for n := len(text); n < w; n++ {
		out = append(out, pad)
	}
	return append(out, text...)
}

func num(v, width int) field {
	return field{text: strconv.Itoa(v), numeric: true, pad: '0', width: width}
}

func spaced(v, width int) field {
	return field{text: strconv.Itoa(v), numeric: true, pad: ' ', width: width}
}

func str(s string) field { return field{text: s} }

// strftimeConv expands one conversion letter.
func strftimeConv(c byte, t time.Time) (field, bool) {
	switch c {
	case 'a':
		return str(t.Weekday().String()[:3]), true
	case 'A':
		return str(t.Weekday().String()), true
	case 'b', 'h':
		return str(t.Month().String()[:3]), true
	case 'B':
		return str(t.Month().String()), true
	case 'c':
		return str(t.Format("Mon Jan _2 15:04:05 2006")), true
	case 'C':
		return num(t.Year()/100, 2), true
	case 'd':
		return num(t.Day(), 2), true
	case 'D':
		return str(t.Format("01/02/06")), true
	case 'e':
		return spaced(t.Day(), 2), true
	case 'F':
		return str(strconv.Itoa(t.Year()) + t.Format("-01-02")), true
	case 'g':
		y, _ := t.ISOWeek()
		return num(y%100, 2), true
	case 'G':
		y, _ := t.ISOWeek()
		return num(y, 1), true
	case 'H':
		return num(t.Hour(), 2), true
	case 'I':
		return num(hour12(t), 2), true
	case 'j':
		return num(t.YearDay(), 3), true
	case 'k':
		return spaced(t.Hour(), 2), true
	case 'l':
		return spaced(hour12(t), 2), true
	case 'm':
		return num(int(t.Month()), 2), true
	case 'M':
		return num(t.Minute(), 2), true
	case 'n':
		return str("\n"), true
	case 'p':
		return str(t.Format("PM")), true
	case 'P':
		if t.Hour() < 12 {
			return str("am"), true
		}
		return str("pm"), true
	case 'r':
		return str(t.Format("03:04:05 PM")), true
	case 'R':
		return str(t.Format("15:04")), true
	case 's':
		return num(int(t.Unix()), 1), true
	case 'S':
		return num(t.Second(), 2), true
	case 't':
		return str("\t"), true
	case 'T':
		return str(t.Format("15:04:05")), true
	case 'u':
		wd := int(t.Weekday())
		if wd == 0 {
			wd = 7
		}
		return num(wd, 1), true
	case 'U':
		return num((t.YearDay()+6-int(t.Weekday()))/7, 2), true
	case 'V':
		_, wk := t.ISOWeek()
		return num(wk, 2), true
	case 'w':
		return num(int(t.Weekday()), 1), true
	case 'W':
		return num((t.YearDay()+6-(int(t.Weekday())+6)%7)/7, 2), true
	case 'x':
		return str(t.Format("01/02/06")), true
	case 'X':
		return str(t.Format("15:04:05")), true
	case 'y':
		return num(t.Year()%100, 2), true
	case 'Y':
		return num(t.Year(), 1), true
	case 'z':
		return str(t.Format("-0700")), true
	case 'Z':
		return str(t.Format("MST")), true
	case '%':
		return str("%"), true
	}
	return field{}, false
}

// hour12 is the hour on a 12-hour clock, 12 for noon and midnight.
func hour12(t time.Time) int {
	h := t.Hour() % 12
	if h == 0 {
		h = 12
	}
	return h
}
