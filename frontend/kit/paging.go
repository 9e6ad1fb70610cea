package kit

import (
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/tesoro-pact/tesoro/errs"
)

// List is the shape of every list answer.
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// PageLimit reads ?limit= (default 20, at most 100).
func PageLimit(c *fiber.Ctx) (int, error) {
	raw := c.Query("limit")
	if raw == "" {
		return 20, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > 100 {
		var f errs.Fields
		f.Add("limit", errs.CodeOutOfRange, "must be a whole number from 1 to 100", "min", 1, "max", 100)
		return 0, f.Err()
	}
	return n, nil
}

// Paginate cuts a list fetched with limit+1 items into a page and its cursor.
func Paginate[T any](items []T, limit int, id func(T) string) List[T] {
	if items == nil {
		items = []T{}
	}
	page := List[T]{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextCursor = id(items[limit-1])
	}
	return page
}

// PageOf pages a list held in full because it is small by nature (an
// initiative's products or members), in its own order: the cursor is the id
// of the last item shown. A cursor that names no item is a field error.
func PageOf[T any](items []T, cursor string, limit int, id func(T) string) (List[T], error) {
	from := 0
	if cursor != "" {
		from = slices.IndexFunc(items, func(it T) bool { return id(it) == cursor }) + 1
		if from == 0 {
			var f errs.Fields
			f.Add("cursor", errs.CodeUnknown, "the cursor names no item of this list; start again without it")
			return List[T]{}, f.Err()
		}
	}
	return Paginate(items[from:], limit, id), nil
}
