package fairs_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/fairs"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/orders"
)

func TestUndoneSaleLeavesTheTallyTheCashAndTheLedger(t *testing.T) {
	x := newFairToday(t)
	ctx := t.Context()
	keep := x.sale(orders.MethodCash, line(x.bread, 2))
	wrong := x.sale(orders.MethodCash, line(x.bread, 5), line(x.coffee, 1))
	if _, err := x.svc.SyncSales(ctx, x.rosa, x.fair.ID, []fairs.SaleInput{keep, wrong}); err != nil {
		t.Fatal(err)
	}
	soldAt, _ := time.Parse(time.RFC3339Nano, wrong.SoldAt)
	in := fairs.UndoInput{SoldAt: wrong.SoldAt, UndoneAt: soldAt.Add(2 * time.Minute).Format(time.RFC3339Nano)}
	if _, err := x.svc.UndoSale(ctx, x.ana, x.fair.ID, wrong.ClientID, in); !errors.Is(err, errs.Forbidden) && !errors.Is(err, errs.NotFound) {
		t.Fatalf("the farm's producer undoing the bakery's sale: %v, want forbidden or not found", err)
	}
	late := fairs.UndoInput{SoldAt: wrong.SoldAt, UndoneAt: soldAt.Add(fairs.UndoWindow + time.Second).Format(time.RFC3339Nano)}
	if _, err := x.svc.UndoSale(ctx, x.rosa, x.fair.ID, wrong.ClientID, late); !errors.Is(err, errs.Invalid) {
		t.Fatalf("undo after the window: %v, want invalid", err)
	}
	if _, err := x.svc.UndoSale(ctx, x.rosa, x.fair.ID, uuid(), in); !errors.Is(err, errs.NotFound) {
		t.Fatalf("undo of a sale never sent: %v, want not found", err)
	}
	for range 2 { // the phone retries until it hears back
		res, err := x.svc.UndoSale(ctx, x.rosa, x.fair.ID, wrong.ClientID, in)
		if err != nil || res.Status != "undone" || len(res.OrderIDs) != 1 {
			t.Fatalf("undo: %+v %v", res, err)
		}
		o, err := x.ord.Order(ctx, x.rosa, res.OrderIDs[0], "")
		if err != nil || o.Status != orders.StatusCancelled || o.Paid != 0 || len(o.Refunds) != 1 || o.Refunds[0].Amount != money.Pesos(8500) {
			t.Fatalf("undone order: %+v %v, want cancelled with its 8 500 pesos refunded", o, err)
		}
	}
	stock, err := x.svc.StockOf(ctx, x.rosa, x.fair.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range stock {
		if b.ProductID == x.bread.ID && (b.Sold != 2 || b.Left != 18) {
			t.Fatalf("bread at the fair: %+v, want 2 sold and 18 left", b)
		}
	}
	st, err := x.ord.StatementAll(ctx, x.rosa, x.bakery.ID)
	if err != nil || st.Sales.Amount-st.Refunds.Amount != money.Pesos(3000).Amount {
		t.Fatalf("ledger: %+v %v, want 3 000 pesos net", st, err)
	}
	counted := money.Pesos(3000)
	c, err := x.svc.Close(ctx, x.rosa, x.fair.ID, fairs.ClosingInput{InitiativeID: x.bakery.ID, CountedCash: &counted})
	if err != nil || c.Sales != 1 || c.CashSales != money.Pesos(3000) || c.CashRefunds.Amount != 0 || c.Difference.Amount != 0 {
		t.Fatalf("closing after the undo: %+v %v, want one sale of 3 000 pesos", c, err)
	}
	if _, err := x.svc.UndoSale(ctx, x.rosa, x.fair.ID, keep.ClientID, fairs.UndoInput{SoldAt: keep.SoldAt, UndoneAt: in.UndoneAt}); !errors.Is(err, errs.Conflict) {
		t.Fatalf("undo after the closing: %v, want conflict", err)
	}
}
