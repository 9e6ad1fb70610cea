package accounts_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
)

// An unknown email must cost the same password work as a wrong password, or
// response times would tell which emails have accounts. The two medians differ
// by about 50× without the dummy hash, so a factor-of-2 band is a safe check.
func TestLoginTimingDoesNotRevealAccounts(t *testing.T) {
	s, _ := newService(t, accounts.Options{Argon2: accounts.DefaultArgon2, Limits: accounts.RateLimits{
		LoginPerAccount: accounts.Limit{Max: 1000, Window: time.Hour},
		LoginPerAddress: accounts.Limit{Max: 1000, Window: time.Hour},
		RegisterPerAddr: accounts.Limit{Max: 1000, Window: time.Hour},
	}})
	mustCreate(t, s, "existe@tesoro.demo", accounts.RoleBuyer)
	median := func(email string) time.Duration {
		var d []time.Duration
		for range 7 {
			start := time.Now()
			_, _, _ = s.Login(t.Context(), email, "clave-equivocada-1", accounts.KindCookie, here)
			d = append(d, time.Since(start))
		}
		slices.Sort(d)
		return d[len(d)/2]
	}
	known, unknown := median("existe@tesoro.demo"), median("no-existe@tesoro.demo")
	ratio := float64(unknown) / float64(known)
	t.Logf("wrong password %v, unknown email %v (ratio %.2f)", known, unknown, ratio)
	if ratio < 0.5 || ratio > 2 {
		t.Fatalf("unknown email took %v and wrong password %v: got ratio %.2f, want between 0.5 and 2", unknown, known, ratio)
	}
}
