package frontend

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// One address may start only so many checkouts a minute (item 3 of the
// security review), well above the fair hot-spot floor of the stable core.
func TestCheckoutsPerAddressAreBounded(t *testing.T) {
	if CheckoutsPerAddress < 600 {
		t.Fatalf("CheckoutsPerAddress is %d: buyers at a fair share one address, the stable core promises 600 a minute", CheckoutsPerAddress)
	}
	env := newTestEnv(t, func(d *Deps) { d.CheckoutsPerAddress = 3 }, nil)
	_, arepa := arepasOnSale(t, env)
	for i := range 4 {
		req := request(http.MethodPost, "/api/v1/orders", `{"lines": [{"product_id": "`+arepa.ID+`", "quantity": 1}],
			"buyer": {"name": "Marta Gómez", "phone": "3105551234", "consent": true}, "payment_method": "cash"}`, "")
		req.Header.Set("Idempotency-Key", fmt.Sprint("flood-", i))
		res, body := env.do(t, req)
		want := http.StatusCreated
		if i == 3 {
			want = http.StatusTooManyRequests
		}
		if res.StatusCode != want {
			t.Fatalf("checkout %d from one address: got %d %s, want %d", i+1, res.StatusCode, body, want)
		}
		if i == 3 && (res.Header.Get("Retry-After") == "" || !strings.Contains(body, "too-many-requests")) {
			t.Fatalf("the refused checkout: Retry-After %q, body %s", res.Header.Get("Retry-After"), body)
		}
	}
}
