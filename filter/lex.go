package filter

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"sync"
)

// The scanner follows the rules of libpcap's: at each position the longest
// lexeme wins, and of two rules matching the same length the one listed
// first. The order, which decides ties, is: keywords, punctuation, ARCnet
// addresses, MAC addresses, numbers, IPv4 addresses, IPv6 addresses, bogus
// MAC addresses, named constants, names. So "tcp-syn" is a named constant
// and not the name "tcp-syn", "1.2.3.4" an address and not a name, and
// "abcdef012345" a MAC address and not a name.

// rule numbers, in tie-breaking order.
const (
	ruleKeyword = iota
	rulePunct
	ruleAID
	ruleMAC
	ruleNum
	ruleHID
	ruleV6
	ruleBogusMAC
	ruleNamed
	ruleID
	ruleEscapedID
	nRules
)

// lexRegexps holds the patterns too irregular to scan by hand, compiled on
// first use.
var lexRegexps struct {
	once                   sync.Once
	mac, hid, v6, bogusMAC *regexp.Regexp
}

func compileLexRegexps() {
	const (
		n  = `(?:0[xX][0-9A-Fa-f]+|[0-9]+)`
		b  = `[0-9A-Fa-f][0-9A-Fa-f]?`
		b2 = `[0-9A-Fa-f]{4}`
		w  = `[0-9A-Fa-f]{1,4}`
	)
	r := &lexRegexps
	r.mac = longest(`^(?:` + strings.Join([]string{
		strings.Repeat(b+`:`, 5) + b,
		strings.Repeat(b+`-`, 5) + b,
		strings.Repeat(b+`\.`, 5) + b,
		b2 + `\.` + b2 + `\.` + b2,
		b2 + b2 + b2,
	}, "|") + `)`)
	r.hid = longest(`^` + n + `(?:\.` + n + `){1,3}`)
	r.bogusMAC = longest(`^` + b + `:+(?:` + b + `:+)+`)

	// IPv6: eight groups; or up to seven around one "::"; or, before an
	// embedded IPv4 address, six groups, or up to five around one "::".
	groups := func(k int, sep string) string { // k groups, each followed by sep
		return strings.Repeat(w+sep, k)
	}
	joined := func(k int) string { // k groups joined by ':'
		if k == 0 {
			return ""
		}
		return groups(k-1, ":") + w
	}
	ip4 := n + `\.` + n + `\.` + n + `\.` + n
	alts := []string{joined(8), groups(6, ":") + ip4}
	for total := 0; total <= 7; total++ {
		for left := 0; left <= total; left++ {
			alts = append(alts, joined(left)+"::"+joined(total-left))
		}
	}
	for total := 0; total <= 5; total++ {
		for left := 0; left <= total; left++ {
			alts = append(alts, joined(left)+"::"+groups(total-left, ":")+ip4)
		}
	}
	r.v6 = longest(`^(?:` + strings.Join(alts, "|") + `)`)
}

func longest(expr string) *regexp.Regexp {
	re := regexp.MustCompile(expr)
	re.Longest()
	return re
}

// scan splits an expression into tokens, ending with tEOF. A lexeme the
// scanner cannot accept becomes a tLexError token, as in libpcap, where it
// stops the parser when (and only if) the parser reaches it.
func scan(s string) []token {
	lexRegexps.once.Do(compileLexRegexps)
	var toks []token
	for i := 0; ; {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
		if i == len(s) {
			return append(toks, token{kind: tEOF})
		}
		tok, n := scanOne(s[i:])
		toks = append(toks, tok)
		i += n
	}
}

// scanOne returns the token at the start of s (not empty, not starting with
// white space) and its length.
func scanOne(s string) (token, int) {
	var lens [nRules]int
	r := &lexRegexps

	// Keywords and named constants are words of [a-z0-9-]; "&&" and "||"
	// are the only keywords of other characters.
	word := 0
	for word < len(s) && (isLower(s[word]) || isDigit(s[word]) || s[word] == '-') {
		word++
	}
	for k := word; k > 0; k-- {
		if _, ok := keywords[s[:k]]; ok {
			lens[ruleKeyword] = k
			break
		}
	}
	if strings.HasPrefix(s, "&&") || strings.HasPrefix(s, "||") {
		lens[ruleKeyword] = 2
	}
	for k := word; k > 0; k-- {
		if _, ok := namedNumbers[s[:k]]; ok {
			lens[ruleNamed] = k
			break
		}
	}

	switch {
	case len(s) >= 2 && (s[:2] == ">=" || s[:2] == "<=" || s[:2] == "!=" ||
		s[:2] == "==" || s[:2] == "<<" || s[:2] == ">>"):
		lens[rulePunct] = 2
	case strings.IndexByte("+-*/%:[]!<>()&|^=", s[0]) >= 0:
		lens[rulePunct] = 1
	}

	if s[0] == '$' && len(s) > 1 && isHex(s[1]) {
		lens[ruleAID] = 2
		if len(s) > 2 && isHex(s[2]) {
			lens[ruleAID] = 3
		}
	}
	lens[ruleMAC] = matchLen(r.mac, s)
	lens[ruleNum] = numLen(s)
	lens[ruleHID] = matchLen(r.hid, s)
	lens[ruleV6] = matchLen(r.v6, s)
	lens[ruleBogusMAC] = matchLen(r.bogusMAC, s)
	lens[ruleID] = idLen(s)
	if s[0] == '\\' {
		k := 1
		for k < len(s) && strings.IndexByte(" !()\n\t", s[k]) < 0 {
			k++
		}
		if k > 1 {
			lens[ruleEscapedID] = k
		}
	}

	best, n := -1, 0
	for rule, l := range lens {
		if l > n {
			best, n = rule, l
		}
	}
	if best < 0 {
		// Any other character: libpcap's scanner returns an error token.
		return token{kind: tLexError, text: s[:1]}, 1
	}
	text := s[:n]
	switch best {
	case ruleKeyword:
		return token{kind: keywords[text], text: text}, n
	case rulePunct:
		return token{kind: punctKind(text), text: text}, n
	case ruleAID:
		return token{kind: tAID, text: text}, n
	case ruleMAC:
		return token{kind: tEID, text: text}, n
	case ruleNum:
		v, err := parseNum(text)
		if err != "" {
			return token{kind: tLexError, text: text, err: err}, n
		}
		return token{kind: tNUM, text: text, num: v}, n
	case ruleHID:
		return token{kind: tHID, text: text}, n
	case ruleV6:
		tok := token{kind: tHID6, text: text}
		if !validIPv6(text) {
			tok.err = "bogus IPv6 address " + text
		}
		return tok, n
	case ruleBogusMAC:
		return token{kind: tEID, text: text, err: "bogus ethernet address " + text}, n
	case ruleNamed:
		return token{kind: tNUM, text: text, num: namedNumbers[text]}, n
	case ruleID:
		return token{kind: tID, text: text}, n
	default: // ruleEscapedID
		return token{kind: tID, text: text[1:]}, n
	}
}

func punctKind(p string) tokKind {
	switch p {
	case ">=":
		return tGEQ
	case "<=":
		return tLEQ
	case "!=":
		return tNEQ
	case "==", "=":
		return tEQ
	case "<<":
		return tLSH
	case ">>":
		return tRSH
	case "+":
		return tPlus
	case "-":
		return tMinus
	case "*":
		return tStar
	case "/":
		return tSlash
	case "%":
		return tPercent
	case ":":
		return tColon
	case "[":
		return tLBrack
	case "]":
		return tRBrack
	case "!":
		return tNot
	case "<":
		return tLT
	case ">":
		return tGT
	case "(":
		return tLParen
	case ")":
		return tRParen
	case "&":
		return tAmp
	case "|":
		return tPipe
	default: // "^"
		return tCaret
	}
}

func matchLen(re *regexp.Regexp, s string) int {
	loc := re.FindStringIndex(s)
	if loc == nil {
		return 0
	}
	return loc[1]
}

// numLen is the length of a decimal or 0x-prefixed hexadecimal number at
// the start of s (octal numbers are decimal-looking numbers starting with 0).
func numLen(s string) int {
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isHex(s[2]) {
		k := 3
		for k < len(s) && isHex(s[k]) {
			k++
		}
		return k
	}
	k := 0
	for k < len(s) && isDigit(s[k]) {
		k++
	}
	return k
}

// idLen is the length of a name at the start of s: a letter or digit, then
// letters, digits, '-', '_' and '.', not ending in '-' or '_'.
func idLen(s string) int {
	if !isAlnum(s[0]) {
		return 0
	}
	k := 1
	for k < len(s) && (isAlnum(s[k]) || s[k] == '-' || s[k] == '_' || s[k] == '.') {
		k++
	}
	for k > 1 && (s[k-1] == '-' || s[k-1] == '_') {
		k--
	}
	return k
}

// parseNum converts a number lexeme as libpcap's scanner does: 0x for hex,
// a leading 0 for octal, decimal otherwise, refusing more than 32 bits.
func parseNum(s string) (uint32, string) {
	var n uint64
	switch {
	case len(s) > 1 && (s[1] == 'x' || s[1] == 'X'):
		for _, c := range []byte(s[2:]) {
			n = n<<4 | uint64(hexVal(c))
			if n > 0xffffffff {
				return 0, fmt.Sprintf("number %s overflows 32 bits", s)
			}
		}
	case s[0] == '0':
		for _, c := range []byte(s[1:]) {
			if c > '7' {
				return 0, fmt.Sprintf("number %s contains non-octal digit", s)
			}
			n = n<<3 | uint64(c-'0')
			if n > 0xffffffff {
				return 0, fmt.Sprintf("number %s overflows 32 bits", s)
			}
		}
	default:
		for _, c := range []byte(s) {
			n = n*10 + uint64(c-'0')
			if n > 0xffffffff {
				return 0, fmt.Sprintf("number %s overflows 32 bits", s)
			}
		}
	}
	return uint32(n), ""
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isAlnum(c byte) bool { return isDigit(c) || isLower(c) || (c >= 'A' && c <= 'Z') }
func isHex(c byte) bool   { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') }

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// validIPv6 reports whether an IPv6-shaped lexeme is an address, as
// getaddrinfo with AI_NUMERICHOST decides in libpcap's scanner (an embedded
// IPv4 address must be four decimal numbers up to 255).
func validIPv6(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is6()
}
