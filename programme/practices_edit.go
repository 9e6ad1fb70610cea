package programme

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/storage"
)

// Corrections: a practice's texts and topic, an exchange's details, the
// photos of either, and a practice withdrawn from the library while no
// other initiative has taken it up. Each is a write by _id and, where the
// lists hold the record, the entry rewritten.

// PracticeUpdate changes a practice's texts or topic (nil: unchanged). The
// initiative that shares it and the exchange it came from stay.
type PracticeUpdate struct {
	Title   *string `json:"title"`
	Done    *string `json:"done"`
	Changed *string `json:"changed"`
	Topic   *string `json:"topic"`
}

// UpdatePractice corrects a practice (who may share it) and its summary in
// the library.
func (s *Practices) UpdatePractice(ctx context.Context, p *accounts.Principal, id string, up PracticeUpdate) (Practice, error) {
	pr, err := s.Practice(ctx, p, id)
	if err != nil {
		return Practice{}, err
	}
	if !CanShare(p, pr.InitiativeID) {
		return Practice{}, denied(p, "changing practice "+id)
	}
	in := PracticeInput{Title: pr.Title, Done: pr.Done, Changed: pr.Changed, Topic: pr.Topic, InitiativeID: pr.InitiativeID}
	for dst, v := range map[*string]*string{&in.Title: up.Title, &in.Done: up.Done, &in.Changed: up.Changed, &in.Topic: up.Topic} {
		if v != nil {
			*dst = *v
		}
	}
	if err := checkPractice(&in); err != nil {
		return Practice{}, err
	}
	// Only the texts are set: photos and applications change by their own
	// writes meanwhile and are kept.
	var after Practice
	err = s.practices.FindOneAndUpdate(ctx, bson.M{"_id": id},
		bson.M{"$set": bson.M{"title": in.Title, "done": in.Done, "changed": in.Changed, "topic": in.Topic}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&after)
	if err != nil {
		return Practice{}, storage.Err("practice "+id, err)
	}
	return after, s.putSummary(ctx, after)
}

// RemovePractice withdraws a practice from the library (who may share it),
// with its photos: refused with errs.Conflict once another initiative has
// taken it up, since its agreement links to it. The practice goes first: a
// crash before its summary does is mended by RebuildIndex at start.
func (s *Practices) RemovePractice(ctx context.Context, p *accounts.Principal, id string) error {
	pr, err := s.Practice(ctx, p, id)
	if err != nil {
		return err
	}
	if !CanShare(p, pr.InitiativeID) {
		return denied(p, "removing practice "+id)
	}
	if len(pr.AppliedBy) > 0 {
		return fmt.Errorf("practice %s is applied by %d initiatives: %w", id, len(pr.AppliedBy), errs.Conflict)
	}
	res, err := s.practices.DeleteOne(ctx, bson.M{"_id": id, "applied_by": bson.M{"$size": 0}})
	if err != nil {
		return storage.Err("practice "+id, err)
	}
	if res.DeletedCount == 0 { // taken up or removed meanwhile
		if _, err := s.practice(ctx, id); err != nil {
			return err
		}
		return fmt.Errorf("practice %s was taken up meanwhile: %w", id, errs.Conflict)
	}
	if err := s.removeFromIndex(ctx, id); err != nil {
		return err
	}
	if pr.ExchangeID != "" {
		_, err := s.changeExchange(ctx, pr.ExchangeID, nil, func() (Exchange, error) {
			var after Exchange
			err := s.exchanges.FindOneAndUpdate(ctx, bson.M{"_id": pr.ExchangeID}, bson.M{"$pull": bson.M{"practice_ids": id}},
				options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&after)
			return after, storage.Err("exchange "+pr.ExchangeID, err)
		})
		if err != nil && !errors.Is(err, errs.NotFound) {
			return err
		}
	}
	for _, ph := range pr.Photos {
		s.dropPhoto(ctx, ph)
	}
	return nil
}

// RemovePhoto takes a photo off a practice (who may share it) and deletes
// its renditions.
func (s *Practices) RemovePhoto(ctx context.Context, p *accounts.Principal, id, photoID string) error {
	pr, err := s.Practice(ctx, p, id)
	if err != nil {
		return err
	}
	if !CanShare(p, pr.InitiativeID) {
		return denied(p, "removing photos of practice "+id)
	}
	var after Practice
	ph, first, err := pullPhoto(ctx, s.practices, "practice", id, pr.Photos, photoID, &after)
	if err != nil {
		return err
	}
	if first { // the library shows the first photo
		if err := s.putSummary(ctx, after); err != nil {
			return err
		}
	}
	s.dropPhoto(ctx, ph)
	return nil
}

// pullPhoto takes photo photoID off document id of coll, whose photos
// were read as photos, into after: a $set guarded on the photos as read, read again
// when another write changed them meanwhile (the embedded database's
// $pull takes no condition on a field of the array's documents). first
// says whether it was the first photo.
func pullPhoto[T any](ctx context.Context, coll *mongo.Collection, kind, id string, photos []Photo, photoID string, after *T) (Photo, bool, error) {
	what := kind + " " + id
	for range 8 {
		i := slices.IndexFunc(photos, func(ph Photo) bool { return ph.ID == photoID })
		if i < 0 {
			return Photo{}, false, fmt.Errorf("photo %s: %w", photoID, errs.NotFound)
		}
		rest := slices.Delete(slices.Clone(photos), i, i+1)
		err := coll.FindOneAndUpdate(ctx, bson.M{"_id": id, "photos": photos}, bson.M{"$set": bson.M{"photos": rest}},
			options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(after)
		if err == nil {
			return photos[i], i == 0, nil
		}
		if !errors.Is(err, mongo.ErrNoDocuments) {
			return Photo{}, false, storage.Err(what, err)
		}
		var cur struct {
			Photos []Photo `bson:"photos"`
		}
		if err := coll.FindOne(ctx, bson.M{"_id": id}).Decode(&cur); err != nil {
			return Photo{}, false, storage.Err(what, err)
		}
		photos = cur.Photos
	}
	return Photo{}, false, fmt.Errorf("%s: photos changed too often: %w", what, errs.Conflict)
}

// ExchangeUpdate changes an exchange's details (nil: unchanged).
type ExchangeUpdate struct {
	Date          *string                 `json:"date"`
	Municipality  *string                 `json:"municipality"`
	Venue         *string                 `json:"venue"`
	InitiativeIDs *[]string               `json:"initiative_ids"`
	Participants  *mentoring.Participants `json:"participants"`
	Notes         *string                 `json:"notes"`
}

// UpdateExchange corrects an exchange's details (who may record it, for
// the initiatives it had and those it names now). An initiative that
// shared a practice there stays. A new day moves its list entry and its
// practices' day (changeExchange: a crash is finished by the repair).
func (s *Practices) UpdateExchange(ctx context.Context, p *accounts.Principal, id string, up ExchangeUpdate) (Exchange, error) {
	ex, err := s.Exchange(ctx, p, id)
	if err != nil {
		return Exchange{}, err
	}
	if !CanEditExchange(p, ex) {
		return Exchange{}, denied(p, "changing exchange "+id)
	}
	in := ExchangeInput{Date: ex.Date, Municipality: ex.Municipality, Venue: ex.Venue, InitiativeIDs: ex.InitiativeIDs,
		Participants: ex.Participants, Notes: ex.Notes}
	for dst, v := range map[*string]*string{&in.Date: up.Date, &in.Municipality: up.Municipality, &in.Venue: up.Venue, &in.Notes: up.Notes} {
		if v != nil {
			*dst = *v
		}
	}
	if up.InitiativeIDs != nil {
		in.InitiativeIDs = *up.InitiativeIDs
	}
	if up.Participants != nil {
		in.Participants = *up.Participants
	}
	if err := s.checkExchange(&in); err != nil {
		return Exchange{}, err
	}
	if !CanRecordExchange(p, in.InitiativeIDs) {
		return Exchange{}, denied(p, "recording an exchange of initiatives "+strings.Join(in.InitiativeIDs, ", "))
	}
	for _, ini := range in.InitiativeIDs {
		if slices.Contains(ex.InitiativeIDs, ini) {
			continue
		}
		if !p.IsAdmin() && !p.Advises(ini) {
			return Exchange{}, denied(p, "adding initiative "+ini+" to an exchange")
		}
		if _, err := s.initiativeRef(ctx, "initiative_ids", ini); err != nil {
			return Exchange{}, err
		}
	}
	if sharing, err := s.Summaries(ctx, p, ex.PracticeIDs); err != nil {
		return Exchange{}, err
	} else if i := slices.IndexFunc(sharing, func(sum PracticeSummary) bool { return !slices.Contains(in.InitiativeIDs, sum.InitiativeID) }); i >= 0 {
		var fe errs.Fields
		fe.Add("initiative_ids", errs.CodeNotAllowed, "initiative "+sharing[i].InitiativeID+" shared a practice at the exchange", "reason", "shared")
		return Exchange{}, fe.Err()
	}
	m, _ := catalog.LookupMunicipality(in.Municipality)
	return s.changeExchange(ctx, id, &ex, func() (Exchange, error) {
		var after Exchange
		err := s.exchanges.FindOneAndUpdate(ctx, bson.M{"_id": id}, bson.M{"$set": bson.M{"date": in.Date, "municipality": m.Name,
			"department": m.Department, "venue": in.Venue, "initiative_ids": in.InitiativeIDs, "participants": in.Participants, "notes": in.Notes}},
			options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&after)
		return after, storage.Err("exchange "+id, err)
	})
}

// RemoveExchangePhoto takes a photo off an exchange (who may record it)
// and deletes its renditions.
func (s *Practices) RemoveExchangePhoto(ctx context.Context, p *accounts.Principal, id, photoID string) error {
	ex, err := s.Exchange(ctx, p, id)
	if err != nil {
		return err
	}
	if !CanEditExchange(p, ex) {
		return denied(p, "removing photos of exchange "+id)
	}
	_, err = s.changeExchange(ctx, id, nil, func() (Exchange, error) {
		var after Exchange
		ph, _, err := pullPhoto(ctx, s.exchanges, "exchange", id, ex.Photos, photoID, &after)
		if err == nil {
			s.dropPhoto(ctx, ph)
		}
		return after, err
	})
	return err
}
