package frontend

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/frontend/kit"
)

func cookieNamed(res *http.Response, name string) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestAPILoginGivesTokenAndCookie(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	u, _ := env.user(t, "rosa@tesoro.demo", []string{accounts.RoleProducer})
	res, body := env.do(t, request("POST", "/api/v1/auth/login", `{"email": "Rosa@Tesoro.demo", "password": "`+testPassword+`"}`, ""))
	if res.StatusCode != 200 {
		t.Fatalf("login: got %d %s", res.StatusCode, body)
	}
	var out struct {
		Token     string        `json:"token"`
		CSRFToken string        `json:"csrf_token"`
		User      accounts.User `json:"user"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	if out.Token == "" || out.User.ID != u.ID || strings.Contains(body, "password_hash") || strings.Contains(body, "argon2") {
		t.Fatalf("login body: got %s", body)
	}
	c := cookieNamed(res, kit.SessionCookie)
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Value == "" {
		t.Fatalf("session cookie: got %+v, want HttpOnly SameSite=Lax", c)
	}
	// The cookie is a browser session of its own (14 days, 3 idle), not the
	// 30-day API token (item 13 of the security review).
	if c.Value == out.Token {
		t.Fatal("the cookie carries the API token, want a cookie session of its own")
	}
	if left := time.Until(c.Expires); left > 14*24*time.Hour+time.Minute || left < 14*24*time.Hour-time.Hour {
		t.Fatalf("session cookie expires in %s, want 14 days", left)
	}
	cookieToken := c.Value

	withCookie := func(method, path, body, csrf string) *http.Response {
		req := request(method, path, body, "")
		req.AddCookie(&http.Cookie{Name: kit.SessionCookie, Value: cookieToken})
		if csrf != "" {
			req.Header.Set(kit.CSRFHeader, csrf)
		}
		res, _ := env.do(t, req)
		return res
	}
	if res := withCookie("GET", "/api/v1/me", "", ""); res.StatusCode != 200 {
		t.Fatalf("GET /me with cookie: got %d, want 200", res.StatusCode)
	}
	if res := withCookie("PATCH", "/api/v1/me", `{"name": "Rosa Elvira"}`, ""); res.StatusCode != 403 {
		t.Fatalf("cookie PATCH without CSRF token: got %d, want 403", res.StatusCode)
	}
	if res := withCookie("PATCH", "/api/v1/me", `{"name": "Rosa Elvira"}`, "forged"); res.StatusCode != 403 {
		t.Fatalf("cookie PATCH with a wrong CSRF token: got %d, want 403", res.StatusCode)
	}
	if res := withCookie("PATCH", "/api/v1/me", `{"name": "Rosa Elvira"}`, out.CSRFToken); res.StatusCode != 200 {
		t.Fatalf("cookie PATCH with the CSRF token: got %d, want 200", res.StatusCode)
	}
	// Bearer requests need no CSRF token.
	if res, body := env.do(t, request("PATCH", "/api/v1/me", `{"phone": "310 555 1234"}`, out.Token)); res.StatusCode != 200 {
		t.Fatalf("bearer PATCH: got %d %s, want 200", res.StatusCode, body)
	}

	// Logout revokes the token for both ways of sending it.
	if res := withCookie("POST", "/api/v1/auth/logout", "", out.CSRFToken); res.StatusCode != 204 {
		t.Fatalf("logout: got %d, want 204", res.StatusCode)
	}
	if res, _ := env.do(t, request("GET", "/api/v1/me", "", out.Token)); res.StatusCode != 401 {
		t.Fatalf("bearer after logout: got %d, want 401", res.StatusCode)
	}
	res = withCookie("GET", "/api/v1/me", "", "")
	if res.StatusCode != 401 {
		t.Fatalf("cookie after logout: got %d, want 401", res.StatusCode)
	}
	if c := cookieNamed(res, kit.SessionCookie); c == nil || c.Value != "" {
		t.Fatalf("stale cookie not cleared: %+v", c)
	}
}

func TestAPIAuthFailures(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	env.user(t, "dora@tesoro.demo", []string{accounts.RoleProducer})
	tests := []struct {
		name       string
		req        *http.Request
		wantStatus int
	}{
		{"wrong password", request("POST", "/api/v1/auth/login", `{"email": "dora@tesoro.demo", "password": "no-es-la-clave"}`, ""), 401},
		{"unknown email", request("POST", "/api/v1/auth/login", `{"email": "nadie@tesoro.demo", "password": "no-es-la-clave"}`, ""), 401},
		{"me without credentials", request("GET", "/api/v1/me", "", ""), 401},
		{"garbage bearer", request("GET", "/api/v1/me", "", "tsr_nope"), 401},
		{"basic auth", func() *http.Request {
			r := request("GET", "/api/v1/me", "", "")
			r.Header.Set("Authorization", "Basic YTpi")
			return r
		}(), 401},
		{"register without consent", request("POST", "/api/v1/auth/register", `{"email": "c@x.co", "name": "Camila", "password": "`+testPassword+`"}`, ""), 422},
		{"register consent false", request("POST", "/api/v1/auth/register", `{"email": "c@x.co", "name": "Camila", "password": "`+testPassword+`", "consent": false}`, ""), 422},
		{"register taken email", request("POST", "/api/v1/auth/register", `{"email": "DORA@tesoro.demo", "name": "Dora", "password": "`+testPassword+`", "consent": true}`, ""), 409},
		{"login malformed", request("POST", "/api/v1/auth/login", `{"email": `, ""), 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := env.do(t, tt.req)
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("got %d %s, want %d", res.StatusCode, body, tt.wantStatus)
			}
			p := decodeProblem(t, res, body)
			if tt.wantStatus == 422 && (len(p.Errors) == 0 || p.Errors[0].Field != "consent") {
				t.Fatalf("errors: got %+v, want consent", p.Errors)
			}
		})
	}
	if _, err := env.accounts.UserByEmail(t.Context(), "c@x.co"); err == nil {
		t.Fatal("a registration without consent created the account")
	}
}

func TestAPILoginRateLimitedWithRetryAfter(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	env.user(t, "luz@tesoro.demo", []string{accounts.RoleAdviser})
	var res *http.Response
	var body string
	for range 5 {
		res, body = env.do(t, request("POST", "/api/v1/auth/login", `{"email": "luz@tesoro.demo", "password": "equivocada-123"}`, ""))
	}
	if res.StatusCode != 429 || res.Header.Get("Retry-After") == "" || res.Header.Get("Retry-After") == "0" {
		t.Fatalf("5th failure: got %d Retry-After %q, want 429 with a delay", res.StatusCode, res.Header.Get("Retry-After"))
	}
	decodeProblem(t, res, body)
}

func TestAPIDataExportAndDeletion(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	res, body := env.do(t, request("POST", "/api/v1/auth/register",
		`{"email": "camila@example.co", "name": "Camila Rojas", "phone": "3105551234", "password": "`+testPassword+`", "consent": true}`, ""))
	if res.StatusCode != 201 {
		t.Fatalf("register: %d %s", res.StatusCode, body)
	}
	_, token, _ := strings.Cut(func() string {
		res, body := env.do(t, request("POST", "/api/v1/auth/login", `{"email": "camila@example.co", "password": "`+testPassword+`"}`, ""))
		if res.StatusCode != 200 {
			t.Fatalf("login: %d", res.StatusCode)
		}
		var out struct{ Token string }
		_ = json.Unmarshal([]byte(body), &out)
		return "x:" + out.Token
	}(), ":")
	res, body = env.do(t, request("GET", "/api/v1/me/data", "", token))
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: got %d %q", res.StatusCode, res.Header.Get("Content-Disposition"))
	}
	var data accounts.PersonalData
	if err := json.Unmarshal([]byte(body), &data); err != nil {
		t.Fatal(err)
	}
	if data.User.Email != "camila@example.co" || data.User.Phone != "3105551234" || data.User.Consent == nil {
		t.Fatalf("export: got %+v", data.User)
	}
	if res, _ := env.do(t, request("DELETE", "/api/v1/me", "", token)); res.StatusCode != 204 {
		t.Fatalf("delete: got %d, want 204", res.StatusCode)
	}
	if res, _ := env.do(t, request("GET", "/api/v1/me", "", token)); res.StatusCode != 401 {
		t.Fatalf("after delete: got %d, want 401", res.StatusCode)
	}
	u, err := env.accounts.User(t.Context(), &accounts.Principal{Roles: []string{"admin"}}, data.User.ID)
	if err != nil || u.Email == "camila@example.co" || u.Phone != "" {
		t.Fatalf("after delete the record still holds personal data: %+v %v", u, err)
	}
}

func TestAdminManagesUsersThroughAPI(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	in := createInitiative(t, env.catalog, "Panadería de Papa", "Mongua")
	_, adminToken := env.user(t, "jefa@tesoro.demo", []string{accounts.RoleAdmin})
	res, body := env.do(t, request("POST", "/api/v1/users",
		`{"email": "rosa@tesoro.demo", "name": "Rosa", "password": "`+testPassword+`", "roles": ["producer"], "initiative_ids": ["`+in.ID+`"]}`, adminToken))
	if res.StatusCode != 201 {
		t.Fatalf("create: got %d %s", res.StatusCode, body)
	}
	var rosa accounts.User
	_ = json.Unmarshal([]byte(body), &rosa)
	if res, body := env.do(t, request("POST", "/api/v1/users",
		`{"email": "x@tesoro.demo", "name": "X", "password": "`+testPassword+`", "roles": ["producer"], "initiative_ids": ["no-such"]}`, adminToken)); res.StatusCode != 422 {
		t.Fatalf("unknown initiative: got %d %s, want 422", res.StatusCode, body)
	}
	rosaToken, _, err := env.accounts.Login(t.Context(), "rosa@tesoro.demo", testPassword, accounts.KindBearer, accounts.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := env.do(t, request("PATCH", "/api/v1/initiatives/"+in.ID, `{"stage": "marketing"}`, rosaToken)); res.StatusCode != 200 {
		t.Fatalf("producer edits own initiative: got %d, want 200", res.StatusCode)
	}
	if res, body := env.do(t, request("PATCH", "/api/v1/users/"+rosa.ID, `{"active": false}`, adminToken)); res.StatusCode != 200 {
		t.Fatalf("deactivate: got %d %s", res.StatusCode, body)
	}
	if res, _ := env.do(t, request("GET", "/api/v1/me", "", rosaToken)); res.StatusCode != 401 {
		t.Fatalf("deactivated user's token: got %d, want 401 at once", res.StatusCode)
	}
	res, body = env.do(t, request("GET", "/api/v1/audit?action=user_deactivated", "", adminToken))
	if res.StatusCode != 200 || !strings.Contains(body, rosa.ID) {
		t.Fatalf("audit: got %d %s, want the deactivation of %s", res.StatusCode, body, rosa.ID)
	}
	if strings.Contains(body, "rosa@tesoro.demo") {
		t.Fatal("the audit log holds an email")
	}
}

// FuzzAuthDecoders sends arbitrary bodies to login and register: whatever
// arrives, the answer is a 4xx or a success, never a 5xx or a panic.
func FuzzAuthDecoders(f *testing.F) {
	for _, seed := range []string{
		`{"email": "a@b.co", "password": "x"}`, `{}`, `[]`, `null`, `{"email": 5}`, `{"consent": "yes"}`,
		`{"email": "a@b.co", "name": "A", "password": "0123456789", "consent": true}`, "\x00\xff", `{"email": "` + strings.Repeat("a", 5000) + `"}`,
	} {
		f.Add(seed)
	}
	env := newTestEnv(f, nil, nil)
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{"/api/v1/auth/login", "/api/v1/auth/register"} {
			res, err := env.app.Test(request("POST", path, body, ""), -1)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode >= 500 {
				t.Fatalf("POST %s %q: got %d, want < 500", path, body, res.StatusCode)
			}
		}
	})
}
