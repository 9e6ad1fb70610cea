package frontend

import (
	"encoding/json"

	"github.com/tesoro-pact/tesoro/mentoring"
)

// sessionCreated reads a session as the API answers it (sessionView): the
// session, and its agreements embedded in place of their ids.
type sessionCreated struct {
	Session    mentoring.Session
	Agreements []mentoring.Agreement
}

func (c *sessionCreated) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	var embedded struct {
		Agreements []mentoring.Agreement `json:"agreements"`
	}
	if err := json.Unmarshal(b, &embedded); err != nil {
		return err
	}
	delete(raw, "agreements")
	rest, _ := json.Marshal(raw)
	if err := json.Unmarshal(rest, &c.Session); err != nil {
		return err
	}
	c.Agreements = embedded.Agreements
	for _, a := range c.Agreements {
		c.Session.Agreements = append(c.Session.Agreements, a.ID)
	}
	return nil
}
