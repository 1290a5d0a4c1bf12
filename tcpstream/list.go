package tcpstream

// The Assembler keeps connections in intrusive doubly linked lists, so that
// moving one to the front on every segment costs neither a search nor an
// allocation. A connection has three sets of links: one for the list of
// open or of ended connections (by activity), one for the list of
// connections holding out-of-order data, one for the list of connections
// whose Handler holds memory (by activity). Connections lingering after
// an RST are in a fourth list, by the time of the RST, through links in
// their lingering record (see lingerList).
const (
	lruLinks    = 0
	holdLinks   = 1
	chargeLinks = 2
)

type links struct {
	prev, next *conn
}

// list is a list of connections through one set of their links, head
// first.
type list struct {
	head, tail *conn
	n          int
	which      int
}

func (l *list) pushFront(c *conn) {
	ln := &c.links[l.which]
	ln.prev, ln.next = nil, l.head
	if l.head != nil {
		l.head.links[l.which].prev = c
	} else {
		l.tail = c
	}
	l.head = c
	l.n++
}

func (l *list) remove(c *conn) {
	ln := &c.links[l.which]
	if ln.prev != nil {
		ln.prev.links[l.which].next = ln.next
	} else {
		l.head = ln.next
	}
	if ln.next != nil {
		ln.next.links[l.which].prev = ln.prev
	} else {
		l.tail = ln.prev
	}
	ln.prev, ln.next = nil, nil
	l.n--
}

func (l *list) moveToFront(c *conn) {
	if l.head == c {
		return
	}
	l.remove(c)
	l.pushFront(c)
}

// lingerList is the list of connections lingering after an RST, the
// latest RST first, linked through their lingering records: only a
// connection that was reset pays for the links.
type lingerList struct {
	head, tail *conn
}

func (l *lingerList) pushFront(c *conn) {
	r := c.rst
	r.prev, r.next = nil, l.head
	if l.head != nil {
		l.head.rst.prev = c
	} else {
		l.tail = c
	}
	l.head = c
}

func (l *lingerList) remove(c *conn) {
	r := c.rst
	if r.prev != nil {
		r.prev.rst.next = r.next
	} else {
		l.head = r.next
	}
	if r.next != nil {
		r.next.rst.prev = r.prev
	} else {
		l.tail = r.prev
	}
	r.prev, r.next = nil, nil
}
