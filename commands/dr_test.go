package commands

import "testing"

func TestMountPoint(t *testing.T) {
	for _, tt := range []struct{ disk, want string }{
		{"/home/alice", "/home/alice"},
		{"/", "/"},
		{"//srv//media", "/srv//media"},
		{"sda1", "sda1"},
		{"//server/share", "/server/share"},
		{"/../etc", "_.._etc"},
		{"/srv/../../root", "_srv_.._.._root"},
		{"C:\\Users", "C__Users"},
	} {
		if got := mountPoint(tt.disk); got != tt.want {
			t.Errorf("mountPoint(%q) = %q, want %q", tt.disk, got, tt.want)
		}
	}
}
