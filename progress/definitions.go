package progress

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/errs"
)

// The programme's milestone definitions: one document
// (progress_definitions/programme, a listDoc) admins edit, seeded with
// DefaultDefinitions the first time it is read. Automatic ones keep their
// rule (admins change N, names, whether it can be lost, whether it is in
// use); admins add manual ones.

// Definition is a milestone as the programme defines it.
type Definition struct {
	Code string `bson:"code" json:"code"`
	Kind string `bson:"kind" json:"kind"`
	// Rule is an automatic milestone's rule (one of Rules).
	Rule string `bson:"rule,omitempty" json:"rule,omitempty"`
	// N is the rule's number: months, buyers or topics.
	N int `bson:"n,omitempty" json:"n,omitempty"`
	// NameES and NameEN name it; "{n}" in a name stands for N.
	NameES string `bson:"name_es,omitempty" json:"name_es,omitempty"`
	NameEN string `bson:"name_en,omitempty" json:"name_en,omitempty"`
	// Losable: held only while its rule holds in the last complete month.
	Losable bool `bson:"losable" json:"losable"`
	Active  bool `bson:"active" json:"active"`
}

// DefaultDefinitions are the milestones the programme starts with, in the
// order pages show them.
var DefaultDefinitions = []Definition{
	{Code: "first_sale", Kind: KindAuto, Rule: RuleFirstSale, Active: true, NameES: "Primera venta", NameEN: "First sale"},
	{Code: "first_fair", Kind: KindAuto, Rule: RuleFirstFair, Active: true, NameES: "Primera feria", NameEN: "First fair"},
	{Code: "three_months_selling", Kind: KindAuto, Rule: RuleMonthsSelling, N: 3, Active: true,
		NameES: "Ventas {n} meses seguidos", NameEN: "Sales {n} months running"},
	{Code: "sales_target", Kind: KindAuto, Rule: RuleTargetMonths, N: 3, Losable: true, Active: true,
		NameES: "Ventas iguales o mayores a la meta {n} meses seguidos", NameEN: "Sales at or above the target {n} months running"},
	{Code: "repeat_buyers", Kind: KindAuto, Rule: RuleRepeatBuyers, N: 5, Active: true,
		NameES: "{n} clientes que vuelven a comprar", NameEN: "{n} returning buyers"},
	{Code: "books_kept", Kind: KindAuto, Rule: RuleBooksKept, N: 3, Active: true,
		NameES: "Gastos anotados {n} meses seguidos con margen positivo", NameEN: "Expenses written down {n} months running with a positive margin"},
	{Code: "trained", Kind: KindAuto, Rule: RuleTrained, N: 4, Active: true, NameES: "Asesoría en {n} temas", NameEN: "Advice in {n} topics"},
	{Code: "rut", Kind: KindManual, Active: true, NameES: "RUT", NameEN: "RUT (tax register)"},
	{Code: "chamber_of_commerce", Kind: KindManual, Active: true, NameES: "Registro en la Cámara de Comercio", NameEN: "Chamber of Commerce registration"},
	{Code: "invima", Kind: KindManual, Active: true, NameES: "Registro sanitario INVIMA (alimentos)", NameEN: "INVIMA sanitary registration (food)"},
	{Code: "account", Kind: KindManual, Active: true, NameES: "Cuenta bancaria o Nequi", NameEN: "A bank or Nequi account"},
	{Code: "savings", Kind: KindManual, Active: true, NameES: "Hábito de ahorro", NameEN: "A savings habit"},
}

// Name is the definition's name in lang ("en", else Spanish), its number
// written where the name says {n}.
func (d Definition) Name(lang string) string {
	name := d.NameES
	if lang == "en" && d.NameEN != "" {
		name = d.NameEN
	}
	return strings.ReplaceAll(name, "{n}", strconv.Itoa(d.N))
}

func (s *Service) definitionList() listDoc[Definition] {
	return listDoc[Definition]{coll: s.definitions, id: "programme", name: "milestone definitions",
		defaults: func() []Definition { return slices.Clone(DefaultDefinitions) }}
}

// Definitions answers the programme's milestones, in order (any signed-in
// user: pages name them).
func (s *Service) Definitions(ctx context.Context) ([]Definition, error) {
	doc, err := s.definitionList().read(ctx)
	return doc.Defs, err
}

// DefinitionInput adds a manual milestone (code, names) or changes one
// (nil fields stay).
type DefinitionInput struct {
	Code    string  `json:"code,omitempty"`
	NameES  *string `json:"name_es,omitempty"`
	NameEN  *string `json:"name_en,omitempty"`
	N       *int    `json:"n,omitempty"`
	Losable *bool   `json:"losable,omitempty"`
	Active  *bool   `json:"active,omitempty"`
}

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// AddDefinition adds a manual milestone (admins).
func (s *Service) AddDefinition(ctx context.Context, p *accounts.Principal, in DefinitionInput) (Definition, error) {
	if !p.IsAdmin() {
		return Definition{}, denied(p, "milestone definitions")
	}
	var fe errs.Fields
	if !codePattern.MatchString(in.Code) {
		fe.Add("code", errs.CodeInvalid, "must be 2 to 40 lowercase letters, digits or _, starting with a letter")
	}
	d := Definition{Code: in.Code, Kind: KindManual, Active: true}
	if in.NameES == nil || in.NameEN == nil {
		fe.Add("name_es", errs.CodeRequired, "a new milestone needs its names in Spanish and English")
	}
	applyDefinition(&d, in, &fe)
	if err := fe.Err(); err != nil {
		return Definition{}, err
	}
	err := s.definitionList().change(ctx, func(defs []Definition) ([]Definition, error) {
		if slices.ContainsFunc(defs, func(x Definition) bool { return x.Code == d.Code }) {
			return nil, fmt.Errorf("milestone %s exists: %w", d.Code, errs.Conflict)
		}
		return append(defs, d), nil
	})
	if err != nil {
		return Definition{}, err
	}
	return d, s.allMilestonesChanged(ctx)
}

// UpdateDefinition changes a milestone's names, number, losability or use (admins).
func (s *Service) UpdateDefinition(ctx context.Context, p *accounts.Principal, code string, in DefinitionInput) (Definition, error) {
	if !p.IsAdmin() {
		return Definition{}, denied(p, "milestone definitions")
	}
	var out Definition
	err := s.definitionList().change(ctx, func(defs []Definition) ([]Definition, error) {
		i := slices.IndexFunc(defs, func(x Definition) bool { return x.Code == code })
		if i < 0 {
			return nil, fmt.Errorf("milestone %s: %w", code, errs.NotFound)
		}
		var fe errs.Fields
		applyDefinition(&defs[i], in, &fe)
		if err := fe.Err(); err != nil {
			return nil, err
		}
		out = defs[i]
		return defs, nil
	})
	if err != nil {
		return Definition{}, err
	}
	return out, s.allMilestonesChanged(ctx)
}

func applyDefinition(d *Definition, in DefinitionInput, fe *errs.Fields) {
	name := func(field string, v *string, to *string) {
		if v == nil {
			return
		}
		n := clean.Text(*v)
		if n == "" || utf8.RuneCountInString(n) > 80 {
			fe.Add(field, errs.CodeInvalid, "must be 1 to 80 characters", "max", 80)
		}
		*to = n
	}
	name("name_es", in.NameES, &d.NameES)
	name("name_en", in.NameEN, &d.NameEN)
	if in.N != nil {
		if d.Kind != KindAuto || d.Rule == RuleFirstSale || d.Rule == RuleFirstFair {
			fe.Add("n", errs.CodeInvalid, "this milestone has no number")
		} else if *in.N < 1 || *in.N > 100 {
			fe.Add("n", errs.CodeOutOfRange, "must be from 1 to 100", "min", 1, "max", 100)
		}
		d.N = *in.N
	}
	if in.Losable != nil {
		if d.Kind != KindAuto && *in.Losable {
			fe.Add("losable", errs.CodeInvalid, "only automatic milestones can be lost again")
		}
		d.Losable = *in.Losable
	}
	if in.Active != nil {
		d.Active = *in.Active
	}
}
