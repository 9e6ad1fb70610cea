package fairs

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/money"
)

// Till is what a point of sale needs to sell at a fair, offline too: for
// each initiative the seller takes sales for, its products with the price
// charged and the units the fair still holds. The phone keeps a copy.
type Till struct {
	Fair        Summary          `json:"fair"`
	Venue       string           `json:"venue,omitempty"`
	Initiatives []TillInitiative `json:"initiatives"`
	// Table is the shared table this till sells at (its sales carry its
	// id); Tables are every table the seller keeps at the fair.
	Table  *TableRef  `json:"table,omitempty"`
	Tables []TableRef `json:"tables"`
}

// TableRef names a shared table.
type TableRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// TillInitiative is one initiative at the till; Closed once its cash
// closed (it sells no more here).
type TillInitiative struct {
	ID       string        `json:"id"`
	Name     string        `json:"name"`
	Closed   bool          `json:"closed"`
	Products []TillProduct `json:"products"`
}

// TillProduct is a product on sale; Left is nil for what is made to order.
type TillProduct struct {
	ID    string      `json:"id"`
	Name  string      `json:"name"`
	Unit  string      `json:"unit,omitempty"`
	Price money.Money `json:"price"`
	Left  *int64      `json:"left"`
	// Thumb is the object key of its first photo's thumbnail ("" without).
	Thumb string `json:"-"`
	// Photo is the URL of a small rendition, set by whoever serves them.
	Photo string `json:"photo,omitempty"`
}

// Till answers the fair's till for p: the producers of an initiative at the
// fair, a shared table's cashier, admins. Products with stock kept but none
// brought are on it too (a sale of them is flagged, not refused). With a
// table (or for a cashier who sells for no initiative of her own), the
// till is that table's: its initiatives only.
func (s *Service) Till(ctx context.Context, p *accounts.Principal, fairID, tableID string) (Till, error) {
	if p == nil {
		return Till{}, errs.Unauthenticated
	}
	if s.catalog == nil {
		return Till{}, errors.New("fairs: no catalog")
	}
	f, err := s.Fair(ctx, fairID)
	if err != nil {
		return Till{}, err
	}
	if !sellsAt(p, f) {
		return Till{}, denied(p, "till of fair "+fairID)
	}
	sold, err := s.soldAtFair(ctx, f)
	if err != nil {
		return Till{}, err
	}
	t := Till{Fair: f.summary(), Venue: f.Venue, Initiatives: []TillInitiative{}, Tables: []TableRef{}}
	mine := f.TablesOf(p)
	for _, tb := range mine {
		t.Tables = append(t.Tables, TableRef{ID: tb.ID, Name: tb.Name})
	}
	own := p.IsAdmin()
	for id := range f.Participants {
		own = own || (f.Accepts(id) && slices.Contains(p.ProducerInitiatives(), id))
	}
	var table *Table
	switch tb, ok := f.Tables[tableID]; {
	case tableID != "" && (!ok || (tb.CashierID != p.UserID && !p.IsAdmin())):
		return Till{}, fmt.Errorf("table %s of fair %s: %w", tableID, fairID, errs.NotFound)
	case tableID != "":
		table = &tb
	case !own && len(mine) > 0:
		table = &mine[0]
	}
	if table != nil {
		t.Table = &TableRef{ID: table.ID, Name: table.Name}
	}
	for _, id := range sortedKeys(f.Participants) {
		if !canSellFor(p, f, id) || (table != nil && !slices.Contains(table.Initiatives, id)) {
			continue
		}
		if table == nil && !p.IsAdmin() && !slices.Contains(p.ProducerInitiatives(), id) {
			continue // sold for at its table only
		}
		products, err := s.catalog.InitiativeProducts(ctx, accounts.System, id)
		if errors.Is(err, errs.NotFound) {
			continue // removed since it joined
		}
		if err != nil {
			return Till{}, err
		}
		ti := TillInitiative{ID: id, Closed: f.Closings[id] != nil, Products: []TillProduct{}}
		for _, pr := range products {
			ti.Name = pr.InitiativeName
			if !pr.Active {
				continue
			}
			tp := TillProduct{ID: pr.ID, Name: pr.Name, Unit: pr.Unit, Price: pr.Price}
			if pr.Stock != nil {
				left := f.Stock[pr.ID].Brought - sold[pr.ID]
				tp.Left = &left
			}
			if len(pr.Images) > 0 {
				tp.Thumb = pr.Images[0].Thumb
			}
			ti.Products = append(ti.Products, tp)
		}
		if ti.Name == "" {
			if in, err := s.catalog.Initiative(ctx, id); err == nil {
				ti.Name = in.Name
			}
		}
		t.Initiatives = append(t.Initiatives, ti)
	}
	return t, nil
}

// WithPhotos names each product's photo under prefix (the route serving
// miniatures of stored renditions).
func (t Till) WithPhotos(prefix string) Till {
	for i := range t.Initiatives {
		for j, p := range t.Initiatives[i].Products {
			if p.Thumb != "" {
				t.Initiatives[i].Products[j].Photo = prefix + p.Thumb
			}
		}
	}
	return t
}

// SellsHere says whether p takes sales at the fair (its till opens for p).
func (f Fair) SellsHere(p *accounts.Principal) bool { return p != nil && sellsAt(p, f) }
