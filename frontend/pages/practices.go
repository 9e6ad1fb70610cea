package pages

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/api"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/programme"
)

// Good practices and experience exchanges on a phone: the library
// (/practicas: a search box, topic and municipality filters, cards), a
// practice with "Lo quiero aplicar", sharing a practice (/practicas/nueva),
// and for advisers the exchanges (/asesoria/intercambios: the list, a new
// exchange with its participants and photos, the practices shared there).
// Package programme decides who may; these pages only choose what to show.

func (s *Pages) routesPractices(app fiber.Router) {
	app.Get("/practicas", noStore, s.libraryPage)
	app.Get("/practicas/nueva", noStore, s.newPracticePage)
	app.Post("/practicas/nueva", noStore, shows("/practicas/nueva"), s.sharePracticeFromPage)
	app.Get("/practicas/:id", noStore, s.practicePage)
	app.Post("/practicas/:id/aplicar", noStore, s.applyPracticeFromPage)
	app.Post("/practicas/:id/fotos", noStore, s.addPracticePhotoFromPage)
	app.Get("/practicas/:id/editar", noStore, s.practiceEditPage)
	app.Post("/practicas/:id/editar", noStore, s.updatePracticeFromPage)
	app.Post("/practicas/:id/retirar", noStore, s.removePracticeFromPage)
	app.Post("/practicas/:id/fotos/:photo/quitar", noStore, s.removePracticePhotoFromPage)
	app.Get("/asesoria/intercambios", noStore, s.exchangesPage)
	app.Post("/asesoria/intercambios", noStore, shows("/asesoria/intercambios"), s.recordExchangeFromPage)
	app.Get("/asesoria/intercambios/:id", noStore, s.exchangePage)
	app.Post("/asesoria/intercambios/:id/fotos", noStore, s.addExchangePhotoFromPage)
	app.Get("/asesoria/intercambios/:id/editar", noStore, s.exchangeEditPage)
	app.Post("/asesoria/intercambios/:id/editar", noStore, s.updateExchangeFromPage)
	app.Post("/asesoria/intercambios/:id/fotos/:photo/quitar", noStore, s.removeExchangePhotoFromPage)
}

// The confirmations of these pages, added to the one table of notices.
var practiceNotices = map[string]string{
	"practica-compartida":      "practices.notice.shared",
	"practica-aplicada":        "practices.notice.applied",
	"practica-ya-aplicada":     "practices.notice.already_applied",
	"practica-foto":            "practices.notice.photo",
	"practica-sin-foto":        "practices.notice.no_photo",
	"intercambio-creado":       "practices.notice.exchange_recorded",
	"intercambio-foto":         "practices.notice.photo",
	"intercambio-sin-foto":     "practices.notice.no_photo",
	"practica-corregida":       "practices.notice.corrected",
	"practica-retirada":        "practices.notice.removed",
	"practica-foto-quitada":    "practices.notice.photo_removed",
	"intercambio-corregido":    "practices.notice.exchange_corrected",
	"intercambio-foto-quitada": "practices.notice.photo_removed",
}

func init() {
	for code, id := range practiceNotices {
		if _, taken := notices[code]; taken {
			panic("notice code " + code + " is taken twice")
		}
		notices[code] = id
	}
}

func practicePath(id string) string { return "/practicas/" + url.PathEscape(id) }
func exchangePath(id string) string { return "/asesoria/intercambios/" + url.PathEscape(id) }

// browsing is the signed-in visitor who may read the library, or the
// answer to give instead (a sign-in, a refusal).
func (s *Pages) browsing(c *fiber.Ctx) (*accounts.Principal, error) {
	p := kit.Principal(c)
	if p == nil {
		return nil, toSignIn(c, c.OriginalURL())
	}
	if !programme.CanBrowse(p) {
		return nil, fmt.Errorf("the practices library: %w", errs.Forbidden)
	}
	return p, nil
}

// practiceCard is a library card.
type practiceCard struct {
	programme.PracticeSummary
	Thumb string
}

func practiceCards(list []programme.PracticeSummary) []practiceCard {
	out := make([]practiceCard, len(list))
	for i, sum := range list {
		out[i] = practiceCard{PracticeSummary: sum}
		if sum.Photo != "" {
			out[i].Thumb = api.PracticePhotoURL(sum.ID, sum.Photo) + "?size=thumb"
		}
	}
	return out
}

type libraryData struct {
	Q, Topic, Municipality string
	Topics                 []string
	Municipalities         []catalog.Municipality
	Cards                  []practiceCard
	Total                  int
	CanShare               bool
	Error                  string
}

// maxCards bounds the cards a library page shows (the search narrows it).
const maxCards = 60

func (s *Pages) libraryPage(c *fiber.Ctx) error {
	p, err := s.browsing(c)
	if p == nil {
		return err
	}
	l := s.tmpl.localizer(c)
	d := libraryData{Q: c.Query("q"), Topic: c.Query("tema"), Municipality: c.Query("municipio"), Topics: mentoring.Topics,
		Municipalities: catalog.Municipalities, CanShare: len(s.shareable(c, p)) > 0}
	list, err := s.Practices.Library(c.UserContext(), p, programme.PracticeFilter{Q: d.Q, Topic: d.Topic, Municipality: d.Municipality})
	status := fiber.StatusOK
	if errors.Is(err, errs.Invalid) {
		d.Error, status = l.T("practices.error.filter"), fiber.StatusUnprocessableEntity
	} else if err != nil {
		return err
	}
	d.Total = len(list)
	d.Cards = practiceCards(list[:min(len(list), maxCards)])
	return s.render(c, status, "practices", "practices.title", d)
}

// shareable is the initiatives p may share a practice for.
func (s *Pages) shareable(c *fiber.Ctx, p *accounts.Principal) []catalog.Initiative {
	var ids []string
	if p.IsAdmin() {
		all, err := s.Catalog.Initiatives(c.UserContext(), catalog.InitiativeFilter{})
		if err != nil {
			return nil
		}
		return all
	}
	for _, id := range p.InitiativeIDs {
		if programme.CanShare(p, id) && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	out := []catalog.Initiative{}
	for _, id := range ids {
		if in, err := s.Catalog.Initiative(c.UserContext(), id); err == nil {
			out = append(out, in)
		}
	}
	return out
}

// --- one practice ---

type photoLink struct{ ID, URL, Thumb string }

type practiceData struct {
	Practice programme.Practice
	Photos   []photoLink
	Exchange *programme.Exchange
	// Mine are the visitor's initiatives that may take it up, and Applied
	// those that have already.
	Mine     []catalog.Initiative
	Applied  map[string]bool
	CanPhoto bool
	// CanEdit: the visitor may correct it, remove its photos and, while no
	// other initiative applies it, withdraw it.
	CanEdit  bool
	Own      bool // a practice of one of the visitor's initiatives
	DateText string
}

func (s *Pages) practicePage(c *fiber.Ctx) error {
	p, err := s.browsing(c)
	if p == nil {
		return err
	}
	return s.renderPractice(c, fiber.StatusOK, p, "")
}

func (s *Pages) renderPractice(c *fiber.Ctx, status int, p *accounts.Principal, problem string) error {
	ctx := c.UserContext()
	pr, err := s.Practices.Practice(ctx, p, c.Params("id"))
	if err != nil {
		return err
	}
	d := practiceData{Practice: pr, Applied: map[string]bool{}, CanPhoto: programme.CanShare(p, pr.InitiativeID) && len(pr.Photos) < programme.MaxPhotos,
		CanEdit: programme.CanShare(p, pr.InitiativeID), Own: p.MemberOf(pr.InitiativeID), DateText: isoDay(pr.Date)}
	for _, ph := range pr.Photos {
		u := api.PracticePhotoURL(pr.ID, ph.ID)
		d.Photos = append(d.Photos, photoLink{ID: ph.ID, URL: u, Thumb: u + "?size=thumb"})
	}
	if pr.ExchangeID != "" {
		if ex, err := s.Practices.Exchange(ctx, p, pr.ExchangeID); err == nil {
			d.Exchange = &ex
		}
	}
	for _, id := range p.ProducerInitiatives() {
		if id == pr.InitiativeID {
			continue
		}
		if in, err := s.Catalog.Initiative(ctx, id); err == nil {
			d.Mine = append(d.Mine, in)
			d.Applied[id] = slices.Contains(pr.AppliedBy, id)
		}
	}
	c.Locals(pageKey, practicePath(pr.ID))
	v := map[string]any{"D": d, "Problem": problem}
	return s.render(c, status, "practice", "practices.practice.title", v)
}

func (s *Pages) applyPracticeFromPage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, practicePath(c.Params("id")))
	}
	_, created, err := s.Practices.Apply(c.UserContext(), p, c.Params("id"), c.FormValue("initiative_id"))
	if errors.Is(err, errs.Invalid) || errors.Is(err, errs.Conflict) {
		return s.renderPractice(c, fiber.StatusUnprocessableEntity, p, s.tmpl.localizer(c).T("practices.error.apply"))
	}
	if err != nil {
		return err
	}
	notice := "practica-aplicada"
	if !created {
		notice = "practica-ya-aplicada"
	}
	return c.Redirect(practicePath(c.Params("id"))+"?aviso="+notice+"#aplicar", fiber.StatusSeeOther)
}

func (s *Pages) addPracticePhotoFromPage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, practicePath(c.Params("id")))
	}
	if _, err := s.Practices.Practice(c.UserContext(), p, c.Params("id")); err != nil {
		return err
	}
	notice := "practica-foto"
	if err := s.pagePhoto(c, func(f io.Reader) error {
		_, err := s.Practices.AddPhoto(c.UserContext(), p, c.Params("id"), f)
		return err
	}); errors.Is(err, errs.Forbidden) {
		return err
	} else if err != nil {
		notice = "practica-sin-foto"
	}
	return c.Redirect(practicePath(c.Params("id"))+"?aviso="+notice, fiber.StatusSeeOther)
}

// pagePhoto hands the form's "photo" file to add; no file is an error.
func (s *Pages) pagePhoto(c *fiber.Ctx, add func(r io.Reader) error) error {
	fh, err := c.FormFile("photo")
	if err != nil || fh.Size == 0 {
		return fmt.Errorf("photo: %w", errs.Invalid)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	return add(f)
}

// --- sharing a practice ---

type newPracticeData struct {
	Form        *form
	Initiatives []catalog.Initiative
	Topics      []string
	Exchange    *exchangeItem
}

func (s *Pages) newPracticePage(c *fiber.Ctx) error {
	p, err := s.browsing(c)
	if p == nil {
		return err
	}
	f := newForm()
	f.Values["exchange_id"] = c.Query("intercambio")
	if mine := s.shareable(c, p); len(mine) == 1 {
		f.Values["initiative_id"] = mine[0].ID
	}
	return s.renderNewPractice(c, fiber.StatusOK, p, f)
}

func (s *Pages) renderNewPractice(c *fiber.Ctx, status int, p *accounts.Principal, f *form) error {
	d := newPracticeData{Form: f, Topics: mentoring.Topics}
	mine := s.shareable(c, p)
	if id := f.Val("exchange_id"); id != "" {
		ex, err := s.Practices.Exchange(c.UserContext(), p, id)
		if err != nil {
			return err
		}
		it := s.exchangeItem(c, ex)
		d.Exchange = &it
		mine = slices.DeleteFunc(mine, func(in catalog.Initiative) bool { return !slices.Contains(ex.InitiativeIDs, in.ID) })
	}
	if len(mine) == 0 {
		return fmt.Errorf("sharing a practice: %w", errs.Forbidden)
	}
	d.Initiatives = mine
	return s.render(c, status, "practice_new", "practices.new.title", d)
}

// fieldErrors puts a validation error's fields on the form in the
// visitor's language (practices.error.<field>), and returns whether it was one.
func (s *Pages) fieldErrors(l *loc, f *form, err error) bool {
	var ve *errs.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, fe := range ve.Fields {
		field, _, _ := strings.Cut(fe.Field, ".")
		if f.Errors[field] == "" {
			f.Errors[field] = l.T("practices.error." + field)
		}
	}
	f.Error = l.T("form.error.summary")
	return true
}

func (s *Pages) sharePracticeFromPage(c *fiber.Ctx) error {
	p, err := s.browsing(c)
	if p == nil {
		return err
	}
	l := s.tmpl.localizer(c)
	f := newForm()
	for _, k := range []string{"title", "done", "changed", "topic", "initiative_id", "exchange_id"} {
		f.Values[k] = c.FormValue(k)
	}
	pr, err := s.Practices.Share(c.UserContext(), p, programme.PracticeInput{Title: f.Val("title"), Done: f.Val("done"), Changed: f.Val("changed"),
		Topic: f.Val("topic"), InitiativeID: f.Val("initiative_id"), ExchangeID: f.Val("exchange_id")})
	if s.fieldErrors(l, f, err) {
		return s.renderNewPractice(c, fiber.StatusUnprocessableEntity, p, f)
	}
	if errors.Is(err, errs.Conflict) {
		f.Error = l.T("practices.error.full")
		return s.renderNewPractice(c, fiber.StatusConflict, p, f)
	}
	if err != nil {
		return err
	}
	notice := "practica-compartida"
	if fh, ferr := c.FormFile("photo"); ferr == nil && fh.Size > 0 {
		// The practice is kept whatever becomes of its photo.
		if err := s.pagePhoto(c, func(r io.Reader) error {
			_, err := s.Practices.AddPhoto(c.UserContext(), p, pr.ID, r)
			return err
		}); err != nil {
			notice = "practica-sin-foto"
		}
	}
	return c.Redirect(practicePath(pr.ID)+"?aviso="+notice, fiber.StatusSeeOther)
}

// --- exchanges (advisers and admins record them; everyone browsing reads them) ---

type exchangeItem struct {
	programme.Exchange
	Initiatives []string
	Photos      []photoLink
}

// DateText is the exchange's day as 25/11/2026.
func (e exchangeItem) DateText() string { return isoDay(e.Date) }

// isoDay writes a day YYYY-MM-DD as 25/11/2026.
func isoDay(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format(dayLayout)
}

// People is how many took part (women and men).
func (e exchangeItem) People() int { return e.Participants.Women + e.Participants.Men }

type exchangesData struct {
	Items       []exchangeItem
	Next        string
	CanRecord   bool
	Initiatives []catalog.Initiative
	Mine        map[string]bool
	Places      []catalog.Municipality
	Counters    []string
	Today       string
	Form        *form
}

func (s *Pages) exchangeItem(c *fiber.Ctx, ex programme.Exchange) exchangeItem {
	names := s.initiativeNames(c, nil, ex.InitiativeIDs...)
	it := exchangeItem{Exchange: ex}
	for _, id := range ex.InitiativeIDs {
		if n := names[id]; n != "" {
			it.Initiatives = append(it.Initiatives, n)
		}
	}
	for _, ph := range ex.Photos {
		u := api.ExchangePhotoURL(ex.ID, ph.ID)
		it.Photos = append(it.Photos, photoLink{ID: ph.ID, URL: u, Thumb: u + "?size=thumb"})
	}
	return it
}

func (s *Pages) exchangesPage(c *fiber.Ctx) error {
	p, err := s.browsing(c)
	if p == nil {
		return err
	}
	f := newForm()
	f.Values["date"] = time.Now().In(colombia.Zone).Format(time.DateOnly)
	return s.renderExchanges(c, fiber.StatusOK, p, f)
}

func (s *Pages) renderExchanges(c *fiber.Ctx, status int, p *accounts.Principal, f *form) error {
	list, next, err := s.Practices.Exchanges(c.UserContext(), p, c.Query("desde"), 20)
	if errors.Is(err, errs.Invalid) {
		list, next, err = s.Practices.Exchanges(c.UserContext(), p, "", 20)
	}
	if err != nil {
		return err
	}
	d := exchangesData{CanRecord: advises(p), Places: catalog.Municipalities, Counters: []string{"women", "men", "youth", "adults"},
		Today: time.Now().In(colombia.Zone).Format(time.DateOnly), Form: f, Mine: map[string]bool{}}
	for _, ex := range list {
		d.Items = append(d.Items, s.exchangeItem(c, ex))
	}
	if next != "" {
		d.Next = "/asesoria/intercambios?desde=" + url.QueryEscape(next)
	}
	if d.CanRecord {
		all, err := s.Catalog.Initiatives(c.UserContext(), catalog.InitiativeFilter{})
		if err != nil {
			return err
		}
		d.Initiatives = adviserFirst(p, all)
		for _, in := range all {
			d.Mine[in.ID] = p.Advises(in.ID)
		}
	}
	c.Locals(pageKey, "/asesoria/intercambios")
	return s.render(c, status, "exchanges", "practices.exchanges.title", d)
}

// adviserFirst sorts initiatives with those p advises first.
func adviserFirst(p *accounts.Principal, all []catalog.Initiative) []catalog.Initiative {
	slices.SortStableFunc(all, func(a, b catalog.Initiative) int {
		return boolRank(p.Advises(b.ID)) - boolRank(p.Advises(a.ID))
	})
	return all
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *Pages) recordExchangeFromPage(c *fiber.Ctx) error {
	p, err := s.browsing(c)
	if p == nil {
		return err
	}
	l := s.tmpl.localizer(c)
	f, in := exchangeForm(c)
	ex, err := s.Practices.RecordExchange(c.UserContext(), p, in)
	if s.exchangeErrors(l, f, err) {
		return s.renderExchanges(c, fiber.StatusUnprocessableEntity, p, f)
	}
	if errors.Is(err, errs.Forbidden) && advises(p) {
		f.Errors["initiative"] = l.T("practices.error.not_yours")
		f.Error = l.T("form.error.summary")
		return s.renderExchanges(c, fiber.StatusForbidden, p, f)
	}
	if err != nil {
		return err
	}
	notice := "intercambio-creado"
	if mf, err := c.MultipartForm(); err == nil {
		for _, fh := range mf.File["photo"] {
			if fh.Size == 0 {
				continue
			}
			if r, err := fh.Open(); err == nil {
				_, err = s.Practices.AddExchangePhoto(c.UserContext(), p, ex.ID, r)
				r.Close()
				if err != nil {
					notice = "intercambio-sin-foto"
				}
			}
		}
	}
	return c.Redirect(exchangePath(ex.ID)+"?aviso="+notice, fiber.StatusSeeOther)
}

// exchangeForm reads the exchange form: the form to show again, the exchange sent.
func exchangeForm(c *fiber.Ctx) (*form, programme.ExchangeInput) {
	f := newForm()
	for _, k := range []string{"date", "municipality", "venue", "notes", "women", "men", "youth", "adults"} {
		f.Values[k] = c.FormValue(k)
	}
	f.Multi["initiative"] = formValues(c, "initiative")
	count := func(k string) int {
		v := strings.TrimSpace(f.Val(k))
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return -1
		}
		return n
	}
	return f, programme.ExchangeInput{Date: f.Val("date"), Municipality: f.Val("municipality"),
		Venue: f.Val("venue"), InitiativeIDs: f.Multi["initiative"], Notes: f.Val("notes"),
		Participants: mentoring.Participants{Women: count("women"), Men: count("men"), Youth: count("youth"), Adults: count("adults")}}
}

// exchangeErrors puts a validation error on the exchange form, under the
// form's own field names, and returns whether it was one.
func (s *Pages) exchangeErrors(l *loc, f *form, err error) bool {
	if !s.fieldErrors(l, f, err) {
		return false
	}
	if msg, ok := f.Errors["participants"]; ok {
		delete(f.Errors, "participants")
		f.Errors["counts"] = msg
	}
	if msg, ok := f.Errors["initiative_ids"]; ok {
		delete(f.Errors, "initiative_ids")
		f.Errors["initiative"] = msg
		var ve *errs.ValidationError
		if errors.As(err, &ve) && slices.ContainsFunc(ve.Fields, func(fe errs.FieldError) bool { return fe.Params["reason"] == "shared" }) {
			f.Errors["initiative"] = l.T("practices.error.shared_here")
		}
	}
	return true
}

type exchangeData struct {
	Item      exchangeItem
	Practices []practiceCard
	CanEdit   bool // the visitor may correct it and remove its photos
	CanPhoto  bool // ... and add one
	CanShare  bool // the visitor may share a practice of an initiative that took part
}

func (s *Pages) exchangePage(c *fiber.Ctx) error {
	p, err := s.browsing(c)
	if p == nil {
		return err
	}
	ctx := c.UserContext()
	ex, err := s.Practices.Exchange(ctx, p, c.Params("id"))
	if err != nil {
		return err
	}
	sums, err := s.Practices.Summaries(ctx, p, ex.PracticeIDs)
	if err != nil {
		return err
	}
	d := exchangeData{Item: s.exchangeItem(c, ex), Practices: practiceCards(sums), CanEdit: programme.CanEditExchange(p, ex),
		CanPhoto: programme.CanEditExchange(p, ex) && len(ex.Photos) < programme.MaxPhotos,
		CanShare: slices.ContainsFunc(ex.InitiativeIDs, func(id string) bool { return programme.CanShare(p, id) })}
	c.Locals(pageKey, exchangePath(ex.ID))
	return s.render(c, fiber.StatusOK, "exchange", "practices.exchange.title", d)
}

func (s *Pages) addExchangePhotoFromPage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, exchangePath(c.Params("id")))
	}
	if _, err := s.Practices.Exchange(c.UserContext(), p, c.Params("id")); err != nil {
		return err
	}
	notice := "intercambio-foto"
	if err := s.pagePhoto(c, func(f io.Reader) error {
		_, err := s.Practices.AddExchangePhoto(c.UserContext(), p, c.Params("id"), f)
		return err
	}); errors.Is(err, errs.Forbidden) {
		return err
	} else if err != nil {
		notice = "intercambio-sin-foto"
	}
	return c.Redirect(exchangePath(c.Params("id"))+"?aviso="+notice, fiber.StatusSeeOther)
}
