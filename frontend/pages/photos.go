package pages

import (
	"errors"
	"io"
	"mime/multipart"

	"github.com/gofiber/fiber/v2"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
)

// photoPanel is the photo panel of a product or an initiative (the
// "photo-panel" partial): its photos, each removable, and the form to add
// one while there is room. Heading, None and Limit are message ids.
type photoPanel struct {
	Heading, None, Limit string
	Max                  int
	Alt                  string // the photos' alternative text
	Images               []catalog.Image
	Base                 string // the page: forms post to Base/foto
	Form                 *form
	Camera               bool // offer the camera first (products are photographed on the spot)
}

// uploadPhoto hands an uploaded photo to add and says, like addPhoto, why a
// photo cannot be used; limitID is the message for a full set of limit photos.
func (s *Pages) uploadPhoto(c *fiber.Ctx, fh *multipart.FileHeader, limitID string, limit int, add func(io.Reader) error) (status int, msg string, err error) {
	l := s.tmpl.localizer(c)
	if fh.Size > catalog.MaxImageBytes {
		return fiber.StatusRequestEntityTooLarge, l.T("producer.error.photo_large"), nil
	}
	file, err := fh.Open()
	if err != nil {
		return 0, "", err
	}
	defer file.Close()
	err = add(file)
	var ve *errs.ValidationError
	switch {
	case err == nil:
		return 0, "", nil
	case errors.As(err, &ve):
		return fiber.StatusUnprocessableEntity, l.T(limitID, "N", limit), nil
	case errors.Is(err, errs.Unsupported):
		return fiber.StatusUnsupportedMediaType, l.T("producer.error.photo_type"), nil
	case errors.Is(err, errs.TooLarge):
		return fiber.StatusRequestEntityTooLarge, l.T("producer.error.photo_large"), nil
	case errors.Is(err, errs.Invalid):
		return fiber.StatusUnprocessableEntity, l.T("producer.error.photo_broken"), nil
	}
	return 0, "", err
}

// photo is one rendition of a product image, with the size its width and
// height attributes reserve so that the page does not jump as it loads.
type photo struct {
	URL           string
	Width, Height int
}

// fit is the size of a rendition whose longest side is at most limit (the
// catalog never upscales).
func fit(im catalog.Image, url string, limit int) photo {
	w, h := im.Width, im.Height
	if w <= 0 || h <= 0 {
		w, h = 4, 3
	}
	if w > limit || h > limit {
		if w >= h {
			w, h = limit, max(1, (h*limit+w/2)/w)
		} else {
			w, h = max(1, (w*limit+h/2)/h), limit
		}
	}
	return photo{URL: url, Width: w, Height: h}
}
