// Package orders turns a buyer's cart into one order per initiative, reserves
// stock without transactions, keeps each order's state history and the money
// received for it (cash, transfer, Nequi or card through Stripe Checkout), and
// states what the programme owes each initiative.
//
// Every step is a single-document write guarded in its filter, so any number
// of API instances can run against one MongoDB replica set; a sweeper finishes
// what a crash interrupts. docs/architecture.md lists the guards.
package orders
