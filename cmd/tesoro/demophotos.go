package main

import (
	"bytes"
	"hash/fnv"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// Size of the generated demo photos.
const demoW, demoH = 1200, 900

// demoPhotoKinds are the scenes drawDemoPhoto draws: one per initiative
// kind, and goodsScenes.
var demoPhotoKinds = append([]string{"bakery", "cafeteria", "garden", "fish_farming", "arepas", "crafts", "beauty", "computers", "dairy", "other"}, goodsScenes...)

// drawDemoPhoto draws a simple, deterministic product illustration of a
// scene (an initiative kind, "bakery", "cafeteria", "garden", "fish_farming",
// "arepas", "crafts", "beauty", "computers", "dairy", or one of goodsScenes;
// anything else draws "other") and returns it as a JPEG. The seed varies colours and arrangement. It is meant for demo and
// seed data, not for tests of image handling.
func drawDemoPhoto(kind string, seed int) []byte {
	if !slices.Contains(demoPhotoKinds, kind) {
		kind = "other"
	}
	h := fnv.New64a()
	h.Write([]byte(kind))
	c := &canvas{image.NewRGBA(image.Rect(0, 0, demoW, demoH)), rand.New(rand.NewPCG(h.Sum64(), uint64(seed)))}
	j := c.jitter
	switch kind {
	case "bakery":
		c.backdrop(j(247, 232, 208), j(228, 200, 160), 500, j(150, 98, 58), j(112, 70, 40))
		for _, p := range c.spread(3+c.rng.IntN(2), 520, 680) {
			rx, ry, a := 180+c.f(50), 80+c.f(24), c.f(0.3)-0.15
			c.shadow(p.X+10, p.Y+ry*0.7, rx*1.05, ry*0.5)
			c.ellipse(p.X, p.Y, rx, ry, a, c.shade(j(198, 134, 62), p.X, p.Y, rx))
			for k := -1.0; k <= 1; k++ {
				c.ellipse(p.X+k*rx*0.45, p.Y-ry*0.1, rx*0.2, ry*0.12, a-0.6, flat(j(238, 196, 128), 220))
			}
		}
	case "cafeteria":
		c.backdrop(j(206, 224, 218), j(172, 198, 190), 600, j(232, 222, 206), j(210, 196, 176))
		for i, n := 0, 5+c.rng.IntN(4); i < n; i++ {
			x, y := 120+c.f(960), 700+c.f(160)
			if math.Abs(x-600) > 330 || y > 800 {
				a := c.f(math.Pi)
				c.ellipse(x, y, 24, 16, a, c.shade(j(92, 54, 30), x, y, 24))
				c.ellipse(x, y, 18, 2.5, a, flat(color.RGBA{50, 28, 15, 255}, 255))
			}
		}
		cup, o := c.pick(j(232, 232, 226), j(196, 92, 60), j(44, 70, 120), j(214, 170, 60)), c.f(160)-80
		c.shadow(620+o, 700, 330, 60)
		c.ellipse(600+o, 680, 310, 80, 0, c.shade(j(245, 245, 240), 600+o, 620, 310))
		c.ring(790+o, 500, 72, 18, c.shade(cup, 790+o, 470, 90))
		c.rrect(430+o, 360, 770+o, 660, 70, c.shade(cup, 560+o, 420, 320))
		c.ellipse(600+o, 360, 170, 42, 0, flat(c.tint(cup, 1.12), 255))
		c.ellipse(600+o, 364, 150, 32, 0, flat(j(196, 142, 88), 255))
		c.ellipse(600+o, 366, 128, 25, 0, c.shade(j(82, 46, 26), 620+o, 370, 128))
	case "garden":
		c.backdrop(j(226, 238, 214), j(200, 222, 186), 520, j(205, 184, 146), j(176, 152, 112))
		for i := 0; i < 4; i++ {
			x, y := 220+float64(i)*250+c.f(60), 470+c.f(60)
			c.ellipse(x, y, 190, 85, -0.6+c.f(1.2), c.shade(j(84, 156, 66), x-60, y-40, 200))
		}
		for _, p := range c.spread(4+c.rng.IntN(3), 600, 720) {
			r := 70 + c.f(30)
			c.shadow(p.X+8, p.Y+r*0.8, r, r*0.3)
			c.ellipse(p.X, p.Y, r, r*0.92, 0, c.shade(j(214, 48, 36), p.X, p.Y, r))
			for k := 0.0; k < 5; k++ {
				a := k * 2 * math.Pi / 5
				c.ellipse(p.X+math.Cos(a)*r*0.2, p.Y-r*0.8+math.Sin(a)*r*0.08, r*0.22, r*0.06, a, flat(j(60, 120, 40), 255))
			}
		}
	case "fish_farming":
		c.backdrop(j(70, 150, 200), j(18, 66, 118), demoH, color.RGBA{}, color.RGBA{})
		for i := 0; i < 40; i++ {
			x, y, r := c.f(demoW), c.f(demoH), 4+c.f(14)
			c.ring(x, y, r, 1.5, flat(color.RGBA{225, 240, 255, 255}, 150))
		}
		for _, p := range c.spread(3+c.rng.IntN(2), 250, 720) {
			rx, ry, d := 150+c.f(30), 55+c.f(12), float64(1-2*c.rng.IntN(2))
			body := j(178, 186, 196)
			for _, a := range []float64{0.55, -0.55} {
				c.ellipse(p.X-d*rx*1.05, p.Y+a*ry*0.7, rx*0.32, ry*0.42, a*d, flat(c.tint(body, 0.8), 255))
			}
			c.ellipse(p.X-d*rx*0.1, p.Y-ry*0.9, rx*0.35, ry*0.3, 0.2*d, flat(c.tint(body, 0.85), 255))
			c.ellipse(p.X, p.Y, rx, ry, 0, c.shade(body, p.X, p.Y-ry*0.3, rx))
			c.ellipse(p.X, p.Y+ry*0.1, rx*0.8, ry*0.12, 0, flat(j(230, 150, 150), 130))
			c.ellipse(p.X+d*rx*0.68, p.Y-ry*0.2, 11, 11, 0, flat(color.RGBA{250, 250, 250, 255}, 255))
			c.ellipse(p.X+d*rx*0.7, p.Y-ry*0.2, 6, 6, 0, flat(color.RGBA{20, 20, 30, 255}, 255))
		}
	case "arepas":
		c.backdrop(j(250, 236, 200), j(240, 214, 170), 380, j(200, 60, 50), j(170, 40, 34))
		c.shadow(620, 640, 420, 170)
		c.ellipse(600, 610, 420, 230, 0, c.shade(j(246, 246, 242), 560, 520, 420))
		c.ellipse(600, 618, 320, 165, 0, flat(j(234, 234, 228), 255))
		for i, p := range c.spread(3, 560, 640) {
			x := 390 + float64(i)*210 + c.f(20)
			c.shadow(x+8, p.Y+40, 125, 45)
			c.ellipse(x, p.Y, 125, 90, c.f(0.3)-0.15, c.shade(j(234, 188, 96), x, p.Y, 125))
			for k := 0; k < 7; k++ {
				a, d := c.f(2*math.Pi), c.f(0.7)
				c.ellipse(x+math.Cos(a)*d*110, p.Y+math.Sin(a)*d*75, 10+c.f(10), 6+c.f(6), a, flat(j(168, 108, 44), 140))
			}
		}
	case "crafts":
		c.backdrop(j(236, 222, 200), j(214, 194, 166), demoH, color.RGBA{}, color.RGBA{})
		palette := []color.RGBA{j(245, 196, 40), j(30, 92, 180), j(204, 40, 52), j(32, 170, 160), j(240, 120, 30), j(240, 240, 232)}
		off, n := c.rng.IntN(6), 26
		for i := 0; i <= n; i++ {
			t := float64(i)/float64(n)*1.6*math.Pi + 0.7*math.Pi
			x, y := 600+430*math.Cos(t), 330-320*math.Sin(t)
			r := 26.0 + 6*float64((i+off)%3/2)
			c.shadow(x+6, y+r*0.9, r, r*0.35)
			c.ellipse(x, y, r, r, 0, c.shade(palette[(i+off)%len(palette)], x, y, r))
		}
	case "beauty":
		c.backdrop(j(246, 222, 228), j(232, 198, 210), 640, j(248, 244, 242), j(230, 224, 224))
		for i, p := range c.spread(3, 640, 660) {
			w, h := 90+c.f(50), 200+c.f(180)
			if i == 1 {
				w, h = 150, 110
			}
			body := c.pick(j(236, 170, 190), j(170, 214, 196), j(190, 176, 224), j(244, 196, 160))
			c.shadow(p.X+14, p.Y, w*1.1, 22)
			c.rrect(p.X-w, p.Y-h, p.X+w, p.Y, 28, c.shade(body, p.X-w*0.3, p.Y-h, h))
			c.rrect(p.X-w*0.6, p.Y-h-60, p.X+w*0.6, p.Y-h+4, 14, c.shade(j(200, 168, 96), p.X-20, p.Y-h-40, w))
			c.rrect(p.X-w*0.7, p.Y-h*0.65, p.X+w*0.7, p.Y-h*0.3, 10, flat(color.RGBA{255, 255, 255, 255}, 170))
		}
	case "computers":
		c.backdrop(j(222, 228, 238), j(190, 200, 216), 610, c.pick(j(120, 126, 138), j(150, 104, 70)), j(90, 96, 108))
		a, b, o := c.pick(j(30, 80, 170), j(20, 120, 120), j(90, 50, 150)), j(90, 170, 220), c.f(120)-60
		c.shadow(620+o, 640, 400, 40)
		c.rrect(330+o, 180, 870+o, 580, 22, flat(color.RGBA{44, 48, 54, 255}, 255))
		c.rrect(352+o, 202, 848+o, 558, 8, func(x, y float64) color.RGBA {
			return mix(a, b, (x-352-o+y-202)/850)
		})
		c.rrect(270+o, 576, 930+o, 606, 14, c.shade(j(196, 200, 206), 600+o, 560, 400))
		c.shadow(1030+o/2, 626, 60, 14)
		c.ellipse(1020+o/2, 605, 45, 28, 0, c.shade(j(200, 204, 210), 1010+o/2, 595, 45))
	case "dairy":
		c.backdrop(j(222, 234, 244), j(196, 214, 230), 600, j(176, 128, 84), j(140, 96, 60))
		for i, p := range c.spread(3+c.rng.IntN(2), 640, 700) {
			if i%2 == 1 { // a jar of arequipe or yogur
				w, h := 120+c.f(30), 150+c.f(40)
				fill := c.pick(j(150, 92, 44), j(240, 236, 226), j(226, 150, 170))
				c.shadow(p.X+12, p.Y, w*1.1, 20)
				c.rrect(p.X-w, p.Y-h, p.X+w, p.Y, 24, c.shade(fill, p.X-w*0.3, p.Y-h, h))
				c.rrect(p.X-w*0.9, p.Y-h-44, p.X+w*0.9, p.Y-h+8, 10, c.shade(c.pick(j(200, 40, 40), j(240, 200, 60), j(40, 120, 190)), p.X-20, p.Y-h-30, w))
				c.rrect(p.X-w*0.7, p.Y-h*0.7, p.X+w*0.7, p.Y-h*0.35, 8, flat(color.RGBA{255, 255, 255, 255}, 200))
				continue
			}
			w, h := 70+c.f(20), 330+c.f(80) // a bottle of milk or kumis
			c.shadow(p.X+12, p.Y, w*1.2, 20)
			c.rrect(p.X-w, p.Y-h, p.X+w, p.Y, 30, c.shade(j(248, 248, 244), p.X-w*0.4, p.Y-h*0.8, h))
			c.rrect(p.X-w*0.45, p.Y-h-70, p.X+w*0.45, p.Y-h+20, 12, c.shade(j(246, 246, 242), p.X-10, p.Y-h-40, w))
			c.rrect(p.X-w*0.5, p.Y-h-96, p.X+w*0.5, p.Y-h-62, 8, c.shade(c.pick(j(40, 110, 190), j(30, 150, 90), j(210, 60, 60)), p.X, p.Y-h-80, w))
			c.rrect(p.X-w*0.8, p.Y-h*0.55, p.X+w*0.8, p.Y-h*0.3, 8, flat(c.pick(j(40, 110, 190), j(30, 150, 90)), 230))
		}
	case "other":
		c.backdrop(j(230, 234, 240), j(206, 212, 222), 580, j(236, 226, 210), j(214, 200, 180))
		box, ribbon := c.pick(j(40, 110, 170), j(60, 140, 80), j(240, 200, 60)), c.pick(j(230, 60, 70), j(250, 250, 245), j(150, 60, 160))
		c.shadow(620, 700, 300, 40)
		c.rrect(350, 380, 850, 700, 16, c.shade(box, 480, 400, 400))
		c.rrect(320, 320, 880, 400, 14, c.shade(c.tint(box, 1.1), 480, 330, 400))
		c.rrect(570, 320, 630, 700, 4, c.shade(ribbon, 590, 380, 200))
		for _, a := range []float64{-0.5, 0.5} {
			c.ellipse(600-a*180, 290, 90, 40, a, c.shade(ribbon, 600-a*200, 270, 100))
		}
	default:
		c.drawGoods(kind)
	}
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, c.RGBA, &jpeg.Options{Quality: 85}) // writing to memory cannot fail
	return buf.Bytes()
}

type canvas struct {
	*image.RGBA
	rng *rand.Rand
}

type paint func(x, y float64) color.RGBA

type point struct{ X, Y float64 }

func (c *canvas) f(n float64) float64 { return c.rng.Float64() * n }

func (c *canvas) pick(ks ...color.RGBA) color.RGBA { return ks[c.rng.IntN(len(ks))] }

// jitter varies a colour a little with the seed.
func (c *canvas) jitter(r, g, b uint8) color.RGBA {
	v := func(x uint8) uint8 { return uint8(min(max(int(x)+c.rng.IntN(25)-12, 0), 255)) }
	return color.RGBA{v(r), v(g), v(b), 255}
}

func (c *canvas) tint(k color.RGBA, f float64) color.RGBA {
	s := func(x uint8) uint8 { return uint8(min(float64(x)*f, 255)) }
	return color.RGBA{s(k.R), s(k.G), s(k.B), k.A}
}

// spread places n points left to right with some randomness, sorted back to front.
func (c *canvas) spread(n int, y0, y1 float64) []point {
	ps := make([]point, n)
	for i := range ps {
		ps[i].X = 180 + (float64(i)+0.5)*840/float64(n) + c.f(60) - 30
		ps[i].Y = y0 + c.f(y1-y0)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Y < ps[j].Y })
	return ps
}

func flat(k color.RGBA, alpha uint8) paint {
	k.A = alpha
	return func(float64, float64) color.RGBA { return k }
}

// shade lights k from the top left of a round shape at (cx, cy) of radius r.
func (c *canvas) shade(k color.RGBA, cx, cy, r float64) paint {
	return func(x, y float64) color.RGBA {
		d := math.Hypot(x-(cx-0.35*r), y-(cy-0.45*r)) / r
		return c.tint(k, min(max(1.22-0.42*d, 0.62), 1.25))
	}
}

// fill paints where dist (a signed distance, negative inside) is below zero,
// anti-aliased over feather pixels.
func (c *canvas) fill(box image.Rectangle, dist func(x, y float64) float64, p paint, feather float64) {
	box = box.Intersect(c.Rect)
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			a := min(max(0.5-dist(fx, fy)/feather, 0), 1)
			if a == 0 {
				continue
			}
			k := p(fx, fy)
			a *= float64(k.A) / 255
			i := c.PixOffset(x, y)
			for ch, v := range [3]uint8{k.R, k.G, k.B} {
				c.Pix[i+ch] = uint8(float64(c.Pix[i+ch])*(1-a) + float64(v)*a + 0.5)
			}
		}
	}
}

func (c *canvas) ellipseF(cx, cy, rx, ry, angle float64, p paint, feather float64) {
	s, co := math.Sincos(angle)
	hw, hh := math.Hypot(rx*co, ry*s)+feather, math.Hypot(rx*s, ry*co)+feather // bounding box
	c.fill(image.Rect(int(cx-hw), int(cy-hh), int(cx+hw)+2, int(cy+hh)+2), func(x, y float64) float64 {
		u, v := (x-cx)*co+(y-cy)*s, (cx-x)*s+(y-cy)*co
		d := math.Hypot(u/rx, v/ry)
		g := math.Hypot(u/(rx*rx), v/(ry*ry)) / max(d, 1e-9)
		return (d - 1) / max(g, 1e-9) // first-order distance to the outline
	}, p, feather)
}

func (c *canvas) ellipse(cx, cy, rx, ry, angle float64, p paint) {
	c.ellipseF(cx, cy, rx, ry, angle, p, 1.2)
}

func (c *canvas) shadow(cx, cy, rx, ry float64) {
	c.ellipseF(cx, cy, rx, ry, 0, flat(color.RGBA{40, 25, 10, 0}, 80), ry*0.9+8)
}

func (c *canvas) ring(cx, cy, r, width float64, p paint) {
	c.fill(image.Rect(int(cx-r-width), int(cy-r-width), int(cx+r+width)+2, int(cy+r+width)+2), func(x, y float64) float64 {
		return math.Abs(math.Hypot(x-cx, y-cy)-r) - width/2
	}, p, 1.2)
}

func (c *canvas) rrect(x0, y0, x1, y1, r float64, p paint) {
	cx, cy, hw, hh := (x0+x1)/2, (y0+y1)/2, (x1-x0)/2-r, (y1-y0)/2-r
	c.fill(image.Rect(int(x0)-1, int(y0)-1, int(x1)+2, int(y1)+2), func(x, y float64) float64 {
		qx, qy := math.Abs(x-cx)-hw, math.Abs(y-cy)-hh
		return math.Hypot(max(qx, 0), max(qy, 0)) + min(max(qx, qy), 0) - r
	}, p, 1.2)
}

// backdrop paints a wall gradient down to horizon and a table gradient
// below, darkening the corners a little as a lens does.
func (c *canvas) backdrop(top, bottom color.RGBA, horizon int, near, far color.RGBA) {
	for y := 0; y < demoH; y++ {
		k := mix(top, bottom, float64(y)/float64(horizon))
		if y >= horizon {
			k = mix(near, far, float64(y-horizon)/float64(demoH-horizon))
		}
		row, dy := c.Pix[y*c.Stride:], float64(y)/demoH-0.5
		for x := 0; x < demoW; x++ {
			dx := float64(x)/demoW - 0.5
			f := 1 - 0.4*(dx*dx+dy*dy)
			row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = uint8(float64(k.R)*f), uint8(float64(k.G)*f), uint8(float64(k.B)*f), 255
		}
	}
}

func mix(a, b color.RGBA, t float64) color.RGBA {
	l := func(x, y uint8) uint8 { return uint8(float64(x) + (float64(y)-float64(x))*t) }
	return color.RGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 255}
}
