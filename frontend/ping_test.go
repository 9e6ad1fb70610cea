package frontend

import (
	"context"
	"io"
	"log/slog"

	"go.mongodb.org/mongo-driver/mongo"
)

// dbPinger pings a real client, as storage.DB does in the program.
type dbPinger struct{ c *mongo.Client }

func (p dbPinger) Ping(ctx context.Context) error { return p.c.Ping(ctx, nil) }

func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }
