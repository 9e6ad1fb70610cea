package storage_test

import (
	"os"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// The embedded engine is FerretDB with two patches (third_party/ferretdb):
// a filter with an _id equality — alone or with guards — is answered by the
// _id index, not by reading the table. Upstream's plan was SCAN for both,
// which made every read by _id grow with the collection.
func TestEmbeddedReadsByIDUseTheIndex(t *testing.T) {
	if os.Getenv("TESORO_TEST_MONGODB_URI") != "" {
		t.Skip("the plan checked here is the embedded engine's")
	}
	db := storagetest.DB(t)
	if _, err := db.Collection("plans").InsertMany(t.Context(), []any{
		bson.M{"_id": "a", "status": "pending"}, bson.M{"_id": "b", "status": "done"},
	}); err != nil {
		t.Fatal(err)
	}
	for _, filter := range []bson.M{{"_id": "a"}, {"_id": "a", "status": "pending"}, {"_id": "a", "n": bson.M{"$lt": 3}}} {
		var out struct {
			QueryPlanner struct{ Plan []string } `bson:"queryPlanner"`
		}
		if err := db.RunCommand(t.Context(), bson.D{{Key: "explain", Value: bson.D{{Key: "find", Value: "plans"}, {Key: "filter", Value: filter}}}}).Decode(&out); err != nil {
			t.Fatal(err)
		}
		plan := strings.Join(out.QueryPlanner.Plan, " ")
		if !strings.Contains(plan, "SEARCH") || !strings.Contains(plan, "USING INDEX") {
			t.Errorf("plan of %v: %q, want a SEARCH using the _id index", filter, plan)
		}
	}
	// The guard is still applied: a filter that names the right _id and a
	// wrong status finds nothing.
	if n, err := db.Collection("plans").CountDocuments(t.Context(), bson.M{"_id": "a", "status": "done"}); err != nil || n != 0 {
		t.Errorf("guarded count: %d %v, want 0", n, err)
	}
	if n, err := db.Collection("plans").CountDocuments(t.Context(), bson.M{"_id": "b", "status": "done"}); err != nil || n != 1 {
		t.Errorf("guarded count: %d %v, want 1", n, err)
	}
}
