package orders

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
	"github.com/stripe/stripe-go/v76/webhook"
)

// StripeConfig switches card payments on.
type StripeConfig struct {
	SecretKey     string
	WebhookSecret string
	// SiteURL is the public address buyers come back to after paying.
	SiteURL string
	// APIURL replaces api.stripe.com (tests point it at stripe-mock).
	APIURL string
	// Tolerance is how old a signed webhook may be (default 5 minutes).
	Tolerance time.Duration
}

// Stripe talks to Stripe Checkout and checks its webhooks.
type Stripe struct {
	api       *client.API
	secret    string
	siteURL   string
	tolerance time.Duration
}

// NewStripe returns a Stripe client, or nil when no secret key is configured.
func NewStripe(cfg StripeConfig) *Stripe {
	if cfg.SecretKey == "" {
		return nil
	}
	var backends *stripe.Backends
	if cfg.APIURL != "" {
		backends = &stripe.Backends{
			API: stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
				URL: stripe.String(cfg.APIURL), HTTPClient: &http.Client{Timeout: 20 * time.Second},
				LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelError}}),
		}
	} else {
		backends = &stripe.Backends{
			API: stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
				HTTPClient:    &http.Client{Timeout: 20 * time.Second},
				LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelError}}),
		}
	}
	if cfg.Tolerance <= 0 {
		cfg.Tolerance = webhook.DefaultTolerance
	}
	return &Stripe{api: client.New(cfg.SecretKey, backends), secret: cfg.WebhookSecret,
		siteURL: strings.TrimRight(cfg.SiteURL, "/"), tolerance: cfg.Tolerance}
}

// createSession opens one Checkout Session for every order of a checkout.
// Stripe allows expiries from 30 minutes to 24 hours.
func (st *Stripe) createSession(ctx context.Context, c claimRecord, orders []Order, expires time.Time) (id, url string, err error) {
	now := time.Now()
	if lo := now.Add(31 * time.Minute); expires.Before(lo) {
		expires = lo
	}
	if hi := now.Add(23 * time.Hour); expires.After(hi) {
		expires = hi
	}
	back := st.siteURL + "/pedido/" + c.CheckoutID + "?t=" + c.Token
	params := &stripe.CheckoutSessionParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		ClientReferenceID: stripe.String(c.CheckoutID),
		SuccessURL:        stripe.String(back + "&pago=ok"),
		CancelURL:         stripe.String(back + "&pago=cancelado"),
		ExpiresAt:         stripe.Int64(expires.Unix()),
		Metadata:          map[string]string{"checkout_id": c.CheckoutID},
	}
	for _, o := range orders {
		for _, l := range o.Lines {
			params.LineItems = append(params.LineItems, &stripe.CheckoutSessionLineItemParams{
				Quantity: stripe.Int64(l.Quantity),
				PriceData: &stripe.CheckoutSessionLineItemPriceDataParams{
					Currency:    stripe.String(strings.ToLower(l.UnitPrice.Currency)),
					UnitAmount:  stripe.Int64(l.UnitPrice.Amount),
					ProductData: &stripe.CheckoutSessionLineItemPriceDataProductDataParams{Name: stripe.String(l.Name + " · " + o.Initiative)},
				},
			})
		}
	}
	params.Context = ctx
	params.SetIdempotencyKey("checkout:" + c.CheckoutID)
	sess, err := st.api.CheckoutSessions.New(params)
	if err != nil {
		return "", "", err
	}
	return sess.ID, sess.URL, nil
}

// refund gives amount of a card payment back; key makes a retry refund once.
func (st *Stripe) refund(ctx context.Context, paymentIntent string, amount int64, key string) (string, error) {
	params := &stripe.RefundParams{PaymentIntent: stripe.String(paymentIntent), Amount: stripe.Int64(amount)}
	params.Context = ctx
	params.SetIdempotencyKey(key)
	r, err := st.api.Refunds.New(params)
	if err != nil {
		return "", err
	}
	return r.ID, nil
}

// ErrBadSignature is a webhook whose Stripe-Signature does not verify (or is
// too old): nothing is done with it.
var ErrBadSignature = errors.New("stripe webhook: bad or stale signature")

func (st *Stripe) verify(payload []byte, header string) (stripe.Event, error) {
	ev, err := webhook.ConstructEventWithOptions(payload, header, st.secret, webhook.ConstructEventOptions{Tolerance: st.tolerance})
	if err != nil {
		return stripe.Event{}, fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	return ev, nil
}
