package mentoring

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/sheets"
)

// ExportDate is how dates are written in exports (DD/MM/YYYY).
const ExportDate = "02/01/2006"

// ExportSession is one session × initiative row of an export.
type ExportSession struct {
	SessionID       string
	Date            time.Time
	AdviserID       string
	InitiativeID    string
	Municipality    string
	Department      string
	Modality        string
	Topics          []string
	Participants    Participants
	DurationMinutes int
}

// ExportSummary is the sessions held on a topic in a municipality and the
// participants counted in them. A session counts once per topic and
// municipality, however many of its initiatives are there.
type ExportSummary struct {
	Topic        string
	Municipality string
	Department   string
	Sessions     int
	Participants Participants
}

// ExportAgreement is one agreement taken in an exported session.
type ExportAgreement struct {
	SessionID    string
	InitiativeID string
	Text         string
	Owner        string
	Due          time.Time
	Status       string
}

// Report is the export of a period: sessions, the summary per topic and
// municipality, and the agreements taken in those sessions.
type Report struct {
	From, To   time.Time
	Sessions   []ExportSession
	Summary    []ExportSummary
	Agreements []ExportAgreement
	// Problems are the records left out, each said in Spanish (a session
	// naming an initiative that no longer exists): the rest is exported.
	Problems []string
}

// Export gathers the sessions held from from to to (whole days, inclusive)
// that p may export: admins all, advisers those of their initiatives. Each
// session gives one row per initiative p may read; initiativeMunicipality
// locates an initiative.
func (s *Service) Export(ctx context.Context, p *accounts.Principal, from, to time.Time,
	initiativeMunicipality func(id string) (municipality, department string, err error)) (Report, error) {
	if p == nil || !(p.IsAdmin() || p.Has(accounts.RoleAdviser)) {
		return Report{}, denied(p, "export sessions")
	}
	from, to = Day(from), Day(to)
	if to.Before(from) {
		var fe errs.Fields
		fe.Add("to", errs.CodeNotAllowed, "must not be before from")
		return Report{}, fe.Err()
	}
	// The lists of the days (admins) or quarters (each readable initiative) of
	// the range give the ids; each session is then read whole, by _id.
	ids := readable(p)
	owners, first, last := []string{ownerAll}, from.Format("2006-01-02"), to.Format("2006-01-02")
	if ids != nil {
		owners, first, last = nil, quarter(from), quarter(to)
		for _, id := range ids {
			owners = append(owners, "i:"+id)
		}
	}
	entries, err := s.lists.sessions.Range(ctx, owners, first, last)
	if err != nil {
		return Report{}, err
	}
	var sessions []Session
	for _, e := range entries {
		if e.Value.Date.Before(from) || e.Value.Date.After(to) {
			continue
		}
		sess, err := s.sessions.get(ctx, e.Value.ID)
		if err != nil {
			return Report{}, err
		}
		sessions = append(sessions, sess)
	}
	slices.SortStableFunc(sessions, func(a, b Session) int {
		if c := a.Date.Compare(b.Date); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	type place struct{ municipality, department string }
	places := map[string]place{}
	locate := func(id string) (place, error) {
		if pl, ok := places[id]; ok {
			return pl, nil
		}
		m, d, err := initiativeMunicipality(id)
		if err != nil {
			return place{}, fmt.Errorf("municipality of initiative %s: %w", id, err)
		}
		places[id] = place{m, d}
		return places[id], nil
	}
	r := Report{From: from, To: to, Sessions: []ExportSession{}, Summary: []ExportSummary{}, Agreements: []ExportAgreement{}}
	type key struct{ topic, municipality, department string }
	summary := map[key]*ExportSummary{}
	sessionIDs := make([]string, 0, len(sessions))
	for _, sess := range sessions {
		sessionIDs = append(sessionIDs, sess.ID)
		counted := map[key]bool{}
		for _, ini := range sess.InitiativeIDs {
			if ids != nil && !slices.Contains(ids, ini) {
				continue
			}
			pl, err := locate(ini)
			if errors.Is(err, errs.NotFound) {
				r.Problems = append(r.Problems, fmt.Sprintf("La sesión %s del %s nombra la iniciativa %s, que no existe: se omite esa fila.",
					sess.ID, sess.Date.Format(ExportDate), ini))
				continue
			}
			if err != nil {
				return Report{}, err
			}
			r.Sessions = append(r.Sessions, ExportSession{
				SessionID: sess.ID, Date: sess.Date, AdviserID: sess.AdviserID, InitiativeID: ini,
				Municipality: pl.municipality, Department: pl.department, Modality: sess.Modality,
				Topics: slices.Clone(sess.Topics), Participants: sess.Participants, DurationMinutes: sess.DurationMinutes,
			})
			for _, t := range sess.Topics {
				k := key{t, pl.municipality, pl.department}
				if counted[k] {
					continue
				}
				counted[k] = true
				sum := summary[k]
				if sum == nil {
					sum = &ExportSummary{Topic: t, Municipality: pl.municipality, Department: pl.department}
					summary[k] = sum
				}
				sum.Sessions++
				for _, c := range []struct {
					dst *int
					n   int
				}{{&sum.Participants.Women, sess.Participants.Women},
					{&sum.Participants.Men, sess.Participants.Men}, {&sum.Participants.Youth, sess.Participants.Youth},
					{&sum.Participants.Adults, sess.Participants.Adults}} {
					if err := addCount(c.dst, c.n); err != nil {
						return Report{}, fmt.Errorf("summary of %s in %s: %w", t, pl.municipality, err)
					}
				}
			}
		}
	}
	for _, sum := range summary {
		r.Summary = append(r.Summary, *sum)
	}
	topicRank := func(t string) int {
		if i := slices.Index(Topics, t); i >= 0 {
			return i
		}
		return len(Topics)
	}
	slices.SortFunc(r.Summary, func(a, b ExportSummary) int {
		if c := topicRank(a.Topic) - topicRank(b.Topic); c != 0 {
			return c
		}
		if c := strings.Compare(a.Topic, b.Topic); c != 0 {
			return c
		}
		if c := strings.Compare(a.Municipality, b.Municipality); c != 0 {
			return c
		}
		return strings.Compare(a.Department, b.Department)
	})
	if len(sessionIDs) > 0 {
		// The agreements of the exported sessions, each read by _id.
		var agreements []Agreement
		for _, sess := range sessions {
			if !slices.Contains(sessionIDs, sess.ID) {
				continue
			}
			for _, aid := range sess.Agreements {
				a, err := s.agreements.get(ctx, aid)
				if errors.Is(err, errs.NotFound) {
					continue
				}
				if err != nil {
					return Report{}, err
				}
				if ids == nil || slices.Contains(ids, a.InitiativeID) {
					agreements = append(agreements, a)
				}
			}
		}
		order := map[string]int{}
		for i, id := range sessionIDs {
			order[id] = i
		}
		slices.SortStableFunc(agreements, func(a, b Agreement) int { return order[a.SessionID] - order[b.SessionID] })
		for _, a := range agreements {
			r.Agreements = append(r.Agreements, ExportAgreement{
				SessionID: a.SessionID, InitiativeID: a.InitiativeID, Text: a.Text, Owner: a.Owner, Due: a.Due, Status: a.Status,
			})
		}
	}
	return r, nil
}

// addCount adds n to *dst, refusing a count out of range (a record written
// before counts were bounded) or a sum that would overflow.
func addCount(dst *int, n int) error {
	if n < 0 || n > MaxParticipants {
		return fmt.Errorf("a count of %d is out of range: %w", n, errs.Invalid)
	}
	if *dst > math.MaxInt-n {
		return fmt.Errorf("the sum overflows: %w", errs.Invalid)
	}
	*dst += n
	return nil
}

// Header rows of the export sheets.
var (
	sessionsHeader   = []string{"Fecha", "Municipio", "Departamento", "Iniciativa", "Modalidad", "Temas", "Mujeres", "Hombres", "Jóvenes", "Adultos", "Minutos"}
	summaryHeader    = []string{"Tema", "Municipio", "Departamento", "Sesiones", "Mujeres", "Hombres", "Jóvenes", "Adultos"}
	agreementsHeader = []string{"Sesión", "Iniciativa", "Compromiso", "Responsable", "Fecha límite", "Estado"}
)

// Sheet names of the XLSX export.
const (
	SheetSessions   = "Sesiones"
	SheetSummary    = "Resumen por tema y municipio"
	SheetAgreements = "Compromisos"
	SheetProblems   = "Problemas"
)

func (e ExportSession) cells() []any {
	return []any{
		e.Date.UTC().Format(ExportDate), e.Municipality, e.Department, e.InitiativeID, e.Modality, strings.Join(e.Topics, ";"),
		e.Participants.Women, e.Participants.Men, e.Participants.Youth, e.Participants.Adults, e.DurationMinutes,
	}
}

func (e ExportSummary) cells() []any {
	return []any{e.Topic, e.Municipality, e.Department, e.Sessions,
		e.Participants.Women, e.Participants.Men, e.Participants.Youth, e.Participants.Adults}
}

func (e ExportAgreement) cells() []any {
	return []any{e.SessionID, e.InitiativeID, e.Text, e.Owner, e.Due.UTC().Format(ExportDate), e.Status}
}

// WriteCSV writes the sessions of r as CSV, UTF-8 with a byte order mark so
// that spreadsheets read the accents right, with a Spanish header row.
func WriteCSV(w io.Writer, r Report) error {
	return sheets.WriteCSV(w, withHeader(sessionsHeader, rowsOf(r.Sessions, ExportSession.cells)))
}

// WriteXLSX writes r as a workbook with three sheets: the sessions, the
// summary per topic and municipality, and the agreements (and the problems
// found, when any).
func WriteXLSX(w io.Writer, r Report) error {
	list := []sheets.Sheet{
		{Name: SheetSessions, Rows: withHeader(sessionsHeader, rowsOf(r.Sessions, ExportSession.cells))},
		{Name: SheetSummary, Rows: withHeader(summaryHeader, rowsOf(r.Summary, ExportSummary.cells))},
		{Name: SheetAgreements, Rows: withHeader(agreementsHeader, rowsOf(r.Agreements, ExportAgreement.cells))},
	}
	if len(r.Problems) > 0 {
		list = append(list, sheets.Sheet{Name: SheetProblems, Rows: withHeader([]string{"Problema"}, rowsOf(r.Problems, func(p string) []any { return []any{p} }))})
	}
	return sheets.WriteXLSX(w, list)
}

func withHeader(header []string, rows [][]any) [][]any {
	h := make([]any, len(header))
	for i, v := range header {
		h[i] = v
	}
	return append([][]any{h}, rows...)
}

func rowsOf[T any](items []T, cells func(T) []any) [][]any {
	out := make([][]any, len(items))
	for i, it := range items {
		out[i] = cells(it)
	}
	return out
}
