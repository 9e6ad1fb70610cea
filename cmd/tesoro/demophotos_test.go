package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tesoro-pact/tesoro/catalog"
)

// TestDemoPhoto checks every kind's illustration; with TESORO_DEMO_DIR set it
// also writes them there as demo-<kind>.jpg for a look.
func TestDemoPhoto(t *testing.T) {
	dir := os.Getenv("TESORO_DEMO_DIR")
	for _, kind := range demoPhotoKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			a := drawDemoPhoto(kind, 1)
			if !bytes.Equal(a, drawDemoPhoto(kind, 1)) {
				t.Error("not deterministic for the same kind and seed")
			}
			if bytes.Equal(a, drawDemoPhoto(kind, 2)) {
				t.Error("seed 2 draws the same photo as seed 1")
			}
			p, err := catalog.ProcessImage(bytes.NewReader(a))
			if err != nil {
				t.Fatalf("ProcessImage: %v", err)
			}
			if got, want := [2]int{p.Full.Width, p.Full.Height}, [2]int{demoW, demoH}; got != want {
				t.Errorf("full rendition %v, want %v", got, want)
			}
			if dir != "" {
				for seed := 1; seed <= 2; seed++ {
					name := filepath.Join(dir, fmt.Sprintf("demo-%s-%d.jpg", kind, seed))
					if err := os.WriteFile(name, drawDemoPhoto(kind, seed), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}
	if !bytes.Equal(drawDemoPhoto("no such kind", 3), drawDemoPhoto("other", 3)) {
		t.Error(`an unknown kind does not draw the "other" scene`)
	}
}

// Every demo product is drawn as what it is: a scene that exists, never the
// gift box of "other", and each product named in demoProductScenes is a
// demo product drawn by one of goodsScenes.
func TestDemoProductScenes(t *testing.T) {
	named := map[string]bool{}
	for _, in := range demoInitiatives {
		for j, dp := range demoProducts[in.Name] {
			named[dp.Name] = true
			key := demoPhotoFor(in.Name, in.Kind, demoProducts[in.Name], j)
			if !slices.Contains(demoPhotoKinds, key.kind) || key.kind == "other" {
				t.Errorf("%s (%s) is drawn as %q", dp.Name, in.Name, key.kind)
			}
		}
	}
	for name, scene := range demoProductScenes {
		if !named[name] {
			t.Errorf("demoProductScenes names %q, which no demo initiative sells", name)
		}
		if !slices.Contains(goodsScenes, scene) {
			t.Errorf("%s: scene %q is not one of goodsScenes", name, scene)
		}
	}
}
