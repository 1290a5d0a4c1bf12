package pcap

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestStrftime compares the names -G gives files with GNU date(1), whose
// conversions are glibc strftime's, where date is installed.
func TestStrftime(t *testing.T) {
	date, err := exec.LookPath("date")
	if err != nil {
		t.Skip("date(1) is not installed: ", err)
	}
	if out, err := exec.Command(date, "-d", "@0", "+%Y").Output(); err != nil || strings.TrimSpace(string(out)) != "1970" {
		t.Skipf("date(1) is not GNU date: %v %q", err, out)
	}
	patterns := []string{
		"trace-%Y%m%d-%H%M%S.pcap",
		"%a %A %b %B %h %C %d %D %e %F %g %G %H %I %j %k %l %m %M %p %P %r %R %s %S %T %u %U %V %w %W %x %X %y %Y %z %Z %%",
		"%c|%n|%t",
		"%-d %-m %-H %_H %_m %05Y %3d %10B %^a %^B %-j %_j %Ey %OH",
		"no conversions", "100%", "%Q %!", "50%% off %",
	}
	times := []int64{0, 1700000000, 951782400 + 13*3600, 1230768000 - 1, 1104537600, 4102444800 + 86399}
	for _, tz := range []string{"UTC", "America/New_York", "Asia/Kolkata"} {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			t.Logf("no zone %s: %v", tz, err)
			continue
		}
		for _, sec := range times {
			for _, p := range patterns {
				cmd := exec.Command(date, "-d", "@"+strconv.FormatInt(sec, 10), "+"+p)
				cmd.Env = []string{"TZ=" + tz, "LC_ALL=C"}
				out, err := cmd.Output()
				if err != nil {
					t.Fatal(err)
				}
				want := strings.TrimSuffix(string(out), "\n")
				if got := strftime(p, time.Unix(sec, 0).In(loc)); got != want {
					t.Errorf("TZ=%s %d %q:\n got %q\nwant %q", tz, sec, p, got, want)
				}
			}
		}
	}
}
