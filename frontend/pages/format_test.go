package pages

import (
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/money"
)

func TestFormats(t *testing.T) {
	at := time.Date(2026, 11, 26, 3, 30, 0, 0, time.UTC) // 22:30 on the 25th in Bogotá
	tests := []struct{ got, want string }{
		{formatMoney(money.Pesos(12500)), "$ 12.500"},
		{formatDate(at), "25/11/2026"},
		{formatDateTime(at), "25/11/2026 22:30"},
		{whatsappLink("573001234567", "Hola, quiero pan de papa"), "https://wa.me/573001234567?text=Hola%2C+quiero+pan+de+papa"},
		{whatsappLink("", "x"), ""},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
