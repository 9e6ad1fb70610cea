package catalog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/image/webp"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// ---- sample builders ------------------------------------------------------

// photo is a photo-like test image: smooth gradients plus per-pixel noise
// (from an inline xorshift: a rand call per pixel is slow under -race).
func photo(w, h int, seed uint64) *image.RGBA {
	state := seed*0x9E3779B97F4A7C15 | 1
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			state ^= state << 13
			state ^= state >> 7
			state ^= state << 17
			n := int(state%24) - 12
			i := m.PixOffset(x, y)
			m.Pix[i+0] = clamp8(60 + 180*x/w + n)
			m.Pix[i+1] = clamp8(40 + 160*y/h + n)
			m.Pix[i+2] = clamp8(200 - 120*(x+y)/(w+h) + n)
			m.Pix[i+3] = 255
		}
	}
	return m
}

func clamp8(v int) uint8 { return uint8(min(max(v, 0), 255)) }

func encJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encPNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// quadrants is a w×h image whose top-left quadrant is red and the rest blue.
func quadrants(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{0, 0, 255, 255}
			if x < w/2 && y < h/2 {
				c = color.RGBA{255, 0, 0, 255}
			}
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

// withSegments inserts raw JPEG segments (marker + payload) right after SOI.
func withSegments(jpg []byte, segs ...[]byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

func segment(marker byte, payload []byte) []byte {
	n := len(payload) + 2
	return append([]byte{0xFF, marker, byte(n >> 8), byte(n)}, payload...)
}

type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

const gpsMarker = "TESORO-SECRET-FARM-4.5981N-74.0760W"

// exifAPP1 builds an APP1 Exif segment: IFD0 holds ImageDescription (the
// marker), Orientation and a pointer to a GPS IFD with latitude/longitude.
// orientation 0 leaves the Orientation tag out.
func exifAPP1(bo byteOrder, orientation uint16) []byte {
	type entry struct {
		tag, typ uint16
		count    uint32
		value    []byte // inline if ≤ 4 bytes, else stored after the IFDs
	}
	u16 := func(v uint16) []byte { return bo.AppendUint16(nil, v) }
	u32 := func(v uint32) []byte { return bo.AppendUint32(nil, v) }
	rationals := func(vs ...uint32) []byte {
		var b []byte
		for _, v := range vs {
			b = append(b, u32(v)...)
			b = append(b, u32(1000)...)
		}
		return b
	}
	ifd0 := []entry{{0x010E, 2, uint32(len(gpsMarker) + 1), []byte(gpsMarker + "\x00")}}
	if orientation != 0 {
		ifd0 = append(ifd0, entry{0x0112, 3, 1, append(u16(orientation), 0, 0)})
	}
	ifd0 = append(ifd0, entry{0x8825, 4, 1, nil}) // GPS IFD pointer, patched below
	gps := []entry{
		{0x0000, 1, 4, []byte{2, 3, 0, 0}},
		{0x0001, 2, 2, []byte("N\x00\x00\x00")},
		{0x0002, 5, 3, rationals(4000, 35000, 53000)},
		{0x0003, 2, 2, []byte("W\x00\x00\x00")},
		{0x0004, 5, 3, rationals(74000, 4000, 33000)},
	}
	ifdLen := func(es []entry) int { return 2 + 12*len(es) + 4 }
	gpsOff := 8 + ifdLen(ifd0)
	dataOff := gpsOff + ifdLen(gps)
	var data []byte
	writeIFD := func(es []entry, next uint32) []byte {
		b := u16(uint16(len(es)))
		for _, e := range es {
			b = append(b, u16(e.tag)...)
			b = append(b, u16(e.typ)...)
			b = append(b, u32(e.count)...)
			switch {
			case e.tag == 0x8825:
				b = append(b, u32(uint32(gpsOff))...)
			case len(e.value) <= 4:
				b = append(b, (append(e.value, 0, 0, 0, 0))[:4]...)
			default:
				b = append(b, u32(uint32(dataOff+len(data)))...)
				data = append(data, e.value...)
			}
		}
		return append(b, u32(next)...)
	}
	tiff := []byte("II*\x00")
	if bo == binary.BigEndian {
		tiff = []byte("MM\x00*")
	}
	tiff = append(tiff, u32(8)...)
	tiff = append(tiff, writeIFD(ifd0, 0)...)
	tiff = append(tiff, writeIFD(gps, 0)...)
	tiff = append(tiff, data...)
	return segment(0xE1, append([]byte("Exif\x00\x00"), tiff...))
}

// jpegMarkers lists the markers of a JPEG's segments up to the start of scan.
func jpegMarkers(b []byte) []byte {
	var ms []byte
	for i := 2; i+4 <= len(b) && b[i] == 0xFF; {
		m := b[i+1]
		ms = append(ms, m)
		if m == 0xDA {
			break
		}
		i += 2 + int(b[i+2])<<8 | int(b[i+3])
	}
	return ms
}

// webpLossless hand-encodes a lossless (VP8L) WebP of at most two colours:
// no transforms, no colour cache, and "simple" prefix codes of one or two
// symbols per channel, so each pixel costs one bit per channel that differs
// between the colours (RFC 9649, sections 3 to 6).
func webpLossless(w, h int, c [2]color.NRGBA, pick func(x, y int) int) []byte {
	var bw struct {
		buf []byte
		acc uint64
		n   uint
	}
	put := func(v uint32, bits uint) {
		bw.acc |= uint64(v) << bw.n
		bw.n += bits
		for bw.n >= 8 {
			bw.buf = append(bw.buf, byte(bw.acc))
			bw.acc >>= 8
			bw.n -= 8
		}
	}
	alpha := uint32(0)
	if c[0].A != 255 || c[1].A != 255 {
		alpha = 1
	}
	put(0x2f, 8)
	put(uint32(w-1), 14)
	put(uint32(h-1), 14)
	put(alpha, 1)
	put(0, 3) // version
	put(0, 1) // no transform
	put(0, 1) // no colour cache
	put(0, 1) // no meta prefix codes
	channels := [4]func(color.NRGBA) uint8{
		func(c color.NRGBA) uint8 { return c.G }, func(c color.NRGBA) uint8 { return c.R },
		func(c color.NRGBA) uint8 { return c.B }, func(c color.NRGBA) uint8 { return c.A },
	}
	var two [4]bool
	for i, ch := range channels {
		a, b := ch(c[0]), ch(c[1])
		two[i] = a != b
		put(1, 1) // simple code
		if two[i] {
			put(1, 1) // two symbols
			put(1, 1) // first symbol has 8 bits
			put(uint32(a), 8)
			put(uint32(b), 8)
		} else {
			put(0, 1)
			put(1, 1)
			put(uint32(a), 8)
		}
	}
	put(1, 1) // distance code: simple, one 1-bit symbol 0
	put(0, 1)
	put(0, 1)
	put(0, 1)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			k := uint32(pick(x, y))
			for i := range channels {
				if two[i] {
					put(k, 1)
				}
			}
		}
	}
	if bw.n > 0 {
		bw.buf = append(bw.buf, byte(bw.acc))
	}
	chunk := bw.buf
	if len(chunk)%2 == 1 {
		chunk = append(chunk, 0)
	}
	out := []byte("RIFF")
	out = binary.LittleEndian.AppendUint32(out, uint32(4+8+len(chunk)))
	out = append(out, "WEBPVP8L"...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(bw.buf)))
	return append(out, chunk...)
}

// pngHeader is a PNG signature and IHDR chunk declaring w×h RGBA pixels, and no data.
func pngHeader(w, h uint32) []byte {
	ihdr := []byte("IHDR")
	ihdr = binary.BigEndian.AppendUint32(ihdr, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = binary.BigEndian.AppendUint32(out, 13)
	out = append(out, ihdr...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(ihdr))
}

// jpegSOFHeader is a baseline JPEG header declaring w×h pixels, up to the
// start of a scan without data. (Without a JFIF APP0 segment,
// jpeg.DecodeConfig reads on to the start of scan.)
func jpegSOFHeader(w, h uint16) []byte {
	sof := []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 1, 1, 0x11, 0}
	b := []byte{0xFF, 0xD8}
	b = append(b, segment(0xDB, append([]byte{0}, bytes.Repeat([]byte{1}, 64)...))...)
	b = append(b, segment(0xC0, sof)...)
	return append(b, segment(0xDA, []byte{1, 1, 0, 0, 63, 0})...)
}

func decodeRendition(t *testing.T, r Rendition) image.Image {
	t.Helper()
	var m image.Image
	var err error
	switch r.ContentType {
	case "image/jpeg":
		m, err = jpeg.Decode(bytes.NewReader(r.Data))
	case "image/png":
		m, err = png.Decode(bytes.NewReader(r.Data))
	default:
		t.Fatalf("content type %q", r.ContentType)
	}
	if err != nil {
		t.Fatalf("decode %s rendition: %v", r.ContentType, err)
	}
	if b := m.Bounds(); b.Dx() != r.Width || b.Dy() != r.Height {
		t.Fatalf("rendition says %d×%d, holds %d×%d", r.Width, r.Height, b.Dx(), b.Dy())
	}
	return m
}

func renditionsOf(p ProcessedImage) map[string]Rendition {
	return map[string]Rendition{"full": p.Full, "medium": p.Medium, "thumb": p.Thumb}
}

// ---- tests ----------------------------------------------------------------

func TestProcessImageFormats(t *testing.T) {
	twoTone := [2]color.NRGBA{{200, 120, 40, 255}, {30, 90, 160, 255}}
	seeThrough := [2]color.NRGBA{{200, 30, 30, 255}, {0, 0, 0, 0}}
	stripes := func(x, y int) int { return (x / 8) % 2 }
	nrgba := image.NewNRGBA(image.Rect(0, 0, 120, 80))
	opaqueNRGBA := image.NewNRGBA(image.Rect(0, 0, 120, 80))
	for i := 0; i < len(nrgba.Pix); i += 4 {
		copy(nrgba.Pix[i:], []byte{20, 160, 60, 255})
		copy(opaqueNRGBA.Pix[i:], []byte{20, 160, 60, 255})
		if (i/4)%120 < 40 {
			nrgba.Pix[i+3] = 0 // left third fully transparent
		}
	}
	paletted := image.NewPaletted(image.Rect(0, 0, 64, 64), color.Palette{color.RGBA{255, 200, 0, 255}, color.RGBA{}})
	paletted.SetColorIndex(0, 0, 1)
	tests := []struct {
		name     string
		data     []byte
		wantType string
		wantW    int
		wantH    int
	}{
		{"jpeg", encJPEG(t, photo(400, 300, 1)), "image/jpeg", 400, 300},
		{"gray jpeg", encJPEG(t, image.NewGray(image.Rect(0, 0, 50, 70))), "image/jpeg", 50, 70},
		{"png opaque", encPNG(t, photo(300, 200, 2)), "image/jpeg", 300, 200},
		{"png with unused alpha channel", encPNG(t, opaqueNRGBA), "image/jpeg", 120, 80},
		{"png transparent", encPNG(t, nrgba), "image/png", 120, 80},
		{"png paletted transparent", encPNG(t, paletted), "image/png", 64, 64},
		{"webp lossless", webpLossless(48, 32, twoTone, stripes), "image/jpeg", 48, 32},
		{"webp lossless alpha", webpLossless(48, 32, seeThrough, stripes), "image/png", 48, 32},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ProcessImage(bytes.NewReader(tt.data))
			if err != nil {
				t.Fatalf("ProcessImage: %v", err)
			}
			for name, r := range renditionsOf(p) {
				if r.ContentType != tt.wantType {
					t.Errorf("%s: content type = %q, want %q", name, r.ContentType, tt.wantType)
				}
				if r.Width != tt.wantW || r.Height != tt.wantH {
					t.Errorf("%s: %d×%d, want %d×%d (small images are not upscaled)", name, r.Width, r.Height, tt.wantW, tt.wantH)
				}
				decodeRendition(t, r)
			}
		})
	}
}

func TestProcessImageWebPSampleDecodes(t *testing.T) {
	// The hand-made WebP must be read by x/image/webp as drawn, or the format
	// tests above prove nothing.
	c := [2]color.NRGBA{{200, 30, 30, 255}, {10, 20, 30, 0}}
	m, err := webp.Decode(bytes.NewReader(webpLossless(20, 10, c, func(x, y int) int { return x % 2 })))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []int{0, 1, 6, 7} {
		got := color.NRGBAModel.Convert(m.At(x, 3)).(color.NRGBA)
		if want := c[x%2]; got != want {
			t.Errorf("pixel (%d,3) = %v, want %v", x, got, want)
		}
	}
}

func TestProcessImageTransparency(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 1000, 500))
	for y := 0; y < 500; y++ {
		for x := 0; x < 1000; x++ {
			if x >= 500 { // right half opaque orange, left half transparent
				copy(src.Pix[src.PixOffset(x, y):], []byte{240, 140, 20, 255})
			}
		}
	}
	p, err := ProcessImage(bytes.NewReader(encPNG(t, src)))
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range renditionsOf(p) {
		m := decodeRendition(t, r)
		if r.ContentType != "image/png" {
			t.Fatalf("%s: content type %q, want image/png", name, r.ContentType)
		}
		w, h := r.Width, r.Height
		if _, _, _, a := m.At(w/4, h/2).RGBA(); a != 0 {
			t.Errorf("%s: left half alpha = %#x, want 0", name, a)
		}
		if _, _, _, a := m.At(3*w/4, h/2).RGBA(); a != 0xffff {
			t.Errorf("%s: right half alpha = %#x, want 0xffff", name, a)
		}
	}
}

func TestFlattenOnWhite(t *testing.T) {
	m := image.NewNRGBA(image.Rect(5, 5, 9, 9))
	m.SetNRGBA(6, 6, color.NRGBA{0, 0, 0, 255})
	got := flattenOnWhite(m)
	tests := []struct {
		x, y int
		want color.RGBA
	}{
		{0, 0, color.RGBA{255, 255, 255, 255}},
		{1, 1, color.RGBA{0, 0, 0, 255}},
	}
	for _, tt := range tests {
		if c := color.RGBAModel.Convert(got.At(tt.x, tt.y)); c != tt.want {
			t.Errorf("At(%d,%d) = %v, want %v", tt.x, tt.y, c, tt.want)
		}
	}
}

func TestProcessImageRejects(t *testing.T) {
	good := encJPEG(t, photo(200, 150, 3))
	tests := []struct {
		name string
		data []byte
		want *errs.Kind
	}{
		{"empty", nil, errs.Unsupported},
		{"text file named photo.jpg", []byte("Hola, esto es una lista de precios.\nArepas 2000\n"), errs.Unsupported},
		{"html", []byte("<!doctype html><img src=x onerror=alert(1)>"), errs.Unsupported},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), errs.Unsupported},
		{"riff but not webp", []byte("RIFF\x24\x00\x00\x00WAVEfmt "), errs.Unsupported},
		{"animated webp", append([]byte("RIFF\x1a\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x02\x00\x00\x00"), 9, 0, 0, 9, 0, 0), errs.Unsupported},
		{"jpeg magic only", []byte{0xFF, 0xD8, 0xFF}, errs.Invalid},
		{"truncated jpeg", good[:len(good)/2], errs.Invalid},
		{"jpeg without scan data", jpegSOFHeader(100, 100), errs.Invalid},
		{"corrupt png", append(pngHeader(10, 10), "garbage"...), errs.Invalid},
		{"png zero width", pngHeader(0, 10), errs.Invalid},
		{"truncated webp", webpLossless(48, 32, [2]color.NRGBA{{1, 2, 3, 255}, {4, 5, 6, 255}}, func(x, y int) int { return x % 2 })[:30], errs.Invalid},
		{"png bomb 100000×100000", pngHeader(100000, 100000), errs.TooLarge},
		{"png 8000×5001", pngHeader(8000, 5001), errs.TooLarge},
		{"png 1×40000000", pngHeader(1, 40_000_000), errs.TooLarge},
		{"png 40000×1", pngHeader(40000, 1), errs.TooLarge},
		{"jpeg bomb 65000×65000", jpegSOFHeader(65000, 65000), errs.TooLarge},
		{"webp bomb 16384×16384", []byte("RIFF\x12\x00\x00\x00WEBPVP8L\x05\x00\x00\x00\x2f\xff\xff\xff\x0f\x00"), errs.TooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := ProcessImage(bytes.NewReader(tt.data))
			runtime.ReadMemStats(&after)
			if got := errs.KindOf(err); got != tt.want {
				t.Fatalf("error = %v (kind %v), want kind %v", err, got, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "image: ") {
				t.Errorf("error %q lacks context", err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
				t.Errorf("allocated %d bytes to reject it", alloc)
			}
		})
	}
}

// endless yields JPEG magic then zeros forever, counting what was read.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0
		if e.n+int64(i) < 3 {
			p[i] = []byte{0xFF, 0xD8, 0xFF}[e.n+int64(i)]
		}
	}
	e.n += int64(len(p))
	return len(p), nil
}

func TestProcessImageTooManyBytes(t *testing.T) {
	r := &endless{}
	_, err := ProcessImage(r)
	if !errors.Is(err, errs.TooLarge) {
		t.Fatalf("error = %v, want errs.TooLarge", err)
	}
	if r.n > MaxImageBytes+64<<10 {
		t.Errorf("read %d bytes, want about %d", r.n, MaxImageBytes+1)
	}
}

func TestProcessImageReadError(t *testing.T) {
	_, err := ProcessImage(io.MultiReader(bytes.NewReader([]byte{0xFF, 0xD8}), failingReader{}))
	if !errors.Is(err, errs.Unavailable) {
		t.Fatalf("error = %v, want the reader's error (errs.Unavailable) wrapped", err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errs.Unavailable }

func TestProcessImageStripsMetadata(t *testing.T) {
	base := encJPEG(t, photo(640, 480, 4))
	xmp := segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>"+gpsMarker+"</x:xmpmeta>"))
	comment := segment(0xFE, []byte("comment "+gpsMarker))
	icc := segment(0xE2, []byte("ICC_PROFILE\x00\x01\x01"+gpsMarker))
	src := withSegments(base, exifAPP1(binary.LittleEndian, 1), xmp, icc, comment)
	if !bytes.Contains(src, []byte(gpsMarker)) || !bytes.Contains(src, []byte("Exif")) {
		t.Fatal("test source lacks its metadata")
	}
	if _, err := jpeg.Decode(bytes.NewReader(src)); err != nil {
		t.Fatalf("test source is not a valid JPEG: %v", err)
	}
	p, err := ProcessImage(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range renditionsOf(p) {
		for _, s := range []string{"Exif", gpsMarker, "xmpmeta", "ns.adobe.com", "ICC_PROFILE"} {
			if bytes.Contains(r.Data, []byte(s)) {
				t.Errorf("%s rendition contains %q", name, s)
			}
		}
		for _, m := range jpegMarkers(r.Data) {
			if m >= 0xE0 && m <= 0xEF || m == 0xFE {
				t.Errorf("%s rendition has an APP%d/COM segment (marker %#x)", name, m-0xE0, m)
			}
		}
	}
}

func TestProcessImageOrientation(t *testing.T) {
	// The source is 40×20 with its top-left quadrant red; want says where
	// the red quadrant is once the EXIF orientation has been applied.
	tests := []struct {
		orientation uint16
		bo          byteOrder
		wantW       int
		wantH       int
		want        string // corner holding red
	}{
		{0, binary.LittleEndian, 40, 20, "top-left"}, // no Orientation tag
		{1, binary.LittleEndian, 40, 20, "top-left"},
		{2, binary.BigEndian, 40, 20, "top-right"},
		{3, binary.LittleEndian, 40, 20, "bottom-right"},
		{4, binary.BigEndian, 40, 20, "bottom-left"},
		{5, binary.LittleEndian, 20, 40, "top-left"},
		{6, binary.LittleEndian, 20, 40, "top-right"},
		{6, binary.BigEndian, 20, 40, "top-right"},
		{7, binary.BigEndian, 20, 40, "bottom-right"},
		{8, binary.LittleEndian, 20, 40, "bottom-left"},
		{9, binary.LittleEndian, 40, 20, "top-left"}, // out of range: ignored
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %v %s", tt.orientation, tt.bo, tt.want), func(t *testing.T) {
			src := withSegments(encJPEG(t, quadrants(40, 20)), exifAPP1(tt.bo, tt.orientation))
			p, err := ProcessImage(bytes.NewReader(src))
			if err != nil {
				t.Fatal(err)
			}
			for name, r := range renditionsOf(p) {
				if r.Width != tt.wantW || r.Height != tt.wantH {
					t.Fatalf("orientation %d: %s is %d×%d, want %d×%d", tt.orientation, name, r.Width, r.Height, tt.wantW, tt.wantH)
				}
				m := decodeRendition(t, r)
				w, h := tt.wantW, tt.wantH
				corners := map[string]image.Point{
					"top-left": {w / 4, h / 4}, "top-right": {3 * w / 4, h / 4},
					"bottom-left": {w / 4, 3 * h / 4}, "bottom-right": {3 * w / 4, 3 * h / 4},
				}
				for corner, pt := range corners {
					r, _, b, _ := m.At(pt.X, pt.Y).RGBA()
					gotRed := r > b
					if wantRed := corner == tt.want; gotRed != wantRed {
						t.Errorf("orientation %d: %s corner red = %v, want %v", tt.orientation, corner, gotRed, wantRed)
					}
				}
			}
		})
	}
}

func TestJPEGOrientationGarbage(t *testing.T) {
	valid := withSegments(encJPEG(t, quadrants(8, 8)), exifAPP1(binary.LittleEndian, 6))
	exif := exifAPP1(binary.LittleEndian, 6)
	tests := []struct {
		name string
		data []byte
		want int
	}{
		{"valid", valid, 6},
		{"valid, after fill bytes and APP0", withSegments(encJPEG(t, quadrants(8, 8)), []byte{0xFF, 0xFF}, segment(0xE0, []byte("JFIF\x00")), exif), 6},
		{"not jpeg", []byte("hello"), 1},
		{"soi only", []byte{0xFF, 0xD8}, 1},
		{"cut inside exif", valid[:30], 1},
		{"segment length too big", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 'E', 'x'}, 1},
		{"segment length 0", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0, 0}, 1},
		{"bad byte order", segmentJPEG(segment(0xE1, []byte("Exif\x00\x00XX*\x00\x08\x00\x00\x00"))), 1},
		{"ifd offset past end", segmentJPEG(segment(0xE1, []byte("Exif\x00\x00II*\x00\xff\xff\x00\x00"))), 1},
		{"entry count past end", segmentJPEG(segment(0xE1, []byte("Exif\x00\x00II*\x00\x08\x00\x00\x00\xff\xff"))), 1},
		{"orientation of type ASCII", segmentJPEG(segment(0xE1, []byte("Exif\x00\x00II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x02\x00\x01\x00\x00\x00\x06\x00\x00\x00"))), 1},
		{"orientation as LONG", segmentJPEG(segment(0xE1, []byte("Exif\x00\x00II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x04\x00\x01\x00\x00\x00\x08\x00\x00\x00"))), 8},
		{"exif after start of scan", []byte{0xFF, 0xD8, 0xFF, 0xDA, 0, 2, 0xFF, 0xE1}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := jpegOrientation(tt.data); got != tt.want {
				t.Errorf("jpegOrientation = %d, want %d", got, tt.want)
			}
		})
	}
}

func segmentJPEG(seg []byte) []byte { return append([]byte{0xFF, 0xD8}, seg...) }

func TestProcessImageSizes(t *testing.T) {
	tests := []struct {
		name         string
		w, h         int
		orientation  uint16
		full, medium [2]int
		thumb        [2]int
	}{
		{"landscape 3000×2000", 3000, 2000, 0, [2]int{1600, 1067}, [2]int{960, 640}, [2]int{480, 320}},
		{"portrait 600×1000", 600, 1000, 0, [2]int{600, 1000}, [2]int{576, 960}, [2]int{288, 480}},
		{"rotated 1650×600", 1650, 600, 6, [2]int{582, 1600}, [2]int{349, 960}, [2]int{175, 480}},
		{"square 1000", 1000, 1000, 0, [2]int{1000, 1000}, [2]int{960, 960}, [2]int{480, 480}},
		{"panorama 2000×150", 2000, 150, 0, [2]int{1600, 120}, [2]int{960, 72}, [2]int{480, 36}},
		{"sliver 3000×1", 3000, 1, 0, [2]int{1600, 1}, [2]int{960, 1}, [2]int{480, 1}},
		{"small 300×200", 300, 200, 0, [2]int{300, 200}, [2]int{300, 200}, [2]int{300, 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := encJPEG(t, photo(tt.w, tt.h, 5))
			if tt.orientation != 0 {
				src = withSegments(src, exifAPP1(binary.BigEndian, tt.orientation))
			}
			p, err := ProcessImage(bytes.NewReader(src))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				name string
				r    Rendition
				want [2]int
			}{{"full", p.Full, tt.full}, {"medium", p.Medium, tt.medium}, {"thumb", p.Thumb, tt.thumb}} {
				decodeRendition(t, c.r)
				if got := [2]int{c.r.Width, c.r.Height}; got != c.want {
					t.Errorf("%s = %v, want %v", c.name, got, c.want)
				}
				if c.r.ContentType != "image/jpeg" {
					t.Errorf("%s content type %q", c.name, c.r.ContentType)
				}
			}
			if len(p.Thumb.Data) >= len(p.Medium.Data) && tt.w > 960 {
				t.Errorf("thumb (%d bytes) not smaller than medium (%d bytes)", len(p.Thumb.Data), len(p.Medium.Data))
			}
		})
	}
}

func TestProcessImageKeepsColours(t *testing.T) {
	// A downscaled flat area keeps its colour (catches channel swaps and
	// premultiplication mistakes in the resize passes).
	m := image.NewRGBA(image.Rect(0, 0, 1650, 400))
	for i := 0; i < len(m.Pix); i += 4 {
		copy(m.Pix[i:], []byte{200, 120, 40, 255})
	}
	p, err := ProcessImage(bytes.NewReader(encPNG(t, m)))
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range renditionsOf(p) {
		got := color.RGBAModel.Convert(decodeRendition(t, r).At(r.Width/2, r.Height/2)).(color.RGBA)
		if d := max(absDiff(got.R, 200), absDiff(got.G, 120), absDiff(got.B, 40)); d > 6 {
			t.Errorf("%s centre = %v, want about {200 120 40}", name, got)
		}
	}
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

func TestImageKey(t *testing.T) {
	data := []byte("some image bytes")
	pattern := regexp.MustCompile(`^public/img/([0-9a-f]{2})/([0-9a-f]{64})(\.[a-z0-9]+)?$`)
	tests := []struct {
		ext     string
		wantExt string
	}{
		{"jpg", ".jpg"},
		{".PNG", ".png"},
		{"../../etc/passwd", ".etcpassw"}, // reduced to [a-z0-9], at most 8
		{"", ""},
		{"ñ/é", ""},
	}
	for _, tt := range tests {
		t.Run(tt.ext, func(t *testing.T) {
			key := ImageKey(data, tt.ext)
			if err := storage.ValidKey(key); err != nil {
				t.Fatalf("ImageKey = %q: %v", key, err)
			}
			m := pattern.FindStringSubmatch(key)
			if m == nil {
				t.Fatalf("ImageKey = %q, want public/img/xx/<sha256>.ext", key)
			}
			if m[1] != m[2][:2] {
				t.Errorf("fan-out dir %q is not the hash prefix of %q", m[1], m[2])
			}
			if m[3] != tt.wantExt {
				t.Errorf("extension = %q, want %q", m[3], tt.wantExt)
			}
			if again := ImageKey(append([]byte{}, data...), tt.ext); again != key {
				t.Errorf("not stable: %q then %q", key, again)
			}
		})
	}
	if ImageKey([]byte("a"), "jpg") == ImageKey([]byte("b"), "jpg") {
		t.Error("different content, same key")
	}
	r := Rendition{Data: data, ContentType: "image/png"}
	if got, want := r.Key(), ImageKey(data, "png"); got != want {
		t.Errorf("Rendition.Key = %q, want %q", got, want)
	}
}

// ---- fuzzing and benchmarks -----------------------------------------------

// FuzzProcessImage feeds arbitrary bytes to ProcessImage, with the pixel limit
// lowered to 65536 so that valid, tiny "bombs" do not stall it (each input is
// run many times when the fuzzer minimises it).
func FuzzProcessImage(f *testing.F) {
	f.Add(encJPEG(f, photo(24, 16, 6)))
	f.Add(withSegments(encJPEG(f, quadrants(16, 8)), exifAPP1(binary.BigEndian, 6)))
	f.Add(encPNG(f, photo(12, 12, 7)))
	f.Add(webpLossless(9, 5, [2]color.NRGBA{{1, 2, 3, 255}, {9, 9, 9, 0}}, func(x, y int) int { return (x + y) % 2 }))
	f.Add(pngHeader(100000, 100000))
	f.Add(jpegSOFHeader(300, 200))
	f.Add([]byte("not an image"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if o := jpegOrientation(data); o < 1 || o > 8 {
			t.Fatalf("jpegOrientation = %d", o)
		}
		p, err := processImage(bytes.NewReader(data), 1<<16)
		if err != nil {
			switch errs.KindOf(err) {
			case errs.Unsupported, errs.Invalid, errs.TooLarge:
				return
			}
			t.Fatalf("error of unexpected kind: %v", err)
		}
		for _, r := range []Rendition{p.Full, p.Medium, p.Thumb} {
			if len(r.Data) == 0 || r.Width < 1 || r.Height < 1 || r.Width > FullMaxSide || r.Height > FullMaxSide {
				t.Fatalf("bad rendition %s %d×%d, %d bytes", r.ContentType, r.Width, r.Height, len(r.Data))
			}
		}
	})
}

func BenchmarkProcessImage(b *testing.B) {
	src := encJPEG(b, photo(3000, 2000, 8))
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ProcessImage(bytes.NewReader(src)); err != nil {
			b.Fatal(err)
		}
	}
}
