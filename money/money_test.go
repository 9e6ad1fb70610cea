package money

import "testing"

func TestString(t *testing.T) {
	tests := []struct {
		m    Money
		want string
	}{
		{Pesos(12500), "$ 12.500"},
		{Pesos(0), "$ 0"},
		{Pesos(999), "$ 999"},
		{Pesos(1000), "$ 1.000"},
		{Pesos(1250000), "$ 1.250.000"},
		{Money{Amount: 125000050, Currency: COP}, "$ 1.250.000,50"},
		{Money{Amount: 5, Currency: COP}, "$ 0,05"},
		{Pesos(-3500), "-$ 3.500"},
	}
	for _, tt := range tests {
		if got := tt.m.String(); got != tt.want {
			t.Errorf("%d: got %q, want %q", tt.m.Amount, got, tt.want)
		}
	}
	if got := Pesos(2500).Times(3).Add(Pesos(500)); got != Pesos(8000) {
		t.Errorf("arithmetic: got %+v, want 8000 pesos", got)
	}
}
