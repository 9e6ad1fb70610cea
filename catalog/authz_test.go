package catalog_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/money"
)

// The catalog decides who may change it (the structure issue): nobody
// signed in is 401, an unknown initiative or product is 404, and the policy
// of accounts says who gets 403, whatever face (API, pages, demo) asks.
func TestCatalogDecidesWhoMayChangeIt(t *testing.T) {
	svc := newCatalog(t)
	bakery := newInitiative(t, svc, "Panadería de Papa", "Mongua")
	farm := newInitiative(t, svc, "Huerta La Esperanza", "Tópaga")
	bread, err := svc.CreateProduct(t.Context(), accounts.System, bakery.ID, catalog.ProductInput{Name: "Pan de papa", Price: money.Pesos(1500), Stock: stock(5)})
	if err != nil {
		t.Fatal(err)
	}
	producer := &accounts.Principal{UserID: "rosa", Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{bakery.ID}}
	stranger := &accounts.Principal{UserID: "ana", Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{farm.ID}}
	adviser := &accounts.Principal{UserID: "luz", Roles: []string{accounts.RoleAdviser}, InitiativeIDs: []string{bakery.ID}}
	buyer := &accounts.Principal{UserID: "bea", Roles: []string{accounts.RoleBuyer}}
	name := "Pan de papa grande"
	ops := map[string]func(p *accounts.Principal) error{
		"create product": func(p *accounts.Principal) error {
			_, err := svc.CreateProduct(t.Context(), p, bakery.ID, catalog.ProductInput{Name: "Almojábana", Price: money.Pesos(1000)})
			return err
		},
		"update product": func(p *accounts.Principal) error {
			_, err := svc.UpdateProduct(t.Context(), p, bread.ID, catalog.ProductUpdate{Name: &name})
			return err
		},
		"adjust stock": func(p *accounts.Principal) error {
			_, err := svc.AdjustStock(t.Context(), p, bread.ID, 1, "horneada", "")
			return err
		},
		"add photo": func(p *accounts.Principal) error {
			_, err := svc.AddProductImage(t.Context(), p, bread.ID, bytes.NewReader(nil))
			if errors.Is(err, errs.Unsupported) || errors.Is(err, errs.Invalid) {
				return nil // allowed: the empty upload is judged after the check
			}
			return err
		},
		"stock history": func(p *accounts.Principal) error {
			_, err := svc.StockHistory(t.Context(), p, bread.ID, "", 10)
			return err
		},
		"update initiative": func(p *accounts.Principal) error {
			_, err := svc.UpdateInitiative(t.Context(), p, bakery.ID, catalog.InitiativeUpdate{})
			return err
		},
		"list members": func(p *accounts.Principal) error {
			_, err := svc.Members(t.Context(), p, bakery.ID)
			return err
		},
		"create initiative": func(p *accounts.Principal) error {
			who := "nadie"
			if p != nil {
				who = p.UserID
			}
			_, err := svc.CreateInitiative(t.Context(), p, catalog.InitiativeInput{Name: "Arepas " + who, Municipality: "Segovia", Kind: "arepas", Description: "Arepas de maíz"})
			return err
		},
	}
	want := map[string]map[string]error{
		// op: producer, adviser, stranger, buyer
		"create product":    {"rosa": nil, "luz": errs.Forbidden, "ana": errs.Forbidden, "bea": errs.Forbidden},
		"update product":    {"rosa": nil, "luz": errs.Forbidden, "ana": errs.Forbidden, "bea": errs.Forbidden},
		"adjust stock":      {"rosa": nil, "luz": errs.Forbidden, "ana": errs.Forbidden, "bea": errs.Forbidden},
		"add photo":         {"rosa": nil, "luz": errs.Forbidden, "ana": errs.Forbidden, "bea": errs.Forbidden},
		"stock history":     {"rosa": nil, "luz": nil, "ana": errs.Forbidden, "bea": errs.Forbidden},
		"update initiative": {"rosa": nil, "luz": nil, "ana": errs.Forbidden, "bea": errs.Forbidden},
		"list members":      {"rosa": nil, "luz": nil, "ana": errs.Forbidden, "bea": errs.Forbidden},
		"create initiative": {"rosa": errs.Forbidden, "luz": nil, "ana": errs.Forbidden, "bea": errs.Forbidden},
	}
	for op, do := range ops {
		for _, p := range []*accounts.Principal{producer, adviser, stranger, buyer} {
			if err := do(p); !errors.Is(err, want[op][p.UserID]) || (want[op][p.UserID] == nil && err != nil) {
				t.Errorf("%s by %s: got %v, want %v", op, p.UserID, err, want[op][p.UserID])
			}
		}
		if err := do(nil); !errors.Is(err, errs.Unauthenticated) {
			t.Errorf("%s by nobody: got %v, want unauthenticated", op, err)
		}
	}
	if _, err := svc.UpdateProduct(t.Context(), producer, "no-such-product", catalog.ProductUpdate{Name: &name}); !errors.Is(err, errs.NotFound) {
		t.Errorf("update an unknown product: got %v, want not found", err)
	}
	if _, err := svc.CreateProduct(t.Context(), stranger, "no-such-initiative", catalog.ProductInput{Name: "X", Price: money.Pesos(1)}); !errors.Is(err, errs.NotFound) {
		t.Errorf("create in an unknown initiative: got %v, want not found (before forbidden)", err)
	}
}
