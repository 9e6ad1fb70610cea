package catalog

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/money"
)

// Categories of products, stored as stable codes and translated in the UI.
var Categories = []string{"bread_pastry", "prepared_food", "dairy", "produce", "fish", "crafts", "beauty", "services", "other"}

// Units a product is sold by (unidad, libra, kilo, docena, paquete, porción…).
var Units = []string{"unit", "pound", "kilo", "dozen", "package", "portion", "liter", "service"}

// Product is something an initiative sells.
type Product struct {
	ID           string      `bson:"_id" json:"id"`
	InitiativeID string      `bson:"initiative_id" json:"initiative_id"`
	Name         string      `bson:"name" json:"name"`
	Description  string      `bson:"description" json:"description"`
	Category     string      `bson:"category" json:"category"`
	Unit         string      `bson:"unit" json:"unit"`
	Price        money.Money `bson:"price" json:"price"`
	// Stock is the units on hand; nil means made to order (no stock kept).
	Stock     *int64    `bson:"stock" json:"stock"`
	Active    bool      `bson:"active" json:"active"`
	Images    []Image   `bson:"images" json:"images"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
	UpdatedAt time.Time `bson:"updated_at" json:"updated_at"`
	// Rev counts writes to the product's fields (not its stock); updates that
	// rewrite a list check it so that concurrent edits are not lost.
	Rev int64 `bson:"rev" json:"-"`

	// Copied from the initiative so that the public catalog filters without a join.
	Municipality   string `bson:"municipality" json:"municipality"`
	InitiativeName string `bson:"initiative_name" json:"initiative_name"`
	InitiativeSlug string `bson:"initiative_slug" json:"initiative_slug"`
}

// Image is a product photo: object keys of its renditions, metadata stripped.
type Image struct {
	ID     string `bson:"id" json:"id"`
	Full   string `bson:"full" json:"-"`
	Medium string `bson:"medium" json:"-"`
	Thumb  string `bson:"thumb" json:"-"`
	Width  int    `bson:"width" json:"width"`
	Height int    `bson:"height" json:"height"`
	// URLs are filled when the product is served.
	FullURL   string `bson:"-" json:"url,omitempty"`
	MediumURL string `bson:"-" json:"medium_url,omitempty"`
	ThumbURL  string `bson:"-" json:"thumb_url,omitempty"`
}

// InStock reports whether n units can be sold now.
func (p Product) InStock(n int64) bool { return p.Stock == nil || *p.Stock >= n }

// ProductInput is what a producer sets when creating or replacing a product.
type ProductInput struct {
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Category    string      `json:"category"`
	Unit        string      `json:"unit"`
	Price       money.Money `json:"price"`
	Stock       *int64      `json:"stock"`
}

// ProductUpdate changes some fields; nil ones stay. Stock is not here: it
// changes only through adjustments, which keep its history.
type ProductUpdate struct {
	Name        *string      `json:"name,omitempty"`
	Description *string      `json:"description,omitempty"`
	Category    *string      `json:"category,omitempty"`
	Unit        *string      `json:"unit,omitempty"`
	Price       *money.Money `json:"price,omitempty"`
	Active      *bool        `json:"active,omitempty"`
	// MadeToOrder switches between keeping stock (false) and made to order (true).
	MadeToOrder *bool `json:"made_to_order,omitempty"`
}

// maxStockDelta bounds stock and its changes: more is a typo, and it keeps sums far from overflow.
const maxStockDelta = 1_000_000

// maxPrice is a sanity bound: $ 100.000.000 for one unit is a typo.
const maxPrice = 100_000_000 * 100

func (in *ProductInput) normalize() error {
	var f errs.Fields
	in.Name = clean.Line(in.Name)
	in.Description = clean.Text(in.Description)
	switch n := utf8.RuneCountInString(in.Name); {
	case n < 2:
		f.Add("name", errs.CodeTooShort, "must have at least 2 characters", "min", 2)
	case n > 120:
		f.Add("name", errs.CodeTooLong, "must have at most 120 characters", "max", 120)
	}
	if utf8.RuneCountInString(in.Description) > 2000 {
		f.Add("description", errs.CodeTooLong, "must have at most 2000 characters", "max", 2000)
	}
	if in.Category == "" {
		in.Category = "other"
	}
	if !slices.Contains(Categories, in.Category) {
		f.Add("category", errs.CodeUnknown, "must be one of "+strings.Join(Categories, ", "))
	}
	if in.Unit == "" {
		in.Unit = "unit"
	}
	if !slices.Contains(Units, in.Unit) {
		f.Add("unit", errs.CodeUnknown, "must be one of "+strings.Join(Units, ", "))
	}
	checkPrice(&f, &in.Price)
	if in.Stock != nil && (*in.Stock < 0 || *in.Stock > maxStockDelta) {
		f.Add("stock", errs.CodeOutOfRange, "must be from 0 to 1000000, or null for made to order", "min", 0, "max", 1000000)
	}
	return f.Err()
}

func checkPrice(f *errs.Fields, p *money.Money) {
	if p.Currency == "" {
		p.Currency = money.COP
	}
	switch {
	case p.Currency != money.COP:
		f.Add("price.currency", errs.CodeInvalid, "must be COP")
	case p.Amount <= 0:
		f.Add("price.amount", errs.CodeOutOfRange, "must be more than 0", "min", 1)
	case p.Amount > maxPrice:
		f.Add("price.amount", errs.CodeOutOfRange, "is too large")
	case p.Amount%100 != 0:
		f.Add("price.amount", errs.CodeInvalid, "must be whole pesos (minor units: 12500 pesos = 1250000)")
	}
}
