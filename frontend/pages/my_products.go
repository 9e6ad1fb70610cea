package pages

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/money"
)

// The producer's pages: the products of the visitor's initiatives, a form to
// add and change them (photos taken with the phone included), stock counted
// with a reason, and the stock's history. They work without JavaScript and
// call the same catalog methods as the JSON API, with the same policy:
// accounts.CanEditProducts (the initiative's producers, and admins).

func (s *Pages) routesProducer(app fiber.Router) {
	app.Get("/mis-productos", noStore, s.myProductsPage)
	app.Get("/mis-productos/nuevo", noStore, s.newProductPage)
	app.Post("/mis-productos/nuevo", noStore, s.createMyProduct)
	app.Get("/mis-productos/:id", noStore, s.myProductPage)
	app.Post("/mis-productos/:id", noStore, s.updateMyProduct)
	app.Post("/mis-productos/:id/foto", noStore, s.addMyProductPhoto)
	app.Post("/mis-productos/:id/foto/:image/eliminar", noStore, s.removeMyProductPhoto)
	app.Post("/mis-productos/:id/archivar", noStore, s.archiveMyProduct)
	app.Get("/mis-productos/:id/inventario", noStore, s.stockHistoryPage)
	app.Post("/mis-productos/:id/inventario", noStore, s.adjustMyStock)
}

// myProductsPath is the producer's list, for one initiative when id is set.
func myProductsPath(initiativeID string) string {
	if initiativeID == "" {
		return "/mis-productos"
	}
	return "/mis-productos?iniciativa=" + url.QueryEscape(initiativeID)
}

// sellsProducts says whether the visitor may use the producer pages at all.
func sellsProducts(p *accounts.Principal) bool { return p.IsAdmin() || p.Has(accounts.RoleProducer) }

// --- the list ---

type myProductsData struct {
	Groups []initiativeGroup
	// Admins pick the initiative to manage.
	Admin  bool
	Choose []catalog.Initiative
	Chosen string
	// None: a producer without an initiative assigned yet.
	None bool
}

type initiativeGroup struct {
	Initiative catalog.Initiative
	Products   []productView
}

// productView is a product with what its templates ask of it.
type productView struct{ catalog.Product }

// MadeToOrder reports whether the product keeps no stock.
func (p productView) MadeToOrder() bool { return p.Stock == nil }

// OnHand is the stock (0 for a product made to order).
func (p productView) OnHand() int64 {
	if p.Stock == nil {
		return 0
	}
	return *p.Stock
}

// Thumb is the URL of the first photo's thumbnail, or "".
func (p productView) Thumb() string {
	if len(p.Images) == 0 {
		return ""
	}
	return p.Images[0].ThumbURL
}

func productViews(list []catalog.Product) []productView {
	out := make([]productView, len(list))
	for i, p := range list {
		out[i] = productView{p}
	}
	return out
}

func (s *Pages) myProductsPage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, c.OriginalURL())
	}
	if !sellsProducts(p) {
		return fmt.Errorf("producer pages: %w", errs.Forbidden)
	}
	ctx := c.UserContext()
	d := myProductsData{Admin: p.IsAdmin(), Chosen: c.Query("iniciativa")}
	var ids []string
	switch {
	case d.Chosen != "":
		ids = []string{d.Chosen}
	case !p.IsAdmin():
		ids = p.ProducerInitiatives()
	}
	if d.Admin {
		all, err := s.Catalog.Initiatives(ctx, catalog.InitiativeFilter{})
		if err != nil {
			return err
		}
		slices.SortFunc(all, func(a, b catalog.Initiative) int {
			return strings.Compare(catalog.Fold(a.Name), catalog.Fold(b.Name))
		})
		d.Choose = all
	}
	for _, id := range ids {
		if !accounts.CanEditProducts(p, id) {
			return fmt.Errorf("products of initiative %s: %w", id, errs.Forbidden)
		}
		ini, err := s.Catalog.Initiative(ctx, id)
		if errors.Is(err, errs.NotFound) && id != d.Chosen {
			continue // an assignment to an initiative since removed
		} else if err != nil {
			return err
		}
		list, err := s.Catalog.InitiativeProducts(ctx, p, id)
		if err != nil {
			return err
		}
		d.Groups = append(d.Groups, initiativeGroup{Initiative: ini, Products: productViews(list)})
	}
	d.None = !d.Admin && len(d.Groups) == 0
	return s.render(c, fiber.StatusOK, "my_products", "producer.list.title", d)
}

// --- new product, and the product's page ---

// myProductData is the product page: the new-product form, or an existing
// product with its forms (data, photos, stock, archive).
type myProductData struct {
	New        bool
	Initiative catalog.Initiative // of a new product
	Product    productView
	Edit       *form // the product's data
	Photo      *form
	Stock      *form
	// StockKey makes a stock form sent twice (a double tap, a retry on 3G)
	// count once.
	StockKey string
	// Alert is shown under the heading: a new product kept without its photo.
	Alert      string
	Categories []string
	Units      []string
	Photos     photoPanel
}

func (s *Pages) renderMyProduct(c *fiber.Ctx, status int, d myProductData) error {
	for _, f := range []**form{&d.Edit, &d.Photo, &d.Stock} {
		if *f == nil {
			*f = newForm()
		}
	}
	d.Categories, d.Units = catalog.Categories, catalog.Units
	d.Photos = photoPanel{Heading: "producer.photos.heading", None: "producer.photos.none", Limit: "producer.error.photo_limit",
		Max: catalog.MaxImagesPerProduct, Alt: d.Product.Name, Images: d.Product.Images,
		Base: "/mis-productos/" + d.Product.ID, Form: d.Photo, Camera: true}
	d.StockKey = newIdempotencyKey()
	title := "producer.edit.title"
	if d.New {
		title = "producer.new.title"
	} else {
		c.Locals(pageKey, "/mis-productos/"+d.Product.ID) // a failed form shows the product's page
	}
	return s.render(c, status, "my_product", title, d)
}

// productForm is the edit form filled with the product as stored.
func productForm(p catalog.Product) *form {
	f := newForm()
	f.Values["name"], f.Values["description"] = p.Name, p.Description
	f.Values["category"], f.Values["unit"] = p.Category, p.Unit
	f.Values["price"] = pesosText(p.Price)
	if p.Stock == nil {
		f.Values["made_to_order"] = "on"
	}
	return f
}

// pesosText writes an amount for a form field as Colombians type it: "12.500".
func pesosText(m money.Money) string { return strings.TrimPrefix(m.String(), "$ ") }

// newProductInitiative finds the initiative a new product goes to: the one
// asked for, or the visitor's only one. ok is false when the visitor must
// choose first (the answer is then a redirect to the list).
func (s *Pages) newProductInitiative(c *fiber.Ctx, p *accounts.Principal) (ini catalog.Initiative, ok bool, err error) {
	id := c.Query("iniciativa")
	if id == "" {
		id = c.FormValue("initiative")
	}
	if id == "" {
		if p.IsAdmin() || len(p.ProducerInitiatives()) != 1 {
			return ini, false, c.Redirect("/mis-productos", fiber.StatusSeeOther)
		}
		id = p.ProducerInitiatives()[0]
	}
	if ini, err = s.Catalog.Initiative(c.UserContext(), id); err != nil {
		return ini, false, err
	}
	if !accounts.CanEditProducts(p, ini.ID) {
		return ini, false, fmt.Errorf("products of initiative %s: %w", ini.ID, errs.Forbidden)
	}
	return ini, true, nil
}

func (s *Pages) newProductPage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, c.OriginalURL())
	}
	if !sellsProducts(p) {
		return fmt.Errorf("producer pages: %w", errs.Forbidden)
	}
	ini, ok, err := s.newProductInitiative(c, p)
	if !ok {
		return err
	}
	f := newForm()
	f.Values["category"], f.Values["unit"] = "", "unit"
	return s.renderMyProduct(c, fiber.StatusOK, myProductData{New: true, Initiative: ini, Edit: f})
}

func (s *Pages) createMyProduct(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, "/mis-productos")
	}
	if !sellsProducts(p) {
		return fmt.Errorf("producer pages: %w", errs.Forbidden)
	}
	ini, ok, err := s.newProductInitiative(c, p)
	if !ok {
		return err
	}
	c.Locals(pageKey, "/mis-productos/nuevo")
	l := s.tmpl.localizer(c)
	f := readProductForm(c, true)
	d := myProductData{New: true, Initiative: ini, Edit: f}
	photo, _ := c.FormFile("photo")
	if photo != nil && photo.Size == 0 && photo.Filename == "" {
		photo = nil // the field was left empty
	}
	in := catalog.ProductInput{Name: f.Val("name"), Description: f.Val("description"), Category: f.Val("category"), Unit: f.Val("unit")}
	if n, msg := parsePesos(f.Val("price")); msg != "" {
		f.Errors["price"] = l.T(msg)
	} else {
		in.Price = money.Pesos(n)
	}
	if f.Val("made_to_order") == "" {
		if n, msg := parseStock(f.Val("stock")); msg != "" {
			f.Errors["stock"] = l.T(msg)
		} else {
			in.Stock = &n
		}
	}
	// The stock on hand goes in as the first move of its history, so that
	// the history explains every unit from the start.
	var initial int64
	if in.Stock != nil {
		initial, in.Stock = *in.Stock, new(int64)
	}
	var prod catalog.Product
	if len(f.Errors) == 0 {
		prod, err = s.Catalog.CreateProduct(c.UserContext(), p, ini.ID, in)
		if err != nil && !productFormError(l, f, err, "name", "description", "category", "unit", "price", "stock") {
			return err
		}
	}
	if !f.Failed() && initial > 0 {
		if _, err := s.Catalog.AdjustStock(c.UserContext(), p, prod.ID, initial, l.T("producer.history.initial"), ""); err != nil {
			return err
		}
	}
	if f.Failed() {
		if f.Error == "" {
			f.Error = l.T("form.error.summary")
		}
		if photo != nil {
			f.Errors["photo"] = l.T("producer.photo.choose_again")
		}
		return s.renderMyProduct(c, fiber.StatusUnprocessableEntity, d)
	}
	if photo != nil {
		if status, msg, err := s.addPhoto(c, p, prod.ID, photo); err != nil {
			return err
		} else if msg != "" {
			// The product is saved; only the photo failed. Show its page with why.
			if prod, err = s.Catalog.Product(c.UserContext(), prod.ID); err != nil {
				return err
			}
			pf := newForm()
			pf.Errors["photo"] = msg
			return s.renderMyProduct(c, status, myProductData{Product: productView{prod}, Edit: productForm(prod), Photo: pf,
				Alert: l.T("producer.photo.saved_without") + " " + msg})
		}
	}
	return c.Redirect("/mis-productos/"+prod.ID+"?aviso=producto-creado", fiber.StatusSeeOther)
}

// readProductForm reads the product form into a form (everything but the photo).
func readProductForm(c *fiber.Ctx, withStock bool) *form {
	f := newForm()
	for _, k := range []string{"name", "description", "category", "unit", "price"} {
		f.Values[k] = strings.TrimSpace(c.FormValue(k))
	}
	if withStock {
		f.Values["stock"] = strings.TrimSpace(c.FormValue("stock"))
	}
	if c.FormValue("made_to_order") != "" {
		f.Values["made_to_order"] = "on"
	}
	return f
}

// myProduct loads the product in the path for a producer page. When the
// visitor is anonymous it answers with the sign-in page and returns a nil
// principal (callers return err then); 404 for an unknown product, 403 when
// it belongs to someone else's initiative.
func (s *Pages) myProduct(c *fiber.Ctx) (*accounts.Principal, catalog.Product, error) {
	p := kit.Principal(c)
	if p == nil {
		back := "/mis-productos/" + url.PathEscape(c.Params("id"))
		if c.Method() == fiber.MethodGet {
			back = c.OriginalURL()
		}
		return nil, catalog.Product{}, toSignIn(c, back)
	}
	prod, err := s.Catalog.EditableProduct(c.UserContext(), p, c.Params("id"))
	if err != nil {
		return nil, prod, err
	}
	return p, prod, nil
}

func (s *Pages) myProductPage(c *fiber.Ctx) error {
	p, prod, err := s.myProduct(c)
	if p == nil {
		return err
	}
	return s.renderMyProduct(c, fiber.StatusOK, myProductData{Product: productView{prod}, Edit: productForm(prod)})
}

func (s *Pages) updateMyProduct(c *fiber.Ctx) error {
	p, prod, err := s.myProduct(c)
	if p == nil {
		return err
	}
	l := s.tmpl.localizer(c)
	f := readProductForm(c, false)
	up := catalog.ProductUpdate{}
	name, desc, cat, unit := f.Val("name"), f.Val("description"), f.Val("category"), f.Val("unit")
	madeToOrder := f.Val("made_to_order") != ""
	up.Name, up.Description, up.Category, up.Unit, up.MadeToOrder = &name, &desc, &cat, &unit, &madeToOrder
	if n, msg := parsePesos(f.Val("price")); msg != "" {
		f.Errors["price"] = l.T(msg)
	} else {
		price := money.Pesos(n)
		up.Price = &price
	}
	if len(f.Errors) == 0 {
		_, err = s.Catalog.UpdateProduct(c.UserContext(), p, prod.ID, up)
		if err != nil && !productFormError(l, f, err, "name", "description", "category", "unit", "price") {
			return err
		}
	}
	if f.Failed() {
		if f.Error == "" {
			f.Error = l.T("form.error.summary")
		}
		return s.renderMyProduct(c, fiber.StatusUnprocessableEntity, myProductData{Product: productView{prod}, Edit: f})
	}
	// The form posts to #datos (a failure shows there); an explicit fragment
	// keeps the redirect from inheriting it, so the notice on top is seen.
	return c.Redirect("/mis-productos/"+prod.ID+"?aviso=producto-guardado#main", fiber.StatusSeeOther)
}

// --- photos ---

// addPhoto processes an uploaded photo for a product. A photo that cannot be
// used gives the status and the message to show (in the visitor's language);
// err is for failures that are not the photo's.
func (s *Pages) addPhoto(c *fiber.Ctx, p *accounts.Principal, productID string, fh *multipart.FileHeader) (status int, msg string, err error) {
	return s.uploadPhoto(c, fh, "producer.error.photo_limit", catalog.MaxImagesPerProduct, func(r io.Reader) error {
		_, err := s.Catalog.AddProductImage(c.UserContext(), p, productID, r)
		return err
	})
}

func (s *Pages) addMyProductPhoto(c *fiber.Ctx) error {
	p, prod, err := s.myProduct(c)
	if p == nil {
		return err
	}
	l := s.tmpl.localizer(c)
	status, msg := fiber.StatusUnprocessableEntity, l.T("producer.error.photo_missing")
	if fh, ferr := c.FormFile("photo"); ferr == nil && (fh.Size > 0 || fh.Filename != "") {
		if status, msg, err = s.addPhoto(c, p, prod.ID, fh); err != nil {
			return err
		}
	}
	if msg == "" {
		return c.Redirect("/mis-productos/"+prod.ID+"?aviso=foto-agregada#fotos", fiber.StatusSeeOther)
	}
	pf := newForm()
	pf.Errors["photo"] = msg
	return s.renderMyProduct(c, status, myProductData{Product: productView{prod}, Edit: productForm(prod), Photo: pf})
}

func (s *Pages) removeMyProductPhoto(c *fiber.Ctx) error {
	p, prod, err := s.myProduct(c)
	if p == nil {
		return err
	}
	if err := s.Catalog.RemoveProductImage(c.UserContext(), p, prod.ID, c.Params("image")); err != nil {
		return err
	}
	return c.Redirect("/mis-productos/"+prod.ID+"?aviso=foto-quitada#fotos", fiber.StatusSeeOther)
}

// --- archive ---

// archiveMyProduct takes the product off the marketplace (active=no) or puts
// it back (active=si). The form says which, so sending it twice is harmless.
func (s *Pages) archiveMyProduct(c *fiber.Ctx) error {
	p, prod, err := s.myProduct(c)
	if p == nil {
		return err
	}
	active := c.FormValue("active") == "si"
	if _, err := s.Catalog.UpdateProduct(c.UserContext(), p, prod.ID, catalog.ProductUpdate{Active: &active}); err != nil {
		return err
	}
	notice := "producto-archivado"
	if active {
		notice = "producto-reactivado"
	}
	return c.Redirect("/mis-productos/"+prod.ID+"?aviso="+notice, fiber.StatusSeeOther)
}

// --- stock ---

func (s *Pages) adjustMyStock(c *fiber.Ctx) error {
	p, prod, err := s.myProduct(c)
	if p == nil {
		return err
	}
	l := s.tmpl.localizer(c)
	f := newForm()
	f.Values["direction"] = c.FormValue("direction")
	f.Values["quantity"] = strings.TrimSpace(c.FormValue("quantity"))
	f.Values["reason"] = strings.TrimSpace(c.FormValue("reason"))
	var delta int64
	switch f.Val("direction") {
	case "in", "out":
	default:
		f.Errors["direction"] = l.T("producer.error.direction")
	}
	n, msg := parseWhole(f.Val("quantity"))
	switch {
	case msg != "" || n <= 0 || n > maxStock:
		f.Errors["quantity"] = l.T("producer.error.quantity")
	case f.Val("direction") == "out":
		delta = -n
	default:
		delta = n
	}
	status := fiber.StatusUnprocessableEntity
	if len(f.Errors) == 0 {
		_, err = s.Catalog.AdjustStock(c.UserContext(), p, prod.ID, delta, f.Val("reason"), c.FormValue("key"))
		switch {
		case err == nil:
			return c.Redirect("/mis-productos/"+prod.ID+"?aviso=inventario-ajustado#inventario", fiber.StatusSeeOther)
		case errors.Is(err, errs.Conflict):
			status = fiber.StatusConflict
			if prod, err = s.Catalog.Product(c.UserContext(), prod.ID); err != nil {
				return err
			}
			if prod.Stock == nil {
				f.Error = l.T("producer.error.made_to_order")
			} else {
				f.Error = l.T("producer.error.not_enough", "Have", *prod.Stock, "Want", -delta)
			}
		case !productFormError(l, f, err, "quantity", "reason"):
			return err
		}
	}
	if f.Error == "" {
		f.Error = l.T("form.error.summary")
	}
	return s.renderMyProduct(c, status, myProductData{Product: productView{prod}, Edit: productForm(prod), Stock: f})
}

// historyPageSize is how many stock moves the history page shows at a time.
const historyPageSize = 50

type stockHistoryData struct {
	Product productView
	Moves   []historyRow
	Next    string // cursor of the next page
}

type historyRow struct {
	catalog.StockMove
	Who string // already translated
}

// Signed is the change as a producer writes it: +5, −2.
func (r historyRow) Signed() string {
	if r.Delta > 0 {
		return "+" + strconv.FormatInt(r.Delta, 10)
	}
	return "−" + strconv.FormatInt(-r.Delta, 10)
}

// nameReader reads the names of the people who moved stock. The history
// shows them only to those who pass CanEditProducts for the product: the
// initiative's own producers, who work together, and admins.
var nameReader = &accounts.Principal{UserID: "stock-history", Roles: []string{accounts.RoleAdmin}}

func (s *Pages) stockHistoryPage(c *fiber.Ctx) error {
	p, prod, err := s.myProduct(c)
	if p == nil {
		return err
	}
	ctx := c.UserContext()
	l := s.tmpl.localizer(c)
	page, err := s.Catalog.StockHistory(ctx, p, prod.ID, c.Query("antes"), historyPageSize)
	if err != nil {
		return err
	}
	d := stockHistoryData{Product: productView{prod}, Next: page.Next}
	names := map[string]string{}
	for _, m := range page.Items {
		row := historyRow{StockMove: m}
		switch {
		case m.ActorID == "":
			row.Who = l.T("producer.history.automatic")
		case m.ActorID == p.UserID:
			row.Who = l.T("producer.history.you")
		default:
			name, seen := names[m.ActorID]
			if !seen {
				if u, err := s.Accounts.User(ctx, nameReader, m.ActorID); err == nil && u.AnonymizedAt == nil {
					name = u.Name
				}
				names[m.ActorID] = name
			}
			row.Who = name
			if name == "" {
				row.Who = l.T("producer.history.someone")
			}
		}
		d.Moves = append(d.Moves, row)
	}
	return s.render(c, fiber.StatusOK, "my_stock_history", "producer.history.title", d)
}

// --- input ---

// maxStock is the catalog's bound on stock and on one change of it.
const maxStock = 1_000_000

// productFormError puts the field errors of the catalog on f, in the
// visitor's language, next to the fields listed in shown (others go on top).
// It reports false for errors that are not about the form.
func productFormError(l *loc, f *form, err error, shown ...string) bool {
	var ve *errs.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	var other []string
	for _, fe := range ve.Fields {
		field, id := productFieldMessage(fe)
		msg := l.T(id, "N", catalog.MaxImagesPerProduct)
		switch {
		case !slices.Contains(shown, field):
			if !slices.Contains(other, msg) {
				other = append(other, msg)
			}
		case f.Errors[field] == "":
			f.Errors[field] = msg
		}
	}
	if len(f.Errors) > 0 {
		other = append([]string{l.T("form.error.summary")}, other...)
	}
	f.Error = strings.Join(other, " ")
	return true
}

// productFieldMessage maps a catalog field error to the form field it
// belongs to and a message id, by its field and code.
func productFieldMessage(fe errs.FieldError) (field, id string) {
	switch fe.Field {
	case "name":
		if fe.Code == errs.CodeTooLong {
			return "name", "producer.error.name_long"
		}
		return "name", "producer.error.name_short"
	case "description":
		return "description", "producer.error.description_long"
	case "category":
		return "category", "producer.error.category"
	case "unit":
		return "unit", "producer.error.unit"
	case "price.amount", "price.currency", "price":
		switch {
		case fe.Code == errs.CodeOutOfRange && fe.Params["min"] != nil:
			return "price", "producer.error.price_positive"
		case fe.Code == errs.CodeOutOfRange:
			return "price", "producer.error.price_large"
		}
		return "price", "producer.error.price_format"
	case "stock":
		return "stock", "producer.error.stock"
	case "delta":
		return "quantity", "producer.error.quantity"
	case "reason":
		if fe.Code == errs.CodeTooLong {
			return "reason", "producer.error.reason_long"
		}
		return "reason", "producer.error.reason_short"
	case "file":
		return "photo", "producer.error.photo_limit"
	}
	return fe.Field, "producer.error.generic"
}
