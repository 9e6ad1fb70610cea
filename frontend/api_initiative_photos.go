package frontend

import (
	"mime/multipart"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
)

// An initiative's public photos, changed by whoever may edit its profile
// (accounts.CanEditInitiative): at most catalog.MaxPhotosPerInitiative.

func (s *server) uploadInitiativePhoto(c *fiber.Ctx) error {
	_, id, err := s.initiativeFor(c, accounts.CanEditInitiative)
	if err != nil {
		return err
	}
	file, err := uploadedImage(c)
	if err != nil {
		return err
	}
	defer file.Close()
	img, err := s.Catalog.AddInitiativePhoto(c.UserContext(), id, file)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(img)
}

func (s *server) deleteInitiativePhoto(c *fiber.Ctx) error {
	_, id, err := s.initiativeFor(c, accounts.CanEditInitiative)
	if err != nil {
		return err
	}
	if err := s.Catalog.RemoveInitiativePhoto(c.UserContext(), id, c.Params("image")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// uploadedImage opens the photo of an API upload, the multipart field
// "file": 415 when the request is not multipart, 422 without the field, 413
// over catalog.MaxImageBytes. Whether it is an image the catalog decides.
func uploadedImage(c *fiber.Ctx) (multipart.File, error) {
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		return nil, fiber.NewError(fiber.StatusUnsupportedMediaType, "send the photo as multipart/form-data with the field \"file\"")
	}
	fh, err := c.FormFile("file")
	if err != nil {
		var f errs.Fields
		f.Add("file", errs.CodeRequired, "send the photo as multipart/form-data field \"file\"")
		return nil, f.Err()
	}
	if fh.Size > catalog.MaxImageBytes {
		return nil, fiber.NewError(fiber.StatusRequestEntityTooLarge, "photos are limited to 8 MB")
	}
	return fh.Open()
}
