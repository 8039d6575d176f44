package recover

import (
	"fmt"
	"testing"

	"github.com/amrshell/amrshell/catalog"
)

func TestChain(t *testing.T) {
	item := func(id int64, date string, level int, storage string) catalog.HistoryItem {
		return catalog.HistoryItem{DumpID: id, CopyID: id*10 + int64(len(storage)), Date: date, Level: level, Storage: storage}
	}
	// /home/alice of the corpus, as DHST lists it: two copies of most dumps, vault first.
	alice := []catalog.HistoryItem{
		item(5, "2026-11-22-23-29-30", 2, "HOLDING"),
		item(4, "2026-11-22-23-29-19", 2, "vault"),
		item(4, "2026-11-22-23-29-19", 2, "DailySet1"),
		item(3, "2026-11-22-23-29-02", 1, "vault"),
		item(3, "2026-11-22-23-29-02", 1, "DailySet1"),
		item(1, "2026-11-22-23-28-46", 0, "vault"),
		item(1, "2026-11-22-23-28-46", 0, "DailySet1"),
	}
	// The example of formats.md §3.4: L0 Mon, L1 Tue, L2 Wed, L1 Thu.
	week := []catalog.HistoryItem{
		item(4, "2024-03-07-02-00-00", 1, "S"),
		item(3, "2024-03-06-02-00-00", 2, "S"),
		item(2, "2024-03-05-02-00-00", 1, "S"),
		item(1, "2024-03-04-02-00-00", 0, "S"),
	}
	for _, c := range []struct {
		name    string
		history []catalog.HistoryItem
		date    string
		want    string // "dumpID/storage ..." or the error
	}{
		{"today: the holding dump leads", alice, "2026-11-22", "5/HOLDING 3/vault 1/vault"},
		{"run 3: first copy wins", alice, "2026-11-22-23-29-19", "4/vault 3/vault 1/vault"},
		{"between runs", alice, "2026-11-22-23-29-18", "3/vault 1/vault"},
		{"level 0 alone", alice, "2026-11-22-23-28-46", "1/vault"},
		{"prefix compare", alice, "2026-11-22-23-29", "5/HOLDING 3/vault 1/vault"},
		{"too early", alice, "1999-01-01", `No dumps available on or before date "1999-01-01"`},
		{"empty history", nil, "2026-11-22", `No dumps available on or before date "2026-11-22"`},
		{"Thursday", week, "2024-03-07", "4/S 1/S"},
		{"Wednesday", week, "2024-03-06", "3/S 2/S 1/S"},
		{"Monday", week, "2024-03-04-02-00-00", "1/S"},
		{"no level 0 left", week[:3], "2024-03-06", "3/S 2/S"},
	} {
		chain, err := Chain(c.history, c.date)
		got := ""
		if err != nil {
			got = err.Error()
		}
		for i, d := range chain {
			if i > 0 {
				got += " "
			}
			got += fmt.Sprintf("%d/%s", d.DumpID, d.Storage)
		}
		if got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}
