// Package frontend assembles Tesoro's HTTP face: the Fiber app with its
// middleware (request id, access log, panics, security headers, compression,
// authentication, CSRF), the error handler that writes every error as problem
// details under /api and as a page elsewhere, /healthz, /readyz, /metrics,
// the OpenAPI document and public files. The JSON API is in frontend/api,
// the pages in frontend/pages, what both share in frontend/kit. It talks to
// the domain services only, never to a collection directly.
package frontend
