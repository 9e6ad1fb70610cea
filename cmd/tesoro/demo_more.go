package main

import (
	"maps"

	"github.com/tesoro-pact/tesoro/catalog"
)

// moreDemoInitiatives complete the programme's 42 initiatives (the first 13
// are in demo.go): by the programme's reports, gardens, fish farming,
// bakeries, arepas, beauty, computers, crafts and dairy in the eight
// municipalities.
var moreDemoInitiatives = []catalog.InitiativeInput{
	// Antioquia: Bajo Cauca and Nordeste.
	{Name: "Panadería El Trigal de Remedios", Kind: "bakery", Municipality: "Remedios", Stage: "marketing", WhatsApp: "300 000 0014",
		Description: "Pan de queso, pan aliñado y roscones horneados en horno de leña por cuatro madres de familia de Remedios."},
	{Name: "Arepas Doña Chava", Kind: "arepas", Municipality: "El Bagre", Stage: "production", WhatsApp: "300 000 0015",
		Description: "Arepas de queso y arepas paisas hechas a mano; repartimos a domicilio en el casco urbano de El Bagre."},
	{Name: "Sabores del Nechí", Kind: "cafeteria", Municipality: "El Bagre", Stage: "marketing", WhatsApp: "300 000 0016",
		Description: "Restaurante familiar a orillas del Nechí: sancocho de pescado, bandeja del día y jugos de frutas de la región."},
	{Name: "Belleza Zaragozana", Kind: "beauty", Municipality: "Zaragoza", Stage: "production", WhatsApp: "300 000 0017",
		Description: "Trenzas, peinados, manicure y pedicure; jóvenes formadas en belleza por el SENA."},
	{Name: "Piscícola La Cienaguita", Kind: "fish_farming", Municipality: "Zaragoza", Stage: "marketing", WhatsApp: "300 000 0018",
		Description: "Bocachico y tilapia de estanques recuperados de antiguas minas, cosechados cada quince días."},
	{Name: "Huerta Las Mercedes", Kind: "garden", Municipality: "Segovia", Stage: "production", WhatsApp: "300 000 0019",
		Description: "Cebolla de rama, tomate y yuca de una huerta comunitaria de la vereda Las Mercedes."},
	{Name: "Artesanías de Oro y Semilla", Kind: "crafts", Municipality: "Segovia", Stage: "marketing", WhatsApp: "300 000 0020",
		Description: "Pulseras, collares y mochilas tejidas por mujeres que antes trabajaban en el barequeo."},
	{Name: "El Bagre Digital", Kind: "computers", Municipality: "El Bagre", Stage: "production", WhatsApp: "300 000 0021",
		Description: "Instalación de programas, cursos básicos de computador y trámites en línea para la comunidad."},
	{Name: "Lácteos La Palmera", Kind: "other", Municipality: "Remedios", Stage: "marketing", WhatsApp: "300 000 0022",
		Description: "Queso costeño y suero hechos con la leche de seis fincas pequeñas de Remedios."},
	{Name: "Confecciones Mujeres de Remedios", Kind: "crafts", Municipality: "Remedios", Stage: "production", WhatsApp: "300 000 0023",
		Description: "Delantales, bolsos de tela y uniformes cosidos por un grupo de madres cabeza de hogar."},
	{Name: "Huerta Escolar San José", Kind: "garden", Municipality: "El Bagre", Stage: "idea", WhatsApp: "300 000 0024",
		Description: "Huerta de plátano y hortalizas que las familias de la escuela San José quieren convertir en negocio."},
	{Name: "Dulces de Cacao Segovia", Kind: "other", Municipality: "Segovia", Stage: "production", WhatsApp: "300 000 0025",
		Description: "Bombones y barras de chocolate de cacao sembrado en las veredas de Segovia."},
	{Name: "Celulares y Electricidad Zaragoza", Kind: "computers", Municipality: "Zaragoza", Stage: "production", WhatsApp: "300 000 0026",
		Description: "Reparación de celulares e instalaciones eléctricas sencillas, aprendidas en cursos del SENA."},
	{Name: "Amasijos La Antioqueña", Kind: "bakery", Municipality: "Zaragoza", Stage: "production", WhatsApp: "300 000 0027",
		Description: "Buñuelos y pandequesos recién hechos para el desayuno, desde este año."},
	{Name: "Miel del Nordeste", Kind: "other", Municipality: "Remedios", Stage: "idea", WhatsApp: "300 000 0028",
		Description: "Un grupo de jóvenes que cuida colmenas y quiere vender miel y polen de abejas."},
	// Boyacá: the coal towns around Sogamoso.
	{Name: "Quesos y Cuajadas de Mongua", Kind: "other", Municipality: "Mongua", Stage: "sustainable", WhatsApp: "300 000 0029",
		Description: "Cuajada fresca, queso campesino y yogur de mora de la leche de las veredas de Mongua."},
	{Name: "Panadería Santa Bárbara", Kind: "bakery", Municipality: "Gámeza", Stage: "production", WhatsApp: "300 000 0030",
		Description: "Mogollas chicharronas y pan de maíz horneados por esposas de mineros de Gámeza."},
	{Name: "Tejidos de Lana Tópaga", Kind: "crafts", Municipality: "Tópaga", Stage: "production", WhatsApp: "300 000 0031",
		Description: "Ruanas, gorros y bufandas de lana de oveja hilada y tejida a mano."},
	{Name: "Huerta Orgánica El Cerezo", Kind: "garden", Municipality: "Sogamoso", Stage: "sustainable", WhatsApp: "300 000 0032",
		Description: "Lechuga, acelga y fresas sin químicos, entregadas en canasta cada semana en Sogamoso."},
	{Name: "Truchas Laguna Negra", Kind: "fish_farming", Municipality: "Mongua", Stage: "marketing", WhatsApp: "300 000 0033",
		Description: "Trucha arcoíris de estanques de agua fría del páramo, fresca o ahumada."},
	{Name: "Arepas Boyacenses Don Chepe", Kind: "arepas", Municipality: "Sogamoso", Stage: "sustainable", WhatsApp: "300 000 0034",
		Description: "Arepas boyacenses de maíz y arepas rellenas de cuajada, asadas en tiesto."},
	{Name: "Peluquería Mujer Minera", Kind: "beauty", Municipality: "Gámeza", Stage: "production", WhatsApp: "300 000 0035",
		Description: "Cortes, cepillados y tintes en la sala de la casa, con cita por WhatsApp."},
	{Name: "Café y Postres El Mirador", Kind: "cafeteria", Municipality: "Tópaga", Stage: "marketing", WhatsApp: "300 000 0036",
		Description: "Tinto campesino y postre de natas en el mirador de la entrada a Tópaga."},
	{Name: "Computadores Sugamuxi", Kind: "computers", Municipality: "Sogamoso", Stage: "sustainable", WhatsApp: "300 000 0037",
		Description: "Mantenimiento de portátiles, impresiones y fotocopias junto al colegio."},
	{Name: "Huerta Familiar Las Hortensias", Kind: "garden", Municipality: "Mongua", Stage: "idea", WhatsApp: "300 000 0038",
		Description: "Papa pastusa y hortalizas de una familia que quiere vender en el mercado de los domingos."},
	{Name: "Cerámica y Carbón Artesanal", Kind: "crafts", Municipality: "Gámeza", Stage: "production", WhatsApp: "300 000 0039",
		Description: "Materas de barro y figuras talladas en carbón mineral, recuerdos de la región minera."},
	{Name: "Lácteos El Páramo", Kind: "other", Municipality: "Tópaga", Stage: "production", WhatsApp: "300 000 0040",
		Description: "Kumis y arequipe de leche de cabra de una asociación de familias del páramo."},
	{Name: "Sabor Boyacense Cocina Tradicional", Kind: "cafeteria", Municipality: "Sogamoso", Stage: "production", WhatsApp: "300 000 0041",
		Description: "Cocido boyacense y mazamorra chiquita los fines de semana, por encargo para grupos."},
	{Name: "Aromáticas de Mongua", Kind: "garden", Municipality: "Mongua", Stage: "production", WhatsApp: "300 000 0042",
		Description: "Manzanilla, caléndula y toronjil secados a la sombra y empacados para aromática."},
}

// moreAntioquia and moreBoyaca are the new initiatives each adviser follows.
var moreAntioquia, moreBoyaca = func() (a, b []string) {
	for _, in := range moreDemoInitiatives {
		if m, _ := catalog.LookupMunicipality(in.Municipality); m.Department == "Antioquia" {
			a = append(a, in.Name)
		} else {
			b = append(b, in.Name)
		}
	}
	return a, b
}()

var moreDemoProducts = map[string][]demoProduct{
	"Panadería El Trigal de Remedios": {
		{"Pan de queso", "Recién salido del horno de leña.", "bread_pastry", "unit", 1000, 60},
		{"Pan aliñado", "Bolsa de 6, con mantequilla y queso.", "bread_pastry", "package", 4000, 30},
	},
	"Arepas Doña Chava": {
		{"Arepa de queso", "Grande, con queso costeño por dentro.", "prepared_food", "unit", 3000, 40},
		{"Arepas paisas", "Paquete de 10 arepas de maíz blanco.", "prepared_food", "package", 5500, 30},
	},
	"Sabores del Nechí": {
		{"Sancocho de pescado", "Con bocachico, yuca y plátano; los domingos.", "prepared_food", "portion", 12000, -1},
		{"Jugo de maracuyá", "Vaso grande, en agua o en leche.", "prepared_food", "portion", 3000, -1},
	},
	"Belleza Zaragozana": {
		{"Trenzas y peinados", "Para fiestas y grados, a domicilio.", "beauty", "service", 20000, -1},
		{"Manicure y pedicure", "Con esmaltado semipermanente.", "beauty", "service", 22000, -1},
	},
	"Piscícola La Cienaguita": {
		{"Bocachico", "Fresco, por libra.", "fish", "pound", 9000, 40},
		{"Tilapia roja", "Limpia y lista para freír.", "fish", "pound", 9500, 30},
	},
	"Huerta Las Mercedes": {
		{"Cebolla de rama", "Atado grande.", "produce", "unit", 1500, 50},
		{"Tomate chonto", "Maduro, por libra.", "produce", "pound", 3000, 40},
		{"Yuca", "Recién arrancada, por libra.", "produce", "pound", 2000, 60},
	},
	"Artesanías de Oro y Semilla": {
		{"Pulsera de semillas", "Semillas de la región tejidas a mano.", "crafts", "unit", 12000, 25},
		{"Mochila tejida", "Tejida en hilo, de colores vivos.", "crafts", "unit", 65000, 6},
	},
	"El Bagre Digital": {
		{"Instalación de programas", "Programas de oficina y antivirus.", "services", "service", 25000, -1},
		{"Curso básico de computador", "Ocho clases de dos horas.", "services", "service", 60000, -1},
	},
	"Lácteos La Palmera": {
		{"Queso costeño", "Salado y firme, por libra.", "dairy", "pound", 14000, 25},
		{"Suero costeño", "Frasco de 500 g.", "dairy", "unit", 8000, 20},
	},
	"Confecciones Mujeres de Remedios": {
		{"Delantal de cocina", "En dril, con bolsillo.", "crafts", "unit", 18000, 15},
		{"Bolso de tela", "Grande, para el mercado.", "crafts", "unit", 30000, 10},
	},
	"Huerta Escolar San José": {
		{"Plátano hartón", "Mano de plátano verde.", "produce", "unit", 5000, 10},
	},
	"Dulces de Cacao Segovia": {
		{"Bombones de cacao", "Caja de 12.", "other", "package", 8000, 20},
		{"Chocolate en barra", "Para chocolate caliente, 250 g.", "other", "unit", 10000, 25},
	},
	"Celulares y Electricidad Zaragoza": {
		{"Reparación de celular", "Cambio de pantalla o de pin de carga.", "services", "service", 35000, -1},
	},
	"Amasijos La Antioqueña": {
		{"Buñuelos", "Redondos y dorados, por unidad.", "bread_pastry", "unit", 800, 80},
		{"Pandequeso", "Con queso costeño.", "bread_pastry", "unit", 1200, 60},
	},
	"Miel del Nordeste": {
		{"Miel de abejas", "Frasco de 500 g.", "other", "unit", 25000, 8},
	},
	"Quesos y Cuajadas de Mongua": {
		{"Cuajada fresca", "Del día, por libra.", "dairy", "pound", 7000, 30},
		{"Queso campesino", "Por libra.", "dairy", "pound", 12000, 25},
		{"Yogur de mora", "Botella de un litro.", "dairy", "liter", 5000, 20},
	},
	"Panadería Santa Bárbara": {
		{"Mogolla chicharrona", "Con chicharrón molido.", "bread_pastry", "unit", 1200, 50},
		{"Pan de maíz", "Dulce, de maíz amarillo.", "bread_pastry", "unit", 2000, 30},
	},
	"Tejidos de Lana Tópaga": {
		{"Ruana de lana", "Lana virgen de oveja, tejida en telar.", "crafts", "unit", 120000, 4},
		{"Gorro tejido", "Para el frío del páramo.", "crafts", "unit", 25000, 12},
	},
	"Huerta Orgánica El Cerezo": {
		{"Lechuga crespa", "Sin químicos.", "produce", "unit", 2000, 40},
		{"Fresas", "Dulces, por libra.", "produce", "pound", 8000, 20},
		{"Acelga", "Atado fresco.", "produce", "unit", 1500, 30},
	},
	"Truchas Laguna Negra": {
		{"Trucha arcoíris", "Fresca y limpia, por libra.", "fish", "pound", 14000, 30},
		{"Trucha ahumada", "Empacada al vacío, 250 g.", "fish", "package", 16000, 10},
	},
	"Arepas Boyacenses Don Chepe": {
		{"Arepa boyacense", "Dulce, de maíz, asada en tiesto.", "prepared_food", "unit", 2500, 60},
		{"Arepas rellenas de cuajada", "Paquete de 4.", "prepared_food", "package", 9000, 20},
	},
	"Peluquería Mujer Minera": {
		{"Corte y cepillado", "Dama o niña.", "beauty", "service", 15000, -1},
		{"Tinte", "Incluye el producto.", "beauty", "service", 45000, -1},
	},
	"Café y Postres El Mirador": {
		{"Tinto campesino", "Café de la región, en olla.", "prepared_food", "portion", 1500, -1},
		{"Postre de natas", "Receta de la abuela.", "prepared_food", "portion", 5000, 15},
	},
	"Computadores Sugamuxi": {
		{"Mantenimiento de portátil", "Limpieza interna, pasta térmica y revisión.", "services", "service", 50000, -1},
		{"Impresiones y fotocopias", "Por hoja, blanco y negro.", "services", "unit", 500, -1},
	},
	"Huerta Familiar Las Hortensias": {
		{"Papa pastusa", "Por arroba o por libra.", "produce", "pound", 1800, 50},
	},
	"Cerámica y Carbón Artesanal": {
		{"Matera de barro", "Pintada a mano.", "crafts", "unit", 18000, 10},
		{"Figura en carbón", "Minero tallado en carbón mineral.", "crafts", "unit", 25000, 8},
	},
	"Lácteos El Páramo": {
		{"Kumis", "Botella de un litro.", "dairy", "liter", 6500, 15},
		{"Arequipe de leche de cabra", "Frasco de 250 g.", "dairy", "unit", 11000, 12},
	},
	"Sabor Boyacense Cocina Tradicional": {
		{"Cocido boyacense", "Con papas nativas, mazorca y carnes; por encargo.", "prepared_food", "portion", 18000, -1},
		{"Mazamorra chiquita", "Sopa de maíz con habas y arveja.", "prepared_food", "portion", 9000, -1},
	},
	"Aromáticas de Mongua": {
		{"Aromática de manzanilla", "Bolsa de 50 g, secada a la sombra.", "other", "package", 3000, 30},
		{"Caléndula deshidratada", "Bolsa de 30 g.", "other", "package", 4000, 20},
	},
}

func init() { maps.Copy(demoProducts, moreDemoProducts) }
