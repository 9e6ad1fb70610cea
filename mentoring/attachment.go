package mentoring

import (
	"context"
	"fmt"
	"github.com/tesoro-pact/tesoro/storage"
	"go.mongodb.org/mongo-driver/bson"
	"slices"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
)

// MaxAttachmentBytes caps one session attachment (a photo or a PDF).
const MaxAttachmentBytes = 10 << 20

// Attachment is a file (photo or PDF) kept with a session. Its objects are
// private: only those who may read the session may fetch them.
type Attachment struct {
	ID          string    `bson:"id" json:"id"`
	Name        string    `bson:"name" json:"name"`
	ContentType string    `bson:"content_type" json:"content_type"`
	Size        int64     `bson:"size" json:"size"`
	Key         string    `bson:"key" json:"-"`
	ThumbKey    string    `bson:"thumb_key,omitempty" json:"-"`
	By          string    `bson:"by" json:"by"`
	At          time.Time `bson:"at" json:"at"`
}

// CanAttach returns the session if p may add attachments to it: p may edit
// it (CanRecord) and it is not locked.
func (s *Service) CanAttach(ctx context.Context, p *accounts.Principal, id string) (Session, error) {
	cur, err := s.Session(ctx, p, id)
	if err != nil {
		return Session{}, err
	}
	if !CanRecord(p, cur.InitiativeIDs) {
		return Session{}, denied(p, "attach to session "+id)
	}
	if now := s.now(); s.Locked(cur, now) {
		return Session{}, fmt.Errorf("session %s is read-only since %s: %w", id, cur.lockedAt(s.lockAfter).Format(time.DateOnly), errs.Locked)
	}
	return cur, nil
}

// AddAttachment appends a (stored) attachment to the session, checking the
// session's revision so that concurrent edits are not lost.
func (s *Service) AddAttachment(ctx context.Context, p *accounts.Principal, id string, a Attachment) (Session, error) {
	var out Session
	err := retryStale(func() error {
		cur, err := s.CanAttach(ctx, p, id)
		if err != nil {
			return err
		}
		a.By, a.At = p.UserID, s.now()
		list := append(append([]Attachment{}, cur.Attachments...), a)
		out, err = s.setAttachments(ctx, p, cur, list, a.At)
		return err
	})
	return out, err
}

// RemoveAttachment takes an attachment off the session (same rights as
// adding one, and not once the session is locked) and returns it, so that
// the caller deletes its objects. The removal is kept as a version.
func (s *Service) RemoveAttachment(ctx context.Context, p *accounts.Principal, id, attachmentID string) (Attachment, error) {
	var gone Attachment
	err := retryStale(func() error {
		cur, err := s.CanAttach(ctx, p, id)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(cur.Attachments, func(a Attachment) bool { return a.ID == attachmentID })
		if i < 0 {
			return fmt.Errorf("attachment %s of session %s: %w", attachmentID, id, errs.NotFound)
		}
		gone = cur.Attachments[i]
		_, err = s.setAttachments(ctx, p, cur, slices.Delete(slices.Clone(cur.Attachments), i, i+1), s.now())
		return err
	})
	return gone, err
}

// setAttachments replaces the session's attachments, checking the revision
// it read, and pushes the change (file names before and after) as a version
// in the same write.
func (s *Service) setAttachments(ctx context.Context, p *accounts.Principal, cur Session, list []Attachment, now time.Time) (Session, error) {
	names := func(l []Attachment) []string {
		out := make([]string, len(l))
		for i, a := range l {
			out[i] = a.Name
		}
		return out
	}
	v := Version{ID: storage.NewID(), SessionID: cur.ID, Rev: cur.Rev + 1, At: now, By: p.UserID,
		Changes: map[string]Change{"attachments": {From: names(cur.Attachments), To: names(list)}}}
	return s.setSession(ctx, cur, bson.M{"attachments": list, "updated_at": now}, &v)
}
