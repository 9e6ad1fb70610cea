package catalog

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"runtime"
	"strings"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"github.com/tesoro-pact/tesoro/errs"
)

// MaxImageBytes bounds an uploaded image file; larger uploads fail with errs.TooLarge.
const MaxImageBytes = 8 << 20

// MaxImagePixels bounds the width×height an image header may declare. It is
// checked before decoding, so a small file claiming huge dimensions (a
// decompression bomb) fails with errs.TooLarge without allocating its pixels.
const MaxImagePixels = 40_000_000

// MaxImageSide bounds either side, whatever the pixel count: a PNG may declare
// 2³¹ rows, and the scaler works a row at a time.
const MaxImageSide = 1 << 15

// The longest side of each rendition (never upscaled) and its JPEG quality.
const (
	FullMaxSide   = 1600
	MediumMaxSide = 960
	ThumbMaxSide  = 480

	fullQuality   = 80
	mediumQuality = 80
	thumbQuality  = 72
)

// Rendition is one re-encoded size of an uploaded image. It carries no
// metadata: EXIF (including GPS), XMP, ICC profiles and comments are dropped.
type Rendition struct {
	Data          []byte
	ContentType   string // "image/jpeg", or "image/png" for images with transparency
	Width, Height int
}

// Ext is the file extension matching the rendition's content type ("jpg" or "png").
func (r Rendition) Ext() string {
	if r.ContentType == "image/png" {
		return "png"
	}
	return "jpg"
}

// Key is the content-addressed object key of the rendition (see ImageKey).
func (r Rendition) Key() string { return ImageKey(r.Data, r.Ext()) }

// ProcessedImage holds the three renditions made from one upload.
type ProcessedImage struct {
	Full, Medium, Thumb Rendition
}

// ProcessImage reads an uploaded JPEG, PNG or WebP image (at most
// MaxImageBytes, recognised by its content, never by its name), applies a
// JPEG's EXIF orientation and re-encodes it in three sizes: Full (longest side
// ≤ FullMaxSide), Medium (≤ MediumMaxSide) and Thumb (≤ ThumbMaxSide). The
// renditions are JPEG, or PNG when the source has transparency.
//
// Errors wrap errs.TooLarge (too many bytes or pixels), errs.Unsupported
// (not a JPEG/PNG/WebP, or a variant the decoders do not handle, such as an
// animated WebP) or errs.Invalid (a corrupt image); a failing reader's error
// is wrapped as is.
func ProcessImage(r io.Reader) (ProcessedImage, error) {
	return processImage(r, MaxImagePixels)
}

// processImage is ProcessImage with a pixel limit (fuzzing lowers it: a few
// bytes of PNG or lossless WebP can validly decode to 40 megapixels, which
// takes seconds to scale under coverage instrumentation).
func processImage(r io.Reader, maxPixels int64) (ProcessedImage, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImageBytes+1))
	if err != nil {
		return ProcessedImage{}, fmt.Errorf("image: read: %w", err)
	}
	if len(data) > MaxImageBytes {
		return ProcessedImage{}, fmt.Errorf("image: more than %d bytes: %w", MaxImageBytes, errs.TooLarge)
	}
	decodeSlots <- struct{}{}
	defer func() { <-decodeSlots }()
	src, orientation, err := decodeImage(data, maxPixels)
	if err != nil {
		return ProcessedImage{}, err
	}
	return renditions(src, orientation)
}

// decodeSlots bounds how many images are decoded and scaled at once: one
// 40-megapixel image takes about 85 MB and a second or more of CPU, so a burst
// of uploads waits its turn instead of exhausting memory.
var decodeSlots = make(chan struct{}, max(runtime.GOMAXPROCS(0), 2))

type imageCodec struct {
	name   string
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

var (
	jpegCodec = imageCodec{"JPEG", jpeg.DecodeConfig, jpeg.Decode}
	pngCodec  = imageCodec{"PNG", png.DecodeConfig, png.Decode}
	webpCodec = imageCodec{"WebP", webp.DecodeConfig, webp.Decode}
)

// sniffImage recognises the three accepted formats by their magic bytes.
func sniffImage(b []byte) (imageCodec, error) {
	switch {
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return jpegCodec, nil
	case len(b) >= 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		return pngCodec, nil
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		// VP8X header: flags byte at 20, animation bit 1<<1.
		if len(b) >= 21 && string(b[12:16]) == "VP8X" && b[20]&0x02 != 0 {
			return imageCodec{}, fmt.Errorf("image: animated WebP: %w", errs.Unsupported)
		}
		return webpCodec, nil
	}
	return imageCodec{}, fmt.Errorf("image: not a JPEG, PNG or WebP image: %w", errs.Unsupported)
}

// decodeImage sniffs, checks the declared dimensions and decodes once.
func decodeImage(data []byte, maxPixels int64) (image.Image, int, error) {
	codec, err := sniffImage(data)
	if err != nil {
		return nil, 0, err
	}
	cfg, err := codec.config(bytes.NewReader(data))
	if err != nil {
		return nil, 0, decodeError(codec, err)
	}
	if err := checkPixels(codec, cfg.Width, cfg.Height, maxPixels); err != nil {
		return nil, 0, err
	}
	src, err := codec.decode(bytes.NewReader(data))
	if err != nil {
		return nil, 0, decodeError(codec, err)
	}
	b := src.Bounds()
	if err := checkPixels(codec, b.Dx(), b.Dy(), maxPixels); err != nil {
		return nil, 0, err
	}
	orientation := 1
	if codec.name == "JPEG" {
		orientation = jpegOrientation(data)
	}
	return src, orientation, nil
}

func checkPixels(codec imageCodec, w, h int, maxPixels int64) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("image: %s of %d×%d pixels: %w", codec.name, w, h, errs.Invalid)
	}
	if int64(w)*int64(h) > maxPixels || w > MaxImageSide || h > MaxImageSide {
		return fmt.Errorf("image: %s of %d×%d pixels, over the limit of %d (%d a side): %w", codec.name, w, h, maxPixels, MaxImageSide, errs.TooLarge)
	}
	return nil
}

// decodeError classifies a decoder error: features the decoders lack are
// Unsupported, everything else (truncation, corruption) is Invalid.
func decodeError(codec imageCodec, err error) error {
	var ju jpeg.UnsupportedError
	var pu png.UnsupportedError
	if errors.As(err, &ju) || errors.As(err, &pu) {
		return fmt.Errorf("image: %s: %v: %w", codec.name, err, errs.Unsupported)
	}
	return fmt.Errorf("image: corrupt %s: %v: %w", codec.name, err, errs.Invalid)
}

// renditions orients and scales the decoded image into the three sizes.
// Full is scaled from the source; Medium from Full and Thumb from Medium.
// The pixels are rotated after the first downscale, where there are fewer.
func renditions(src image.Image, orientation int) (ProcessedImage, error) {
	b := src.Bounds()
	ow, oh := b.Dx(), b.Dy() // displayed (oriented) size
	if orientation >= 5 {
		ow, oh = oh, ow
	}
	transparent := !opaque(src)

	full := src
	if fw, fh := fitWithin(ow, oh, FullMaxSide); fw != ow || fh != oh {
		if orientation >= 5 {
			fw, fh = fh, fw
		}
		full = resample(src, fw, fh, draw.CatmullRom)
	}
	if orientation > 1 {
		full = orient(toRGBA(full), orientation)
	}
	medium := full
	if mw, mh := fitWithin(ow, oh, MediumMaxSide); mw != full.Bounds().Dx() || mh != full.Bounds().Dy() {
		medium = resample(full, mw, mh, draw.CatmullRom)
	}
	thumb := medium
	if tw, th := fitWithin(ow, oh, ThumbMaxSide); tw != medium.Bounds().Dx() || th != medium.Bounds().Dy() {
		// Medium is at most twice the thumbnail's size, so the 2×2 blend of
		// ApproxBiLinear still sees every pixel: measured 7× faster than
		// CatmullRom here, and it looks the same at thumbnail size.
		m := image.NewRGBA(image.Rect(0, 0, tw, th))
		draw.ApproxBiLinear.Scale(m, m.Rect, medium, medium.Bounds(), draw.Src, nil)
		thumb = m
	}

	var p ProcessedImage
	var err error
	if p.Full, err = encodeRendition(full, fullQuality, transparent); err != nil {
		return ProcessedImage{}, err
	}
	if p.Medium, err = encodeRendition(medium, mediumQuality, transparent); err != nil {
		return ProcessedImage{}, err
	}
	if p.Thumb, err = encodeRendition(thumb, thumbQuality, transparent); err != nil {
		return ProcessedImage{}, err
	}
	return p, nil
}

// fitWithin scales w×h down so that its longest side is at most limit; it never upscales.
func fitWithin(w, h, limit int) (int, int) {
	if w <= limit && h <= limit {
		return w, h
	}
	if w >= h {
		return limit, clampSide((h*limit + w/2) / w)
	}
	return clampSide((w*limit + h/2) / h), limit
}

func clampSide(n int) int { return max(n, 1) }

// resample scales src to w×h with kernel q in two separable passes, a row and
// then a column at a time, through an 8-bit intermediate of w×srcHeight
// pixels. A single Kernel.Scale call would allocate a float64 buffer of
// 32 bytes per w×srcHeight pixel (about 100 MB for a 6-megapixel photo) and,
// measured, takes twice as long. Sources other than *image.RGBA (YCbCr from
// JPEG, NRGBA…) are converted a band of rows at a time first, since the
// kernel would otherwise convert each source pixel once per tap.
func resample(src image.Image, w, h int, q *draw.Kernel) *image.RGBA {
	const bandRows = 16
	sr := src.Bounds()
	sw, sh := sr.Dx(), sr.Dy()
	mid := image.NewRGBA(image.Rect(0, 0, w, sh))
	hs := q.NewScaler(w, 1, sw, 1)
	var band *image.RGBA
	if _, ok := src.(*image.RGBA); !ok {
		band = image.NewRGBA(image.Rect(0, 0, sw, bandRows))
	}
	for y0 := 0; y0 < sh; y0 += bandRows {
		rows, rr := src, sr
		n := min(bandRows, sh-y0)
		if band != nil {
			draw.Draw(band, image.Rect(0, 0, sw, n), src, image.Pt(sr.Min.X, sr.Min.Y+y0), draw.Src)
			rows, rr = band, image.Rect(0, -y0, sw, sh-y0) // band row i is source row y0+i
		}
		for y := y0; y < y0+n; y++ {
			hs.Scale(mid, image.Rect(0, y, w, y+1), rows, image.Rect(rr.Min.X, rr.Min.Y+y, rr.Max.X, rr.Min.Y+y+1), draw.Src, nil)
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	vs := q.NewScaler(1, h, 1, sh)
	for x := 0; x < w; x++ {
		vs.Scale(dst, image.Rect(x, 0, x+1, h), mid, image.Rect(x, 0, x+1, sh), draw.Src, nil)
	}
	return dst
}

// toRGBA returns img as an *image.RGBA whose bounds start at (0, 0).
func toRGBA(img image.Image) *image.RGBA {
	if m, ok := img.(*image.RGBA); ok && m.Rect.Min == (image.Point{}) {
		return m
	}
	b := img.Bounds()
	m := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(m, m.Rect, img, b.Min, draw.Src)
	return m
}

// orient applies EXIF orientation o (2–8) to src: each destination pixel
// (x, y) is read from source (cx + xx·x + xy·y, cy + yx·x + yy·y).
func orient(src *image.RGBA, o int) *image.RGBA {
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := sw, sh
	if o >= 5 {
		dw, dh = sh, sw
	}
	var cx, xx, xy, cy, yx, yy int
	switch o {
	case 2: // mirror horizontally
		cx, xx, yy = sw-1, -1, 1
	case 3: // rotate 180°
		cx, xx, cy, yy = sw-1, -1, sh-1, -1
	case 4: // mirror vertically
		xx, cy, yy = 1, sh-1, -1
	case 5: // transpose
		xy, yx = 1, 1
	case 6: // rotate 90° clockwise
		xy, cy, yx = 1, sh-1, -1
	case 7: // transverse
		cx, xy, cy, yx = sw-1, -1, sh-1, -1
	case 8: // rotate 90° counter-clockwise
		cx, xy, yx = sw-1, -1, 1
	default:
		return src
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	step := xx*4 + yx*src.Stride
	for y := 0; y < dh; y++ {
		si := (cy+yy*y)*src.Stride + (cx+xy*y)*4
		row := dst.Pix[y*dst.Stride : y*dst.Stride+dw*4]
		for x := 0; x < len(row); x += 4 {
			copy(row[x:x+4], src.Pix[si:si+4])
			si += step
		}
	}
	return dst
}

// opaque reports whether every pixel of img has full alpha.
func opaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := img.At(x, y).RGBA(); a != 0xffff {
				return false
			}
		}
	}
	return true
}

var pngEncoder = png.Encoder{CompressionLevel: png.DefaultCompression}

// encodeRendition re-encodes img, which drops all metadata: as PNG when asPNG,
// else as JPEG of the given quality with any transparency flattened onto white.
func encodeRendition(img image.Image, quality int, asPNG bool) (Rendition, error) {
	var buf bytes.Buffer
	r := Rendition{Width: img.Bounds().Dx(), Height: img.Bounds().Dy()}
	var err error
	if asPNG {
		r.ContentType = "image/png"
		err = pngEncoder.Encode(&buf, img)
	} else {
		r.ContentType = "image/jpeg"
		err = jpeg.Encode(&buf, flattenOnWhite(img), &jpeg.Options{Quality: quality})
	}
	if err != nil {
		return Rendition{}, fmt.Errorf("image: encode %s: %w", r.ContentType, err)
	}
	r.Data = buf.Bytes()
	return r, nil
}

func flattenOnWhite(img image.Image) image.Image {
	if opaque(img) {
		return img
	}
	b := img.Bounds()
	m := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(m, m.Rect, image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(m, m.Rect, img, b.Min, draw.Over)
	return m
}

// jpegOrientation returns the EXIF Orientation (1–8) stored in a JPEG's APP1
// Exif segment, or 1 when there is none or the metadata is malformed.
func jpegOrientation(b []byte) int {
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xD8 {
		return 1
	}
	for i := 2; ; {
		if i+2 > len(b) || b[i] != 0xFF {
			return 1
		}
		m := b[i+1]
		if m == 0xFF { // fill byte
			i++
			continue
		}
		i += 2
		switch {
		case m == 0x01 || m == 0xD8 || (m >= 0xD0 && m <= 0xD7): // no length
			continue
		case m == 0xDA || m == 0xD9: // start of scan, end of image: metadata is over
			return 1
		}
		if i+2 > len(b) {
			return 1
		}
		n := int(b[i])<<8 | int(b[i+1])
		if n < 2 || i+n > len(b) {
			return 1
		}
		if seg := b[i+2 : i+n]; m == 0xE1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			if o := exifOrientation(seg[6:]); o != 0 {
				return o
			}
		}
		i += n
	}
}

// exifOrientation reads tag 0x0112 from IFD0 of a TIFF structure; 0 if absent or invalid.
func exifOrientation(t []byte) int {
	if len(t) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	if bo.Uint16(t[2:]) != 42 {
		return 0
	}
	off := uint64(bo.Uint32(t[4:]))
	if off < 8 || off+2 > uint64(len(t)) {
		return 0
	}
	n := int(bo.Uint16(t[off:]))
	for k, p := 0, int(off)+2; k < n && p+12 <= len(t); k, p = k+1, p+12 {
		e := t[p : p+12]
		if bo.Uint16(e) != 0x0112 {
			continue
		}
		var v uint32
		switch bo.Uint16(e[2:]) {
		case 3: // SHORT
			v = uint32(bo.Uint16(e[8:]))
		case 4: // LONG
			v = bo.Uint32(e[8:])
		}
		if v >= 1 && v <= 8 {
			return int(v)
		}
		return 0
	}
	return 0
}

// ImageKey returns the content-addressed object key for image bytes:
// "public/img/" + the first two hex digits of their SHA-256 + "/" + the whole
// hex digest + "." + ext. ext is lower-cased and reduced to [a-z0-9] (a
// leading dot is dropped); an empty result leaves the key without extension.
// The key is always valid for storage.ValidKey.
func ImageKey(data []byte, ext string) string {
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, strings.ToLower(ext))
	if len(clean) > 8 {
		clean = clean[:8]
	}
	key := "public/img/" + h[:2] + "/" + h
	if clean != "" {
		key += "." + clean
	}
	return key
}

// MiniSide and miniQuality make the square miniature a point of sale shows
// on each product tile: about 3 KB, so that twenty of them fit a phone's
// first load on 3G.
const (
	MiniSide    = 112
	miniQuality = 60
)

// Miniature crops a stored rendition (a thumbnail) to its centred square
// and scales it to MiniSide, as JPEG. Renditions carry no orientation any
// more, and their size is bounded, so this stays cheap.
func Miniature(rendition []byte) ([]byte, error) {
	src, _, err := decodeImage(rendition, int64(ThumbMaxSide)*ThumbMaxSide*4)
	if err != nil {
		return nil, err
	}
	b := src.Bounds()
	side := min(b.Dx(), b.Dy())
	square := image.NewRGBA(image.Rect(0, 0, side, side))
	draw.Draw(square, square.Rect, src, image.Pt(b.Min.X+(b.Dx()-side)/2, b.Min.Y+(b.Dy()-side)/2), draw.Src)
	n := min(side, MiniSide)
	r, err := encodeRendition(resample(square, n, n, draw.CatmullRom), miniQuality, false)
	return r.Data, err
}
