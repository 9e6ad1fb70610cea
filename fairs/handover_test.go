package fairs_test

import (
	"errors"
	"testing"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/fairs"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/orders"
)

// A shared table's cashier sells for the bakery and the farm; at the end
// she hands each its cash (the bakery 500 pesos short), each producer
// confirms, and each initiative's closing counts what it was handed, not
// what the table took. Only the cashier hands over, only the initiative's
// producer confirms, and a confirmed hand-over is final.
func TestSharedTableHandsOverCash(t *testing.T) {
	x := newFairToday(t)
	ctx := t.Context()
	lucia := &accounts.Principal{UserID: "lucia", Roles: []string{accounts.RoleAdviser}}
	tbl, err := x.svc.AddTable(ctx, accounts.System, x.fair.ID, fairs.TableInput{Name: "Mesa común", CashierID: lucia.UserID,
		Initiatives: []string{x.bakery.ID, x.farm.ID}})
	if err != nil {
		t.Fatal(err)
	}
	atTable := x.sale(orders.MethodCash, line(x.bread, 2), line(x.tomato, 1)) // 3 000 + 2 800
	atTable.TableID = tbl.ID
	inferred := x.sale(orders.MethodCash, line(x.bread, 1)) // 1 500: the table is inferred
	nequi := x.sale(orders.MethodNequi, line(x.tomato, 2))  // not cash: nothing to hand
	nequi.TableID = tbl.ID
	own := x.sale(orders.MethodCash, line(x.bread, 4)) // 6 000 at the bakery's own stand
	if res, err := x.svc.SyncSales(ctx, lucia, x.fair.ID, []fairs.SaleInput{atTable, inferred, nequi}); err != nil || res[0].Status != fairs.SaleCreated ||
		res[1].Status != fairs.SaleCreated || res[2].Status != fairs.SaleCreated {
		t.Fatalf("table sales: %+v %v", res, err)
	}
	if _, err := x.svc.SyncSales(ctx, x.rosa, x.fair.ID, []fairs.SaleInput{own}); err != nil {
		t.Fatal(err)
	}
	bad := x.sale(orders.MethodCash, line(x.bread, 1))
	bad.TableID = tbl.ID
	if res, _ := x.svc.SyncSales(ctx, x.rosa, x.fair.ID, []fairs.SaleInput{bad}); res[0].Code != fairs.RejectTable {
		t.Fatalf("a producer selling at a table she does not keep: %+v, want %s", res, fairs.RejectTable)
	}
	cash, err := x.svc.TableCashOf(ctx, lucia, x.fair.ID, tbl.ID)
	if err != nil || len(cash.Handovers) != 2 || cash.ExpectedCash != money.Pesos(3000+2800+1500) {
		t.Fatalf("the table's cash: %+v %v, want 7 300 pesos for two initiatives", cash, err)
	}
	if _, err := x.svc.HandOver(ctx, x.rosa, x.fair.ID, tbl.ID, x.bakery.ID, fairs.HandoverInput{Amount: money.Pesos(4500)}); !errors.Is(err, errs.Forbidden) {
		t.Fatalf("a producer handing over the table's cash: %v, want forbidden", err)
	}
	if _, err := x.svc.ConfirmHandover(ctx, x.rosa, x.fair.ID, tbl.ID, x.bakery.ID); !errors.Is(err, errs.Conflict) {
		t.Fatalf("confirming before anything was handed: %v, want conflict", err)
	}
	h, err := x.svc.HandOver(ctx, lucia, x.fair.ID, tbl.ID, x.bakery.ID, fairs.HandoverInput{Amount: money.Pesos(4000), Notes: "Faltan 500"})
	if err != nil || h.Expected != money.Pesos(4500) || h.Difference != money.Pesos(-500) || h.HandedBy != "lucia" {
		t.Fatalf("hand-over to the bakery: %+v %v", h, err)
	}
	if _, err := x.svc.HandOver(ctx, lucia, x.fair.ID, tbl.ID, x.farm.ID, fairs.HandoverInput{Amount: money.Pesos(2800)}); err != nil {
		t.Fatal(err)
	}
	if _, err := x.svc.ConfirmHandover(ctx, x.ana, x.fair.ID, tbl.ID, x.bakery.ID); !errors.Is(err, errs.Forbidden) {
		t.Fatalf("the farm's producer confirming the bakery's: %v, want forbidden", err)
	}
	for range 2 {
		h, err = x.svc.ConfirmHandover(ctx, x.rosa, x.fair.ID, tbl.ID, x.bakery.ID)
		if err != nil || h.ReceivedBy != x.rosa.UserID || h.ReceivedAt == nil {
			t.Fatalf("confirming: %+v %v", h, err)
		}
	}
	if _, err := x.svc.HandOver(ctx, lucia, x.fair.ID, tbl.ID, x.bakery.ID, fairs.HandoverInput{Amount: money.Pesos(4500)}); !errors.Is(err, errs.Conflict) {
		t.Fatalf("changing a confirmed hand-over: %v, want conflict", err)
	}
	counted := money.Pesos(6000 + 4000)
	c, err := x.svc.Close(ctx, x.rosa, x.fair.ID, fairs.ClosingInput{InitiativeID: x.bakery.ID, CountedCash: &counted})
	if err != nil || c.TableCash != money.Pesos(4500) || c.HandedOver != money.Pesos(4000) || c.ExpectedCash != counted ||
		c.Difference.Amount != 0 || len(c.Handovers) != 1 || c.Handovers[0].Table != "Mesa común" {
		t.Fatalf("the bakery's closing: %+v %v, want the 4 000 handed counted, no difference", c, err)
	}
	// The farm has not confirmed: its box lacks the table's cash until it does.
	farm, err := x.svc.Expected(ctx, x.ana, x.fair.ID, x.farm.ID)
	if err != nil || farm.TableCash != money.Pesos(2800) || farm.HandedOver.Amount != 0 || farm.ExpectedCash.Amount != 0 {
		t.Fatalf("the farm before confirming: %+v %v", farm, err)
	}
	mine, err := x.svc.TableCashOf(ctx, x.ana, x.fair.ID, tbl.ID)
	if err != nil || len(mine.Handovers) != 1 || mine.Handovers[0].InitiativeID != x.farm.ID {
		t.Fatalf("the farm's producer sees: %+v %v, want only its hand-over", mine, err)
	}
}
