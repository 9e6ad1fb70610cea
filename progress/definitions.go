package progress

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// The programme's milestone definitions: one document
// (progress_definitions/programme) admins edit, seeded with
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
	// NameES and NameEN name it; empty for the seeded ones until an admin
	// renames them (pages then use their own wording).
	NameES string `bson:"name_es,omitempty" json:"name_es,omitempty"`
	NameEN string `bson:"name_en,omitempty" json:"name_en,omitempty"`
	// Losable: held only while its rule holds in the last complete month.
	Losable bool `bson:"losable" json:"losable"`
	Active  bool `bson:"active" json:"active"`
}

// DefaultDefinitions are the milestones the programme starts with, in the
// order pages show them.
var DefaultDefinitions = []Definition{
	{Code: "first_sale", Kind: KindAuto, Rule: RuleFirstSale, Active: true},
	{Code: "first_fair", Kind: KindAuto, Rule: RuleFirstFair, Active: true},
	{Code: "three_months_selling", Kind: KindAuto, Rule: RuleMonthsSelling, N: 3, Active: true},
	{Code: "sales_target", Kind: KindAuto, Rule: RuleTargetMonths, N: 3, Losable: true, Active: true},
	{Code: "repeat_buyers", Kind: KindAuto, Rule: RuleRepeatBuyers, N: 5, Active: true},
	{Code: "books_kept", Kind: KindAuto, Rule: RuleBooksKept, N: 3, Active: true},
	{Code: "trained", Kind: KindAuto, Rule: RuleTrained, N: 4, Active: true},
	{Code: "rut", Kind: KindManual, Active: true},
	{Code: "chamber_of_commerce", Kind: KindManual, Active: true},
	{Code: "invima", Kind: KindManual, Active: true},
	{Code: "account", Kind: KindManual, Active: true},
	{Code: "savings", Kind: KindManual, Active: true},
}

const definitionsID = "programme"

type definitionsDoc struct {
	ID   string       `bson:"_id"`
	Defs []Definition `bson:"defs"`
	Rev  int64        `bson:"rev"`
}

// Definitions answers the programme's milestones, in order (any signed-in
// user: pages name them).
func (s *Service) Definitions(ctx context.Context) ([]Definition, error) {
	doc, err := s.readDefinitions(ctx)
	return doc.Defs, err
}

func (s *Service) readDefinitions(ctx context.Context) (definitionsDoc, error) {
	var doc definitionsDoc
	err := s.definitions.FindOne(ctx, bson.M{"_id": definitionsID}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return definitionsDoc{ID: definitionsID, Defs: slices.Clone(DefaultDefinitions)}, nil
	}
	if err != nil {
		return doc, storage.Err("milestone definitions", err)
	}
	return doc, nil
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
	return d, s.changeDefinitions(ctx, func(defs []Definition) ([]Definition, error) {
		if slices.ContainsFunc(defs, func(x Definition) bool { return x.Code == d.Code }) {
			return nil, fmt.Errorf("milestone %s exists: %w", d.Code, errs.Conflict)
		}
		return append(defs, d), nil
	})
}

// UpdateDefinition changes a milestone's names, number, losability or use (admins).
func (s *Service) UpdateDefinition(ctx context.Context, p *accounts.Principal, code string, in DefinitionInput) (Definition, error) {
	if !p.IsAdmin() {
		return Definition{}, denied(p, "milestone definitions")
	}
	var out Definition
	err := s.changeDefinitions(ctx, func(defs []Definition) ([]Definition, error) {
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
	return out, err
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

// changeDefinitions applies change to the definitions in one update
// guarded on their revision (two admins at once: the second reads again).
func (s *Service) changeDefinitions(ctx context.Context, change func([]Definition) ([]Definition, error)) error {
	for range maxRetries {
		doc, err := s.readDefinitions(ctx)
		if err != nil {
			return err
		}
		defs, err := change(slices.Clone(doc.Defs))
		if err != nil {
			return err
		}
		filter := bson.M{"_id": definitionsID, "rev": doc.Rev}
		res, err := s.definitions.UpdateOne(ctx, filter, bson.M{"$set": bson.M{"defs": defs, "rev": doc.Rev + 1}},
			options.Update().SetUpsert(doc.Rev == 0))
		if storage.IsDuplicateKey(err) || (err == nil && res.MatchedCount+res.UpsertedCount == 0) {
			continue
		}
		return storage.Err("milestone definitions", err)
	}
	return fmt.Errorf("milestone definitions keep changing: %w", errs.Conflict)
}
