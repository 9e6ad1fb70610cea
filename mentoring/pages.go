package mentoring

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
)

// Lists are paged by position, not by offset: a cursor names the list's
// period bucket and the key of the last item returned, so records added or
// removed elsewhere never shift a page boundary.

// MaxPageSize bounds one page of a list.
const MaxPageSize = 100

// Cursor kinds: a cursor of one list is refused by the other.
const (
	sessionCursor   = "s"
	agreementCursor = "a"
	overdueCursor   = "o"
)

func encodeCursor(kind, c string) string {
	if c == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + c))
}

func decodeCursor(kind, s string) (string, error) {
	if s == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	rest, ok := strings.CutPrefix(string(raw), kind+":")
	if err != nil || !ok || rest == "" {
		var fe errs.Fields
		fe.Add("cursor", errs.CodeInvalid, "is not a cursor of this list")
		return "", fe.Err()
	}
	return rest, nil
}

func pageSize(limit int) int {
	if limit < 1 || limit > MaxPageSize {
		return MaxPageSize
	}
	return limit
}

// SessionsPage lists up to limit sessions p may read, newest first, after
// the cursor (the next cursor of the previous page; "" for the first). next
// is "" on the last page. Entries are the lists' summaries (notes cut, no
// versions); Session reads one whole.
func (s *Service) SessionsPage(ctx context.Context, p *accounts.Principal, f SessionFilter, cursor string, limit int) (items []Session, next string, err error) {
	owners, keep, err := sessionOwners(p, f)
	if err != nil {
		return nil, "", err
	}
	c, err := decodeCursor(sessionCursor, cursor)
	if err != nil {
		return nil, "", err
	}
	page, err := s.lists.sessions.Page(ctx, owners, true, c, pageSize(limit), keep)
	if err != nil {
		return nil, "", err
	}
	items = make([]Session, len(page.Items))
	for i, e := range page.Items {
		items[i] = e.Value
	}
	return items, encodeCursor(sessionCursor, page.Next), nil
}

// AgreementsPage lists up to limit agreements p may read, by due date, after
// the cursor, as SessionsPage does. Overdue ones come from the working set of
// open agreements, never from the history.
func (s *Service) AgreementsPage(ctx context.Context, p *accounts.Principal, f AgreementFilter, cursor string, limit int) (items []Agreement, next string, err error) {
	owners, keep, empty, err := s.agreementOwners(p, f)
	if err != nil || empty {
		return []Agreement{}, "", err
	}
	limit = pageSize(limit)
	if f.Overdue {
		return s.overduePage(ctx, owners, keep, cursor, limit)
	}
	c, err := decodeCursor(agreementCursor, cursor)
	if err != nil {
		return nil, "", err
	}
	page, err := s.lists.agreements.Page(ctx, owners, false, c, limit, keep)
	if err != nil {
		return nil, "", err
	}
	items = make([]Agreement, len(page.Items))
	for i, e := range page.Items {
		items[i] = e.Value
	}
	return items, encodeCursor(agreementCursor, page.Next), nil
}

func (s *Service) overduePage(ctx context.Context, owners []string, keep func(Agreement) bool, cursor string, limit int) ([]Agreement, string, error) {
	after, err := decodeCursor(overdueCursor, cursor)
	if err != nil {
		return nil, "", err
	}
	open, err := s.lists.open.Members(ctx)
	if err != nil {
		return nil, "", err
	}
	all := slices.Contains(owners, ownerAll)
	var list []Agreement
	for _, a := range open {
		if (all || slices.Contains(owners, "i:"+a.InitiativeID)) && keep(a) && (after == "" || listKey(a.Due, a.ID) > after) {
			list = append(list, a)
		}
	}
	slices.SortFunc(list, func(a, b Agreement) int { return strings.Compare(listKey(a.Due, a.ID), listKey(b.Due, b.ID)) })
	next := ""
	if len(list) > limit {
		list = list[:limit]
		next = encodeCursor(overdueCursor, listKey(list[limit-1].Due, list[limit-1].ID))
	}
	if list == nil {
		list = []Agreement{}
	}
	return list, next, nil
}

// OverdueByInitiative counts the overdue agreements p may read per
// initiative: one read of the open agreements' working set, however many.
func (s *Service) OverdueByInitiative(ctx context.Context, p *accounts.Principal) (map[string]int, error) {
	owners, keep, _, err := s.agreementOwners(p, AgreementFilter{Overdue: true})
	if err != nil {
		return nil, err
	}
	open, err := s.lists.open.Members(ctx)
	if err != nil {
		return nil, err
	}
	all := slices.Contains(owners, ownerAll)
	out := map[string]int{}
	for _, a := range open {
		if (all || slices.Contains(owners, "i:"+a.InitiativeID)) && keep(a) {
			out[a.InitiativeID]++
		}
	}
	return out, nil
}
