package colombia

import "testing"

// Phones are Colombian numbers as people write them, not any run of digits
// (item 3 of the security review: "0000000" placed an order).
func TestPhone(t *testing.T) {
	for _, ok := range []string{"3105550101", "310 555 0101", "+57 310 555 0101", "57 3105550101", "(604) 444 1234", "608-770-1234", "601.234.5678"} {
		if !Phone(ok) {
			t.Errorf("%q refused, want accepted", ok)
		}
	}
	for _, bad := range []string{"", "0000000", "1234567", "31055501", "310555010123", "+1 310 555 0101", "3905550101", "609 444 1234",
		"7701234", "310555O101", "+57+3105550101", "3105550101 ext 2"} {
		if Phone(bad) {
			t.Errorf("%q accepted, want refused", bad)
		}
	}
}

func TestWhatsApp(t *testing.T) {
	for in, want := range map[string]string{
		"310 123 4567": "573101234567", "+57 310-123-4567": "573101234567", "573101234567": "573101234567",
		"(608) 770 1234": "576087701234", "1234": "", "+1 310 123 4567": "",
	} {
		if got := WhatsApp(in); got != want {
			t.Errorf("WhatsApp(%q) = %q, want %q", in, got, want)
		}
	}
}
