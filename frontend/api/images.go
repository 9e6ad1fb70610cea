package api

import (
	"context"
	"io"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/frontend/kit"
)

// The public images of products and initiatives: the same upload (the
// multipart field "file", kit.UploadedImage) and the same answers for both;
// the catalog decides who may change which and how many each holds.

func addImage(add func(context.Context, *accounts.Principal, string, io.Reader) (catalog.Image, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := kit.RequireUser(c)
		if err != nil {
			return err
		}
		file, err := kit.UploadedImage(c)
		if err != nil {
			return err
		}
		defer file.Close()
		img, err := add(c.UserContext(), p, c.Params("id"), file)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(img)
	}
}

func removeImage(remove func(context.Context, *accounts.Principal, string, string) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := kit.RequireUser(c)
		if err != nil {
			return err
		}
		if err := remove(c.UserContext(), p, c.Params("id"), c.Params("image")); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}
