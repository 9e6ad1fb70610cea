package frontend

import (
	"context"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/orders"
)

func (s *server) routesAccountsAPI(api fiber.Router) {
	api.Post("/auth/login", s.apiLogin)
	api.Post("/auth/logout", s.apiLogout)
	api.Post("/auth/register", s.apiRegister)
	api.Get("/me", s.apiMe)
	api.Patch("/me", s.apiUpdateMe)
	api.Delete("/me", s.apiDeleteMe)
	api.Get("/me/data", s.apiMyData)
	api.Post("/me/password", s.apiChangePassword)
	api.Get("/users", s.apiListUsers)
	api.Post("/users", s.apiCreateUser)
	api.Get("/users/:id", s.apiGetUser)
	api.Patch("/users/:id", s.apiUpdateUser)
	api.Get("/audit", s.apiAudit)
}

type loginResponse struct {
	Token     string        `json:"token"`
	User      accounts.User `json:"user"`
	CSRFToken string        `json:"csrf_token"`
}

func (s *server) apiLogin(c *fiber.Ctx) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	token, cookie, u, err := s.Accounts.LoginWithCookie(c.UserContext(), in.Email, in.Password, meta(c))
	if err != nil {
		return err
	}
	s.setSessionCookie(c, cookie, accounts.KindCookie)
	return c.JSON(loginResponse{Token: token, User: u, CSRFToken: csrfFor(cookie)})
}

func (s *server) apiLogout(c *fiber.Ctx) error {
	p, err := requireUser(c)
	if err != nil {
		return err
	}
	if err := s.Accounts.Logout(c.UserContext(), p, meta(c)); err != nil {
		return err
	}
	s.clearSessionCookie(c)
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *server) apiRegister(c *fiber.Ctx) error {
	var in accounts.Registration
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	u, err := s.Accounts.Register(c.UserContext(), in, meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(u)
}

func (s *server) apiMe(c *fiber.Ctx) error {
	p, err := requireUser(c)
	if err != nil {
		return err
	}
	u, err := s.Accounts.User(c.UserContext(), p, p.UserID)
	if err != nil {
		return err
	}
	out := struct {
		accounts.User
		CSRFToken string `json:"csrf_token,omitempty"`
	}{User: u}
	if !p.ViaBearer {
		out.CSRFToken = s.csrfToken(c)
	}
	return c.JSON(out)
}

func (s *server) apiUpdateMe(c *fiber.Ctx) error {
	p, err := requireUser(c)
	if err != nil {
		return err
	}
	var in struct {
		Name  *string `json:"name"`
		Phone *string `json:"phone"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cur, err := s.Accounts.User(c.UserContext(), p, p.UserID)
	if err != nil {
		return err
	}
	name, phone := cur.Name, cur.Phone
	if in.Name != nil {
		name = *in.Name
	}
	if in.Phone != nil {
		phone = *in.Phone
	}
	u, err := s.Accounts.UpdateProfile(c.UserContext(), p, name, phone)
	if err != nil {
		return err
	}
	return c.JSON(u)
}

func (s *server) apiDeleteMe(c *fiber.Ctx) error {
	p, err := requireUser(c)
	if err != nil {
		return err
	}
	if err := s.anonymize(c, p); err != nil {
		return err
	}
	s.clearSessionCookie(c)
	return c.SendStatus(fiber.StatusNoContent)
}

// personalData is everything held about a user (Ley 1581): the account,
// its sessions and activity, and the orders they placed.
type personalData struct {
	accounts.PersonalData
	Orders []orders.Order `json:"orders"`
}

func (s *server) personalData(c *fiber.Ctx, p *accounts.Principal) (personalData, error) {
	data, err := s.Accounts.ExportData(c.UserContext(), p, meta(c))
	if err != nil {
		return personalData{}, err
	}
	placed, err := s.Orders.BuyerOrdersAll(c.UserContext(), p)
	return personalData{data, placed}, err
}

// anonymize forgets a user who deletes their account: the contact data on
// their orders first (the orders stay, for the producers' books), then the
// account. Both steps can be repeated, so a failure half-way is retried whole.
func (s *server) anonymize(c *fiber.Ctx, p *accounts.Principal) error {
	return s.Accounts.Anonymize(c.UserContext(), p, meta(c), func(ctx context.Context) error {
		return s.Orders.AnonymizeBuyer(ctx, p.UserID)
	})
}

func (s *server) apiMyData(c *fiber.Ctx) error {
	p, err := requireUser(c)
	if err != nil {
		return err
	}
	data, err := s.personalData(c, p)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="mis-datos-tesoro.json"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(data)
}

func (s *server) apiChangePassword(c *fiber.Ctx) error {
	p, err := requireUser(c)
	if err != nil {
		return err
	}
	var in struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := s.Accounts.ChangePassword(c.UserContext(), p, in.Current, in.New, meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *server) apiListUsers(c *fiber.Ctx) error {
	p, err := requireUser(c)
	if err != nil {
		return err
	}
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	users, next, err := s.Accounts.Users(c.UserContext(), p, c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	return c.JSON(listPage[accounts.User]{Items: users, NextCursor: next})
}

func (s *server) apiCreateUser(c *fiber.Ctx) error {
	p, err := requireUser(c)
	if err != nil {
		return err
	}
	if !accounts.CanManageUsers(p) {
		return errs.Forbidden
	}
	var in accounts.NewUser
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	for _, ids := range [][]string{in.InitiativeIDs, in.ProducerInitiativeIDs, in.AdviserInitiativeIDs} {
		if err := s.checkInitiatives(c, ids); err != nil {
			return err
		}
	}
	u, err := s.Accounts.CreateUser(c.UserContext(), p, in, meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(u)
}

func (s *server) apiGetUser(c *fiber.Ctx) error {
	p, err := requireUser(c)
	if err != nil {
		return err
	}
	u, err := s.Accounts.User(c.UserContext(), p, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(u)
}

func (s *server) apiUpdateUser(c *fiber.Ctx) error {
	p, err := requireUser(c)
	if err != nil {
		return err
	}
	if !accounts.CanManageUsers(p) {
		return errs.Forbidden
	}
	var in accounts.UserUpdate
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	for _, ids := range []*[]string{in.InitiativeIDs, in.ProducerInitiativeIDs, in.AdviserInitiativeIDs} {
		if ids == nil {
			continue
		}
		if err := s.checkInitiatives(c, *ids); err != nil {
			return err
		}
	}
	u, err := s.Accounts.UpdateUser(c.UserContext(), p, c.Params("id"), in, meta(c))
	if err != nil {
		return err
	}
	return c.JSON(u)
}

// checkInitiatives refuses assignments to initiatives that do not exist.
func (s *server) checkInitiatives(c *fiber.Ctx, ids []string) error {
	var f errs.Fields
	for _, id := range ids {
		if _, err := s.Catalog.Initiative(c.UserContext(), id); err != nil {
			if errs.KindOf(err) == errs.NotFound {
				f.Add("initiative_ids", errs.CodeNotFound, fmt.Sprintf("initiative %s does not exist", id))
				continue
			}
			return err
		}
	}
	return f.Err()
}

func (s *server) apiAudit(c *fiber.Ctx) error {
	p, err := requireUser(c)
	if err != nil {
		return err
	}
	if !accounts.CanReadAudit(p) {
		return errs.Forbidden
	}
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	entries, next, err := s.Accounts.Audit.List(c.UserContext(), accounts.AuditFilter{
		ActorID: c.Query("actor"), TargetID: c.Query("target"), Action: c.Query("action"),
		Cursor: c.Query("cursor"), Limit: limit,
	})
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []accounts.AuditEntry{}
	}
	return c.JSON(listPage[accounts.AuditEntry]{Items: entries, NextCursor: next})
}

// paginate cuts a list fetched with limit+1 items into a page and its cursor.
func paginate[T any](items []T, limit int, id func(T) string) listPage[T] {
	if items == nil {
		items = []T{}
	}
	page := listPage[T]{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextCursor = id(items[limit-1])
	}
	return page
}
