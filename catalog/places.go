package catalog

// Municipality is one of the programme's eight municipalities.
type Municipality struct {
	Name       string // as written in the UI, with accents
	Slug       string
	Department string
}

// Municipalities are the programme's places (DOMAIN.md), in display order.
var Municipalities = []Municipality{
	{"El Bagre", "el-bagre", "Antioquia"},
	{"Remedios", "remedios", "Antioquia"},
	{"Segovia", "segovia", "Antioquia"},
	{"Zaragoza", "zaragoza", "Antioquia"},
	{"Gámeza", "gameza", "Boyacá"},
	{"Mongua", "mongua", "Boyacá"},
	{"Sogamoso", "sogamoso", "Boyacá"},
	{"Tópaga", "topaga", "Boyacá"},
}

// LookupMunicipality finds a municipality by name or slug, ignoring case and
// accents ("gameza", "Gámeza" and "GAMEZA" are the same place).
func LookupMunicipality(s string) (Municipality, bool) {
	key := Slugify(s)
	for _, m := range Municipalities {
		if m.Slug == key {
			return m, true
		}
	}
	return Municipality{}, false
}
