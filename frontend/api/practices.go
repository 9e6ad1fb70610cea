package api

import (
	"context"
	"io"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/programme"
	"github.com/tesoro-pact/tesoro/storage"
)

// Good practices and experience exchanges (package programme, which decides
// who may): the library (any signed-in producer, adviser or admin), sharing
// a practice, "Lo quiero aplicar", exchanges and their photos (private,
// streamed to who may read them).

func (s *API) routesPractices(api fiber.Router) {
	api.Get("/practices", s.listPractices)
	api.Post("/practices", s.sharePractice)
	api.Get("/practices/:id", s.getPractice)
	api.Patch("/practices/:id", s.updatePractice)
	api.Delete("/practices/:id", s.removePractice)
	api.Post("/practices/:id/apply", s.applyPractice)
	api.Post("/practices/:id/photos", s.uploadPracticePhoto)
	api.Get("/practices/:id/photos/:photo", s.getPracticePhoto)
	api.Delete("/practices/:id/photos/:photo", s.removePracticePhoto)
	api.Get("/exchanges", s.listExchanges)
	api.Post("/exchanges", s.recordExchange)
	api.Get("/exchanges/:id", s.getExchange)
	api.Patch("/exchanges/:id", s.updateExchange)
	api.Post("/exchanges/:id/photos", s.uploadExchangePhoto)
	api.Get("/exchanges/:id/photos/:photo", s.getExchangePhoto)
	api.Delete("/exchanges/:id/photos/:photo", s.removeExchangePhoto)
}

// PracticePhotoURL and ExchangePhotoURL are where a photo streams from
// (?size=thumb: its thumbnail).
func PracticePhotoURL(id, photo string) string {
	return "/api/v1/practices/" + url.PathEscape(id) + "/photos/" + url.PathEscape(photo)
}

func ExchangePhotoURL(id, photo string) string {
	return "/api/v1/exchanges/" + url.PathEscape(id) + "/photos/" + url.PathEscape(photo)
}

type photoView struct {
	programme.Photo
	URL      string `json:"url"`
	ThumbURL string `json:"thumb_url"`
}

func photoViews(photos []programme.Photo, at func(string) string) []photoView {
	out := make([]photoView, len(photos))
	for i, ph := range photos {
		out[i] = photoView{Photo: ph, URL: at(ph.ID), ThumbURL: at(ph.ID) + "?size=thumb"}
	}
	return out
}

type practiceSummaryView struct {
	programme.PracticeSummary
	PhotoURL string `json:"photo_url,omitempty"`
}

func practiceSummaries(list []programme.PracticeSummary) []practiceSummaryView {
	out := make([]practiceSummaryView, len(list))
	for i, sum := range list {
		out[i] = practiceSummaryView{PracticeSummary: sum}
		if sum.Photo != "" {
			out[i].PhotoURL = PracticePhotoURL(sum.ID, sum.Photo) + "?size=thumb"
		}
	}
	return out
}

type practiceView struct {
	programme.Practice
	Photos []photoView `json:"photos"`
}

func viewPractice(pr programme.Practice) practiceView {
	return practiceView{Practice: pr, Photos: photoViews(pr.Photos, func(ph string) string { return PracticePhotoURL(pr.ID, ph) })}
}

// listPractices is the library: ?q= (accent- and case-insensitive), ?topic=, ?municipality=.
func (s *API) listPractices(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	limit, err := kit.PageLimit(c)
	if err != nil {
		return err
	}
	list, err := s.Practices.Library(c.UserContext(), p, programme.PracticeFilter{Q: c.Query("q"), Topic: c.Query("topic"), Municipality: c.Query("municipality")})
	if err != nil {
		return err
	}
	page, err := kit.PageOf(practiceSummaries(list), c.Query("cursor"), limit, func(v practiceSummaryView) string { return v.ID })
	if err != nil {
		return err
	}
	return c.JSON(page)
}

func (s *API) sharePractice(c *fiber.Ctx) error {
	return answer(c, fiber.StatusCreated, func(p *accounts.Principal, in programme.PracticeInput) (any, error) {
		pr, err := s.Practices.Share(c.UserContext(), p, in)
		return viewPractice(pr), err
	})
}

func (s *API) getPractice(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	pr, err := s.Practices.Practice(c.UserContext(), p, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(viewPractice(pr))
}

func (s *API) updatePractice(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(p *accounts.Principal, up programme.PracticeUpdate) (any, error) {
		pr, err := s.Practices.UpdatePractice(c.UserContext(), p, c.Params("id"), up)
		return viewPractice(pr), err
	})
}

// removePractice withdraws a practice: 409 once another initiative applies it.
func (s *API) removePractice(c *fiber.Ctx) error {
	return noContent(c, func(p *accounts.Principal) error {
		return s.Practices.RemovePractice(c.UserContext(), p, c.Params("id"))
	})
}

func (s *API) removePracticePhoto(c *fiber.Ctx) error {
	return noContent(c, func(p *accounts.Principal) error {
		return s.Practices.RemovePhoto(c.UserContext(), p, c.Params("id"), c.Params("photo"))
	})
}

func (s *API) updateExchange(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(p *accounts.Principal, up programme.ExchangeUpdate) (any, error) {
		ex, err := s.Practices.UpdateExchange(c.UserContext(), p, c.Params("id"), up)
		return viewExchange(ex), err
	})
}

func (s *API) removeExchangePhoto(c *fiber.Ctx) error {
	return noContent(c, func(p *accounts.Principal) error {
		return s.Practices.RemoveExchangePhoto(c.UserContext(), p, c.Params("id"), c.Params("photo"))
	})
}

// noContent answers 204 once fn, run for the signed-in user, succeeds.
func noContent(c *fiber.Ctx, fn func(p *accounts.Principal) error) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	if err := fn(p); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// applyPractice is "Lo quiero aplicar": 201 with the initiative's new
// agreement, 200 with the same one when asked again. The body
// {initiative_id} may be left out by a producer of one initiative.
func (s *API) applyPractice(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	var in struct {
		InitiativeID string `json:"initiative_id"`
	}
	if len(c.Body()) > 0 {
		if err := kit.DecodeJSON(c, &in); err != nil {
			return err
		}
	}
	a, created, err := s.Practices.Apply(c.UserContext(), p, c.Params("id"), in.InitiativeID)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if created {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(a)
}

func (s *API) uploadPracticePhoto(c *fiber.Ctx) error {
	return uploadPhoto(c, func(p *accounts.Principal, id string) error {
		_, err := s.Practices.Practice(c.UserContext(), p, id)
		return err
	}, s.Practices.AddPhoto, PracticePhotoURL)
}

func (s *API) getPracticePhoto(c *fiber.Ctx) error { return getPhoto(c, s.Practices.OpenPhoto) }

func sendPhoto(c *fiber.Ctx, r io.ReadCloser, obj storage.Object) error {
	c.Set(fiber.HeaderContentType, obj.ContentType)
	c.Set(fiber.HeaderCacheControl, "private, max-age=86400")
	c.Set("X-Content-Type-Options", "nosniff")
	return c.SendStream(r, int(obj.Size))
}

type exchangeView struct {
	programme.Exchange
	Photos    []photoView           `json:"photos"`
	Practices []practiceSummaryView `json:"practices,omitempty"`
}

func viewExchange(ex programme.Exchange) exchangeView {
	return exchangeView{Exchange: ex, Photos: photoViews(ex.Photos, func(ph string) string { return ExchangePhotoURL(ex.ID, ph) })}
}

func (s *API) listExchanges(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	limit, err := kit.PageLimit(c)
	if err != nil {
		return err
	}
	list, next, err := s.Practices.Exchanges(c.UserContext(), p, c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	items := make([]exchangeView, len(list))
	for i, ex := range list {
		items[i] = viewExchange(ex)
	}
	return c.JSON(kit.List[exchangeView]{Items: items, NextCursor: next})
}

func (s *API) recordExchange(c *fiber.Ctx) error {
	return answer(c, fiber.StatusCreated, func(p *accounts.Principal, in programme.ExchangeInput) (any, error) {
		ex, err := s.Practices.RecordExchange(c.UserContext(), p, in)
		return viewExchange(ex), err
	})
}

// getExchange answers an exchange with the practices shared there.
func (s *API) getExchange(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	ex, err := s.Practices.Exchange(c.UserContext(), p, c.Params("id"))
	if err != nil {
		return err
	}
	v := viewExchange(ex)
	sums, err := s.Practices.Summaries(c.UserContext(), p, ex.PracticeIDs)
	if err != nil {
		return err
	}
	v.Practices = practiceSummaries(sums)
	return c.JSON(v)
}

func (s *API) uploadExchangePhoto(c *fiber.Ctx) error {
	return uploadPhoto(c, func(p *accounts.Principal, id string) error {
		_, err := s.Practices.Exchange(c.UserContext(), p, id)
		return err
	}, s.Practices.AddExchangePhoto, ExchangePhotoURL)
}

func (s *API) getExchangePhoto(c *fiber.Ctx) error { return getPhoto(c, s.Practices.OpenExchangePhoto) }

// uploadPhoto adds the photo of a request to the record of the path
// (practice or exchange) once p may see it: 201 with the photo's view.
func uploadPhoto(c *fiber.Ctx, see func(p *accounts.Principal, id string) error,
	add func(ctx context.Context, p *accounts.Principal, id string, r io.Reader) (programme.Photo, error), url func(id, photo string) string) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	id := c.Params("id")
	if err := see(p, id); err != nil {
		return err
	}
	f, err := kit.UploadedImage(c)
	if err != nil {
		return err
	}
	defer f.Close()
	ph, err := add(c.UserContext(), p, id, f)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(photoViews([]programme.Photo{ph}, func(x string) string { return url(id, x) })[0])
}

// getPhoto streams a photo (?size=thumb: its thumbnail) of the record of the path.
func getPhoto(c *fiber.Ctx, open func(ctx context.Context, p *accounts.Principal, id, photo string, thumb bool) (io.ReadCloser, storage.Object, error)) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	r, obj, err := open(c.UserContext(), p, c.Params("id"), c.Params("photo"), c.Query("size") == "thumb")
	if err != nil {
		return err
	}
	return sendPhoto(c, r, obj)
}
