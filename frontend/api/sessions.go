package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/mentoring"
)

func (s *API) routesSessions(api fiber.Router) {
	api.Post("/sessions", s.createSession)
	api.Get("/sessions/:id", s.getSession)
	api.Patch("/sessions/:id", s.updateSession)
	api.Post("/sessions/:id/unlock", s.unlockSession)
	api.Get("/sessions/:id/versions", s.sessionVersions)
	api.Post("/sessions/:id/attachments", s.uploadSessionAttachment)
	api.Get("/sessions/:id/attachments/:attachment", s.getSessionAttachment)
	api.Delete("/sessions/:id/attachments/:attachment", s.deleteSessionAttachment)
	api.Get("/initiatives/:id/sessions", s.initiativeSessions)
	api.Get("/agreements", s.listAgreements)
	api.Patch("/agreements/:id", s.setAgreementStatus)
}

// apiDate is a day sent as RFC 3339 or as YYYY-MM-DD. A string in neither
// form is kept in bad, to be reported as an invalid field (422), not as
// malformed JSON.
type apiDate struct {
	time.Time
	bad string
}

func (d *apiDate) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var raw string
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly} {
		if t, err := time.Parse(layout, raw); err == nil {
			d.Time = t
			return nil
		}
	}
	d.bad = raw
	return nil
}

// check reports d under field when it was not a date.
func (d *apiDate) check(field string, fe *errs.Fields) {
	if d != nil && d.bad != "" {
		fe.Add(field, errs.CodeInvalid, fmt.Sprintf("%q is neither RFC 3339 nor YYYY-MM-DD", d.bad))
	}
}

func (d *apiDate) ptr() *time.Time {
	if d == nil {
		return nil
	}
	t := d.Time
	return &t
}

// agreementBody is an agreement taken in a new session, as sent.
type agreementBody struct {
	Text         string  `json:"text"`
	Owner        string  `json:"owner"`
	OwnerUserID  string  `json:"owner_user_id"`
	Due          apiDate `json:"due"`
	InitiativeID string  `json:"initiative_id"`
}

// sessionBody is POST /api/v1/sessions as sent.
type sessionBody struct {
	InitiativeIDs   []string               `json:"initiative_ids"`
	Date            apiDate                `json:"date"`
	DurationMinutes int                    `json:"duration_minutes"`
	Modality        string                 `json:"modality"`
	Topics          []string               `json:"topics"`
	Participants    mentoring.Participants `json:"participants"`
	MemberIDs       []string               `json:"member_ids"`
	Notes           string                 `json:"notes"`
	NextFollowUp    *apiDate               `json:"next_follow_up"`
	Agreements      []agreementBody        `json:"agreements"`
}

// dates reports the dates that were not dates.
func (b *sessionBody) dates() error {
	var fe errs.Fields
	b.Date.check("date", &fe)
	b.NextFollowUp.check("next_follow_up", &fe)
	for i := range b.Agreements {
		b.Agreements[i].Due.check(fmt.Sprintf("agreements[%d].due", i), &fe)
	}
	return fe.Err()
}

func (b sessionBody) input() mentoring.SessionInput {
	in := mentoring.SessionInput{
		InitiativeIDs: b.InitiativeIDs, Date: b.Date.Time, DurationMinutes: b.DurationMinutes, Modality: b.Modality,
		Topics: b.Topics, Participants: b.Participants, MemberIDs: b.MemberIDs, Notes: b.Notes, NextFollowUp: b.NextFollowUp.ptr(),
	}
	for _, a := range b.Agreements {
		in.Agreements = append(in.Agreements, mentoring.AgreementInput{Text: a.Text, Owner: a.Owner, OwnerUserID: a.OwnerUserID,
			Due: a.Due.Time, InitiativeID: a.InitiativeID})
	}
	return in
}

// sessionPatch is PATCH /api/v1/sessions/{id} as sent; absent fields stay.
type sessionPatch struct {
	Date            *apiDate                `json:"date"`
	DurationMinutes *int                    `json:"duration_minutes"`
	Modality        *string                 `json:"modality"`
	Topics          []string                `json:"topics"`
	Participants    *mentoring.Participants `json:"participants"`
	MemberIDs       []string                `json:"member_ids"`
	Notes           *string                 `json:"notes"`
	NextFollowUp    *apiDate                `json:"next_follow_up"`
}

// sessionCreated is the answer to POST /api/v1/sessions.
// sessionView is a session as the API answers it: the session with its
// agreements embedded (the stored session names them by id).
type sessionView struct {
	mentoring.Session
	Agreements []mentoring.Agreement `json:"agreements"`
}

// viewSession embeds the agreements of sess that p may read.
func (s *API) viewSession(c *fiber.Ctx, p *accounts.Principal, sess mentoring.Session) (sessionView, error) {
	v := sessionView{Session: sess, Agreements: []mentoring.Agreement{}}
	for _, id := range sess.Agreements {
		a, err := s.Mentoring.Agreement(c.UserContext(), p, id)
		if errors.Is(err, errs.NotFound) || errors.Is(err, errs.Forbidden) {
			continue
		}
		if err != nil {
			return v, err
		}
		v.Agreements = append(v.Agreements, a)
	}
	return v, nil
}

func (s *API) createSession(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	var b sessionBody
	if err := kit.DecodeJSON(c, &b); err != nil {
		return err
	}
	if err := b.dates(); err != nil {
		return err
	}
	sess, agreements, err := s.Mentoring.Create(c.UserContext(), p, b.input())
	if err != nil {
		return err
	}
	if agreements == nil {
		agreements = []mentoring.Agreement{}
	}
	return c.Status(fiber.StatusCreated).JSON(sessionView{Session: sess, Agreements: agreements})
}

func (s *API) getSession(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	sess, err := s.Mentoring.Session(c.UserContext(), p, c.Params("id"))
	if err != nil {
		return err
	}
	v, err := s.viewSession(c, p, sess)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (s *API) updateSession(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	var b sessionPatch
	if err := kit.DecodeJSON(c, &b); err != nil {
		return err
	}
	var fe errs.Fields
	b.Date.check("date", &fe)
	b.NextFollowUp.check("next_follow_up", &fe)
	if err := fe.Err(); err != nil {
		return err
	}
	sess, err := s.Mentoring.Update(c.UserContext(), p, c.Params("id"), mentoring.SessionUpdate{
		Date: b.Date.ptr(), DurationMinutes: b.DurationMinutes, Modality: b.Modality, Topics: b.Topics,
		Participants: b.Participants, MemberIDs: b.MemberIDs, Notes: b.Notes, NextFollowUp: b.NextFollowUp.ptr(),
	})
	if err != nil {
		return err
	}
	v, err := s.viewSession(c, p, sess)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (s *API) unlockSession(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(p *accounts.Principal, in struct {
		Reason string `json:"reason"`
	}) (any, error) {
		return s.Mentoring.Unlock(c.UserContext(), p, c.Params("id"), in.Reason)
	})
}

func (s *API) sessionVersions(c *fiber.Ctx) error {
	return listHeld(c, func(p *accounts.Principal) ([]mentoring.Version, error) {
		return s.Mentoring.Versions(c.UserContext(), p, c.Params("id"))
	}, func(v mentoring.Version) string { return v.ID })
}

func (s *API) initiativeSessions(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	id := c.Params("id")
	if _, err := s.Catalog.Initiative(c.UserContext(), id); err != nil {
		return err
	}
	limit, err := kit.PageLimit(c)
	if err != nil {
		return err
	}
	items, next, err := s.Mentoring.SessionsPage(c.UserContext(), p, mentoring.SessionFilter{InitiativeID: id}, c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	return c.JSON(kit.List[mentoring.Session]{Items: items, NextCursor: next})
}

func (s *API) listAgreements(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	f := mentoring.AgreementFilter{InitiativeID: c.Query("initiative"), Status: c.Query("status")}
	if raw := c.Query("overdue"); raw != "" {
		if f.Overdue, err = strconv.ParseBool(raw); err != nil {
			var fe errs.Fields
			fe.Add("overdue", errs.CodeInvalid, "must be true or false")
			return fe.Err()
		}
	}
	limit, err := kit.PageLimit(c)
	if err != nil {
		return err
	}
	items, next, err := s.Mentoring.AgreementsPage(c.UserContext(), p, f, c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	return c.JSON(kit.List[mentoring.Agreement]{Items: items, NextCursor: next})
}

func (s *API) setAgreementStatus(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(p *accounts.Principal, in struct {
		Status string `json:"status"`
	}) (any, error) {
		return s.Mentoring.SetAgreementStatus(c.UserContext(), p, c.Params("id"), in.Status)
	})
}
