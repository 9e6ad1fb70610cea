// Package colombia holds what the whole program counts the Colombian way:
// the programme's time zone (days, months and deadlines begin and end in
// Bogotá) and its phone numbers.
package colombia

import (
	"strings"
	"time"
)

// Zone is America/Bogota. Without the system's time zone database it is a
// fixed UTC−5: Colombia has kept no daylight saving time since 1993.
var Zone = func() *time.Location {
	if loc, err := time.LoadLocation("America/Bogota"); err == nil {
		return loc
	}
	return time.FixedZone("COT", -5*3600)
}()

// PhoneRule says which phones are accepted.
const PhoneRule = "must be a Colombian mobile (3xx xxx xxxx) or landline (60x xxx xxxx), with or without +57"

// Phone reports whether s is a Colombian phone number as people write it:
// a mobile of ten digits starting with 3, or a landline of ten starting with
// 60 and the region (601 Bogotá … 608 Boyacá; since 2021 every landline is
// dialled so), optionally after +57 or 57, with spaces, dots, hyphens or
// parentheses between digits.
func Phone(s string) bool {
	digits := make([]byte, 0, 12)
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			return false
		}
	}
	if len(digits) == 12 && digits[0] == '5' && digits[1] == '7' {
		digits = digits[2:]
	} else if strings.HasPrefix(s, "+") {
		return false // another country's code
	}
	if len(digits) != 10 {
		return false
	}
	switch {
	case digits[0] == '3':
		return digits[1] <= '5' // 300–359: the mobile ranges
	case digits[0] == '6' && digits[1] == '0':
		return digits[2] >= '1' && digits[2] <= '8'
	}
	return false
}

// WhatsApp is the number wa.me links take for a phone people wrote: the
// country code and the ten digits ("573101234567"), or "" for a phone that
// is not Colombian.
func WhatsApp(s string) string {
	if !Phone(s) {
		return ""
	}
	var digits strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits.WriteRune(r)
		}
	}
	d := digits.String()
	return "57" + d[len(d)-10:]
}
