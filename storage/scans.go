package storage

import (
	"context"
	"sync"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/event"
)

// Scan is a query the embedded engine answers by decoding a whole
// collection: its filter holds no _id equality.
type Scan struct {
	Database, Collection, Command string
	Filter                        string
}

// ScanLog records, from the commands the driver sends, every query that is
// not by _id. Tests open the database with its Monitor and fail when a list
// or a periodic pass scans (the rule of docs/architecture.md).
type ScanLog struct {
	mu    sync.Mutex
	scans []Scan
}

// Monitor is the driver hook that feeds the log.
func (l *ScanLog) Monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		for _, s := range scansOf(e.DatabaseName, e.CommandName, e.Command) {
			l.mu.Lock()
			l.scans = append(l.scans, s)
			l.mu.Unlock()
		}
	}}
}

// Since returns the scans of database db recorded after mark (a value from
// Mark), so a test looks only at what it did.
func (l *ScanLog) Since(db string, mark int) []Scan {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Scan
	for _, s := range l.scans[min(mark, len(l.scans)):] {
		if s.Database == db {
			out = append(out, s)
		}
	}
	return out
}

// Mark is the position of the next scan to be recorded.
func (l *ScanLog) Mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.scans)
}

// scansOf lists the filters of one command that are not by _id.
func scansOf(db, name string, cmd bson.Raw) []Scan {
	coll, _ := cmd.Lookup(name).StringValueOK()
	var filters []bson.Raw
	add := func(v bson.RawValue) {
		if d, ok := v.DocumentOK(); ok {
			filters = append(filters, d)
		} else {
			filters = append(filters, nil) // no filter at all: the whole collection
		}
	}
	switch name {
	case "find", "count", "distinct", "findAndModify":
		key := "filter"
		if name != "find" {
			key = "query"
		}
		add(cmd.Lookup(key))
	case "update", "delete":
		elems, _ := cmd.Lookup(name + "s").Array().Values()
		for _, e := range elems {
			if d, ok := e.DocumentOK(); ok {
				add(d.Lookup("q"))
			}
		}
	case "aggregate":
		stages, _ := cmd.Lookup("pipeline").Array().Values()
		if len(stages) == 0 {
			return []Scan{{db, coll, name, "{}"}}
		}
		first, _ := stages[0].DocumentOK()
		add(first.Lookup("$match"))
	default:
		return nil
	}
	if IsWorkSet(coll) {
		return nil // work in progress only: reading it whole is the design
	}
	var out []Scan
	for _, f := range filters {
		if !byID(f) {
			out = append(out, Scan{db, coll, name, f.String()})
		}
	}
	return out
}

// byID reports whether filter f pins _id to one value (plus any guards).
func byID(f bson.Raw) bool {
	if f == nil {
		return false
	}
	v, err := f.LookupErr("_id")
	if err != nil {
		return false
	}
	d, isDoc := v.DocumentOK()
	if !isDoc {
		return true
	}
	elems, _ := d.Elements()
	return len(elems) == 1 && elems[0].Key() == "$eq"
}
