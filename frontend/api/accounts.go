package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
)

func (s *API) routesAccounts(api fiber.Router) {
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

func (s *API) apiLogin(c *fiber.Ctx) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := kit.DecodeJSON(c, &in); err != nil {
		return err
	}
	token, cookie, u, err := s.Accounts.LoginWithCookie(c.UserContext(), in.Email, in.Password, kit.Meta(c))
	if err != nil {
		return err
	}
	s.SetSessionCookie(c, cookie, accounts.KindCookie)
	return c.JSON(loginResponse{Token: token, User: u, CSRFToken: kit.CSRFFor(cookie)})
}

func (s *API) apiLogout(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	if err := s.Accounts.Logout(c.UserContext(), p, kit.Meta(c)); err != nil {
		return err
	}
	kit.ClearSessionCookie(c)
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *API) apiRegister(c *fiber.Ctx) error {
	var in accounts.Registration
	if err := kit.DecodeJSON(c, &in); err != nil {
		return err
	}
	u, err := s.Accounts.Register(c.UserContext(), in, kit.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(u)
}

func (s *API) apiMe(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
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
		out.CSRFToken = kit.CSRFToken(c)
	}
	return c.JSON(out)
}

func (s *API) apiUpdateMe(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	var in struct {
		Name  *string `json:"name"`
		Phone *string `json:"phone"`
	}
	if err := kit.DecodeJSON(c, &in); err != nil {
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

func (s *API) apiDeleteMe(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	if err := s.ForgetUser(c, p); err != nil {
		return err
	}
	kit.ClearSessionCookie(c)
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *API) apiMyData(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	data, err := s.PersonalData(c, p)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="mis-datos-tesoro.json"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(data)
}

func (s *API) apiChangePassword(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	var in struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := kit.DecodeJSON(c, &in); err != nil {
		return err
	}
	if err := s.Accounts.ChangePassword(c.UserContext(), p, in.Current, in.New, kit.Meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *API) apiListUsers(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	limit, err := kit.PageLimit(c)
	if err != nil {
		return err
	}
	users, next, err := s.Accounts.Users(c.UserContext(), p, c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	return c.JSON(kit.List[accounts.User]{Items: users, NextCursor: next})
}

func (s *API) apiCreateUser(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	if !accounts.CanManageUsers(p) {
		return errs.Forbidden
	}
	var in accounts.NewUser
	if err := kit.DecodeJSON(c, &in); err != nil {
		return err
	}
	for _, ids := range [][]string{in.InitiativeIDs, in.ProducerInitiativeIDs, in.AdviserInitiativeIDs} {
		if err := s.CheckInitiatives(c, ids); err != nil {
			return err
		}
	}
	u, err := s.Accounts.CreateUser(c.UserContext(), p, in, kit.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(u)
}

func (s *API) apiGetUser(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	u, err := s.Accounts.User(c.UserContext(), p, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(u)
}

func (s *API) apiUpdateUser(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	if !accounts.CanManageUsers(p) {
		return errs.Forbidden
	}
	var in accounts.UserUpdate
	if err := kit.DecodeJSON(c, &in); err != nil {
		return err
	}
	for _, ids := range []*[]string{in.InitiativeIDs, in.ProducerInitiativeIDs, in.AdviserInitiativeIDs} {
		if ids == nil {
			continue
		}
		if err := s.CheckInitiatives(c, *ids); err != nil {
			return err
		}
	}
	u, err := s.Accounts.UpdateUser(c.UserContext(), p, c.Params("id"), in, kit.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(u)
}

func (s *API) apiAudit(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	if !accounts.CanReadAudit(p) {
		return errs.Forbidden
	}
	limit, err := kit.PageLimit(c)
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
	return c.JSON(kit.List[accounts.AuditEntry]{Items: entries, NextCursor: next})
}
