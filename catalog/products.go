package catalog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/storage"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/errs"
)

// MaxImagesPerProduct keeps product pages light.
const MaxImagesPerProduct = 5

// CreateProduct adds a product to an initiative.
func (s *Service) CreateProduct(ctx context.Context, who *accounts.Principal, initiativeID string, in ProductInput) (Product, error) {
	ini, err := s.allowInitiative(ctx, who, initiativeID, accounts.CanEditProducts)
	if err != nil {
		return Product{}, err
	}
	if err := in.normalize(); err != nil {
		return Product{}, err
	}
	now := s.now()
	p := Product{
		ID: storage.NewID(), InitiativeID: ini.ID, Name: in.Name, Description: in.Description, Category: in.Category,
		Unit: in.Unit, Price: in.Price, Stock: in.Stock, Active: true, Images: []Image{},
		CreatedAt: now, UpdatedAt: now, Municipality: ini.Municipality, InitiativeName: ini.Name, InitiativeSlug: ini.Slug,
	}
	if err := s.products.insert(ctx, p); err != nil {
		return Product{}, err
	}
	if p.Stock != nil && *p.Stock > 0 {
		// The history explains every unit, the first ones too.
		first := StockMove{ProductID: p.ID, InitiativeID: p.InitiativeID, At: now, Delta: *p.Stock,
			Reason: "Existencias iniciales", Kind: MoveInitial, ResultingStock: p.Stock}
		if err := s.recordMove(ctx, first); err != nil {
			return Product{}, err
		}
	}
	return s.withURLs(p), s.productsChanged(ctx)
}

// Product reads one product from the database (exact stock), active or not.
func (s *Service) Product(ctx context.Context, id string) (Product, error) {
	p, err := s.products.get(ctx, id)
	return s.withURLs(p), err
}

// PublicProduct returns an active product from the snapshot (fast, stock may
// lag by a second), or errs.NotFound.
func (s *Service) PublicProduct(ctx context.Context, id string) (Product, error) {
	snap, err := s.publicSnapshot(ctx)
	if err != nil {
		return Product{}, err
	}
	p, ok := snap.byID[id]
	if !ok {
		return Product{}, fmt.Errorf("product %s: %w", id, errs.NotFound)
	}
	return *p, nil
}

// InitiativeProducts lists all products of an initiative, archived included,
// newest first: the producer's own view.
func (s *Service) InitiativeProducts(ctx context.Context, who *accounts.Principal, initiativeID string) ([]Product, error) {
	if _, err := s.allowInitiative(ctx, who, initiativeID, accounts.CanSeeInitiativePrivate); err != nil {
		return nil, err
	}
	list, err := s.products.byInitiative(ctx, initiativeID)
	for i := range list {
		list[i] = s.withURLs(list[i])
	}
	return list, err
}

// UpdateProduct changes a product's fields; the whole result is validated.
// It writes against the revision it read, so concurrent edits are not lost.
func (s *Service) UpdateProduct(ctx context.Context, who *accounts.Principal, id string, up ProductUpdate) (Product, error) {
	if _, err := s.allowProduct(ctx, who, id, accounts.CanEditProducts); err != nil {
		return Product{}, err
	}
	return s.updateProduct(ctx, id, up)
}

func (s *Service) updateProduct(ctx context.Context, id string, up ProductUpdate) (Product, error) {
	var p Product
	err := retryStale(func() error {
		cur, err := s.products.get(ctx, id)
		if err != nil {
			return err
		}
		in := ProductInput{Name: cur.Name, Description: cur.Description, Category: cur.Category, Unit: cur.Unit, Price: cur.Price}
		for dst, src := range map[*string]*string{&in.Name: up.Name, &in.Description: up.Description, &in.Category: up.Category, &in.Unit: up.Unit} {
			if src != nil {
				*dst = *src
			}
		}
		if up.Price != nil {
			in.Price = *up.Price
		}
		if err := in.normalize(); err != nil {
			return err
		}
		set := bson.M{"name": in.Name, "description": in.Description, "category": in.Category, "unit": in.Unit,
			"price": in.Price, "updated_at": s.now()}
		if up.Active != nil {
			set["active"] = *up.Active
		}
		if up.MadeToOrder != nil {
			switch {
			case *up.MadeToOrder:
				set["stock"] = nil
			case cur.Stock == nil:
				set["stock"] = int64(0) // starts counting from zero; adjustments add what is on hand
			}
		}
		before := cur.Stock
		if p, err = s.products.set(ctx, id, &cur.Rev, set); err != nil {
			return err
		}
		if before != nil && *before > 0 && p.Stock == nil {
			// The units it had leave the history explained, not silently.
			m := StockMove{ProductID: id, InitiativeID: p.InitiativeID, At: s.now(), Delta: -*before,
				Reason: "Pasó a bajo pedido", Kind: MoveMadeToOrder}
			if err := s.recordMove(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Product{}, err
	}
	return s.withURLs(p), s.productsChanged(ctx)
}

// ArchiveProduct takes a product off the marketplace; its orders keep it.
func (s *Service) ArchiveProduct(ctx context.Context, who *accounts.Principal, id string) error {
	off := false
	_, err := s.UpdateProduct(ctx, who, id, ProductUpdate{Active: &off})
	return err
}

// AdjustStock is a producer's counted change of stock, with its reason. A
// key (the client's Idempotency-Key, bound to who sends it) makes it happen
// once: the same key with the same change answers the move already made,
// marked Replayed; with another change it is a field error.
func (s *Service) AdjustStock(ctx context.Context, who *accounts.Principal, productID string, delta int64, reason, key string) (StockMove, error) {
	if _, err := s.allowProduct(ctx, who, productID, accounts.CanEditProducts); err != nil {
		return StockMove{}, err
	}
	m := StockMove{ProductID: productID, ActorID: who.UserID, Delta: delta, Reason: reason, Kind: MoveAdjustment}
	if key == "" {
		return s.ApplyStockMove(ctx, m)
	}
	sum := sha256.Sum256([]byte(who.UserID + "\x00" + key))
	m.Key = "adjust:" + hex.EncodeToString(sum[:16])
	made, err := s.ApplyStockMove(ctx, m)
	if !errors.Is(err, errs.Conflict) {
		return made, err
	}
	prior, perr := s.StockMoveByKey(ctx, m.Key)
	if errors.Is(perr, errs.NotFound) {
		return StockMove{}, err // refused for stock, or the first try is still on its way
	}
	if perr != nil {
		return StockMove{}, perr
	}
	if prior.ProductID != productID || prior.Delta != delta || prior.Reason != clean.Line(reason) {
		var f errs.Fields
		f.Add("Idempotency-Key", errs.CodeTaken, "was already used for another stock adjustment: use a new key for a new one")
		return StockMove{}, f.Err()
	}
	prior.Replayed = true
	return prior, nil
}

// AddProductImage processes an upload (type sniffed, metadata stripped,
// resized), stores its renditions under content-addressed keys and adds it.
func (s *Service) AddProductImage(ctx context.Context, who *accounts.Principal, productID string, r io.Reader) (Image, error) {
	if _, err := s.allowProduct(ctx, who, productID, accounts.CanEditProducts); err != nil {
		return Image{}, err
	}
	pi, err := ProcessImage(r)
	if err != nil {
		return Image{}, err
	}
	return s.addProcessedImage(ctx, productID, pi)
}

// AddProcessedImage adds an image processed before (the demo loader reuses
// its renditions instead of processing the same drawing again).
func (s *Service) AddProcessedImage(ctx context.Context, who *accounts.Principal, productID string, pi ProcessedImage) (Image, error) {
	if _, err := s.allowProduct(ctx, who, productID, accounts.CanEditProducts); err != nil {
		return Image{}, err
	}
	return s.addProcessedImage(ctx, productID, pi)
}

func (s *Service) addProcessedImage(ctx context.Context, productID string, pi ProcessedImage) (Image, error) {
	img, err := s.storeImage(ctx, pi)
	if err != nil {
		return Image{}, err
	}
	err = retryStale(func() error {
		p, err := s.products.get(ctx, productID)
		if err != nil {
			return err
		}
		if err := roomForImage(p.Images, MaxImagesPerProduct, "a product"); err != nil {
			return err
		}
		_, err = s.products.set(ctx, productID, &p.Rev, bson.M{"images": append(p.Images, img), "updated_at": s.now()})
		return err
	})
	if err != nil {
		return Image{}, err
	}
	return s.imageURLs(img), s.productsChanged(ctx)
}

// RemoveProductImage takes a photo off a product. The stored files stay:
// keys are content-addressed and may be shared.
func (s *Service) RemoveProductImage(ctx context.Context, who *accounts.Principal, productID, imageID string) error {
	if _, err := s.allowProduct(ctx, who, productID, accounts.CanEditProducts); err != nil {
		return err
	}
	err := retryStale(func() error {
		p, err := s.products.get(ctx, productID)
		if err != nil {
			return err
		}
		kept, err := withoutImage(p.Images, imageID)
		if err != nil {
			return err
		}
		_, err = s.products.set(ctx, productID, &p.Rev, bson.M{"images": kept, "updated_at": s.now()})
		return err
	})
	if err != nil {
		return err
	}
	return s.productsChanged(ctx)
}

func (s *Service) storeImage(ctx context.Context, pi ProcessedImage) (Image, error) {
	img := Image{ID: storage.NewID(), Width: pi.Full.Width, Height: pi.Full.Height}
	for _, rend := range []struct {
		dst *string
		r   Rendition
	}{{&img.Full, pi.Full}, {&img.Medium, pi.Medium}, {&img.Thumb, pi.Thumb}} {
		ext := ".jpg"
		if rend.r.ContentType == "image/png" {
			ext = ".png"
		}
		key := ImageKey(rend.r.Data, ext)
		if _, err := s.objects.Stat(ctx, key); err != nil {
			if _, err := s.objects.Put(ctx, key, bytesReader(rend.r.Data), int64(len(rend.r.Data)), rend.r.ContentType); err != nil {
				return Image{}, err
			}
		}
		*rend.dst = key
	}
	return img, nil
}

func (s *Service) withURLs(p Product) Product {
	imgs := make([]Image, len(p.Images))
	for i, im := range p.Images {
		imgs[i] = s.imageURLs(im)
	}
	p.Images = imgs
	return p
}

func (s *Service) imageURLs(im Image) Image {
	im.FullURL, im.MediumURL, im.ThumbURL = s.objects.URL(im.Full), s.objects.URL(im.Medium), s.objects.URL(im.Thumb)
	return im
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// roomForImage refuses a photo beyond max.
func roomForImage(images []Image, max int, owner string) error {
	if len(images) < max {
		return nil
	}
	var f errs.Fields
	f.Add("file", errs.CodeTooMany, fmt.Sprintf("%s has at most %d photos; remove one first", owner, max), "max", max)
	return f.Err()
}

// withoutImage returns images without the one with id, or errs.NotFound.
func withoutImage(images []Image, id string) ([]Image, error) {
	kept := make([]Image, 0, len(images))
	for _, im := range images {
		if im.ID != id {
			kept = append(kept, im)
		}
	}
	if len(kept) == len(images) {
		return nil, fmt.Errorf("photo %s: %w", id, errs.NotFound)
	}
	return kept, nil
}

// HasActiveProducts says whether an initiative has a product on sale: a
// look through the public snapshot in memory (a portfolio asks it for
// every initiative at once).
func (s *Service) HasActiveProducts(ctx context.Context, initiativeID string) (bool, error) {
	snap, err := s.publicSnapshot(ctx)
	if err != nil {
		return false, err
	}
	for _, p := range snap.byNewest {
		if p.InitiativeID == initiativeID {
			return true, nil
		}
	}
	return false, nil
}
