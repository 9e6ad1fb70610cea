package main

import (
	"image"
	"image/color"
	"math"
)

// goodsScenes are the drawings of single kinds of goods, for demo products
// their initiative's scene would not show (a garden's chard is no tomato).
var goodsScenes = []string{"potatoes", "greens", "squash", "plantains", "cassava", "onions", "pods", "strawberries",
	"soup", "juice", "dessert", "chamomile", "calendula", "honey", "chocolate", "textiles", "bag", "hat", "pottery",
	"carving", "cheese", "phone", "printer"}

// demoProductScenes names the drawing of each demo product whose
// initiative's scene does not show it; the others take their kind's.
var demoProductScenes = map[string]string{
	"Papa criolla": "potatoes", "Papa pastusa": "potatoes",
	"Cilantro": "greens", "Lechuga crespa": "greens", "Acelga": "greens",
	"Ahuyama": "squash", "Plátano hartón": "plantains", "Yuca": "cassava", "Cebolla de rama": "onions",
	"Habas verdes": "pods", "Fresas": "strawberries",
	"Caldo de papa": "soup", "Sancocho de pescado": "soup", "Cocido boyacense": "soup", "Mazamorra chiquita": "soup",
	"Jugo de maracuyá": "juice", "Postre de natas": "dessert",
	"Aromática de manzanilla": "chamomile", "Caléndula deshidratada": "calendula",
	"Miel de abejas": "honey", "Bombones de cacao": "chocolate", "Chocolate en barra": "chocolate",
	"Ruana de lana": "textiles", "Delantal de cocina": "textiles", "Mochila tejida": "bag", "Bolso de tela": "bag",
	"Gorro tejido": "hat", "Matera de barro": "pottery", "Figura en carbón": "carving",
	"Queso costeño": "cheese", "Cuajada fresca": "cheese", "Queso campesino": "cheese",
	"Reparación de celular": "phone", "Impresión a color": "printer", "Impresiones y fotocopias": "printer",
}

// drawGoods draws the scene of goods kind (one of goodsScenes), telling
// whether it knows it.
func (c *canvas) drawGoods(kind string) bool {
	j := c.jitter
	wood := func() { c.backdrop(j(238, 230, 214), j(218, 206, 186), 470, j(160, 118, 78), j(122, 86, 54)) }
	switch kind {
	case "potatoes":
		wood()
		skin := c.pick(j(226, 190, 96), j(196, 150, 104))
		c.rrect(380, 230, 820, 600, 90, c.shade(j(188, 156, 108), 520, 300, 400)) // the sack
		for y := 260.0; y < 590; y += 22 {
			c.rrect(400, y, 800, y+3, 1, flat(j(150, 118, 76), 120))
		}
		for _, row := range [][2]float64{{500, 580}, {620, 760}} {
			for _, p := range c.spread(5+c.rng.IntN(2), row[0], row[1]) {
				rx, ry, a := 78+c.f(30), 56+c.f(16), c.f(1)-0.5
				c.shadow(p.X+8, p.Y+ry*0.75, rx, ry*0.35)
				c.ellipse(p.X, p.Y, rx, ry, a, c.shade(skin, p.X, p.Y, rx))
				for k := 0; k < 3; k++ {
					c.ellipse(p.X+c.f(rx)-rx/2, p.Y+c.f(ry)-ry/2, 5, 3, a, flat(c.tint(skin, 0.6), 200))
				}
			}
		}
	case "greens":
		c.backdrop(j(230, 238, 222), j(210, 222, 200), 500, j(200, 180, 146), j(172, 150, 114))
		leaf, stalk := c.pick(j(70, 150, 60), j(40, 110, 50), j(120, 180, 80)), c.pick(j(226, 236, 200), j(200, 60, 70))
		bx, by := 900.0, 600.0
		c.shadow(560, 690, 420, 60)
		for i := 0; i < 9; i++ {
			a := math.Pi + 0.5 - float64(i)*0.1 + c.f(0.04)
			l := 560 + c.f(140)
			dx, dy := math.Cos(a), math.Sin(a)
			c.taper(bx, by, 12, bx+dx*l*0.55, by+dy*l*0.55, 8, c.shade(stalk, bx, by, 300))
			lx, ly := bx+dx*l*0.72, by+dy*l*0.72
			c.ellipse(lx, ly, l*0.32, l*0.15, a, c.shade(leaf, lx, ly, l*0.3))
			c.taper(bx+dx*l*0.45, by+dy*l*0.45, 4, bx+dx*l, by+dy*l, 1, flat(c.tint(leaf, 1.35), 200))
		}
		c.rrect(bx-40, by-26, bx-10, by+26, 6, flat(j(200, 50, 50), 255))
	case "squash":
		wood()
		skin := c.pick(j(226, 128, 40), j(120, 140, 96))
		cx, cy := 470.0, 600.0
		c.shadow(cx+20, cy+170, 270, 50)
		c.ellipse(cx, cy, 270, 190, 0, c.shade(skin, cx, cy, 270))
		for k := -3.0; k <= 3; k++ {
			c.ellipse(cx+k*74, cy, 18, 180-math.Abs(k)*22, 0, flat(c.tint(skin, 0.7), 80))
		}
		c.taper(cx, cy-180, 26, cx+30, cy-240, 18, c.shade(j(120, 104, 60), cx, cy-200, 40))
		hx, hy := 880.0, 700.0 // the cut half
		c.shadow(hx+10, hy+90, 210, 40)
		c.ellipse(hx, hy, 210, 130, 0, flat(c.tint(skin, 0.8), 255))
		c.ellipse(hx, hy-6, 190, 116, 0, c.shade(j(244, 150, 40), hx, hy, 190))
		c.ellipse(hx, hy-6, 90, 56, 0, flat(j(236, 180, 90), 255))
		for k := 0; k < 14; k++ {
			a := c.f(2 * math.Pi)
			c.ellipse(hx+math.Cos(a)*c.f(70), hy-6+math.Sin(a)*c.f(40), 10, 5, a, flat(j(246, 234, 200), 255))
		}
	case "plantains":
		wood()
		peel := c.pick(j(150, 170, 60), j(226, 196, 70))
		c.shadow(620, 720, 400, 60)
		for i := 0; i < 4; i++ {
			base := 520 + float64(i)*52
			c.curve(func(t float64) (float64, float64, float64) {
				return 300 + 660*t, base - 110*math.Sin(math.Pi*t), 16 + 34*math.Pow(math.Sin(math.Pi*t), 0.5)
			}, c.shade(peel, 600, base-80, 400))
			c.ellipse(962, base, 14, 12, 0, flat(j(70, 50, 30), 255))
		}
		c.taper(250, 640, 40, 320, 600, 30, c.shade(j(110, 120, 60), 280, 620, 60))
	case "cassava":
		wood()
		bark := j(130, 86, 52)
		for i := 0; i < 3; i++ {
			y := 520 + float64(i)*80 + c.f(20)
			x0, x1 := 240+c.f(60), 900+c.f(80)
			c.shadow((x0+x1)/2, y+50, (x1-x0)/2, 30)
			c.taper(x0, y, 56, x1, y+30-c.f(60), 16, c.shade(bark, (x0+x1)/2, y, 400))
			for x := x0 + 60; x < x1-40; x += 70 + c.f(40) {
				c.ellipse(x, y+(x-x0)/(x1-x0)*10, 4, 40-(x-x0)/(x1-x0)*24, 0.1, flat(c.tint(bark, 0.65), 150))
			}
		}
		cx, cy := 980.0, 780.0 // a piece cut open
		c.taper(820, cy, 52, cx, cy, 50, c.shade(bark, 900, cy, 120))
		c.ellipse(cx, cy, 36, 52, 0, flat(j(170, 100, 90), 255))
		c.ellipse(cx, cy, 30, 46, 0, c.shade(j(248, 244, 228), cx, cy, 40))
		c.ellipse(cx, cy, 6, 8, 0, flat(j(220, 210, 180), 255))
	case "onions":
		wood()
		green := j(80, 150, 60)
		for i := 0; i < 4; i++ {
			y := 520 + float64(i)*55
			for k := 0; k < 3; k++ {
				c.taper(380, y, 24, 1000+c.f(80), y-90+c.f(140), 7, c.shade(green, 700, y, 400))
			}
			c.taper(330, y, 42, 560, y, 26, c.shade(j(226, 236, 206), 420, y, 200))
			for k := 0; k < 5; k++ {
				c.taper(270, y, 3, 200+c.f(40), y-40+c.f(80), 1.5, flat(j(214, 200, 170), 255))
			}
			c.ellipse(300, y, 48, 38, 0, c.shade(c.pick(j(246, 244, 236), j(210, 170, 200)), 300, y, 48))
		}
		c.rrect(470, 470, 500, 740, 8, flat(j(200, 50, 50), 255))
	case "pods":
		wood()
		pod := j(110, 170, 70)
		for _, p := range c.spread(5, 500, 720) {
			a, l := c.f(0.8)-0.4, 280+c.f(60)
			dx, dy := math.Cos(a)*l/2, math.Sin(a)*l/2
			c.shadow(p.X+8, p.Y+30, l/2, 24)
			c.taper(p.X-dx, p.Y-dy, 34, p.X+dx, p.Y+dy, 22, c.shade(pod, p.X, p.Y, l/2))
			for k := -1.5; k <= 1.5; k++ {
				c.ellipse(p.X+dx*k/2.1, p.Y+dy*k/2.1-6, 36, 30, a, c.shade(c.tint(pod, 1.06), p.X+dx*k/2.1, p.Y+dy*k/2.1-12, 36))
			}
		}
		for i := 0; i < 7; i++ {
			x, y := 200+c.f(800), 780+c.f(80)
			c.ellipse(x, y, 26, 20, c.f(3), c.shade(j(186, 214, 130), x, y, 26))
			c.ellipse(x+8, y, 8, 3, 0, flat(j(90, 70, 40), 200))
		}
	case "strawberries":
		c.backdrop(j(240, 232, 226), j(226, 214, 206), 500, j(236, 238, 240), j(214, 216, 222))
		c.shadow(620, 700, 380, 60)
		c.ellipse(600, 620, 360, 140, 0, c.shade(j(246, 246, 244), 560, 560, 360))
		for _, p := range append(c.spread(7, 520, 600), c.spread(4, 740, 800)...) {
			c.strawberry(p.X, p.Y, 0.9+c.f(0.3))
		}
	case "soup":
		wood()
		bowl, broth := c.pick(j(180, 96, 56), j(244, 242, 236)), c.pick(j(214, 160, 70), j(228, 204, 150), j(196, 120, 60))
		c.shadow(620, 740, 440, 80)
		c.ellipse(600, 650, 440, 190, 0, c.shade(j(246, 246, 242), 560, 600, 440))
		c.ellipse(600, 600, 330, 150, 0, c.shade(bowl, 540, 560, 330))
		c.ellipse(600, 585, 300, 124, 0, flat(c.tint(bowl, 1.1), 255))
		c.ellipse(600, 592, 282, 110, 0, c.shade(broth, 560, 570, 282))
		for k := 0; k < 26; k++ {
			a, d := c.f(2*math.Pi), math.Sqrt(c.f(1))*0.8
			x, y := 600+math.Cos(a)*d*282, 592+math.Sin(a)*d*110
			switch k % 3 {
			case 0: // potato
				c.rrect(x-20, y-12, x+20, y+12, 6, c.shade(j(240, 214, 130), x, y, 24))
			case 1: // herbs
				c.ellipse(x, y, 9, 4, a, flat(j(50, 130, 50), 255))
			default: // corn or carrot
				c.ellipse(x, y, 16, 10, 0, c.shade(c.pick(j(244, 200, 60), j(230, 120, 40)), x, y, 16))
			}
		}
		c.taper(980, 760, 14, 1130, 850, 18, c.shade(j(200, 204, 210), 1040, 790, 100))
		c.ellipse(950, 744, 44, 26, 0.5, c.shade(j(210, 214, 220), 950, 744, 44))
	case "juice":
		c.backdrop(j(244, 236, 210), j(230, 218, 186), 560, j(150, 190, 120), j(110, 150, 90))
		juice := c.pick(j(246, 190, 40), j(240, 150, 40))
		for _, x := range []float64{440, 720} {
			c.shadow(x+10, 720, 120, 24)
			c.rrect(x-100, 280, x+100, 720, 26, flat(color.RGBA{255, 255, 255, 0}, 70))
			c.rrect(x-92, 360, x+92, 712, 22, c.shade(juice, x-30, 420, 300))
			c.rrect(x-70, 300, x-48, 690, 10, flat(color.RGBA{255, 255, 255, 0}, 110))
			c.ellipse(x, 360, 92, 18, 0, flat(c.tint(juice, 1.15), 255))
			c.taper(x+30, 380, 9, x+90, 180, 9, flat(j(230, 60, 80), 255))
		}
		for i, x := range []float64{930, 1040} { // a passion fruit cut in two
			c.shadow(x, 810, 90, 20)
			c.ellipse(x, 770, 90, 62, 0, c.shade(j(236, 200, 60), x, 770, 90))
			c.ellipse(x, 766, 76, 50, 0, flat(j(250, 236, 190), 255))
			c.ellipse(x, 766, 66, 42, 0, c.shade(j(240, 170, 30), x, 766, 66))
			for k := 0; k < 16+i; k++ {
				a, d := c.f(2*math.Pi), c.f(0.8)
				c.ellipse(x+math.Cos(a)*d*60, 766+math.Sin(a)*d*36, 5, 4, a, flat(color.RGBA{30, 24, 16, 255}, 255))
			}
		}
	case "dessert":
		c.backdrop(j(240, 228, 214), j(224, 206, 188), 560, j(150, 104, 70), j(118, 80, 52))
		for _, x := range []float64{420, 780} {
			c.shadow(x+10, 730, 150, 28)
			c.rrect(x-140, 380, x+140, 720, 40, flat(color.RGBA{255, 255, 255, 0}, 80))
			c.rrect(x-130, 560, x+130, 710, 34, c.shade(j(240, 214, 150), x, 600, 200))
			c.rrect(x-130, 430, x+130, 570, 20, c.shade(j(252, 248, 236), x-40, 460, 200))
			c.ellipse(x, 430, 130, 30, 0, flat(j(250, 244, 226), 255))
			for k := 0; k < 30; k++ {
				c.ellipse(x+c.f(220)-110, 430+c.f(36)-18, 3, 2, 0, flat(j(140, 80, 40), 255))
			}
			c.rrect(x-112, 400, x-92, 690, 10, flat(color.RGBA{255, 255, 255, 0}, 100))
		}
		c.taper(980, 770, 10, 1140, 700, 12, c.shade(j(200, 204, 210), 1060, 730, 90))
	case "chamomile":
		c.herbs(j(250, 250, 244), j(240, 196, 40))
	case "calendula":
		c.herbs(j(244, 140, 30), j(200, 100, 20))
	case "honey":
		c.backdrop(j(246, 236, 214), j(232, 216, 186), 600, j(170, 124, 80), j(130, 92, 58))
		c.shadow(620, 720, 200, 30)
		c.rrect(450, 330, 750, 720, 50, func(x, y float64) color.RGBA {
			return mix(j(250, 190, 60), j(170, 90, 20), (y-330)/390)
		})
		c.rrect(480, 360, 510, 690, 14, flat(color.RGBA{255, 255, 255, 0}, 90))
		c.rrect(470, 270, 730, 340, 18, c.shade(c.pick(j(200, 60, 50), j(214, 170, 60)), 560, 280, 200))
		c.rrect(500, 470, 700, 600, 12, flat(j(250, 246, 232), 235))
		c.ellipse(600, 535, 40, 34, 0, flat(j(230, 170, 40), 255))
		c.ellipse(880, 790, 110, 26, 0, flat(j(210, 130, 30), 200)) // a spill under the dipper
		c.taper(900, 760, 12, 1120, 840, 16, c.shade(j(190, 140, 90), 1000, 790, 120))
		c.ellipse(850, 750, 56, 40, 0.3, c.shade(j(200, 150, 96), 850, 750, 56))
		for k := -1.0; k <= 1; k++ {
			c.ellipse(850+k*26, 750+k*8, 6, 38, 0.3, flat(j(150, 104, 60), 200))
		}
	case "chocolate":
		c.backdrop(j(240, 230, 220), j(222, 208, 194), 500, j(236, 226, 210), j(214, 200, 180))
		dark := j(92, 52, 30)
		c.shadow(600, 700, 320, 40)
		c.rrect(300, 420, 860, 700, 14, c.shade(dark, 450, 450, 500))
		for r := 0; r < 3; r++ {
			for k := 0; k < 4; k++ {
				x, y := 320+float64(k)*135, 440+float64(r)*85
				c.rrect(x, y, x+120, y+72, 8, flat(c.tint(dark, 1.25), 255))
				c.rrect(x+8, y+8, x+116, y+68, 6, c.shade(dark, x+40, y+20, 100))
			}
		}
		c.rrect(700, 400, 900, 720, 10, c.shade(c.pick(j(200, 50, 50), j(210, 170, 60)), 760, 420, 300)) // the wrapper
		for i, x := range []float64{300, 470, 980} {
			y := 800.0 - float64(i%2)*30
			c.ellipse(x, y+20, 70, 26, 0, flat(j(250, 250, 246), 255))
			c.ellipse(x, y, 58, 48, 0, c.shade(dark, x, y, 58))
			c.ring(x, y-8, 22, 5, flat(j(180, 120, 70), 255))
		}
		for i := 0; i < 3; i++ { // cocoa beans
			x, y := 1000+float64(i)*50, 560+float64(i)*60
			c.ellipse(x, y, 34, 22, 0.6, c.shade(j(130, 78, 50), x, y, 34))
			c.ellipse(x, y, 24, 2, 0.6, flat(j(80, 46, 26), 255))
		}
	case "textiles":
		wood()
		palette := []color.RGBA{j(150, 40, 50), j(40, 70, 130), j(214, 200, 170), j(110, 80, 60), j(60, 120, 80)}
		off := c.rng.IntN(len(palette))
		for i := 0; i < 4; i++ {
			y0, y1 := 330+float64(i)*100, 430+float64(i)*100
			w := 260 + float64(i)*20
			body, stripe := palette[(i+off)%len(palette)], palette[(i+off+2)%len(palette)]
			c.shadow(600, y1+6, w, 16)
			c.rrect(600-w, y0, 600+w, y1, 20, c.shade(body, 460, y0, 500))
			for x := 600 - w + 60; x < 600+w-40; x += 90 {
				c.rrect(x, y0+4, x+14, y1-4, 4, flat(stripe, 230))
			}
			c.rrect(600-w, y0+36, 600+w, y0+44, 3, flat(c.tint(body, 0.7), 200))
		}
		for y := 650.0; y < 730; y += 12 { // a fringe
			c.taper(860, y, 3, 900, y+6, 2, flat(palette[(off+3)%len(palette)], 255))
		}
	case "bag":
		c.backdrop(j(236, 226, 210), j(218, 204, 184), 640, j(200, 176, 140), j(170, 146, 110))
		palette := []color.RGBA{j(210, 50, 60), j(250, 190, 40), j(30, 110, 170), j(40, 150, 90), j(240, 240, 232), j(120, 50, 130)}
		off := c.rng.IntN(len(palette))
		c.ring(600, 340, 190, 26, c.shade(palette[off], 540, 260, 200)) // the strap
		c.shadow(610, 770, 230, 30)
		c.rrect(390, 360, 810, 770, 90, c.shade(palette[(off+4)%len(palette)], 520, 420, 450))
		for b := 0; b < 5; b++ {
			y := 410 + float64(b)*72
			k := palette[(off+b+1)%len(palette)]
			c.rrect(400, y, 800, y+40, 12, flat(k, 255))
			for x := 420.0; x < 790; x += 44 {
				c.ellipse(x, y+20, 12, 12, 0.8, flat(palette[(off+b+3)%len(palette)], 255))
			}
		}
	case "hat":
		c.backdrop(j(232, 228, 224), j(212, 206, 200), 620, j(196, 184, 168), j(170, 156, 138))
		wool, band := c.pick(j(150, 40, 50), j(60, 80, 130), j(120, 90, 70)), j(236, 230, 216)
		c.shadow(610, 740, 300, 40)
		c.fill(image.Rect(330, 260, 872, 640), func(x, y float64) float64 { // the crown, down to the band
			return max((math.Hypot((x-600)/260, (y-620)/330)-1)*260, y-630)
		}, c.shade(wool, 520, 440, 300), 1.2)
		for k := 0; k < 40; k++ {
			a, d := c.f(math.Pi)+math.Pi, math.Sqrt(c.f(1))*0.85
			c.ellipse(600+math.Cos(a)*d*250, 600+math.Sin(a)*d*320, 8, 8, 0, flat(band, 230))
		}
		c.rrect(330, 560, 870, 720, 30, c.shade(band, 480, 580, 400))
		for x := 350.0; x < 860; x += 26 {
			c.rrect(x, 572, x+8, 708, 4, flat(c.tint(band, 0.82), 200))
		}
		c.ellipse(600, 286, 76, 72, 0, c.shade(band, 580, 266, 80))
	case "pottery":
		c.backdrop(j(236, 232, 220), j(214, 208, 194), 620, j(200, 184, 160), j(170, 152, 126))
		clay := j(186, 96, 56)
		for k := 0; k < 9; k++ { // the plant
			a := -math.Pi/2 + (float64(k)-4)*0.3
			l := 230 + c.f(90)
			c.ellipse(600+math.Cos(a)*l*0.55, 400+math.Sin(a)*l*0.55, l*0.42, 40, a, c.shade(j(60, 140, 60), 600, 300, 300))
		}
		c.shadow(610, 770, 190, 30)
		c.trapezoid(600, 420, 760, 210, 150, c.shade(clay, 520, 470, 350))
		c.rrect(370, 390, 830, 450, 20, c.shade(c.tint(clay, 1.08), 500, 400, 300))
		c.ellipse(600, 400, 200, 22, 0, flat(j(80, 54, 36), 255))
		for x := 440.0; x <= 760; x += 64 { // painted flowers
			for k := 0.0; k < 5; k++ {
				a := k * 2 * math.Pi / 5
				c.ellipse(x+math.Cos(a)*14, 580+math.Sin(a)*14, 10, 6, a, flat(j(250, 240, 220), 255))
			}
			c.ellipse(x, 580, 7, 7, 0, flat(j(240, 190, 40), 255))
		}
	case "carving":
		c.backdrop(j(226, 222, 216), j(200, 194, 186), 640, j(150, 110, 74), j(118, 84, 54))
		coal := j(44, 44, 48)
		gloss := func(x, y, r float64) paint { return c.shade(coal, x, y, r) }
		c.shadow(610, 780, 230, 30)
		c.rrect(400, 720, 800, 790, 16, c.shade(j(170, 120, 70), 520, 730, 300))
		c.rrect(540, 600, 585, 725, 14, gloss(560, 620, 80))
		c.rrect(615, 600, 660, 725, 14, gloss(640, 620, 80))
		c.rrect(520, 400, 680, 620, 40, gloss(570, 430, 200))
		c.taper(530, 430, 24, 440, 560, 20, gloss(480, 470, 120))
		c.taper(670, 430, 24, 760, 520, 20, gloss(720, 460, 120))
		c.taper(770, 330, 9, 740, 640, 9, flat(j(140, 100, 60), 255)) // the pick
		c.ellipse(770, 330, 80, 16, -0.3, gloss(770, 330, 80))
		c.ellipse(600, 350, 56, 60, 0, gloss(585, 330, 60))
		c.ellipse(600, 300, 72, 42, 0, gloss(580, 280, 80))
		c.ellipse(600, 318, 92, 14, 0, gloss(600, 318, 90))
		c.ellipse(600, 290, 14, 12, 0, flat(j(250, 220, 90), 255))
	case "cheese":
		wood()
		c.ellipse(600, 640, 500, 170, -0.08, c.shade(j(60, 130, 60), 500, 600, 500)) // a banana leaf
		c.taper(120, 680, 6, 1080, 600, 3, flat(j(150, 200, 120), 220))
		cream := j(248, 244, 226)
		c.shadow(430, 680, 190, 30)
		c.rrect(260, 470, 600, 670, 34, c.shade(cream, 360, 480, 300))
		c.shadow(800, 700, 170, 30)
		c.ellipse(800, 640, 170, 70, 0, c.shade(c.tint(cream, 0.97), 780, 600, 170))
		c.rrect(630, 560, 970, 650, 50, c.shade(cream, 760, 570, 200))
		c.ellipse(800, 566, 170, 60, 0, c.shade(c.tint(cream, 1.02), 760, 540, 170))
		c.rrect(520, 700, 700, 780, 14, c.shade(cream, 580, 710, 120)) // a slice
	case "phone":
		c.backdrop(j(224, 230, 238), j(196, 206, 220), 600, j(150, 110, 80), j(120, 86, 60))
		c.shadow(610, 760, 200, 30)
		c.rrect(460, 200, 740, 760, 44, flat(j(40, 42, 48), 255))
		c.rrect(478, 250, 722, 700, 12, func(x, y float64) color.RGBA {
			return mix(j(40, 120, 200), j(120, 60, 170), (x-478+y-250)/700)
		})
		c.ellipse(600, 226, 8, 8, 0, flat(j(90, 94, 100), 255))
		c.rrect(530, 300, 670, 330, 8, flat(color.RGBA{255, 255, 255, 0}, 160))
		handle := c.pick(j(220, 50, 50), j(240, 190, 40))
		c.taper(820, 800, 22, 940, 650, 18, c.shade(handle, 860, 720, 120))
		c.taper(940, 650, 6, 1040, 520, 4, flat(j(190, 194, 200), 255))
		for _, p := range []point{{330, 780}, {370, 800}, {300, 820}} {
			c.ellipse(p.X, p.Y, 9, 7, 0, c.shade(j(170, 174, 180), p.X, p.Y, 9))
		}
	case "printer":
		c.backdrop(j(230, 232, 236), j(206, 210, 218), 620, j(170, 130, 90), j(136, 100, 66))
		c.rrect(430, 200, 770, 420, 6, flat(j(252, 252, 250), 255)) // paper going in
		c.shadow(610, 660, 340, 40)
		c.rrect(290, 360, 910, 640, 30, c.shade(j(90, 96, 108), 420, 380, 600))
		c.rrect(330, 420, 870, 470, 10, flat(j(50, 54, 62), 255))
		for k, col := range []color.RGBA{j(60, 200, 90), j(240, 240, 240), j(240, 240, 240)} {
			c.ellipse(800+float64(k)*30, 400, 9, 9, 0, flat(col, 255))
		}
		c.rrect(400, 600, 800, 800, 6, flat(j(252, 252, 250), 255)) // a page printed in colour
		for k, col := range []color.RGBA{j(220, 40, 90), j(30, 170, 220), j(250, 210, 30)} {
			c.ellipse(480+float64(k)*110, 690, 50, 50, 0, flat(col, 220))
		}
		c.rrect(440, 760, 760, 772, 4, flat(j(150, 150, 150), 255))
	default:
		return false
	}
	return true
}

// herbs draws a paper bag of dried flowers with some spilled in front.
func (c *canvas) herbs(petal, centre color.RGBA) {
	j := c.jitter
	c.backdrop(j(236, 232, 220), j(218, 210, 194), 600, j(200, 176, 140), j(168, 144, 108))
	c.shadow(650, 700, 220, 30)
	c.rrect(470, 260, 830, 700, 18, c.shade(j(196, 160, 112), 560, 300, 400))
	c.rrect(470, 260, 830, 330, 14, c.shade(j(170, 136, 92), 560, 270, 400))
	c.rrect(530, 420, 770, 560, 10, flat(j(250, 248, 240), 240))
	c.rrect(530, 420, 770, 450, 8, flat(j(80, 140, 70), 255))
	c.flower(650, 505, 1.6, petal, centre)
	for i := 0; i < 16; i++ {
		x, y, s := 160+c.f(900), 720+c.f(140), 0.8+c.f(0.5)
		if x > 440 && x < 860 && y < 740 {
			y += 40
		}
		c.flower(x, y, s, petal, centre)
	}
}

// flower draws a dried flower head seen from above.
func (c *canvas) flower(x, y, s float64, petal, centre color.RGBA) {
	for k := 0.0; k < 12; k++ {
		a := k*math.Pi/6 + c.f(0.2)
		c.ellipse(x+math.Cos(a)*20*s, y+math.Sin(a)*14*s, 16*s, 6*s, a, flat(c.tint(petal, 0.92+c.f(0.12)), 255))
	}
	c.ellipse(x, y, 12*s, 10*s, 0, c.shade(centre, x, y, 12*s))
}

// strawberry draws a strawberry of scale s with its bottom tip at about (x, y+60s).
func (c *canvas) strawberry(x, y, s float64) {
	j := c.jitter
	red := j(214, 40, 44)
	c.ellipse(x, y, 44*s, 40*s, 0, c.shade(red, x, y, 44*s))
	c.ellipse(x, y+26*s, 30*s, 34*s, 0, c.shade(red, x, y, 44*s))
	for k := 0; k < 10; k++ {
		c.ellipse(x+c.f(60*s)-30*s, y+c.f(56*s)-16*s, 2.5*s, 1.5*s, 0, flat(j(250, 220, 120), 255))
	}
	for k := 0.0; k < 5; k++ {
		a := k*2*math.Pi/5 - math.Pi/2
		c.ellipse(x+math.Cos(a)*16*s, y-34*s+math.Sin(a)*6*s, 16*s, 6*s, a, flat(j(60, 140, 50), 255))
	}
}

// taper fills a segment from (x0, y0) to (x1, y1) whose radius goes from
// r0 to r1, rounded at both ends.
func (c *canvas) taper(x0, y0, r0, x1, y1, r1 float64, p paint) {
	r := max(r0, r1) + 2
	box := image.Rect(int(min(x0, x1)-r), int(min(y0, y1)-r), int(max(x0, x1)+r)+2, int(max(y0, y1)+r)+2)
	dx, dy := x1-x0, y1-y0
	l2 := max(dx*dx+dy*dy, 1e-9)
	c.fill(box, func(x, y float64) float64 {
		t := min(max(((x-x0)*dx+(y-y0)*dy)/l2, 0), 1)
		return math.Hypot(x-x0-t*dx, y-y0-t*dy) - (r0 + (r1-r0)*t)
	}, p, 1.2)
}

// curve fills the path at(t) for t in [0, 1], where at gives a point and
// the radius there, as a chain of tapers.
func (c *canvas) curve(at func(t float64) (x, y, r float64), p paint) {
	const n = 24
	x0, y0, r0 := at(0)
	for i := 1; i <= n; i++ {
		x1, y1, r1 := at(float64(i) / n)
		c.taper(x0, y0, r0, x1, y1, r1, p)
		x0, y0, r0 = x1, y1, r1
	}
}

// trapezoid fills a shape centred on cx from top to bottom whose half
// width goes from wTop to wBottom.
func (c *canvas) trapezoid(cx, top, bottom, wTop, wBottom float64, p paint) {
	w := max(wTop, wBottom) + 2
	c.fill(image.Rect(int(cx-w), int(top)-1, int(cx+w)+2, int(bottom)+2), func(x, y float64) float64 {
		t := min(max((y-top)/(bottom-top), 0), 1)
		return max(math.Abs(x-cx)-(wTop+(wBottom-wTop)*t), top-y, y-bottom)
	}, p, 1.2)
}
