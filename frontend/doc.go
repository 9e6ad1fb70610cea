// Package frontend is the HTTP face of Tesoro: the Fiber app with its middleware
// and error handler, the JSON API under /api/v1 (documented by the embedded
// OpenAPI document), and the server-rendered Spanish-first pages with their
// embedded templates, locales, static assets, manifest and service worker.
// It talks to the domain services only, never to a collection directly.
package frontend
