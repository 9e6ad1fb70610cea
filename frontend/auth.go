package frontend

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
)

const (
	sessionCookie = "tesoro_session"
	csrfCookie    = "tesoro_csrf"
	csrfHeader    = "X-CSRF-Token"
	csrfField     = "_csrf"
	principalKey  = "principal"
	tokenKey      = "session_token"
)

// principal is who makes the request, or nil for an anonymous visitor.
func principal(c *fiber.Ctx) *accounts.Principal {
	p, _ := c.Locals(principalKey).(*accounts.Principal)
	return p
}

// authenticate resolves the bearer token or the session cookie into the
// request's principal. A bad bearer token is refused at once (the client
// meant to authenticate); a stale cookie is cleared and the visit continues
// anonymously.
func (s *server) authenticate(c *fiber.Ctx) error {
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return fiber.NewError(fiber.StatusUnauthorized, "use Authorization: Bearer <token>")
		}
		p, err := s.Accounts.Authenticate(c.UserContext(), strings.TrimSpace(token))
		if err != nil {
			return err
		}
		p.ViaBearer = true
		c.Locals(principalKey, p)
		return privateAnswer(c)
	}
	if token := c.Cookies(sessionCookie); token != "" {
		p, err := s.Accounts.Authenticate(c.UserContext(), token)
		switch {
		case errors.Is(err, errs.Unauthenticated):
			s.clearSessionCookie(c)
		case err != nil:
			return err
		default:
			c.Locals(principalKey, p)
			c.Locals(tokenKey, strings.Clone(token))
			return privateAnswer(c)
		}
	}
	return c.Next()
}

// privateAnswer runs the handler for a signed-in request and keeps its answer
// out of shared caches: it may hold personal data.
func privateAnswer(c *fiber.Ctx) error {
	err := c.Next()
	if c.GetRespHeader(fiber.HeaderCacheControl) == "" {
		c.Set(fiber.HeaderCacheControl, "private, no-store")
	}
	return err
}

// checkCSRF guards state-changing requests that a browser could be tricked
// into sending: any made with the session cookie, and every page form. Bearer
// requests are exempt (a browser never adds that header on its own).
func (s *server) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	p := principal(c)
	if p != nil && p.ViaBearer {
		return c.Next()
	}
	if p == nil && isAPI(c) {
		return c.Next() // no ambient authority to abuse; JSON needs a CORS preflight we never grant
	}
	sent := c.Get(csrfHeader)
	if sent == "" {
		sent = c.FormValue(csrfField)
	}
	want := s.csrfToken(c)
	if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(want)) != 1 {
		return errCSRF
	}
	return c.Next()
}

// errCSRF is its own problem type so that a page can say what happened (a
// form left open too long) instead of a bare "forbidden".
var errCSRF = fiber.NewError(fiber.StatusForbidden, "missing or invalid CSRF token")

// csrfToken is the token forms must echo. Signed in, it is derived from the
// session token (so it changes with every login and needs no storage);
// anonymous, it is a random cookie value (double submit).
func (s *server) csrfToken(c *fiber.Ctx) string {
	if token, ok := c.Locals(tokenKey).(string); ok && token != "" {
		return csrfFor(token)
	}
	if v := c.Cookies(csrfCookie); len(v) == 43 {
		return v
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	c.Cookie(&fiber.Cookie{Name: csrfCookie, Value: v, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: c.Protocol() == "https"})
	c.Request().Header.SetCookie(csrfCookie, v) // later calls in this request see it
	return v
}

func csrfFor(sessionToken string) string {
	m := hmac.New(sha256.New, []byte(sessionToken))
	m.Write([]byte("tesoro csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// setSessionCookie sets the session cookie after a login and makes the new
// session the request's, so the page rendered next carries its CSRF token.
func (s *server) setSessionCookie(c *fiber.Ctx, token string, kind accounts.SessionKind) {
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: token, Path: "/", HTTPOnly: true, SameSite: "Lax",
		Secure: c.Protocol() == "https", Expires: time.Now().Add(s.Accounts.SessionLifetime(kind))})
	c.Locals(tokenKey, token)
}

func (s *server) clearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: "", Path: "/", HTTPOnly: true, SameSite: "Lax",
		Secure: c.Protocol() == "https", Expires: time.Unix(0, 0), MaxAge: -1})
}

// requireUser returns the principal or errs.Unauthenticated.
func requireUser(c *fiber.Ctx) (*accounts.Principal, error) {
	if p := principal(c); p != nil {
		return p, nil
	}
	return nil, errs.Unauthenticated
}

func meta(c *fiber.Ctx) accounts.Meta { return accounts.Meta{IP: c.IP()} }
