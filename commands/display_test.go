package commands

import (
	"slices"
	"testing"

	"github.com/amrshell/amrshell/catalog"
)

func TestSortListing(t *testing.T) {
	l0 := &catalog.HistoryItem{Level: 0}
	l1 := &catalog.HistoryItem{Level: 1}
	l2 := &catalog.HistoryItem{Level: 2}
	for _, c := range []struct {
		name  string
		items []dirItem
		want  []string
	}{
		{"levels first, names descending, the directory last of its level", []dirItem{
			{dump: l0, server: "/docs/obsolete.txt"},
			{dump: l2, server: "/docs/"},
			{dump: l2, server: "/docs/readme.txt"},
			{dump: l1, server: "/docs/new-in-run2.txt"},
			{dump: l2, server: `/docs/\346\227\245/`},
			{dump: l0, server: `/docs/\303\234n.txt`},
			{dump: l2, server: "/docs/keep-forever.txt"},
		}, []string{
			"/docs/readme.txt", "/docs/keep-forever.txt", `/docs/\346\227\245/`, "/docs/",
			"/docs/new-in-run2.txt",
			"/docs/obsolete.txt", `/docs/\303\234n.txt`,
		}},
		{"raw bytes order, not translated", []dirItem{
			{dump: l0, server: "/#hash#.txt"},
			{dump: l0, server: "/[brackets].txt"},
			{dump: l0, server: `/back\\slash.txt`},
			{dump: l0, server: "/-dash-first.txt"},
			{dump: l0, server: "/star*and?question.txt"},
			{dump: l0, server: "/"},
		}, []string{"/star*and?question.txt", `/back\\slash.txt`, "/[brackets].txt", "/-dash-first.txt", "/#hash#.txt", "/"}},
	} {
		sortListing(c.items)
		var got []string
		for _, it := range c.items {
			got = append(got, it.server)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}
