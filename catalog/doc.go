// Package catalog owns the productive initiatives of the programme and what they
// sell: initiatives (with their members), products, image references and stock
// history, with validation, services and the Mongo repositories of its collections.
package catalog
