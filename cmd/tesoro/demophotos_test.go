package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
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
