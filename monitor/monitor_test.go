package monitor

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/medina-net/medina/link/pipe"
)

// TestRoutes checks the endpoints under a prefix, as the documentation
// mounts them.
func TestRoutes(t *testing.T) {
	a, _ := newPair(t, pipe.Config{})
	mux := http.NewServeMux()
	mux.Handle("/debug/", http.StripPrefix("/debug", New(a, Options{})))
	for _, x := range []struct {
		path string
		code int
		want string
	}{
		{"/debug/", 200, "pcap     the traffic"},
		{"/debug/metrics", 200, "# TYPE medina_link_in_frames_total counter\n"},
		{"/debug/conns", 200, "\nLISTEN      0   4096 10.0.0.1:80        0.0.0.0:*\n"},
		{"/debug/vars", 200, `"ActiveOpens": 0`},
		{"/debug/nothing", 404, ""},
	} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", x.path, nil))
		if rec.Code != x.code || !strings.Contains(rec.Body.String(), x.want) {
			t.Errorf("%s: %d %.200q", x.path, rec.Code, rec.Body.String())
		}
	}
}
