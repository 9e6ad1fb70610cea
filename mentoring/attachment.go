package mentoring

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
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
	By          string    `bson:"by" json:"recorded_by"`
	At          time.Time `bson:"at" json:"recorded_at"`
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

// Upload is an attachment's content checked and ready to keep: a PDF as
// sent, or a photo as its re-encoded full rendition (no metadata) with a
// thumbnail.
type Upload struct {
	Name        string // cleaned by the caller (clean.FileName)
	ContentType string
	Ext         string // of the stored object: pdf, jpg, png
	Data        []byte
	// Thumb is a photo's thumbnail (nil for a PDF).
	Thumb *Thumb
}

// Thumb is a photo attachment's thumbnail.
type Thumb struct {
	Data        []byte
	ContentType string
	Ext         string
}

// Attach keeps an upload with the session: its objects under the session's
// private keys (private/sessions/<session>/<attachment>.<ext>, and -thumb),
// then the attachment on the session; when listing it fails the objects are
// deleted again, so nothing is left that no session names.
func (s *Service) Attach(ctx context.Context, p *accounts.Principal, sessionID string, up Upload) (Attachment, error) {
	if s.objects == nil {
		return Attachment{}, fmt.Errorf("attachments: no object store: %w", errs.Unavailable)
	}
	if _, err := s.CanAttach(ctx, p, sessionID); err != nil {
		return Attachment{}, err
	}
	a := Attachment{ID: storage.NewID(), Name: up.Name, ContentType: up.ContentType, Size: int64(len(up.Data))}
	prefix := "private/sessions/" + sessionID + "/" + a.ID
	a.Key = prefix + "." + up.Ext
	if _, err := s.objects.Put(ctx, a.Key, bytes.NewReader(up.Data), a.Size, a.ContentType); err != nil {
		return a, err
	}
	if up.Thumb != nil {
		a.ThumbKey = prefix + "-thumb." + up.Thumb.Ext
		if _, err := s.objects.Put(ctx, a.ThumbKey, bytes.NewReader(up.Thumb.Data), int64(len(up.Thumb.Data)), up.Thumb.ContentType); err != nil {
			_ = s.objects.Delete(context.WithoutCancel(ctx), a.Key)
			return a, err
		}
	}
	sess, err := s.AddAttachment(ctx, p, sessionID, a)
	if err != nil {
		cctx := context.WithoutCancel(ctx) // compensate even when the request was cancelled
		_ = s.objects.Delete(cctx, a.Key)
		if a.ThumbKey != "" {
			_ = s.objects.Delete(cctx, a.ThumbKey)
		}
		return a, err
	}
	return sess.Attachments[len(sess.Attachments)-1], nil
}

// Detach takes an attachment off its session, then deletes its objects.
// The session forgets it first: an object a failed delete leaves behind is
// private and unreachable, never the other way round (it is logged).
func (s *Service) Detach(ctx context.Context, p *accounts.Principal, sessionID, attachmentID string) (Attachment, error) {
	a, err := s.RemoveAttachment(ctx, p, sessionID, attachmentID)
	if err != nil || s.objects == nil {
		return a, err
	}
	for _, key := range []string{a.Key, a.ThumbKey} {
		if key == "" {
			continue
		}
		if err := s.objects.Delete(ctx, key); err != nil && !errors.Is(err, errs.NotFound) {
			slog.WarnContext(ctx, "attachment object not deleted", "session", sessionID, "err", err)
		}
	}
	return a, nil
}

// OpenAttachment reads an attachment (thumb: a photo's thumbnail) of a
// session p may read; the caller closes the reader.
func (s *Service) OpenAttachment(ctx context.Context, p *accounts.Principal, sessionID, attachmentID string, thumb bool) (Attachment, io.ReadCloser, storage.Object, error) {
	sess, err := s.Session(ctx, p, sessionID)
	if err != nil {
		return Attachment{}, nil, storage.Object{}, err
	}
	i := slices.IndexFunc(sess.Attachments, func(a Attachment) bool { return a.ID == attachmentID })
	if i < 0 {
		return Attachment{}, nil, storage.Object{}, fmt.Errorf("attachment %s of session %s: %w", attachmentID, sessionID, errs.NotFound)
	}
	a := sess.Attachments[i]
	key := a.Key
	if thumb && a.ThumbKey != "" {
		key = a.ThumbKey
	}
	if s.objects == nil {
		return a, nil, storage.Object{}, fmt.Errorf("attachments: no object store: %w", errs.Unavailable)
	}
	r, obj, err := s.objects.Get(ctx, key)
	return a, r, obj, err
}
