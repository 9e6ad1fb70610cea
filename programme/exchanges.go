package programme

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
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
	if _, err := s.exchanges.InsertOne(ctx, ex); err != nil {
		return Exchange{}, storage.Err("exchange "+ex.ID, err)
	}
	return ex, s.listExchange(ctx, ex)
}

// listExchange puts the exchange's summary (notes cut) in its quarter.
func (s *Practices) listExchange(ctx context.Context, ex Exchange) error {
	ex.Notes = cut(ex.Notes, exchangeNotesShown)
	period, key := exchangeListKey(ex)
	return s.exchangeLists.Put(ctx, indexID, period, key, ex)
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
	var after Exchange
	err := s.exchanges.FindOneAndUpdate(ctx, bson.M{"_id": exchangeID}, bson.M{"$addToSet": bson.M{"practice_ids": practiceID}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&after)
	if err != nil {
		return storage.Err("exchange "+exchangeID, err)
	}
	return s.listExchange(ctx, after)
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
	after, err := pushPhoto[Exchange](ctx, s, s.exchanges, "exchange", id, ph)
	if err != nil {
		return Photo{}, err
	}
	return ph, s.listExchange(ctx, after)
}

// OpenExchangePhoto reads an exchange's photo for who may browse.
func (s *Practices) OpenExchangePhoto(ctx context.Context, p *accounts.Principal, id, photoID string, thumb bool) (io.ReadCloser, storage.Object, error) {
	ex, err := s.Exchange(ctx, p, id)
	if err != nil {
		return nil, storage.Object{}, err
	}
	return openPhoto(ctx, s.objects, ex.Photos, photoID, thumb)
}
