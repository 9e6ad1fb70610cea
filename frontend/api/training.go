package api

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/programme"
	"github.com/tesoro-pact/tesoro/progress"
)

// The partners' courses, their enrolments and certificates, and the
// people trained in a period. The training service decides who may.

func (s *API) routesTraining(api fiber.Router) {
	api.Get("/courses", s.listCourses)
	api.Post("/courses", s.createCourse)
	api.Get("/courses/:id", s.getCourse)
	api.Patch("/courses/:id", s.updateCourse)
	api.Post("/courses/:id/enrolments", s.enrol)
	api.Patch("/courses/:id/enrolments/:enrolment", s.updateEnrolment)
	api.Delete("/courses/:id/enrolments/:enrolment", s.removeEnrolment)
	api.Post("/courses/:id/enrolments/:enrolment/certificate", s.attachCertificate)
	api.Get("/courses/:id/enrolments/:enrolment/certificate", s.getCertificate)
	api.Get("/training/counts", s.trainingCounts)
}

func (s *API) training() (*programme.Training, error) {
	if s.Training == nil {
		return nil, fiber.ErrServiceUnavailable
	}
	return s.Training, nil
}

func (s *API) listCourses(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	tr, err := s.training()
	if err != nil {
		return err
	}
	limit, err := kit.PageLimit(c)
	if err != nil {
		return err
	}
	page, err := tr.Courses(c.UserContext(), p, c.Query("initiative"), c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	return c.JSON(kit.List[programme.CourseSummary]{Items: page.Items, NextCursor: page.Next})
}

func (s *API) createCourse(c *fiber.Ctx) error {
	return answer(c, fiber.StatusCreated, func(p *accounts.Principal, in programme.CourseInput) (any, error) {
		tr, err := s.training()
		if err != nil {
			return nil, err
		}
		return tr.CreateCourse(c.UserContext(), p, in)
	})
}

func (s *API) getCourse(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	tr, err := s.training()
	if err != nil {
		return err
	}
	course, err := tr.Course(c.UserContext(), p, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(course)
}

func (s *API) updateCourse(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(p *accounts.Principal, in programme.CourseUpdate) (any, error) {
		tr, err := s.training()
		if err != nil {
			return nil, err
		}
		return tr.UpdateCourse(c.UserContext(), p, c.Params("id"), in)
	})
}

func (s *API) enrol(c *fiber.Ctx) error {
	return answer(c, fiber.StatusCreated, func(p *accounts.Principal, in programme.EnrolmentInput) (any, error) {
		tr, err := s.training()
		if err != nil {
			return nil, err
		}
		return tr.Enrol(c.UserContext(), p, c.Params("id"), in)
	})
}

func (s *API) updateEnrolment(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(p *accounts.Principal, in programme.EnrolmentUpdate) (any, error) {
		tr, err := s.training()
		if err != nil {
			return nil, err
		}
		return tr.UpdateEnrolment(c.UserContext(), p, c.Params("id"), c.Params("enrolment"), in)
	})
}

// removeEnrolment takes an enrolment recorded by mistake out of the course.
func (s *API) removeEnrolment(c *fiber.Ctx) error {
	return noContent(c, func(p *accounts.Principal) error {
		tr, err := s.training()
		if err != nil {
			return err
		}
		return tr.RemoveEnrolment(c.UserContext(), p, c.Params("id"), c.Params("enrolment"))
	})
}

// attachCertificate keeps a member's certificate (multipart "file": a PDF
// or a photo, re-encoded without metadata, at most 10 MB).
func (s *API) attachCertificate(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	tr, err := s.training()
	if err != nil {
		return err
	}
	// Who may not see the course learns nothing of the upload's checks.
	if _, err := tr.Course(c.UserContext(), p, c.Params("id")); err != nil {
		return err
	}
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "send the file as multipart/form-data with the field \"file\"")
	}
	fh, err := c.FormFile("file")
	if err != nil {
		var f errs.Fields
		f.Add("file", errs.CodeRequired, "send the file as multipart/form-data field \"file\"")
		return f.Err()
	}
	up, err := kit.PrepareAttachment(fh)
	if err != nil {
		return err
	}
	e, err := tr.AttachCertificate(c.UserContext(), p, c.Params("id"), c.Params("enrolment"), *up)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(e)
}

// getCertificate streams a certificate to who sees the enrolment.
func (s *API) getCertificate(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	tr, err := s.training()
	if err != nil {
		return err
	}
	cert, r, obj, err := tr.OpenCertificate(c.UserContext(), p, c.Params("id"), c.Params("enrolment"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, obj.ContentType)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderContentDisposition, kit.ContentDisposition("inline", cert.Name))
	return c.SendStream(r, int(obj.Size))
}

// trainingCounts answers the people trained in a period (default: this quarter).
func (s *API) trainingCounts(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	tr, err := s.training()
	if err != nil {
		return err
	}
	period := c.Query("period")
	if period == "" {
		period = progress.CurrentQuarter(time.Now())
	}
	counts, err := tr.Counts(c.UserContext(), p, period)
	if err != nil {
		return err
	}
	return c.JSON(counts)
}
