package pages

import (
	"encoding/json"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/frontend/kit"
)

// The initiative's own profile (/mi-iniciativa/{id}): its producers, its
// advisers and admins (accounts.CanEditInitiative) change the description,
// WhatsApp number, stage and kind, its public photos and its members. Members
// are personal data (Ley 1581 de 2012): they are shown here and nowhere public.

func (s *Pages) routesMyInitiative(app fiber.Router) {
	app.Get("/mi-iniciativa/:id", noStore, s.myInitiativePage)
	app.Post("/mi-iniciativa/:id", noStore, s.updateMyInitiative)
	app.Post("/mi-iniciativa/:id/foto", noStore, s.addMyInitiativePhoto)
	app.Post("/mi-iniciativa/:id/foto/:image/eliminar", noStore, s.removeMyInitiativePhoto)
	app.Post("/mi-iniciativa/:id/integrantes", noStore, s.addMyInitiativeMember)
	app.Post("/mi-iniciativa/:id/integrantes/:member/eliminar", noStore, s.removeMyInitiativeMember)
	app.Get("/mi-iniciativa/:id/integrantes/:member/datos", noStore, s.memberDataDownload)
}

// myInitiativePath is the profile page of an initiative.
func myInitiativePath(id string) string { return "/mi-iniciativa/" + url.PathEscape(id) }

// myInitiativeData is the profile page: the initiative and its three forms.
type myInitiativeData struct {
	Initiative catalog.Initiative
	Edit       *form // description, WhatsApp, stage, kind
	Photo      *form
	Member     *form // a new member
	Kinds      []string
	Stages     []string
	Sexes      []string
	AgeGroups  []string
	// LastAdultBirthYear bounds the birth year field (adults only).
	LastAdultBirthYear int
	Photos             photoPanel
	// Products links back to the producer's list when the visitor has one.
	Products bool
}

func (s *Pages) renderMyInitiative(c *fiber.Ctx, status int, d myInitiativeData) error {
	for _, f := range []**form{&d.Edit, &d.Photo, &d.Member} {
		if *f == nil {
			*f = newForm()
		}
	}
	if len(d.Edit.Values) == 0 {
		in := d.Initiative
		d.Edit.Values["description"], d.Edit.Values["whatsapp"] = in.Description, in.WhatsApp
		d.Edit.Values["stage"], d.Edit.Values["kind"] = in.Stage, in.Kind
	}
	d.Kinds, d.Stages, d.Sexes, d.AgeGroups = catalog.InitiativeKinds, catalog.Stages, catalog.Sexes, catalog.AgeGroups
	d.LastAdultBirthYear = catalog.LastAdultBirthYear(time.Now().In(colombia.Zone).Year())
	d.Photos = photoPanel{Heading: "myini.photos.heading", None: "myini.photos.none", Limit: "myini.error.photo_limit",
		Max: catalog.MaxPhotosPerInitiative, Alt: d.Initiative.Name, Images: d.Initiative.Images,
		Base: myInitiativePath(d.Initiative.ID), Form: d.Photo}
	d.Products = accounts.CanEditProducts(kit.Principal(c), d.Initiative.ID)
	c.Locals(pageKey, myInitiativePath(d.Initiative.ID)) // a failed form shows the profile
	return s.render(c, status, "my_initiative", "myini.title", d)
}

// myInitiative loads the initiative in the path for its profile page. When
// the visitor is anonymous it answers with the sign-in page and returns a nil
// principal (callers return err then); 404 for an unknown initiative, 403
// for a visitor who may not edit it.
func (s *Pages) myInitiative(c *fiber.Ctx) (*accounts.Principal, catalog.Initiative, error) {
	p := kit.Principal(c)
	if p == nil {
		back := myInitiativePath(c.Params("id"))
		if c.Method() == fiber.MethodGet {
			back = c.OriginalURL()
		}
		return nil, catalog.Initiative{}, toSignIn(c, back)
	}
	in, err := s.Catalog.EditableInitiative(c.UserContext(), p, c.Params("id"))
	if err != nil {
		return nil, in, err
	}
	return p, in, nil
}

func (s *Pages) myInitiativePage(c *fiber.Ctx) error {
	p, in, err := s.myInitiative(c)
	if p == nil {
		return err
	}
	return s.renderMyInitiative(c, fiber.StatusOK, myInitiativeData{Initiative: in})
}

func (s *Pages) updateMyInitiative(c *fiber.Ctx) error {
	p, in, err := s.myInitiative(c)
	if p == nil {
		return err
	}
	l := s.tmpl.localizer(c)
	f := newForm()
	for _, k := range []string{"description", "whatsapp", "stage", "kind"} {
		f.Values[k] = strings.TrimSpace(c.FormValue(k))
	}
	desc, wa, stage, kind := f.Val("description"), f.Val("whatsapp"), f.Val("stage"), f.Val("kind")
	_, err = s.Catalog.UpdateInitiative(c.UserContext(), p, in.ID,
		catalog.InitiativeUpdate{Description: &desc, WhatsApp: &wa, Stage: &stage, Kind: &kind})
	if err != nil && !formFieldErrors(l, f, err, initiativeMessages) {
		return err
	}
	if f.Failed() {
		return s.renderMyInitiative(c, fiber.StatusUnprocessableEntity, myInitiativeData{Initiative: in, Edit: f})
	}
	return c.Redirect(myInitiativePath(in.ID)+"?aviso=iniciativa-guardada#main", fiber.StatusSeeOther)
}

func (s *Pages) addMyInitiativePhoto(c *fiber.Ctx) error {
	p, in, err := s.myInitiative(c)
	if p == nil {
		return err
	}
	l := s.tmpl.localizer(c)
	status, msg := fiber.StatusUnprocessableEntity, l.T("producer.error.photo_missing")
	if fh, ferr := c.FormFile("photo"); ferr == nil && (fh.Size > 0 || fh.Filename != "") {
		status, msg, err = s.uploadPhoto(c, fh, "myini.error.photo_limit", catalog.MaxPhotosPerInitiative, func(r io.Reader) error {
			_, err := s.Catalog.AddInitiativePhoto(c.UserContext(), p, in.ID, r)
			return err
		})
		if err != nil {
			return err
		}
	}
	if msg == "" {
		return c.Redirect(myInitiativePath(in.ID)+"?aviso=foto-agregada#fotos", fiber.StatusSeeOther)
	}
	pf := newForm()
	pf.Errors["photo"] = msg
	return s.renderMyInitiative(c, status, myInitiativeData{Initiative: in, Photo: pf})
}

func (s *Pages) removeMyInitiativePhoto(c *fiber.Ctx) error {
	p, in, err := s.myInitiative(c)
	if p == nil {
		return err
	}
	if err := s.Catalog.RemoveInitiativePhoto(c.UserContext(), p, in.ID, c.Params("image")); err != nil {
		return err
	}
	return c.Redirect(myInitiativePath(in.ID)+"?aviso=foto-quitada#fotos", fiber.StatusSeeOther)
}

func (s *Pages) addMyInitiativeMember(c *fiber.Ctx) error {
	p, in, err := s.myInitiative(c)
	if p == nil {
		return err
	}
	l := s.tmpl.localizer(c)
	f := newForm()
	for _, k := range []string{"name", "role", "sex", "age_group", "birth_year"} {
		f.Values[k] = strings.TrimSpace(c.FormValue(k))
	}
	born := 0
	if v := f.Val("birth_year"); v != "" {
		if born, err = strconv.Atoi(v); err != nil {
			born = -1 // not a year: the catalog refuses it with its message
		}
	}
	m, err := s.Catalog.AddMember(c.UserContext(), p, in.ID,
		catalog.Member{Name: f.Val("name"), Role: f.Val("role"), Sex: f.Val("sex"), AgeGroup: f.Val("age_group"), BirthYear: born})
	if err != nil && !formFieldErrors(l, f, err, memberMessages) {
		return err
	}
	if f.Failed() {
		return s.renderMyInitiative(c, fiber.StatusUnprocessableEntity, myInitiativeData{Initiative: in, Member: f})
	}
	_ = s.Accounts.Audit.Record(c.UserContext(), accounts.AuditEntry{ActorID: p.UserID, Action: "member_added",
		TargetKind: "initiative", TargetID: in.ID, IP: c.IP(), Details: map[string]string{"member": m.ID}})
	return c.Redirect(myInitiativePath(in.ID)+"?aviso=integrante-agregado#integrantes", fiber.StatusSeeOther)
}

func (s *Pages) removeMyInitiativeMember(c *fiber.Ctx) error {
	p, in, err := s.myInitiative(c)
	if p == nil {
		return err
	}
	if err := s.RemoveMember(c, p, in.ID, c.Params("member")); err != nil {
		return err
	}
	return c.Redirect(myInitiativePath(in.ID)+"?aviso=integrante-quitado#integrantes", fiber.StatusSeeOther)
}

// memberDataDownload downloads what Tesoro holds about one member (Ley
// 1581), for the member who asks her initiative for it.
func (s *Pages) memberDataDownload(c *fiber.Ctx) error {
	p, in, err := s.myInitiative(c)
	if p == nil {
		return err
	}
	data, err := s.MemberData(c, p, in.ID, c.Params("member"))
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="datos-integrante-tesoro.json"`)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(b)
}

// initiativeMessages and memberMessages name the message for each field the
// catalog may reject in the profile and member forms.
var (
	initiativeMessages = map[string]string{
		"description": "myini.error.description",
		"whatsapp":    "myini.error.whatsapp",
		"stage":       "myini.error.stage",
		"kind":        "myini.error.kind",
	}
	memberMessages = map[string]string{
		"name":       "myini.error.member_name",
		"role":       "myini.error.member_role",
		"sex":        "myini.error.sex",
		"age_group":  "myini.error.age_group",
		"birth_year": "myini.error.birth_year",
	}
)
