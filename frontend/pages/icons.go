package pages

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
)

// iconPNG draws the app icon (a gold coin on the brand brown) at size×size;
// Android needs PNG icons to offer installing the app, and drawing them here
// keeps binaries out of the repository.
func iconPNG(size int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	bg := color.NRGBA{0x8a, 0x4b, 0x08, 0xff}
	coin := color.NRGBA{0xf2, 0xb5, 0x2c, 0xff}
	rim := color.NRGBA{0xfd, 0xe6, 0xa8, 0xff}
	c := float64(size) / 2
	r := float64(size) * 0.34
	for y := range size {
		for x := range size {
			dx, dy := float64(x)+0.5-c, float64(y)+0.5-c
			d2 := dx*dx + dy*dy
			switch {
			case d2 <= (r*0.78)*(r*0.78):
				img.SetNRGBA(x, y, coin)
			case d2 <= r*r:
				img.SetNRGBA(x, y, rim)
			default:
				img.SetNRGBA(x, y, bg)
			}
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // encoding to memory cannot fail
	return buf.Bytes()
}
