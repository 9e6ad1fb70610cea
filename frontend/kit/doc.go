// Package kit is what the JSON API and the pages share: the services they
// call (Deps), who is asking (Principal, RequireUser, Authenticate), CSRF and
// session cookies, strict JSON decoding, paging, uploads, the flood guard and
// the one mapping of errors to problem details (ToProblem).
package kit
