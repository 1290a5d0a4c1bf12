package filter

import "errors"

// Error is why an expression does not compile. Msg is worded as libpcap
// 1.10.3 words it (tcpdump prints it after "tcpdump: "), so a script that
// matches tcpdump's messages matches ours; Error adds what netdump does
// differently, such as never looking names up.
type Error struct {
	// Msg is libpcap's message: "can't parse filter expression: syntax
	// error", "illegal port number 70000 > 65535", "unknown host
	// 'example.org'", ...
	Msg string
	// Unresolved is set when the expression needs a name lookup (a host,
	// network, ether host or gateway name), which this package never does.
	Unresolved bool
}

// Error returns Msg, with a note when the expression needed a name lookup.
func (e *Error) Error() string {
	if e.Unresolved {
		return e.Msg + " (names are not resolved: give an address)"
	}
	return e.Msg
}

// ErrSyntax is what errors.Is matches for an expression that does not parse.
var ErrSyntax = errors.New("can't parse filter expression: syntax error")

// Is lets errors.Is(err, ErrSyntax) recognise a syntax error.
func (e *Error) Is(target error) bool {
	return target == ErrSyntax && e.Msg == ErrSyntax.Error()
}

// errorf builds an *Error with libpcap's wording.
func errorf(msg string) *Error { return &Error{Msg: msg} }

// syntaxError is bison's error as libpcap reports it.
func syntaxError() *Error { return &Error{Msg: ErrSyntax.Error()} }

// unresolved is the error for a name this package will not look up, in
// libpcap's wording for a name it could not find.
func unresolved(msg string) *Error { return &Error{Msg: msg, Unresolved: true} }

// genError carries an *Error through the code generator, which stops at the
// first one as libpcap's longjmp does; compile recovers it and nothing else.
type genError struct{ err *Error }

// fail stops code generation with libpcap's message.
func fail(msg string) { panic(genError{errorf(msg)}) }

// failUnresolved stops code generation for a name that needs a lookup.
func failUnresolved(msg string) { panic(genError{unresolved(msg)}) }
