package pages

import (
	"encoding/json"
	"errors"
	"html/template"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/fairs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
)

// The point of sale (caja) of a fair: a phone page that sells with or
// without signal. The page carries what it sells (prices, units left,
// miniature photos); pos.js keeps each sale in IndexedDB first and sends
// the queue to the batch API when it can; the service worker keeps the
// page, so it opens again offline. See docs/architecture.md (Fairs).

func (s *Pages) routesPOS(app fiber.Router) {
	app.Get("/feria/:id/caja", noStore, s.posPage)
	app.Get("/feria/:id/caja/datos", noStore, s.posData)
}

func posPath(fairID string) string { return "/feria/" + fairID + "/caja" }

// posState is what the script starts from: the till as of At (sales sent
// after At are not in its units left) and a fresh CSRF token.
type posState struct {
	At   time.Time  `json:"at"`
	CSRF string     `json:"csrf"`
	User string     `json:"user"`
	Till fairs.Till `json:"till"`
}

func (s *Pages) posState(c *fiber.Ctx) (posState, error) {
	p := kit.Principal(c)
	at := time.Now().UTC()
	t, err := s.Fairs.Till(c.UserContext(), p, c.Params("id"), c.Query("mesa"))
	if err != nil {
		return posState{}, err
	}
	return posState{At: at, CSRF: kit.CSRFToken(c), User: p.UserID, Till: t.WithPhotos(kit.MiniPathPrefix)}, nil
}

// posView is the page's data: the till to draw and the state as JSON.
type posView struct {
	Till  fairs.Till
	Fair  fairItem
	State template.JS
	// Messages are the script's words in the page's language.
	Messages template.JS
	Many     bool // more than one initiative: products are grouped
}

// posWords are the script's messages (pos.js.<id>): the reason of each
// rejection code the batch API answers, and what the till says.
var posWords = []string{
	fairs.RejectClientID, fairs.RejectSoldAt, fairs.RejectNoLines, fairs.RejectQuantity, fairs.RejectPrice,
	fairs.RejectProduct, fairs.RejectNotAtFair, fairs.RejectNotYours, fairs.RejectMethod, fairs.RejectCreditBuyer,
	fairs.RejectDueOn, fairs.RejectBuyer, fairs.RejectCashShort, fairs.RejectFairNotOpen, fairs.RejectClosed,
	fairs.RejectRepeatedInBox, fairs.RejectTable, "other", "use_now", "discard", "saved", "undone", "undo_late", "credit_needs",
	"cash_short", "left", "sale_of",
}

func (s *Pages) posPage(c *fiber.Ctx) error {
	if kit.Principal(c) == nil {
		return toSignIn(c, posPath(c.Params("id")))
	}
	st, err := s.posState(c)
	if errors.Is(err, errs.NotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	state, err := json.Marshal(st)
	if err != nil {
		return err
	}
	l := s.tmpl.localizer(c)
	words := map[string]string{}
	for _, id := range posWords {
		words[id] = l.T("pos.js." + id)
	}
	msgs, err := json.Marshal(words)
	if err != nil {
		return err
	}
	v := posView{Till: st.Till, Fair: fairItem{Summary: st.Till.Fair, Venue: st.Till.Venue}, State: template.JS(state),
		Messages: template.JS(msgs), Many: len(st.Till.Initiatives) > 1}
	return s.render(c, fiber.StatusOK, "pos", "pos.title", v)
}

// posData is the state again, for a page opened from the cache: units left
// now, and a token for the session of whoever is signed in now.
func (s *Pages) posData(c *fiber.Ctx) error {
	if kit.Principal(c) == nil {
		return errs.Unauthenticated
	}
	st, err := s.posState(c)
	if err != nil {
		return err
	}
	return c.JSON(st)
}
