package stack

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/net/dns/dnsmessage"
)

// DNS messages, built and parsed with golang.org/x/net/dns/dnsmessage:
// the queries the resolver sends, the checks a response must pass before
// it is believed, and the responses the in-process server gives package
// net's resolver (resolver.go).

// errBadResponse is wrapped by every reason a response is not believed.
var errBadResponse = errors.New("dns: bad response")

// buildQuery packs a recursive query for q with id; with udpSize other
// than 0 it carries an EDNS0 OPT record advertising that payload size
// (RFC 6891).
func buildQuery(id uint16, q dnsmessage.Question, udpSize int) ([]byte, error) {
	b := dnsmessage.NewBuilder(make([]byte, 2, 512), dnsmessage.Header{ID: id, RecursionDesired: true})
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(q); err != nil {
		return nil, err
	}
	if udpSize != 0 {
		if err := b.StartAdditionals(); err != nil {
			return nil, err
		}
		var rh dnsmessage.ResourceHeader
		if err := rh.SetEDNS0(udpSize, dnsmessage.RCodeSuccess, false); err != nil {
			return nil, err
		}
		if err := b.OPTResource(rh, dnsmessage.OPTResource{}); err != nil {
			return nil, err
		}
	}
	msg, err := b.Finish()
	if err != nil {
		return nil, err
	}
	// Two bytes in front for TCP's length (RFC 1035 4.2.2), which UDP
	// leaves off.
	n := len(msg) - 2
	msg[0], msg[1] = byte(n>>8), byte(n)
	return msg, nil
}

// dnsResponse is a response that passed parseResponse's checks.
type dnsResponse struct {
	ans       dnsAnswer
	truncated bool
	edns      bool // it carried an OPT record
}

// parseResponse checks that b answers the query id asked about q (RFC
// 5452 9.1: the ID, and the question, its name compared without regard
// to case) and returns its records. Anything else is errBadResponse: a
// forgery, a late answer to another query or garbage, which a UDP
// client ignores and keeps waiting.
func parseResponse(b []byte, id uint16, q dnsmessage.Question) (dnsResponse, error) {
	var p dnsmessage.Parser
	h, err := p.Start(b)
	if err != nil {
		return dnsResponse{}, fmt.Errorf("%w: %w", errBadResponse, err)
	}
	if !h.Response || h.ID != id || h.OpCode != 0 {
		return dnsResponse{}, fmt.Errorf("%w: not a response to query %#04x", errBadResponse, id)
	}
	qs, err := p.AllQuestions()
	if err != nil {
		return dnsResponse{}, fmt.Errorf("%w: %w", errBadResponse, err)
	}
	if len(qs) != 1 || qs[0].Type != q.Type || qs[0].Class != q.Class || !strings.EqualFold(qs[0].Name.String(), q.Name.String()) {
		return dnsResponse{}, fmt.Errorf("%w: answers another question", errBadResponse)
	}
	r := dnsResponse{truncated: h.Truncated, ans: dnsAnswer{rcode: h.RCode}}
	if h.Truncated {
		// What follows may be cut anywhere; the resolver asks again
		// over TCP and reads none of it.
		return r, nil
	}
	if r.ans.answers, err = p.AllAnswers(); err != nil {
		return dnsResponse{}, fmt.Errorf("%w: answer section: %w", errBadResponse, err)
	}
	if r.ans.authorities, err = p.AllAuthorities(); err != nil {
		return dnsResponse{}, fmt.Errorf("%w: authority section: %w", errBadResponse, err)
	}
	for {
		ah, err := p.AdditionalHeader()
		if err == dnsmessage.ErrSectionDone {
			break
		}
		if err != nil {
			return dnsResponse{}, fmt.Errorf("%w: additional section: %w", errBadResponse, err)
		}
		if ah.Type == dnsmessage.TypeOPT {
			r.edns = true
			r.ans.rcode = ah.ExtendedRCode(h.RCode)
		}
		if err := p.SkipAdditional(); err != nil {
			return dnsResponse{}, fmt.Errorf("%w: additional section: %w", errBadResponse, err)
		}
	}
	return r, nil
}

// parseQuery reads a query as package net's resolver sends it: one
// question, opcode QUERY. It returns the header, the question and the
// EDNS0 payload size the query advertises (0 without an OPT record).
func parseQuery(b []byte) (dnsmessage.Header, dnsmessage.Question, int, error) {
	var p dnsmessage.Parser
	h, err := p.Start(b)
	if err != nil {
		return h, dnsmessage.Question{}, 0, err
	}
	if h.Response || h.OpCode != 0 {
		return h, dnsmessage.Question{}, 0, errors.New("dns: not a query")
	}
	qs, err := p.AllQuestions()
	if err != nil {
		return h, dnsmessage.Question{}, 0, err
	}
	if len(qs) != 1 {
		return h, dnsmessage.Question{}, 0, fmt.Errorf("dns: %d questions", len(qs))
	}
	if err := p.SkipAllAnswers(); err != nil {
		return h, qs[0], 0, err
	}
	if err := p.SkipAllAuthorities(); err != nil {
		return h, qs[0], 0, err
	}
	size := 0
	for {
		ah, err := p.AdditionalHeader()
		if err == dnsmessage.ErrSectionDone {
			break
		}
		if err != nil {
			return h, qs[0], 0, err
		}
		if ah.Type == dnsmessage.TypeOPT {
			size = max(int(ah.Class), 512)
		}
		if err := p.SkipAdditional(); err != nil {
			return h, qs[0], 0, err
		}
	}
	return h, qs[0], size, nil
}

// packAnswer packs the response to a query (h, q) that ans answers, with
// an OPT record when the query had one (edns); the answer section starts
// with a CNAME record from q's name to found when the search list found
// the answer under another name.
func packAnswer(h dnsmessage.Header, q dnsmessage.Question, ans dnsAnswer, found dnsmessage.Name, edns bool) ([]byte, error) {
	rh := dnsmessage.Header{
		ID: h.ID, Response: true, RecursionDesired: h.RecursionDesired, RecursionAvailable: true,
		RCode: ans.rcode & 0xf,
	}
	msg := dnsmessage.Message{Header: rh, Questions: []dnsmessage.Question{q}, Authorities: ans.authorities}
	if found.Length != 0 && !strings.EqualFold(found.String(), q.Name.String()) {
		ttl, _ := ans.ttl()
		msg.Answers = append(msg.Answers, dnsmessage.Resource{
			Header: dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeCNAME, Class: q.Class, TTL: ttl},
			Body:   &dnsmessage.CNAMEResource{CNAME: found},
		})
	}
	msg.Answers = append(msg.Answers, ans.answers...)
	if edns {
		var oh dnsmessage.ResourceHeader
		if err := oh.SetEDNS0(DefaultDNSUDPSize, ans.rcode, false); err != nil {
			return nil, err
		}
		msg.Additionals = []dnsmessage.Resource{{Header: oh, Body: &dnsmessage.OPTResource{}}}
	}
	return msg.AppendPack(make([]byte, 0, 512))
}

// packError packs a response with rcode alone to the query h asked
// about q.
func packError(h dnsmessage.Header, q *dnsmessage.Question, rcode dnsmessage.RCode) ([]byte, error) {
	msg := dnsmessage.Message{Header: dnsmessage.Header{
		ID: h.ID, Response: true, RecursionDesired: h.RecursionDesired, RecursionAvailable: true, RCode: rcode,
	}}
	if q != nil {
		msg.Questions = []dnsmessage.Question{*q}
	}
	return msg.Pack()
}
