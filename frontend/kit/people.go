package kit

import (
	"context"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/orders"
)

// PersonalData is everything held about a user (Ley 1581): the account,
// its sessions and activity, and the orders they placed.
type PersonalData struct {
	accounts.PersonalData
	Orders []orders.Order `json:"orders"`
}

func (d Deps) PersonalData(c *fiber.Ctx, p *accounts.Principal) (PersonalData, error) {
	data, err := d.Accounts.ExportData(c.UserContext(), p, Meta(c))
	if err != nil {
		return PersonalData{}, err
	}
	placed, err := d.Orders.BuyerOrdersAll(c.UserContext(), p)
	return PersonalData{data, placed}, err
}

// ForgetUser forgets a user who deletes their account: the contact data on
// their orders first (the orders stay, for the producers' books), then the
// account. Both steps can be repeated, so a failure half-way is retried whole.
func (d Deps) ForgetUser(c *fiber.Ctx, p *accounts.Principal) error {
	return d.Accounts.Anonymize(c.UserContext(), p, Meta(c), func(ctx context.Context) error {
		return d.Orders.AnonymizeBuyer(ctx, p.UserID)
	})
}

// CheckInitiatives refuses assignments to initiatives that do not exist.
func (d Deps) CheckInitiatives(c *fiber.Ctx, ids []string) error {
	var f errs.Fields
	for _, id := range ids {
		if _, err := d.Catalog.Initiative(c.UserContext(), id); err != nil {
			if errs.KindOf(err) == errs.NotFound {
				f.Add("initiative_ids", errs.CodeNotFound, fmt.Sprintf("initiative %s does not exist", id))
				continue
			}
			return err
		}
	}
	return f.Err()
}
