package programme

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/storage"
)

// An experience exchange (intercambio de experiencias) is a meeting where
// initiatives show one another what they do: one document each
// (programme_exchanges/{id}) with its place, the initiatives taking part,
// the participants by sex and age group, notes, photos and the practices
// shared there. The list, newest first, is period buckets by quarter
// (programme_exchange_lists, owner "all": a few exchanges a quarter), read
// by _id.

// Limits of an exchange's fields.
const (
	MaxVenue               = 120
	MaxExchangeNotes       = 4000
	MaxExchangeInitiatives = 42
	exchangeNotesShown     = 280
)

// Exchange is an experience exchange.
type Exchange struct {
	ID            string                 `bson:"_id" json:"id"`
	Date          string                 `bson:"date" json:"date"` // YYYY-MM-DD
	Municipality  string                 `bson:"municipality" json:"municipality"`
	Department    string                 `bson:"department" json:"department"`
	Venue         string                 `bson:"venue" json:"venue"`
	InitiativeIDs []string               `bson:"initiative_ids" json:"initiative_ids"`
	Participants  mentoring.Participants `bson:"participants" json:"participants"`
	Notes         string                 `bson:"notes" json:"notes"`
	Photos        []Photo                `bson:"photos" json:"photos"`
	PracticeIDs   []string               `bson:"practice_ids" json:"practice_ids"`
	RecordedBy    string                 `bson:"recorded_by" json:"recorded_by"`
	RecordedAt    time.Time              `bson:"recorded_at" json:"recorded_at"`
}

// ExchangeInput is an exchange to record.
type ExchangeInput struct {
	Date          string                 `json:"date"`
	Municipality  string                 `json:"municipality"`
	Venue         string                 `json:"venue"`
	InitiativeIDs []string               `json:"initiative_ids"`
	Participants  mentoring.Participants `json:"participants"`
	Notes         string                 `json:"notes"`
}

// CanRecordExchange: admins, and advisers of at least one initiative taking part.
func CanRecordExchange(p *accounts.Principal, initiativeIDs []string) bool {
	return p.IsAdmin() || slices.ContainsFunc(initiativeIDs, p.Advises)
}

// CanEditExchange: who may record it may add photos and practices to it.
func CanEditExchange(p *accounts.Principal, ex Exchange) bool {
	return CanRecordExchange(p, ex.InitiativeIDs)
}

func (s *Practices) checkExchange(in *ExchangeInput) error {
	var fe errs.Fields
	in.Date = strings.TrimSpace(in.Date)
	if d, err := time.Parse(time.DateOnly, in.Date); err != nil || in.Date > s.today() || d.Year() < 2015 {
		fe.Add("date", errs.CodeOutOfRange, "must be a day YYYY-MM-DD from 2015 to today")
	}
	if m, ok := catalog.LookupMunicipality(in.Municipality); ok {
		in.Municipality = m.Name
	} else {
		fe.Add("municipality", errs.CodeUnknown, "must be one of the programme's municipalities")
	}
	in.Venue = clean.Line(in.Venue)
	if n := utf8.RuneCountInString(in.Venue); n == 0 || n > MaxVenue {
		fe.Add("venue", errs.CodeOutOfRange, fmt.Sprintf("must be 1 to %d characters", MaxVenue), "min", 1, "max", MaxVenue)
	}
	ids := []string{}
	for _, id := range in.InitiativeIDs {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	in.InitiativeIDs = ids
	if len(ids) == 0 || len(ids) > MaxExchangeInitiatives {
		fe.Add("initiative_ids", errs.CodeOutOfRange, fmt.Sprintf("name 1 to %d initiatives taking part", MaxExchangeInitiatives), "min", 1, "max", MaxExchangeInitiatives)
	}
	for name, n := range map[string]int{"women": in.Participants.Women, "men": in.Participants.Men, "youth": in.Participants.Youth, "adults": in.Participants.Adults} {
		if n < 0 || n > mentoring.MaxParticipants {
			fe.Add("participants."+name, errs.CodeOutOfRange, fmt.Sprintf("must be a count from 0 to %d", mentoring.MaxParticipants), "min", 0, "max", mentoring.MaxParticipants)
		}
	}
	in.Notes = clean.Text(in.Notes)
	if utf8.RuneCountInString(in.Notes) > MaxExchangeNotes {
		fe.Add("notes", errs.CodeTooLong, fmt.Sprintf("must have at most %d characters", MaxExchangeNotes), "max", MaxExchangeNotes)
	}
	return fe.Err()
}

// CheckExchange validates an exchange as RecordExchange does (forms).
func (s *Practices) CheckExchange(in ExchangeInput) error { return s.checkExchange(&in) }

// RecordExchange stores an exchange (admins, advisers of an initiative
// taking part) and lists it.
func (s *Practices) RecordExchange(ctx context.Context, p *accounts.Principal, in ExchangeInput) (Exchange, error) {
	if p == nil {
		return Exchange{}, errs.Unauthenticated
	}
	if err := s.checkExchange(&in); err != nil {
		return Exchange{}, err
	}
	if !CanRecordExchange(p, in.InitiativeIDs) {
		return Exchange{}, denied(p, "recording an exchange of initiatives "+strings.Join(in.InitiativeIDs, ", "))
	}
	for _, id := range in.InitiativeIDs {
		if _, err := s.initiativeRef(ctx, "initiative_ids", id); err != nil {
			return Exchange{}, err
		}
	}
	m, _ := catalog.LookupMunicipality(in.Municipality)
	ex := Exchange{ID: storage.NewID(), Date: in.Date, Municipality: m.Name, Department: m.Department, Venue: in.Venue,
		InitiativeIDs: in.InitiativeIDs, Participants: in.Participants, Notes: in.Notes, Photos: []Photo{}, PracticeIDs: []string{},
		RecordedBy: p.UserID, RecordedAt: s.now()}
	return s.changeExchange(ctx, ex.ID, nil, func() (Exchange, error) {
		_, err := s.exchanges.InsertOne(ctx, ex)
		return ex, storage.Err("exchange "+ex.ID, err)
	})
}

// An exchange's list entry follows its document: every change marks the
// exchange in programme_work/exchange_moves (with the entry it had when
// its day may change) before writing it, then lists it and clears the
// mark. RepairExchanges finishes what a crash cut, so a change is never
// left unlisted nor listed twice for longer than a sweep.
const (
	setExchangeMoves = "exchange_moves"
	exchangeSettle   = time.Minute // a mark older than this is a crash's
)

// exchangeMark is an exchange being changed: the list entry it had
// (Period and Key empty when its day stays or it is new) and since when.
type exchangeMark struct {
	ExchangeID string    `bson:"exchange_id"`
	Period     string    `bson:"period,omitempty"`
	Key        string    `bson:"key,omitempty"`
	At         time.Time `bson:"at"`
}

// changeExchange marks the exchange (with the entry of listed, the
// exchange as read, when its day may change), writes it and relists it.
// A failed write leaves the mark to the repair, which lists what is there.
func (s *Practices) changeExchange(ctx context.Context, id string, listed *Exchange, write func() (Exchange, error)) (Exchange, error) {
	mark := exchangeMark{ExchangeID: id, At: s.now()}
	if listed != nil {
		mark.Period, mark.Key = exchangeListKey(*listed)
	}
	own := id + "-" + storage.NewID()
	if err := s.exchangeMoves.Add(ctx, setExchangeMoves, own, mark); err != nil {
		return Exchange{}, err
	}
	after, err := write()
	if err != nil {
		return after, err
	}
	return after, s.relistExchange(ctx, after, func(mid string, m exchangeMark) bool { return mid == own || s.settled(m) })
}

func (s *Practices) settled(m exchangeMark) bool { return m.At.Before(s.now().Add(-exchangeSettle)) }

// relistExchange puts the exchange's summary (notes cut) in its quarter,
// takes away the entries the marks that done accepts name for another day
// (its practices then take the day), and clears those marks. Marks of
// changes still under way are left to them.
func (s *Practices) relistExchange(ctx context.Context, ex Exchange, done func(mid string, m exchangeMark) bool) error {
	marks, err := s.exchangeMoves.Members(ctx, setExchangeMoves)
	if err != nil {
		return err
	}
	listed := ex
	listed.Notes = cut(ex.Notes, exchangeNotesShown)
	period, key := exchangeListKey(ex)
	if err := s.exchangeLists.Put(ctx, indexID, period, key, listed); err != nil {
		return err
	}
	var cleared []string
	moved := false
	for mid, m := range marks {
		if m.ExchangeID != ex.ID || !done(mid, m) {
			continue
		}
		if m.Key != "" && (m.Period != period || m.Key != key) {
			if err := s.exchangeLists.Remove(ctx, indexID, m.Period, m.Key); err != nil {
				return err
			}
			moved = true
		}
		cleared = append(cleared, mid)
	}
	if moved {
		if err := s.datePractices(ctx, ex); err != nil {
			return err
		}
	}
	return s.exchangeMoves.Remove(ctx, setExchangeMoves, cleared...)
}

// datePractices gives the practices shared at an exchange its day (they
// were shared on it); one already dated is left alone.
func (s *Practices) datePractices(ctx context.Context, ex Exchange) error {
	for _, pid := range ex.PracticeIDs {
		var pr Practice
		err := s.practices.FindOneAndUpdate(ctx, bson.M{"_id": pid, "date": bson.M{"$ne": ex.Date}}, bson.M{"$set": bson.M{"date": ex.Date}},
			options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&pr)
		if errors.Is(err, mongo.ErrNoDocuments) { // withdrawn, or dated already
			continue
		}
		if err != nil {
			return storage.Err("practice "+pid, err)
		}
		if err := s.putSummary(ctx, pr); err != nil {
			return err
		}
	}
	return nil
}

// RepairExchanges relists the exchanges whose marks are older than
// olderThan (at start, and every minute): one read of the marks, then
// each exchange by _id.
func (s *Practices) RepairExchanges(ctx context.Context, olderThan time.Duration) (int, error) {
	marks, err := s.exchangeMoves.Members(ctx, setExchangeMoves)
	if err != nil {
		return 0, err
	}
	cutoff := s.now().Add(-olderThan)
	stale := func(_ string, m exchangeMark) bool { return !m.At.After(cutoff) }
	repaired := map[string]bool{}
	for mid, m := range marks {
		if repaired[m.ExchangeID] || !stale(mid, m) {
			continue
		}
		repaired[m.ExchangeID] = true
		ex, err := s.exchange(ctx, m.ExchangeID)
		if errors.Is(err, errs.NotFound) { // never inserted
			err = s.exchangeMoves.Remove(ctx, setExchangeMoves, mid)
		} else if err == nil {
			err = s.relistExchange(ctx, ex, stale)
		}
		if err != nil {
			return len(repaired), err
		}
	}
	return len(repaired), nil
}

// exchangeListKey is the quarter listing an exchange and its key there
// (its day first: the list is newest first).
func exchangeListKey(ex Exchange) (period, key string) {
	d, _ := time.Parse(time.DateOnly, ex.Date)
	return fmt.Sprintf("%d-Q%d", d.Year(), (int(d.Month())+2)/3), d.Format("20060102") + "-" + ex.ID
}

func (s *Practices) exchange(ctx context.Context, id string) (Exchange, error) {
	var ex Exchange
	err := s.exchanges.FindOne(ctx, bson.M{"_id": id}).Decode(&ex)
	return ex, storage.Err("exchange "+id, err)
}

// Exchange answers one exchange to who may browse.
func (s *Practices) Exchange(ctx context.Context, p *accounts.Principal, id string) (Exchange, error) {
	if !CanBrowse(p) {
		return Exchange{}, denied(p, "exchange "+id)
	}
	return s.exchange(ctx, id)
}

// Exchanges lists the exchanges newest first, a page at a time (cursor:
// the Next of the page before).
func (s *Practices) Exchanges(ctx context.Context, p *accounts.Principal, cursor string, limit int) ([]Exchange, string, error) {
	if !CanBrowse(p) {
		return nil, "", denied(p, "the exchanges")
	}
	page, err := s.exchangeLists.Page(ctx, []string{indexID}, true, cursor, limit, nil)
	if err != nil {
		return nil, "", err
	}
	out := make([]Exchange, len(page.Items))
	for i, e := range page.Items {
		out[i] = e.Value
	}
	return out, page.Next, nil
}

// listPracticeAtExchange adds a practice shared at the exchange to it and
// to its list entry.
func (s *Practices) listPracticeAtExchange(ctx context.Context, exchangeID, practiceID string) error {
	_, err := s.changeExchange(ctx, exchangeID, nil, func() (Exchange, error) {
		var after Exchange
		err := s.exchanges.FindOneAndUpdate(ctx, bson.M{"_id": exchangeID}, bson.M{"$addToSet": bson.M{"practice_ids": practiceID}},
			options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&after)
		return after, storage.Err("exchange "+exchangeID, err)
	})
	return err
}

// AddExchangePhoto keeps a photo of the exchange (who may record it, at
// most MaxPhotos) under private/exchanges/<id>/.
func (s *Practices) AddExchangePhoto(ctx context.Context, p *accounts.Principal, id string, r io.Reader) (Photo, error) {
	ex, err := s.Exchange(ctx, p, id)
	if err != nil {
		return Photo{}, err
	}
	if !CanEditExchange(p, ex) {
		return Photo{}, denied(p, "adding photos to exchange "+id)
	}
	if len(ex.Photos) >= MaxPhotos {
		return Photo{}, tooManyPhotos()
	}
	ph, err := s.storePhoto(ctx, p, "private/exchanges/"+id+"/", r)
	if err != nil {
		return Photo{}, err
	}
	_, err = s.changeExchange(ctx, id, nil, func() (Exchange, error) {
		return pushPhoto[Exchange](ctx, s, s.exchanges, "exchange", id, ph)
	})
	if err != nil {
		return Photo{}, err
	}
	return ph, nil
}

// OpenExchangePhoto reads an exchange's photo for who may browse.
func (s *Practices) OpenExchangePhoto(ctx context.Context, p *accounts.Principal, id, photoID string, thumb bool) (io.ReadCloser, storage.Object, error) {
	ex, err := s.Exchange(ctx, p, id)
	if err != nil {
		return nil, storage.Object{}, err
	}
	return openPhoto(ctx, s.objects, ex.Photos, photoID, thumb)
}
