package mentoring

import (
	"context"
	"fmt"
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
		out, err = s.sessions.set(ctx, id, cur.Rev, map[string]any{"attachments": list, "updated_at": a.At}, nil)
		return err
	})
	return out, err
}
