package frontend

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestOpenAPICoversRoutes keeps the document true: every registered /api route
// is documented with its method, and every documented API path exists.
func TestOpenAPICoversRoutes(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi: got %q, want 3.x", doc.OpenAPI)
	}
	param := regexp.MustCompile(`:([A-Za-z_]+)`)
	registered := map[string]bool{}
	for _, r := range env.app.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/api/") || r.Method == http.MethodHead {
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		registered[strings.ToLower(r.Method)+" "+path] = true
		if _, ok := doc.Paths[path][strings.ToLower(r.Method)]; !ok {
			t.Errorf("route %s %s is not documented in openapi.json", r.Method, path)
		}
	}
	for path, ops := range doc.Paths {
		if !strings.HasPrefix(path, "/api/") {
			continue
		}
		for method := range ops {
			if method == "parameters" {
				continue
			}
			if !registered[method+" "+path] {
				t.Errorf("openapi.json documents %s %s, which is not a route", strings.ToUpper(method), path)
			}
		}
	}
	res, body := env.get(t, "/api/openapi.json")
	if res.StatusCode != 200 || body != string(openAPI) {
		t.Fatalf("GET /api/openapi.json: got %d, want 200 with the document", res.StatusCode)
	}
}
