// Package mentoring records the programme's advisory work with the initiatives:
// sessions (who advised whom, when, how, on which topics, with how many women,
// men, youth and adults), their edit history, and the agreements (compromisos)
// taken in them with their status history.
//
// The embedded database has no transactions, so every rule that must hold under
// concurrency is kept inside one document: session edits carry a revision check
// and agreement status changes put the current status in the update filter.
// Authorization is decided here, from the *accounts.Principal each call receives.
package mentoring
