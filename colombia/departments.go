package colombia

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Departments are Colombia's 32 departments and the capital district, as
// written with accents. A fair may be anywhere in the country.
var Departments = []string{
	"Amazonas", "Antioquia", "Arauca", "Atlántico", "Bogotá D.C.", "Bolívar", "Boyacá", "Caldas",
	"Caquetá", "Casanare", "Cauca", "Cesar", "Chocó", "Córdoba", "Cundinamarca", "Guainía",
	"Guaviare", "Huila", "La Guajira", "Magdalena", "Meta", "Nariño", "Norte de Santander",
	"Putumayo", "Quindío", "Risaralda", "San Andrés y Providencia", "Santander", "Sucre",
	"Tolima", "Valle del Cauca", "Vaupés", "Vichada",
}

// Department finds a department by name, ignoring case and accents
// ("boyaca" is "Boyacá").
func Department(name string) (string, bool) {
	key := fold(name)
	for _, d := range Departments {
		if fold(d) == key {
			return d, true
		}
	}
	return "", false
}

// fold lowers s and drops its accents and surrounding spaces.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(strings.TrimSpace(s))) {
		if r < 0x300 || r > 0x36f {
			b.WriteRune(r)
		}
	}
	return b.String()
}
