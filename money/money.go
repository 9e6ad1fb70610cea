// Package money is an amount in integer minor units with its ISO 4217 currency.
// Never a float: a peso lost to rounding is a producer's peso.
package money

import (
	"strconv"
	"strings"
)

// COP is the Colombian peso, the default currency. ISO 4217 gives it two
// decimals, so $ 12.500 is 1 250 000 minor units (as Stripe counts it too).
const COP = "COP"

// Money is an amount in minor units of Currency.
type Money struct {
	Amount   int64  `json:"amount" bson:"amount"`
	Currency string `json:"currency" bson:"currency"`
}

// Pesos returns whole pesos as Money.
func Pesos(n int64) Money { return Money{Amount: n * 100, Currency: COP} }

// Add sums two amounts of the same currency.
func (m Money) Add(o Money) Money { return Money{Amount: m.Amount + o.Amount, Currency: m.Currency} }

// Times multiplies by a quantity.
func (m Money) Times(n int64) Money { return Money{Amount: m.Amount * n, Currency: m.Currency} }

// String formats as Colombians write it: "$ 12.500", "$ 1.250.000,50".
func (m Money) String() string {
	neg := m.Amount < 0
	a := m.Amount
	if neg {
		a = -a
	}
	whole, cents := a/100, a%100
	digits := strconv.FormatInt(whole, 10)
	var b strings.Builder
	if neg {
		b.WriteString("-")
	}
	b.WriteString("$ ")
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(d)
	}
	if cents != 0 {
		b.WriteString(",")
		if cents < 10 {
			b.WriteByte('0')
		}
		b.WriteString(strconv.FormatInt(cents, 10))
	}
	return b.String()
}
