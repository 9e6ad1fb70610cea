package mentoring

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
)

// Lists are paged by position, not by offset: a cursor names the sort key
// (the day) and the id of the last item returned, so records added or
// removed elsewhere never shift a page boundary.

// MaxPageSize bounds one page of a list.
const MaxPageSize = 100

// Cursor kinds: a cursor of one list is refused by the other.
const (
	sessionCursor   = "s"
	agreementCursor = "a"
)

func encodeCursor(kind string, day time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + strconv.FormatInt(day.UnixMilli(), 10) + ":" + id))
}

func decodeCursor(kind, s string) (time.Time, string, error) {
	bad := func() (time.Time, string, error) {
		var fe errs.Fields
		fe.Add("cursor", "is not a cursor of this list")
		return time.Time{}, "", fe.Err()
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return bad()
	}
	parts := strings.SplitN(string(raw), ":", 3)
	if len(parts) != 3 || parts[0] != kind || parts[2] == "" {
		return bad()
	}
	ms, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return bad()
	}
	return time.UnixMilli(ms).UTC(), parts[2], nil
}

func pageSize(limit int) int {
	if limit < 1 || limit > MaxPageSize {
		return MaxPageSize
	}
	return limit
}

// SessionsPage lists up to limit sessions p may read, newest first, after
// the cursor (the next cursor of the previous page; "" for the first). next
// is "" on the last page.
func (s *Service) SessionsPage(ctx context.Context, p *accounts.Principal, f SessionFilter, cursor string, limit int) (items []Session, next string, err error) {
	q, err := sessionQuery(p, f)
	if err != nil {
		return nil, "", err
	}
	if cursor != "" {
		day, id, err := decodeCursor(sessionCursor, cursor)
		if err != nil {
			return nil, "", err
		}
		q["$or"] = bson.A{bson.M{"date": bson.M{"$lt": day}}, bson.M{"date": day, "_id": bson.M{"$lt": id}}}
	}
	limit = pageSize(limit)
	items, err = s.sessions.findLimit(ctx, q, int64(limit+1))
	if err != nil {
		return nil, "", err
	}
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		next = encodeCursor(sessionCursor, last.Date, last.ID)
	}
	return items, next, nil
}

// AgreementsPage lists up to limit agreements p may read, by due date, after
// the cursor, as SessionsPage does.
func (s *Service) AgreementsPage(ctx context.Context, p *accounts.Principal, f AgreementFilter, cursor string, limit int) (items []Agreement, next string, err error) {
	q, empty, err := s.agreementQuery(p, f)
	if err != nil || empty {
		return []Agreement{}, "", err
	}
	if cursor != "" {
		day, id, err := decodeCursor(agreementCursor, cursor)
		if err != nil {
			return nil, "", err
		}
		q["$or"] = bson.A{bson.M{"due": bson.M{"$gt": day}}, bson.M{"due": day, "_id": bson.M{"$gt": id}}}
	}
	limit = pageSize(limit)
	items, err = s.agreements.findLimit(ctx, q, int64(limit+1))
	if err != nil {
		return nil, "", err
	}
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		next = encodeCursor(agreementCursor, last.Due, last.ID)
	}
	return items, next, nil
}
