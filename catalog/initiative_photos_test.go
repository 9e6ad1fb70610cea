package catalog_test

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"strings"
	"testing"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/storage"

	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
)

// smallJPEG is a w×h solid-colour JPEG.
func smallJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(m.Pix); i += 4 {
		m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = 200, 120, 40, 255
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestInitiativePhotos(t *testing.T) {
	svc := newCatalog(t)
	ini := newInitiative(t, svc, "Panadería La Esperanza", "Segovia")
	ctx := t.Context()

	if ini.Images == nil {
		t.Fatal("a new initiative's photos are nil, want an empty list")
	}
	var added []catalog.Image
	for i := range catalog.MaxPhotosPerInitiative {
		img, err := svc.AddInitiativePhoto(ctx, accounts.System, ini.ID, bytes.NewReader(smallJPEG(t, 40+i, 30)))
		if err != nil {
			t.Fatalf("photo %d: %v", i+1, err)
		}
		if img.ID == "" || img.FullURL == "" || img.MediumURL == "" || img.ThumbURL == "" || img.Width != 40+i {
			t.Fatalf("photo %d: got %+v, want id, urls and size", i+1, img)
		}
		added = append(added, img)
	}

	t.Run("limit", func(t *testing.T) {
		_, err := svc.AddInitiativePhoto(ctx, accounts.System, ini.ID, bytes.NewReader(smallJPEG(t, 10, 10)))
		var ve *errs.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "file" {
			t.Fatalf("photo %d: got %v, want a validation error on file", catalog.MaxPhotosPerInitiative+1, err)
		}
	})
	t.Run("not an image", func(t *testing.T) {
		_, err := svc.AddInitiativePhoto(ctx, accounts.System, ini.ID, strings.NewReader("hola, no soy una foto"))
		if !errors.Is(err, errs.Unsupported) {
			t.Fatalf("got %v, want unsupported", err)
		}
	})
	t.Run("unknown initiative", func(t *testing.T) {
		if _, err := svc.AddInitiativePhoto(ctx, accounts.System, storage.NewID(), bytes.NewReader(smallJPEG(t, 10, 10))); !errors.Is(err, errs.NotFound) {
			t.Fatalf("add: got %v, want not found", err)
		}
		if err := svc.RemoveInitiativePhoto(ctx, accounts.System, storage.NewID(), added[0].ID); !errors.Is(err, errs.NotFound) {
			t.Fatalf("remove: got %v, want not found", err)
		}
	})
	t.Run("readers fill urls", func(t *testing.T) {
		byID, err := svc.Initiative(ctx, ini.ID)
		if err != nil {
			t.Fatal(err)
		}
		bySlug, err := svc.InitiativeBySlug(ctx, ini.Slug)
		if err != nil {
			t.Fatal(err)
		}
		list, err := svc.Initiatives(ctx, catalog.InitiativeFilter{})
		if err != nil || len(list) != 1 {
			t.Fatalf("list: got %d, %v", len(list), err)
		}
		for name, got := range map[string]catalog.Initiative{"by id": byID, "by slug": bySlug, "list": list[0]} {
			if len(got.Images) != len(added) {
				t.Fatalf("%s: got %d photos, want %d", name, len(got.Images), len(added))
			}
			for i, p := range got.Images {
				if p.ID != added[i].ID || p.ThumbURL != added[i].ThumbURL || p.MediumURL == "" || p.FullURL == "" {
					t.Errorf("%s: photo %d: got %+v, want %+v", name, i, p, added[i])
				}
			}
		}
	})
	t.Run("remove", func(t *testing.T) {
		if err := svc.RemoveInitiativePhoto(ctx, accounts.System, ini.ID, added[1].ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.RemoveInitiativePhoto(ctx, accounts.System, ini.ID, added[1].ID); !errors.Is(err, errs.NotFound) {
			t.Fatalf("remove twice: got %v, want not found", err)
		}
		got, _ := svc.Initiative(ctx, ini.ID)
		if len(got.Images) != 2 || got.Images[0].ID != added[0].ID || got.Images[1].ID != added[2].ID {
			t.Fatalf("after remove: got %+v", got.Images)
		}
		// A free slot takes a photo again.
		if _, err := svc.AddInitiativePhoto(ctx, accounts.System, ini.ID, bytes.NewReader(smallJPEG(t, 12, 12))); err != nil {
			t.Fatalf("add after remove: %v", err)
		}
	})
	t.Run("profile edits keep photos", func(t *testing.T) {
		d := "Pan de yuca y almojábanas"
		up, err := svc.UpdateInitiative(ctx, accounts.System, ini.ID, catalog.InitiativeUpdate{Description: &d})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := svc.Initiative(ctx, ini.ID)
		if len(up.Images) != 3 || len(got.Images) != 3 || got.Images[0].ThumbURL == "" {
			t.Fatalf("photos after update: returned %d, stored %+v", len(up.Images), got.Images)
		}
	})
}
