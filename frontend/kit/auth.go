package kit

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
	SessionCookie = "tesoro_session"
	CSRFCookie    = "tesoro_csrf"
	CSRFHeader    = "X-CSRF-Token"
	CSRFField     = "_csrf"
	principalKey  = "principal"
	tokenKey      = "session_token"
)

// Principal is who makes the request, or nil for an anonymous visitor.
func Principal(c *fiber.Ctx) *accounts.Principal {
	p, _ := c.Locals(principalKey).(*accounts.Principal)
	return p
}

// Authenticate resolves the bearer token or the session cookie into the
// request's principal. A bad bearer token is refused at once (the client
// meant to authenticate); a stale cookie is cleared and the visit continues
// anonymously.
func (d Deps) Authenticate(c *fiber.Ctx) error {
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return fiber.NewError(fiber.StatusUnauthorized, "use Authorization: Bearer <token>")
		}
		p, err := d.Accounts.Authenticate(c.UserContext(), strings.TrimSpace(token))
		if err != nil {
			return err
		}
		p.ViaBearer = true
		c.Locals(principalKey, p)
		return privateAnswer(c)
	}
	if token := c.Cookies(SessionCookie); token != "" {
		p, err := d.Accounts.Authenticate(c.UserContext(), token)
		switch {
		case errors.Is(err, errs.Unauthenticated):
			ClearSessionCookie(c)
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

// CheckCSRF guards state-changing requests that a browser could be tricked
// into sending: any made with the session cookie, and every page form. Bearer
// requests are exempt (a browser never adds that header on its own).
func CheckCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	p := Principal(c)
	if p != nil && p.ViaBearer {
		return c.Next()
	}
	if p == nil && IsAPI(c) {
		return c.Next() // no ambient authority to abuse; JSON needs a CORS preflight we never grant
	}
	sent := c.Get(CSRFHeader)
	if sent == "" {
		sent = c.FormValue(CSRFField)
	}
	want := CSRFToken(c)
	if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(want)) != 1 {
		return ErrCSRF
	}
	return c.Next()
}

// ErrCSRF is its own problem type so that a page can say what happened (a
// form left open too long) instead of a bare "forbidden".
var ErrCSRF = fiber.NewError(fiber.StatusForbidden, "missing or invalid CSRF token")

// CSRFToken is the token forms must echo. Signed in, it is derived from the
// session token (so it changes with every login and needs no storage);
// anonymous, it is a random cookie value (double submit).
func CSRFToken(c *fiber.Ctx) string {
	if token, ok := c.Locals(tokenKey).(string); ok && token != "" {
		return CSRFFor(token)
	}
	if v := c.Cookies(CSRFCookie); len(v) == 43 {
		return v
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	c.Cookie(&fiber.Cookie{Name: CSRFCookie, Value: v, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: c.Protocol() == "https"})
	c.Request().Header.SetCookie(CSRFCookie, v) // later calls in this request see it
	return v
}

func CSRFFor(sessionToken string) string {
	m := hmac.New(sha256.New, []byte(sessionToken))
	m.Write([]byte("tesoro csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// SetSessionCookie sets the session cookie after a login and makes the new
// session the request's, so the page rendered next carries its CSRF token.
func (d Deps) SetSessionCookie(c *fiber.Ctx, token string, kind accounts.SessionKind) {
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: token, Path: "/", HTTPOnly: true, SameSite: "Lax",
		Secure: c.Protocol() == "https", Expires: time.Now().Add(d.Accounts.SessionLifetime(kind))})
	c.Locals(tokenKey, token)
}

func ClearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: "", Path: "/", HTTPOnly: true, SameSite: "Lax",
		Secure: c.Protocol() == "https", Expires: time.Unix(0, 0), MaxAge: -1})
}

// RequireUser returns the principal or errs.Unauthenticated.
func RequireUser(c *fiber.Ctx) (*accounts.Principal, error) {
	if p := Principal(c); p != nil {
		return p, nil
	}
	return nil, errs.Unauthenticated
}

func Meta(c *fiber.Ctx) accounts.Meta { return accounts.Meta{IP: c.IP()} }
