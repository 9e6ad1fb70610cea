package pages

import (
	"net/url"
	"time"

	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/money"
)

// bogota is the programme's time zone; dates on pages are written in it.
var bogota = colombia.Zone

// formatMoney writes an amount as Colombians read it: "$ 12.500".
func formatMoney(m money.Money) string { return m.String() }

// formatDate writes 25/11/2026 in Bogotá time.
func formatDate(t time.Time) string { return t.In(bogota).Format("02/01/2006") }

// formatDateTime writes 25/11/2026 14:05 in Bogotá time.
func formatDateTime(t time.Time) string { return t.In(bogota).Format("02/01/2006 15:04") }

// whatsappLink opens a chat with a number (digits with country code) and a
// prefilled message; empty when there is no number.
func whatsappLink(number, text string) string {
	if number == "" {
		return ""
	}
	return "https://wa.me/" + number + "?text=" + url.QueryEscape(text)
}
