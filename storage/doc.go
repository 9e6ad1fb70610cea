// Package storage holds the program's connections and adapters and no domain logic:
// the MongoDB client (an embedded FerretDB on SQLite by default, any MongoDB with
// MONGODB_URI), helpers that map driver errors onto errs kinds, and the ObjectStore
// interface with its local-disk and S3/MinIO backends.
package storage
