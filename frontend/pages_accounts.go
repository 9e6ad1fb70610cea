package frontend

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
)

// The account pages: sign in and out, buyer registration, the profile with
// the rights of Ley 1581 (see, correct, delete), and the admin's user list.
// They call the same accounts.Service methods as the JSON API, so the policy
// is the same; what they add is forms that work without JavaScript.

func (s *server) routesAccountPages(app *fiber.App) {
	app.Get("/entrar", noStore, s.signInPage)
	app.Post("/entrar", noStore, s.signIn)
	app.Get("/registro", noStore, s.registerPage)
	app.Post("/registro", noStore, s.register)
	app.Post("/salir", noStore, s.signOut)
	app.Get("/perfil", noStore, s.profilePage)
	app.Post("/perfil", noStore, s.updateProfile)
	app.Post("/perfil/clave", noStore, shows("/perfil"), s.changePassword)
	app.Get("/perfil/datos", noStore, s.exportData)
	app.Post("/perfil/eliminar", noStore, shows("/perfil"), s.deleteAccount)
	app.Get("/admin/usuarios", noStore, s.adminUsersPage)
	app.Post("/admin/usuarios", noStore, s.adminCreateUser)
	app.Post("/admin/usuarios/:id", noStore, shows("/admin/usuarios"), s.adminUpdateUser)
}

// noStore keeps personal data and CSRF tokens out of every cache, the
// browser's back-forward cache on a shared phone included.
func noStore(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}

const pageKey = "page"

// shows names the page a form handler shows again when the form fails, so
// that the header (language switch, current page) points at a page that
// exists, not at the form's action.
func shows(page string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Locals(pageKey, page)
		return c.Next()
	}
}

// notices are the confirmations a redirect may ask for with ?aviso=; only
// these codes show anything, so the parameter cannot inject text.
var notices = map[string]string{
	"cuenta-creada":       "notice.account_created",
	"datos-guardados":     "notice.profile_saved",
	"clave-cambiada":      "notice.password_changed",
	"cuenta-eliminada":    "notice.account_deleted",
	"usuario-creado":      "notice.user_created",
	"usuario-actualizado": "notice.user_updated",
}

// firstName is how the header greets: the first word of the name.
func firstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return name
}

// SignInNext is the page the header's sign-in link comes back to, if any:
// the page being shown, unless it is home, an account form or a page that
// failed (signing in would not fix a 404).
func (v view) SignInNext() string {
	switch v.back {
	case "/", "/entrar", "/registro":
		return ""
	}
	return v.back
}

// toSignIn sends an anonymous visitor to the sign-in page, which then returns to back.
func toSignIn(c *fiber.Ctx, back string) error {
	return c.Redirect("/entrar?next="+url.QueryEscape(back), fiber.StatusSeeOther)
}

// form is the state of one form on a page: what the visitor typed (never a
// password) and the messages to show, already in the visitor's language.
// Pages always get non-nil forms (templates read Error directly).
type form struct {
	Values map[string]string
	Multi  map[string][]string
	Errors map[string]string
	Error  string // about the whole form
}

func newForm() *form {
	return &form{Values: map[string]string{}, Multi: map[string][]string{}, Errors: map[string]string{}}
}

// Val is the value of a field.
func (f *form) Val(name string) string {
	if f == nil {
		return ""
	}
	return f.Values[name]
}

// Err is the message for a field, or "".
func (f *form) Err(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// Has reports whether a checkbox group or multiple select has value v chosen.
func (f *form) Has(name, v string) bool { return f != nil && slices.Contains(f.Multi[name], v) }

// Failed reports whether the form has any message to show.
func (f *form) Failed() bool { return f != nil && (f.Error != "" || len(f.Errors) > 0) }

// formValues returns every value sent for key (checkbox groups, multiple selects).
func formValues(c *fiber.Ctx, key string) []string {
	if mf, err := c.MultipartForm(); err == nil {
		return mf.Value[key]
	}
	var out []string
	for _, v := range c.Request().PostArgs().PeekMulti(key) {
		out = append(out, string(v))
	}
	return out
}

// formError puts an error of the accounts service on the form, in the
// visitor's language, and returns the status of the page to show again:
// 422 for invalid fields, 429 for too many attempts (with Retry-After).
// Field errors go next to the fields listed in shown; the others go on top.
// ok is false for errors that are not about the form (the error page shows them).
func (s *server) formError(c *fiber.Ctx, l *loc, f *form, err error, shown ...string) (status int, ok bool) {
	var ve *errs.ValidationError
	var re *errs.RetryError
	switch {
	case errors.As(err, &ve):
		var other []string
		for _, fe := range ve.Fields {
			id, args := fieldMessage(fe)
			msg := l.T(id, args...)
			switch {
			case !slices.Contains(shown, fe.Field):
				if !slices.Contains(other, msg) {
					other = append(other, msg)
				}
			case f.Errors[fe.Field] == "":
				f.Errors[fe.Field] = msg
			}
		}
		if len(f.Errors) > 0 {
			other = append([]string{l.T("form.error.summary")}, other...)
		}
		f.Error = strings.Join(other, " ")
		return fiber.StatusUnprocessableEntity, true
	case errors.As(err, &re):
		secs := max(1, int(math.Ceil(re.After.Seconds())))
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
		f.Error = l.T("form.error.too_many", "Wait", waitText(secs))
		return fiber.StatusTooManyRequests, true
	case errors.Is(err, errs.TooMany):
		c.Set(fiber.HeaderRetryAfter, "60")
		f.Error = l.T("form.error.too_many", "Wait", waitText(60))
		return fiber.StatusTooManyRequests, true
	}
	return 0, false
}

// waitText writes a wait briefly, the same in Spanish and English: "30 s", "15 min".
func waitText(secs int) string {
	if secs < 60 {
		return fmt.Sprintf("%d s", secs)
	}
	return fmt.Sprintf("%d min", (secs+59)/60)
}

// fieldMessage names the locale message of an account form's field error,
// chosen by its field and code (never by its English text), and the
// template data its params give.
func fieldMessage(fe errs.FieldError) (string, []any) {
	switch fe.Field {
	case "email":
		if fe.Code == errs.CodeTaken {
			return "form.error.email_taken", nil
		}
		return "form.error.email", nil
	case "name":
		return "form.error.name", nil
	case "phone":
		return "form.error.phone", nil
	case "password", "new_password":
		switch fe.Code {
		case errs.CodeTooShort:
			return "form.error.password_short", []any{"N", fe.Params["min"]}
		case errs.CodeTooLong:
			return "form.error.password_long", nil
		case errs.CodeWeak:
			return "form.error.password_email", nil
		}
		return "form.error.password", nil
	case "current_password":
		return "form.error.current_password", nil
	case "consent":
		return "form.error.consent", nil
	case "roles":
		if fe.Code == errs.CodeNotAllowed {
			return "form.error.roles_self", nil
		}
		return "form.error.roles", nil
	case "active":
		if fe.Code == errs.CodeNotAllowed && fe.Params["reason"] == "self" {
			return "form.error.active_self", nil
		}
	case "initiative_ids", "producer_initiative_ids", "adviser_initiative_ids":
		if fe.Code == errs.CodeNotAllowed {
			return "form.error.initiatives_split", nil
		}
		return "form.error.initiatives", nil
	}
	return "form.error.generic", nil
}

// --- sign in, register, sign out ---

type signInData struct {
	Form *form
	Next string
}

func (s *server) signInPage(c *fiber.Ctx) error {
	next := localPath(c.Query("next"))
	if principal(c) != nil {
		return c.Redirect(next, fiber.StatusSeeOther)
	}
	return s.render(c, fiber.StatusOK, "signin", "signin.title", signInData{Form: newForm(), Next: next})
}

func (s *server) signIn(c *fiber.Ctx) error {
	l := s.pages.localizer(c)
	f := newForm()
	f.Values["email"] = c.FormValue("email")
	data := signInData{Form: f, Next: localPath(c.FormValue("next"))}
	token, _, err := s.Accounts.Login(c.UserContext(), c.FormValue("email"), c.FormValue("password"), accounts.KindCookie, meta(c))
	if err != nil {
		if errors.Is(err, errs.Unauthenticated) { // unknown email or wrong password: one answer
			f.Error = l.T("signin.bad")
			return s.render(c, fiber.StatusUnauthorized, "signin", "signin.title", data)
		}
		if status, ok := s.formError(c, l, f, err); ok {
			return s.render(c, status, "signin", "signin.title", data)
		}
		return err
	}
	s.startSession(c, token)
	return c.Redirect(data.Next, fiber.StatusSeeOther)
}

// startSession ends the session the browser had, if any, and sets the new one.
func (s *server) startSession(c *fiber.Ctx, token string) {
	if old := principal(c); old != nil && !old.ViaBearer {
		_ = s.Accounts.Logout(c.UserContext(), old, meta(c))
	}
	s.setSessionCookie(c, token, accounts.KindCookie)
}

type registerData struct {
	Form           *form
	ConsentText    string
	ConsentVersion string
}

func (s *server) renderRegister(c *fiber.Ctx, status int, f *form) error {
	return s.render(c, status, "register", "register.title",
		registerData{Form: f, ConsentText: accounts.ConsentText, ConsentVersion: accounts.ConsentVersion})
}

func (s *server) registerPage(c *fiber.Ctx) error {
	if principal(c) != nil {
		return c.Redirect("/perfil", fiber.StatusSeeOther)
	}
	return s.renderRegister(c, fiber.StatusOK, newForm())
}

func (s *server) register(c *fiber.Ctx) error {
	l := s.pages.localizer(c)
	r := accounts.Registration{Email: c.FormValue("email"), Name: c.FormValue("name"), Phone: c.FormValue("phone"),
		Password: c.FormValue("password"), Consent: c.FormValue("consent") != ""}
	f := newForm()
	f.Values["email"], f.Values["name"], f.Values["phone"] = r.Email, r.Name, r.Phone
	if r.Consent {
		f.Values["consent"] = "on"
	}
	if _, err := s.Accounts.Register(c.UserContext(), r, meta(c)); err != nil {
		if status, ok := s.formError(c, l, f, err, "name", "email", "phone", "password", "consent"); ok {
			if errors.Is(err, errs.Conflict) {
				f.Values["email_taken"] = "on" // the page offers to sign in instead
			}
			return s.renderRegister(c, status, f)
		}
		return err
	}
	token, _, err := s.Accounts.Login(c.UserContext(), r.Email, r.Password, accounts.KindCookie, meta(c))
	if err != nil { // the account exists; signing in can be tried again
		return toSignIn(c, "/perfil")
	}
	s.startSession(c, token)
	return c.Redirect("/perfil?aviso=cuenta-creada", fiber.StatusSeeOther)
}

func (s *server) signOut(c *fiber.Ctx) error {
	if p := principal(c); p != nil && !p.ViaBearer {
		if err := s.Accounts.Logout(c.UserContext(), p, meta(c)); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	return c.Redirect("/", fiber.StatusSeeOther)
}

// --- profile ---

type profileData struct {
	User        accounts.User
	Initiatives []string
	ConsentDate string
	DeleteWord  string
	Profile     *form
	Password    *form
	Delete      *form
}

// deleteWord is what a visitor types to confirm deleting the account.
const deleteWord = "ELIMINAR"

func (s *server) renderProfile(c *fiber.Ctx, p *accounts.Principal, status int, d profileData) error {
	ctx := c.UserContext()
	u, err := s.Accounts.User(ctx, p, p.UserID)
	if err != nil {
		return err
	}
	d.User, d.DeleteWord = u, deleteWord
	if d.Profile == nil {
		d.Profile = newForm()
		d.Profile.Values["name"], d.Profile.Values["phone"] = u.Name, u.Phone
	}
	for _, f := range []**form{&d.Password, &d.Delete} {
		if *f == nil {
			*f = newForm()
		}
	}
	if u.Consent != nil {
		d.ConsentDate = u.Consent.At.In(bogota).Format("02/01/2006")
	}
	for _, id := range u.InitiativeIDs {
		in, err := s.Catalog.Initiative(ctx, id)
		if errors.Is(err, errs.NotFound) {
			continue
		} else if err != nil {
			return err
		}
		d.Initiatives = append(d.Initiatives, in.Name)
	}
	return s.render(c, status, "profile", "profile.title", d)
}

func (s *server) profilePage(c *fiber.Ctx) error {
	p := principal(c)
	if p == nil {
		return toSignIn(c, "/perfil")
	}
	return s.renderProfile(c, p, fiber.StatusOK, profileData{})
}

func (s *server) updateProfile(c *fiber.Ctx) error {
	p := principal(c)
	if p == nil {
		return toSignIn(c, "/perfil")
	}
	name, phone := c.FormValue("name"), c.FormValue("phone")
	if _, err := s.Accounts.UpdateProfile(c.UserContext(), p, name, phone); err != nil {
		f := newForm()
		f.Values["name"], f.Values["phone"] = name, phone
		if status, ok := s.formError(c, s.pages.localizer(c), f, err, "name", "phone"); ok {
			return s.renderProfile(c, p, status, profileData{Profile: f})
		}
		return err
	}
	return c.Redirect("/perfil?aviso=datos-guardados", fiber.StatusSeeOther)
}

func (s *server) changePassword(c *fiber.Ctx) error {
	p := principal(c)
	if p == nil {
		return toSignIn(c, "/perfil")
	}
	err := s.Accounts.ChangePassword(c.UserContext(), p, c.FormValue("current_password"), c.FormValue("new_password"), meta(c))
	if err != nil {
		f := newForm()
		if status, ok := s.formError(c, s.pages.localizer(c), f, err, "current_password", "new_password"); ok {
			return s.renderProfile(c, p, status, profileData{Password: f})
		}
		return err
	}
	return c.Redirect("/perfil?aviso=clave-cambiada", fiber.StatusSeeOther)
}

// exportData downloads everything Tesoro holds about the visitor (Ley 1581).
func (s *server) exportData(c *fiber.Ctx) error {
	p := principal(c)
	if p == nil {
		return toSignIn(c, "/perfil")
	}
	data, err := s.personalData(c, p)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="mis-datos-tesoro.json"`)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(b)
}

// deleteAccount anonymises the account (orders stay, without personal data)
// once the visitor has typed the confirmation word.
func (s *server) deleteAccount(c *fiber.Ctx) error {
	p := principal(c)
	if p == nil {
		return toSignIn(c, "/perfil")
	}
	if confirm := strings.TrimSpace(c.FormValue("confirm")); !strings.EqualFold(confirm, deleteWord) {
		l := s.pages.localizer(c)
		f := newForm()
		f.Values["confirm"] = confirm
		f.Errors["confirm"] = l.T("form.error.delete_confirm", "Word", deleteWord)
		f.Error = l.T("form.error.summary")
		return s.renderProfile(c, p, fiber.StatusUnprocessableEntity, profileData{Delete: f})
	}
	if err := s.anonymize(c, p); err != nil {
		return err
	}
	s.clearSessionCookie(c)
	return c.Redirect("/?aviso=cuenta-eliminada", fiber.StatusSeeOther)
}

// --- admin: users ---

// adminPageSize is how many users the admin page lists at a time.
const adminPageSize = 100

type adminUsersData struct {
	Rows        []userRow
	Initiatives []catalog.Initiative // by name
	Roles       []string
	Create      *form
	Cursor      string // of this page
	Next        string // cursor of the next page, if any
}

// userRow is one user in the admin's list with the form to change it.
type userRow struct {
	accounts.User
	InitiativeNames []string
	Form            *form
	Open            bool // its form failed and is shown open
	Self            bool
}

// admin returns the signed-in admin, or the answer for anyone else: the
// sign-in page for an anonymous visitor, 403 for a signed-in non-admin.
func admin(c *fiber.Ctx) (*accounts.Principal, error) {
	p := principal(c)
	if p == nil {
		return nil, toSignIn(c, "/admin/usuarios")
	}
	if !accounts.CanManageUsers(p) {
		return nil, fmt.Errorf("admin pages: %w", errs.Forbidden)
	}
	return p, nil
}

func (s *server) adminUsersPage(c *fiber.Ctx) error {
	p, err := admin(c)
	if p == nil {
		return err
	}
	return s.renderAdminUsers(c, p, fiber.StatusOK, nil, "", nil)
}

// renderAdminUsers shows the list. create is the create form's state (nil:
// empty); edit, when editID is set, is the state of that user's failed form.
func (s *server) renderAdminUsers(c *fiber.Ctx, p *accounts.Principal, status int, create *form, editID string, edit *form) error {
	ctx := c.UserContext()
	if create == nil {
		create = newForm()
	}
	d := adminUsersData{Create: create, Roles: accounts.Roles, Cursor: c.Query("cursor")}
	users, next, err := s.Accounts.Users(ctx, p, d.Cursor, adminPageSize)
	if err != nil {
		return err
	}
	d.Next = next
	d.Initiatives, err = s.Catalog.Initiatives(ctx, catalog.InitiativeFilter{})
	if err != nil {
		return err
	}
	slices.SortFunc(d.Initiatives, func(a, b catalog.Initiative) int {
		return strings.Compare(catalog.Fold(a.Name), catalog.Fold(b.Name))
	})
	names := make(map[string]string, len(d.Initiatives))
	for _, in := range d.Initiatives {
		names[in.ID] = in.Name
	}
	for _, u := range users {
		row := userRow{User: u, Self: u.ID == p.UserID}
		for _, id := range u.InitiativeIDs {
			if n, ok := names[id]; ok {
				row.InitiativeNames = append(row.InitiativeNames, n)
			}
		}
		if u.ID == editID && edit != nil {
			row.Form, row.Open = edit, true
		} else {
			row.Form = newForm()
			row.Form.Multi["roles"] = u.Roles
			lists := accounts.Principal{Roles: u.Roles, InitiativeIDs: u.InitiativeIDs, ProducerOf: u.ProducerOf, AdviserOf: u.AdviserOf}
			row.Form.Multi["producer_initiative_ids"] = lists.ProducerInitiatives()
			row.Form.Multi["adviser_initiative_ids"] = lists.AdviserInitiatives()
			if u.Active {
				row.Form.Values["active"] = "on"
			}
		}
		d.Rows = append(d.Rows, row)
	}
	return s.render(c, status, "admin_users", "admin.title", d)
}

func (s *server) adminCreateUser(c *fiber.Ctx) error {
	p, err := admin(c)
	if p == nil {
		return err
	}
	n := accounts.NewUser{Email: c.FormValue("email"), Name: c.FormValue("name"), Password: c.FormValue("password"),
		Roles: formValues(c, "roles"), ProducerInitiativeIDs: formValues(c, "producer_initiative_ids"),
		AdviserInitiativeIDs: formValues(c, "adviser_initiative_ids")}
	err = s.checkInitiatives(c, append(slices.Clone(n.ProducerInitiativeIDs), n.AdviserInitiativeIDs...))
	if err == nil {
		_, err = s.Accounts.CreateUser(c.UserContext(), p, n, meta(c))
	}
	if err != nil {
		f := newForm()
		f.Values["email"], f.Values["name"] = n.Email, n.Name
		f.Multi["roles"], f.Multi["producer_initiative_ids"], f.Multi["adviser_initiative_ids"] = n.Roles, n.ProducerInitiativeIDs, n.AdviserInitiativeIDs
		if status, ok := s.formError(c, s.pages.localizer(c), f, err, "email", "name", "password", "roles", "producer_initiative_ids"); ok {
			return s.renderAdminUsers(c, p, status, f, "", nil)
		}
		return err
	}
	return c.Redirect("/admin/usuarios?aviso=usuario-creado", fiber.StatusSeeOther)
}

// adminUpdateUser sets a user's roles, initiatives and state; the form always
// sends all three. Deactivating ends the user's sessions at once.
func (s *server) adminUpdateUser(c *fiber.Ctx) error {
	p, err := admin(c)
	if p == nil {
		return err
	}
	id := c.Params("id")
	roles, active := formValues(c, "roles"), c.FormValue("active") != ""
	producerOf, adviserOf := formValues(c, "producer_initiative_ids"), formValues(c, "adviser_initiative_ids")
	err = s.checkInitiatives(c, append(slices.Clone(producerOf), adviserOf...))
	if err == nil {
		_, err = s.Accounts.UpdateUser(c.UserContext(), p, id,
			accounts.UserUpdate{Roles: &roles, ProducerInitiativeIDs: &producerOf, AdviserInitiativeIDs: &adviserOf, Active: &active}, meta(c))
	}
	if err != nil {
		f := newForm()
		f.Multi["roles"], f.Multi["producer_initiative_ids"], f.Multi["adviser_initiative_ids"] = roles, producerOf, adviserOf
		if active {
			f.Values["active"] = "on"
		}
		if status, ok := s.formError(c, s.pages.localizer(c), f, err, "roles", "producer_initiative_ids", "adviser_initiative_ids", "active"); ok {
			return s.renderAdminUsers(c, p, status, nil, id, f)
		}
		return err
	}
	back := "/admin/usuarios?aviso=usuario-actualizado"
	if cur := c.Query("cursor"); cur != "" {
		back += "&cursor=" + url.QueryEscape(cur)
	}
	return c.Redirect(back+"#u-"+id, fiber.StatusSeeOther)
}
