package pages

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
)

// The admin's list of users: create, change roles and initiatives, disable.

func (s *Pages) routesAdminUsers(app fiber.Router) {
	app.Get("/admin/usuarios", noStore, s.adminUsersPage)
	app.Post("/admin/usuarios", noStore, s.adminCreateUser)
	app.Post("/admin/usuarios/:id", noStore, shows("/admin/usuarios"), s.adminUpdateUser)
}

// admin returns the signed-in admin, or the answer for anyone else: the
// sign-in page for an anonymous visitor, 403 for a signed-in non-admin.
func admin(c *fiber.Ctx) (*accounts.Principal, error) {
	p := kit.Principal(c)
	if p == nil {
		return nil, toSignIn(c, "/admin/usuarios")
	}
	if !accounts.CanManageUsers(p) {
		return nil, fmt.Errorf("admin pages: %w", errs.Forbidden)
	}
	return p, nil
}

func (s *Pages) adminUsersPage(c *fiber.Ctx) error {
	p, err := admin(c)
	if p == nil {
		return err
	}
	return s.renderAdminUsers(c, p, fiber.StatusOK, nil, "", nil)
}

// renderAdminUsers shows the list. create is the create form's state (nil:
// empty); edit, when editID is set, is the state of that user's failed form.
func (s *Pages) renderAdminUsers(c *fiber.Ctx, p *accounts.Principal, status int, create *form, editID string, edit *form) error {
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

func (s *Pages) adminCreateUser(c *fiber.Ctx) error {
	p, err := admin(c)
	if p == nil {
		return err
	}
	n := accounts.NewUser{Email: c.FormValue("email"), Name: c.FormValue("name"), Password: c.FormValue("password"),
		Roles: formValues(c, "roles"), ProducerInitiativeIDs: formValues(c, "producer_initiative_ids"),
		AdviserInitiativeIDs: formValues(c, "adviser_initiative_ids")}
	err = s.CheckInitiatives(c, append(slices.Clone(n.ProducerInitiativeIDs), n.AdviserInitiativeIDs...))
	if err == nil {
		_, err = s.Accounts.CreateUser(c.UserContext(), p, n, kit.Meta(c))
	}
	if err != nil {
		f := newForm()
		f.Values["email"], f.Values["name"] = n.Email, n.Name
		f.Multi["roles"], f.Multi["producer_initiative_ids"], f.Multi["adviser_initiative_ids"] = n.Roles, n.ProducerInitiativeIDs, n.AdviserInitiativeIDs
		if status, ok := s.formError(c, s.tmpl.localizer(c), f, err, "email", "name", "password", "roles", "producer_initiative_ids"); ok {
			return s.renderAdminUsers(c, p, status, f, "", nil)
		}
		return err
	}
	return c.Redirect("/admin/usuarios?aviso=usuario-creado", fiber.StatusSeeOther)
}

// adminUpdateUser sets a user's roles, initiatives and state; the form always
// sends all three. Deactivating ends the user's sessions at once.
func (s *Pages) adminUpdateUser(c *fiber.Ctx) error {
	p, err := admin(c)
	if p == nil {
		return err
	}
	id := c.Params("id")
	roles, active := formValues(c, "roles"), c.FormValue("active") != ""
	producerOf, adviserOf := formValues(c, "producer_initiative_ids"), formValues(c, "adviser_initiative_ids")
	err = s.CheckInitiatives(c, append(slices.Clone(producerOf), adviserOf...))
	if err == nil {
		_, err = s.Accounts.UpdateUser(c.UserContext(), p, id,
			accounts.UserUpdate{Roles: &roles, ProducerInitiativeIDs: &producerOf, AdviserInitiativeIDs: &adviserOf, Active: &active}, kit.Meta(c))
	}
	if err != nil {
		f := newForm()
		f.Multi["roles"], f.Multi["producer_initiative_ids"], f.Multi["adviser_initiative_ids"] = roles, producerOf, adviserOf
		if active {
			f.Values["active"] = "on"
		}
		if status, ok := s.formError(c, s.tmpl.localizer(c), f, err, "roles", "producer_initiative_ids", "adviser_initiative_ids", "active"); ok {
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

type adminUsersData struct {
	Rows        []userRow
	Initiatives []catalog.Initiative // by name
	Roles       []string
	Create      *form
	Cursor      string // of this page
	Next        string // cursor of the next page, if any
}
