package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/frontend/kit"
)

// An initiative's public photos, changed by whoever may edit its profile
// (accounts.CanEditInitiative): at most catalog.MaxPhotosPerInitiative.

func (s *API) uploadInitiativePhoto(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	file, err := kit.UploadedImage(c)
	if err != nil {
		return err
	}
	defer file.Close()
	img, err := s.Catalog.AddInitiativePhoto(c.UserContext(), p, c.Params("id"), file)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(img)
}

func (s *API) deleteInitiativePhoto(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	if err := s.Catalog.RemoveInitiativePhoto(c.UserContext(), p, c.Params("id"), c.Params("image")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
