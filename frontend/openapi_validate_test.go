package frontend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/valyala/fasthttp"
)

// The OpenAPI document cannot drift from the API: testEnv.do checks every
// /api response the tests receive against frontend/openapi.json.

// apiContract is the document and its router, built once per test binary.
var apiContract struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	err    error
}

func loadAPIContract() (*openapi3.T, routers.Router, error) {
	apiContract.once.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(openAPI)
		if err != nil {
			apiContract.err = fmt.Errorf("load openapi.json: %w", err)
			return
		}
		if err := doc.Validate(loader.Context); err != nil {
			apiContract.err = fmt.Errorf("openapi.json is not a valid document: %w", err)
			return
		}
		router, err := gorillamux.NewRouter(doc)
		if err != nil {
			apiContract.err = fmt.Errorf("route openapi.json: %w", err)
			return
		}
		apiContract.doc, apiContract.router = doc, router
	})
	return apiContract.doc, apiContract.router, apiContract.err
}

// genericProblemStatuses are the statuses the API may answer on any route
// (middleware, decoders, rate limits, outages); an operation need not list
// them, but their body must still be a Problem.
var genericProblemStatuses = map[int]bool{
	http.StatusBadRequest: true, http.StatusUnauthorized: true, http.StatusForbidden: true,
	http.StatusNotFound: true, http.StatusMethodNotAllowed: true, http.StatusRequestEntityTooLarge: true,
	http.StatusUnsupportedMediaType: true, http.StatusUnprocessableEntity: true, http.StatusLocked: true,
	http.StatusTooManyRequests: true, http.StatusInternalServerError: true, http.StatusServiceUnavailable: true,
}

// contractSkips are responses known to differ from the contract, by
// "METHOD /openapi/path"; each names what differs in a TODO(openapi).
var contractSkips = map[string]string{}

// checksContract tells whether a request to path is validated.
func checksContract(path string) bool {
	return strings.HasPrefix(path, "/api/") && path != "/api/openapi.json"
}

// isJSONMedia tells whether a content type carries JSON.
func isJSONMedia(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// validateAgainstContract checks one exchange against openapi.json: the route
// and method are documented, the status is listed for the operation (or is a
// generic problem status), the content type is listed, and a JSON body matches
// the schema. Request bodies of successful JSON requests are checked too.
func validateAgainstContract(req *http.Request, reqBody []byte, status int, header http.Header, body []byte) error {
	doc, router, err := loadAPIContract()
	if err != nil {
		return err
	}
	ctx := context.Background()
	// The router matches against the request as the client sent it.
	rreq := req.Clone(ctx)
	rreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, pathParams, err := router.FindRoute(rreq)
	if err != nil {
		if genericProblemStatuses[status] {
			// An unknown route or method answers with a problem.
			return validateProblem(doc, status, header, body)
		}
		if strings.HasPrefix(req.URL.Path, "/api/v1/test/") {
			// Routes the tests add (see newTestEnv's extra) are not the API.
			return nil
		}
		return fmt.Errorf("route not in openapi.json: %w", err)
	}
	if _, ok := contractSkips[req.Method+" "+route.Path]; ok {
		return nil
	}
	responses := route.Operation.Responses
	if responses.Status(status) == nil && responses.Default() == nil {
		if genericProblemStatuses[status] {
			return validateProblem(doc, status, header, body)
		}
		return fmt.Errorf("status %d is not documented for %s %s", status, req.Method, route.Path)
	}
	reqInput := &openapi3filter.RequestValidationInput{
		Request:    rreq,
		PathParams: pathParams,
		Route:      route,
		Options:    &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	}
	reqInput.Options.WithCustomSchemaErrorFunc(shortSchemaError)
	var errs []error
	// A request the API accepted must be one the document accepts.
	if status < 300 && route.Operation.RequestBody != nil && len(reqBody) > 0 && isJSONMedia(req.Header.Get("Content-Type")) {
		reqInput.Options.ExcludeRequestQueryParams = true
		if err := openapi3filter.ValidateRequest(ctx, reqInput); err != nil {
			errs = append(errs, fmt.Errorf("request: %w", err))
		}
		reqInput.Options.ExcludeRequestQueryParams = false
		rreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	ct := header.Get("Content-Type")
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	opts.WithCustomSchemaErrorFunc(shortSchemaError)
	response := responses.Status(status)
	if response == nil {
		response = responses.Default()
	}
	content := response.Value.Content
	switch {
	case len(content) == 0:
		if len(body) > 0 {
			errs = append(errs, fmt.Errorf("response: status %d is documented without a body, got %q (%d bytes)", status, ct, len(body)))
		}
	case !isJSONMedia(ct):
		// Files (CSV, spreadsheets, images, PDFs): status and type only.
		if content.Get(ct) == nil {
			errs = append(errs, fmt.Errorf("response: content type %q is not documented for status %d", ct, status))
		}
		opts.ExcludeResponseBody = true
	}
	if len(content) == 0 && len(body) > 0 {
		opts.ExcludeResponseBody = true
	}
	resInput := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: reqInput,
		Status:                 status,
		Header:                 header,
		Options:                opts,
	}
	resInput.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, resInput); err != nil {
		errs = append(errs, fmt.Errorf("response: %w", err))
	}
	return errors.Join(errs...)
}

// validateProblem checks a generic error answer against components.schemas.Problem.
func validateProblem(doc *openapi3.T, status int, header http.Header, body []byte) error {
	ct := header.Get("Content-Type")
	if mt, _, _ := mime.ParseMediaType(ct); mt != "application/problem+json" {
		return fmt.Errorf("status %d is not documented for the operation and is not application/problem+json (got %q)", status, ct)
	}
	schema := doc.Components.Schemas["Problem"]
	if schema == nil || schema.Value == nil {
		return errors.New("openapi.json has no components.schemas.Problem")
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("problem body is not JSON: %w", err)
	}
	if err := schema.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.VisitAsResponse(), openapi3.MultiErrors(),
		openapi3.SetSchemaErrorMessageCustomizer(shortSchemaError)); err != nil {
		return fmt.Errorf("problem body doesn't match Problem: %w", err)
	}
	return nil
}

// shortSchemaError words a schema mismatch as where and why, without the
// schema and value dumps kin-openapi adds by default.
func shortSchemaError(e *openapi3.SchemaError) string {
	if ptr := e.JSONPointer(); len(ptr) > 0 {
		return fmt.Sprintf("at /%s: %s", strings.Join(ptr, "/"), e.Reason)
	}
	return e.Reason
}

// decodedBody undoes the compression middleware's Content-Encoding.
func decodedBody(header http.Header, body []byte) ([]byte, error) {
	switch enc := header.Get("Content-Encoding"); enc {
	case "", "identity":
		return body, nil
	case "gzip":
		return fasthttp.AppendGunzipBytes(nil, body)
	case "deflate":
		return fasthttp.AppendInflateBytes(nil, body)
	case "br":
		return fasthttp.AppendUnbrotliBytes(nil, body)
	default:
		return nil, fmt.Errorf("unknown Content-Encoding %q", enc)
	}
}

// checkContract reports, without stopping the test, how an exchange differs
// from openapi.json.
func checkContract(t *testing.T, req *http.Request, reqBody []byte, res *http.Response, body []byte) {
	t.Helper()
	if !checksContract(req.URL.Path) {
		return
	}
	body, err := decodedBody(res.Header, body)
	if err != nil {
		t.Errorf("openapi.json drift: %s %s → %d: %v", req.Method, req.URL.RequestURI(), res.StatusCode, err)
		return
	}
	if err := validateAgainstContract(req, reqBody, res.StatusCode, res.Header, body); err != nil {
		t.Errorf("openapi.json drift: %s %s → %d: %v\nbody: %.400s", req.Method, req.URL.RequestURI(), res.StatusCode, err, body)
	}
}

// TestContractValidatorCatchesDrift proves the validator notices a response
// that does not match its schema, an undocumented status, and a bad problem.
func TestContractValidatorCatchesDrift(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/api/v1/products", nil)
	jsonHeader := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	problemHeader := http.Header{"Content-Type": {"application/problem+json"}}
	if err := validateAgainstContract(req, nil, 200, jsonHeader, []byte(`{"items": []}`)); err != nil {
		t.Fatalf("a valid empty page: %v", err)
	}
	for _, c := range []struct {
		name   string
		status int
		header http.Header
		body   string
	}{
		{"items of the wrong type", 200, jsonHeader, `{"items": "none"}`},
		{"a product of the wrong shape", 200, jsonHeader, `{"items": [{"id": 7}]}`},
		{"an undocumented status", 202, jsonHeader, `{"items": []}`},
		{"a problem without its title", 500, problemHeader, `{"type": "/problems/internal", "status": 500}`},
		{"a generic status as plain JSON", 503, jsonHeader, `{"type": "/problems/unavailable", "title": "x", "status": 503}`},
	} {
		err := validateAgainstContract(req, nil, c.status, c.header, []byte(c.body))
		t.Logf("%s: %v", c.name, err)
		if err == nil {
			t.Errorf("%s: got no error, want the drift reported", c.name)
		}
	}
	if err := validateAgainstContract(httptest.NewRequest(http.MethodGet, "/api/v1/nowhere", nil), nil, 200, jsonHeader, []byte(`{}`)); err == nil {
		t.Error("an undocumented route: got no error")
	}
	// A request the API accepted but the document refuses is a drift too.
	body := `{"email": 5, "password": "x"}`
	login := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", strings.NewReader(body))
	login.Header.Set("Content-Type", "application/json")
	err := validateAgainstContract(login, []byte(body), 200, jsonHeader, []byte(`{}`))
	t.Logf("accepted bad login: %v", err)
	if err == nil || !strings.Contains(err.Error(), "request:") {
		t.Errorf("a wrongly typed request body that got a 200: got %v, want a request error", err)
	}
}
