package pages

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/progress"
)

// The admin's milestone definitions: rename them, change a rule's number,
// say whether one can be lost again, retire one, add a manual one.

func (s *Pages) routesAdminMilestones(app fiber.Router) {
	app.Get("/admin/hitos", noStore, s.adminMilestonesPage)
	app.Post("/admin/hitos", noStore, s.adminAddMilestone)
	app.Post("/admin/hitos/:code", noStore, s.adminUpdateMilestone)
}

type adminMilestonesData struct {
	Items   []milestoneDefView
	Problem string
	Code    string // the definition the problem is about ("" the new one)
	Add     *form
}

type milestoneDefView struct {
	progress.Definition
	Name     string // as pages show it
	Numbered bool   // its rule has a number
}

func (s *Pages) adminMilestonesPage(c *fiber.Ctx) error {
	if p, err := admin(c); p == nil {
		return err
	}
	return s.renderAdminMilestones(c, fiber.StatusOK, adminMilestonesData{Add: newForm()})
}

func (s *Pages) renderAdminMilestones(c *fiber.Ctx, status int, d adminMilestonesData) error {
	defs, err := s.Progress.Definitions(c.UserContext())
	if err != nil {
		return err
	}
	l := s.tmpl.localizer(c)
	for _, def := range defs {
		d.Items = append(d.Items, milestoneDefView{Definition: def, Name: milestoneName(l, def),
			Numbered: def.Kind == progress.KindAuto && def.Rule != progress.RuleFirstSale && def.Rule != progress.RuleFirstFair})
	}
	return s.render(c, status, "admin_milestones", "admin.milestones.title", d)
}

func (s *Pages) adminAddMilestone(c *fiber.Ctx) error {
	p, err := admin(c)
	if p == nil {
		return err
	}
	f := newForm()
	for _, k := range []string{"code", "name_es", "name_en"} {
		f.Values[k] = strings.TrimSpace(c.FormValue(k))
	}
	es, en := f.Val("name_es"), f.Val("name_en")
	_, err = s.Progress.AddDefinition(c.UserContext(), p, progress.DefinitionInput{Code: f.Val("code"), NameES: &es, NameEN: &en})
	return s.afterMilestoneDefinition(c, err, "", f)
}

func (s *Pages) adminUpdateMilestone(c *fiber.Ctx) error {
	p, err := admin(c)
	if p == nil {
		return err
	}
	in := progress.DefinitionInput{}
	es, en := strings.TrimSpace(c.FormValue("name_es")), strings.TrimSpace(c.FormValue("name_en"))
	if es != "" || en != "" { // both or neither: a name in one language only reads oddly
		in.NameES, in.NameEN = &es, &en
	}
	if v := c.FormValue("n"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1 // told as out of range
		}
		in.N = &n
	}
	active, losable := c.FormValue("active") == "on", c.FormValue("losable") == "on"
	in.Active, in.Losable = &active, &losable
	_, err = s.Progress.UpdateDefinition(c.UserContext(), p, c.Params("code"), in)
	return s.afterMilestoneDefinition(c, err, c.Params("code"), newForm())
}

func (s *Pages) afterMilestoneDefinition(c *fiber.Ctx, err error, code string, f *form) error {
	l := s.tmpl.localizer(c)
	d := adminMilestonesData{Code: code, Add: f}
	var ve *errs.ValidationError
	switch {
	case err == nil:
		return c.Redirect("/admin/hitos?aviso=hito-guardado", fiber.StatusSeeOther)
	case errors.Is(err, errs.Conflict):
		d.Problem = l.T("admin.milestones.error.taken")
	case errors.As(err, &ve) && len(ve.Fields) > 0:
		d.Problem = l.T("admin.milestones.error." + ve.Fields[0].Field)
	default:
		return err
	}
	return s.renderAdminMilestones(c, fiber.StatusUnprocessableEntity, d)
}
