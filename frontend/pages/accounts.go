package pages

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
)

// The account pages: sign in and out, buyer registration, the profile with
// the rights of Ley 1581 (see, correct, delete), and the admin's user list.
// They call the same accounts.Service methods as the JSON API, so the policy
// is the same; what they add is forms that work without JavaScript.

func (s *Pages) routesAccountPages(app fiber.Router) {
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
}

// --- sign in, register, sign out ---

type signInData struct {
	Form *form
	Next string
}

func (s *Pages) signInPage(c *fiber.Ctx) error {
	next := localPath(c.Query("next"))
	if kit.Principal(c) != nil {
		return c.Redirect(next, fiber.StatusSeeOther)
	}
	return s.render(c, fiber.StatusOK, "signin", "signin.title", signInData{Form: newForm(), Next: next})
}

func (s *Pages) signIn(c *fiber.Ctx) error {
	l := s.tmpl.localizer(c)
	f := newForm()
	f.Values["email"] = c.FormValue("email")
	data := signInData{Form: f, Next: localPath(c.FormValue("next"))}
	token, _, err := s.Accounts.Login(c.UserContext(), c.FormValue("email"), c.FormValue("password"), accounts.KindCookie, kit.Meta(c))
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
func (s *Pages) startSession(c *fiber.Ctx, token string) {
	if old := kit.Principal(c); old != nil && !old.ViaBearer {
		_ = s.Accounts.Logout(c.UserContext(), old, kit.Meta(c))
	}
	s.SetSessionCookie(c, token, accounts.KindCookie)
}

type registerData struct {
	Form           *form
	ConsentText    string
	ConsentVersion string
}

func (s *Pages) renderRegister(c *fiber.Ctx, status int, f *form) error {
	return s.render(c, status, "register", "register.title",
		registerData{Form: f, ConsentText: accounts.ConsentText, ConsentVersion: accounts.ConsentVersion})
}

func (s *Pages) registerPage(c *fiber.Ctx) error {
	if kit.Principal(c) != nil {
		return c.Redirect("/perfil", fiber.StatusSeeOther)
	}
	return s.renderRegister(c, fiber.StatusOK, newForm())
}

func (s *Pages) register(c *fiber.Ctx) error {
	l := s.tmpl.localizer(c)
	r := accounts.Registration{Email: c.FormValue("email"), Name: c.FormValue("name"), Phone: c.FormValue("phone"),
		Password: c.FormValue("password"), Consent: c.FormValue("consent") != ""}
	f := newForm()
	f.Values["email"], f.Values["name"], f.Values["phone"] = r.Email, r.Name, r.Phone
	if r.Consent {
		f.Values["consent"] = "on"
	}
	if _, err := s.Accounts.Register(c.UserContext(), r, kit.Meta(c)); err != nil {
		if status, ok := s.formError(c, l, f, err, "name", "email", "phone", "password", "consent"); ok {
			if errors.Is(err, errs.Conflict) {
				f.Values["email_taken"] = "on" // the page offers to sign in instead
			}
			return s.renderRegister(c, status, f)
		}
		return err
	}
	token, _, err := s.Accounts.Login(c.UserContext(), r.Email, r.Password, accounts.KindCookie, kit.Meta(c))
	if err != nil { // the account exists; signing in can be tried again
		return toSignIn(c, "/perfil")
	}
	s.startSession(c, token)
	return c.Redirect("/perfil?aviso=cuenta-creada", fiber.StatusSeeOther)
}

func (s *Pages) signOut(c *fiber.Ctx) error {
	if p := kit.Principal(c); p != nil && !p.ViaBearer {
		if err := s.Accounts.Logout(c.UserContext(), p, kit.Meta(c)); err != nil {
			return err
		}
	}
	kit.ClearSessionCookie(c)
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

func (s *Pages) renderProfile(c *fiber.Ctx, p *accounts.Principal, status int, d profileData) error {
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

func (s *Pages) profilePage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, "/perfil")
	}
	return s.renderProfile(c, p, fiber.StatusOK, profileData{})
}

func (s *Pages) updateProfile(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, "/perfil")
	}
	name, phone := c.FormValue("name"), c.FormValue("phone")
	if _, err := s.Accounts.UpdateProfile(c.UserContext(), p, name, phone); err != nil {
		f := newForm()
		f.Values["name"], f.Values["phone"] = name, phone
		if status, ok := s.formError(c, s.tmpl.localizer(c), f, err, "name", "phone"); ok {
			return s.renderProfile(c, p, status, profileData{Profile: f})
		}
		return err
	}
	return c.Redirect("/perfil?aviso=datos-guardados", fiber.StatusSeeOther)
}

func (s *Pages) changePassword(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, "/perfil")
	}
	err := s.Accounts.ChangePassword(c.UserContext(), p, c.FormValue("current_password"), c.FormValue("new_password"), kit.Meta(c))
	if err != nil {
		f := newForm()
		if status, ok := s.formError(c, s.tmpl.localizer(c), f, err, "current_password", "new_password"); ok {
			return s.renderProfile(c, p, status, profileData{Password: f})
		}
		return err
	}
	return c.Redirect("/perfil?aviso=clave-cambiada", fiber.StatusSeeOther)
}

// exportData downloads everything Tesoro holds about the visitor (Ley 1581).
func (s *Pages) exportData(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, "/perfil")
	}
	data, err := s.PersonalData(c, p)
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
func (s *Pages) deleteAccount(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, "/perfil")
	}
	if confirm := strings.TrimSpace(c.FormValue("confirm")); !strings.EqualFold(confirm, deleteWord) {
		l := s.tmpl.localizer(c)
		f := newForm()
		f.Values["confirm"] = confirm
		f.Errors["confirm"] = l.T("form.error.delete_confirm", "Word", deleteWord)
		f.Error = l.T("form.error.summary")
		return s.renderProfile(c, p, fiber.StatusUnprocessableEntity, profileData{Delete: f})
	}
	if err := s.ForgetUser(c, p); err != nil {
		return err
	}
	kit.ClearSessionCookie(c)
	return c.Redirect("/?aviso=cuenta-eliminada", fiber.StatusSeeOther)
}

// --- admin: users ---

// adminPageSize is how many users the admin page lists at a time.
const adminPageSize = 100

// userRow is one user in the admin's list with the form to change it.
type userRow struct {
	accounts.User
	InitiativeNames []string
	Form            *form
	Open            bool // its form failed and is shown open
	Self            bool
}
