package recover

import (
	"fmt"

	"github.com/amrshell/amrshell/catalog"
)

// Chain picks the dumps of the point-in-time view "as of date" from a disk's history (DHST
// order, newest first), as amindexd does for OISD, OLSD and ORLD: the newest item whose date
// is on or before date, then each older item of a strictly lower level than the last one
// taken, down to a level 0. date compares as a prefix ("2024-03-05" is the whole day). Of
// several copies of one dump the first in history order is taken: the others have the same
// level. The result is newest first.
func Chain(history []catalog.HistoryItem, date string) ([]catalog.HistoryItem, error) {
	start := -1
	for i, it := range history {
		if onOrBefore(it.Date, date) {
			start = i
			break
		}
	}
	if start < 0 {
		return nil, fmt.Errorf("No dumps available on or before date \"%s\"", date)
	}
	chain := []catalog.HistoryItem{history[start]}
	for _, it := range history[start+1:] {
		if last := chain[len(chain)-1].Level; last == 0 {
			break
		} else if it.Level < last {
			chain = append(chain, it)
		}
	}
	return chain, nil
}

// onOrBefore is amindexd's cmp_date(item, date) <= 0: strncmp over the length of date.
func onOrBefore(itemDate, date string) bool {
	if len(itemDate) > len(date) {
		itemDate = itemDate[:len(date)]
	}
	return itemDate <= date
}
