package programme

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/storage"
)

// Good practices (buenas prácticas) and experience exchanges (intercambios
// de experiencias, exchanges.go). A practice is what an initiative did and
// what changed, under one of the programme's topics, shared at an exchange
// or at any time: one document each (programme_practices/{id}). The library
// every signed-in producer and adviser browses is one document
// (programme_practice_index/all: practice id → summary and folded text),
// so a search, accent- and case-insensitive, filtered by topic and
// municipality, is one read by _id worked out in Go; it holds at most
// MaxPractices practices. "Lo quiero aplicar" makes the producer's
// initiative a standalone agreement of mentoring whose id is derived from
// the practice and the initiative: one per pair, however often tapped.

// MaxPractices bounds the library (about six practices per initiative of
// the 42): its index document stays within about 200 KB.
const MaxPractices = 250

// Limits of a practice's fields.
const (
	MinPracticeTitle = 3
	MaxPracticeTitle = 120
	MinPracticeText  = 3
	MaxPracticeText  = 2000
	// MaxPhotos bounds the photos of a practice and of an exchange.
	MaxPhotos = 8
	// foldedRunes bounds the folded text a summary keeps for the search.
	foldedRunes  = 400
	excerptRunes = 160
	// ApplyDueDays is how long an initiative gives itself to apply a practice.
	ApplyDueDays = 30
)

// Photo is a photo of a practice or an exchange: its renditions (no
// metadata) under private keys, streamed only to who may read the record.
type Photo struct {
	ID       string    `bson:"id" json:"id"`
	Key      string    `bson:"key" json:"-"`
	ThumbKey string    `bson:"thumb_key" json:"-"`
	Width    int       `bson:"width" json:"width"`
	Height   int       `bson:"height" json:"height"`
	By       string    `bson:"by" json:"recorded_by"`
	At       time.Time `bson:"at" json:"recorded_at"`
}

// Practice is a good practice an initiative shares.
type Practice struct {
	ID             string  `bson:"_id" json:"id"`
	Title          string  `bson:"title" json:"title"`
	Done           string  `bson:"done" json:"done"`       // what was done
	Changed        string  `bson:"changed" json:"changed"` // what changed
	Topic          string  `bson:"topic" json:"topic"`     // a mentoring.Topics code
	InitiativeID   string  `bson:"initiative_id" json:"initiative_id"`
	InitiativeName string  `bson:"initiative_name" json:"initiative_name"`
	Municipality   string  `bson:"municipality" json:"municipality"`
	Department     string  `bson:"department" json:"department"`
	ExchangeID     string  `bson:"exchange_id,omitempty" json:"exchange_id,omitempty"`
	Date           string  `bson:"date" json:"date"` // YYYY-MM-DD: shared on (the exchange's day)
	Photos         []Photo `bson:"photos" json:"photos"`
	// AppliedBy are the initiatives that took it up ("Lo quiero aplicar").
	AppliedBy  []string  `bson:"applied_by" json:"applied_by"`
	RecordedBy string    `bson:"recorded_by" json:"recorded_by"`
	RecordedAt time.Time `bson:"recorded_at" json:"recorded_at"`
}

// PracticeInput is a practice to share.
type PracticeInput struct {
	Title        string `json:"title"`
	Done         string `json:"done"`
	Changed      string `json:"changed"`
	Topic        string `json:"topic"`
	InitiativeID string `json:"initiative_id"`
	ExchangeID   string `json:"exchange_id,omitempty"`
}

// PracticeSummary is a practice as the library lists it.
type PracticeSummary struct {
	ID             string `bson:"-" json:"id"`
	Title          string `bson:"title" json:"title"`
	Excerpt        string `bson:"excerpt" json:"excerpt"`
	Topic          string `bson:"topic" json:"topic"`
	InitiativeID   string `bson:"initiative_id" json:"initiative_id"`
	InitiativeName string `bson:"initiative_name" json:"initiative_name"`
	Municipality   string `bson:"municipality" json:"municipality"`
	ExchangeID     string `bson:"exchange_id,omitempty" json:"exchange_id,omitempty"`
	Date           string `bson:"date" json:"date"`
	Photo          string `bson:"photo,omitempty" json:"photo,omitempty"` // the first photo's id
	Applied        int    `bson:"applied" json:"applied"`                 // initiatives that took it up
	Folded         string `bson:"f" json:"-"`
}

// PracticeFilter selects practices of the library.
type PracticeFilter struct {
	Q            string // words, each found in the title, the initiative or the texts
	Topic        string
	Municipality string // any spelling catalog.LookupMunicipality accepts
}

// InitiativeRef is what practices and exchanges copy of an initiative.
type InitiativeRef struct {
	Name, Municipality, Department string
}

// PracticesOptions wire the practices and exchanges.
type PracticesOptions struct {
	Clock func() time.Time
	// Initiative names an initiative (errs.NotFound when there is none).
	Initiative func(ctx context.Context, id string) (InitiativeRef, error)
	// Mentoring keeps the agreements "Lo quiero aplicar" makes.
	Mentoring *mentoring.Service
	Objects   storage.ObjectStore
}

// Practices keeps the good practices, their library and the experience exchanges.
type Practices struct {
	practices, index, exchanges *mongo.Collection
	exchangeLists               storage.Periods[Exchange]
	exchangeMoves               storage.Set[exchangeMark]
	clock                       func() time.Time
	initiative                  func(ctx context.Context, id string) (InitiativeRef, error)
	mentoring                   *mentoring.Service
	objects                     storage.ObjectStore
}

const indexID = "all"

// NewPractices keeps them in db: programme_practices,
// programme_practice_index, programme_exchanges, programme_exchange_lists,
// programme_work.
func NewPractices(db *mongo.Database, opts PracticesOptions) *Practices {
	s := &Practices{practices: db.Collection("programme_practices"), index: db.Collection("programme_practice_index"),
		exchanges: db.Collection("programme_exchanges"), exchangeLists: storage.NewPeriods[Exchange](db.Collection("programme_exchange_lists")),
		exchangeMoves: storage.NewSet[exchangeMark](db.Collection("programme_work")),
		clock:         opts.Clock, initiative: opts.Initiative, mentoring: opts.Mentoring, objects: opts.Objects}
	if s.clock == nil {
		s.clock = time.Now
	}
	return s
}

func (s *Practices) now() time.Time { return s.clock().UTC().Truncate(time.Millisecond) }
func (s *Practices) today() string  { return s.clock().In(colombia.Zone).Format(time.DateOnly) }
func (s *Practices) Now() time.Time { return s.clock() }
func cut(text string, n int) string {
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	return strings.TrimSpace(string([]rune(text)[:n])) + "…"
}

// CanBrowse: every signed-in producer and adviser, and admins, read the
// library and the exchanges (buyers do not).
func CanBrowse(p *accounts.Principal) bool {
	return p.IsAdmin() || p.Has(accounts.RoleAdviser) || p.Has(accounts.RoleProducer)
}

// CanShare: the sharing initiative's producers and advisers, and admins,
// record a practice (the producers know best what they did).
func CanShare(p *accounts.Principal, initiativeID string) bool {
	return p.IsAdmin() || p.Advises(initiativeID) || p.MemberOf(initiativeID)
}

// CanApply: the initiative's producers (and admins) take up a practice for it.
func CanApply(p *accounts.Principal, initiativeID string) bool {
	return p.IsAdmin() || p.MemberOf(initiativeID)
}

func (s *Practices) initiativeRef(ctx context.Context, field, id string) (InitiativeRef, error) {
	if s.initiative == nil {
		return InitiativeRef{Name: id}, nil
	}
	ref, err := s.initiative(ctx, id)
	if errors.Is(err, errs.NotFound) {
		var fe errs.Fields
		fe.Add(field, errs.CodeNotFound, "no initiative "+id)
		return ref, fe.Err()
	}
	return ref, err
}

func summaryOf(pr Practice) PracticeSummary {
	photo := ""
	if len(pr.Photos) > 0 {
		photo = pr.Photos[0].ID
	}
	folded := strings.Join(strings.Fields(catalog.Fold(strings.Join([]string{pr.Title, pr.InitiativeName, pr.Municipality, pr.Done, pr.Changed}, " "))), " ")
	if r := []rune(folded); len(r) > foldedRunes {
		folded = string(r[:foldedRunes])
	}
	return PracticeSummary{ID: pr.ID, Title: pr.Title, Excerpt: cut(pr.Done, excerptRunes), Topic: pr.Topic,
		InitiativeID: pr.InitiativeID, InitiativeName: pr.InitiativeName, Municipality: pr.Municipality,
		ExchangeID: pr.ExchangeID, Date: pr.Date, Photo: photo, Applied: len(pr.AppliedBy),
		Folded: folded}
}

// checkPractice cleans in and reports every problem at once.
func checkPractice(in *PracticeInput) error {
	var fe errs.Fields
	in.Title = clean.Line(in.Title)
	if n := utf8.RuneCountInString(in.Title); n < MinPracticeTitle || n > MaxPracticeTitle {
		fe.Add("title", errs.CodeOutOfRange, fmt.Sprintf("must be %d to %d characters", MinPracticeTitle, MaxPracticeTitle), "min", MinPracticeTitle, "max", MaxPracticeTitle)
	}
	in.Done, in.Changed = clean.Text(in.Done), clean.Text(in.Changed)
	for field, v := range map[string]string{"done": in.Done, "changed": in.Changed} {
		if n := utf8.RuneCountInString(v); n < MinPracticeText || n > MaxPracticeText {
			fe.Add(field, errs.CodeOutOfRange, fmt.Sprintf("must be %d to %d characters", MinPracticeText, MaxPracticeText), "min", MinPracticeText, "max", MaxPracticeText)
		}
	}
	in.Topic = strings.TrimSpace(in.Topic)
	if !slices.Contains(mentoring.Topics, in.Topic) {
		fe.Add("topic", errs.CodeUnknown, "must be one of the programme's topics: "+strings.Join(mentoring.Topics, ", "))
	}
	in.InitiativeID, in.ExchangeID = strings.TrimSpace(in.InitiativeID), strings.TrimSpace(in.ExchangeID)
	if in.InitiativeID == "" {
		fe.Add("initiative_id", errs.CodeRequired, "name the initiative that shares it")
	}
	return fe.Err()
}

// Check validates a practice as Share does, without storing it (forms).
func (s *Practices) Check(in PracticeInput) error { return checkPractice(&in) }

// Share records a practice of an initiative (its producers and advisers,
// admins), at an exchange it took part in when ExchangeID is given.
func (s *Practices) Share(ctx context.Context, p *accounts.Principal, in PracticeInput) (Practice, error) {
	if p == nil {
		return Practice{}, errs.Unauthenticated
	}
	if err := checkPractice(&in); err != nil {
		return Practice{}, err
	}
	if !CanShare(p, in.InitiativeID) {
		return Practice{}, denied(p, "sharing a practice of initiative "+in.InitiativeID)
	}
	ref, err := s.initiativeRef(ctx, "initiative_id", in.InitiativeID)
	if err != nil {
		return Practice{}, err
	}
	date := s.today()
	if in.ExchangeID != "" {
		ex, err := s.exchange(ctx, in.ExchangeID)
		if errors.Is(err, errs.NotFound) {
			var fe errs.Fields
			fe.Add("exchange_id", errs.CodeNotFound, "no exchange "+in.ExchangeID)
			return Practice{}, fe.Err()
		}
		if err != nil {
			return Practice{}, err
		}
		if !slices.Contains(ex.InitiativeIDs, in.InitiativeID) {
			var fe errs.Fields
			fe.Add("initiative_id", errs.CodeNotAllowed, "the initiative did not take part in the exchange", "reason", "not_at_exchange")
			return Practice{}, fe.Err()
		}
		date = ex.Date
	}
	pr := Practice{ID: storage.NewID(), Title: in.Title, Done: in.Done, Changed: in.Changed, Topic: in.Topic,
		InitiativeID: in.InitiativeID, InitiativeName: ref.Name, Municipality: ref.Municipality, Department: ref.Department,
		ExchangeID: in.ExchangeID, Date: date, Photos: []Photo{}, AppliedBy: []string{}, RecordedBy: p.UserID, RecordedAt: s.now()}
	// The library's place first, guarded by its bound: a full library
	// refuses before anything is stored.
	if err := s.addToIndex(ctx, summaryOf(pr)); err != nil {
		return Practice{}, err
	}
	if _, err := s.practices.InsertOne(ctx, pr); err != nil {
		_ = s.removeFromIndex(context.WithoutCancel(ctx), pr.ID)
		return Practice{}, storage.Err("practice "+pr.ID, err)
	}
	if in.ExchangeID != "" {
		if err := s.listPracticeAtExchange(ctx, in.ExchangeID, pr.ID); err != nil {
			return pr, err
		}
	}
	return pr, nil
}

// addToIndex puts a new practice in the library unless it holds
// MaxPractices: one update guarded on the count (the upsert of a full
// index collides with the index itself, a duplicate key).
func (s *Practices) addToIndex(ctx context.Context, sum PracticeSummary) error {
	_, err := s.index.UpdateOne(ctx, bson.M{"_id": indexID, "n": bson.M{"$lt": MaxPractices}, "p." + sum.ID: bson.M{"$exists": false}},
		bson.M{"$set": bson.M{"p." + sum.ID: sum}, "$inc": bson.M{"n": 1}}, options.Update().SetUpsert(true))
	if storage.IsDuplicateKey(err) {
		return fmt.Errorf("the library holds %d practices, its limit: %w", MaxPractices, errs.Conflict)
	}
	return storage.Err("practice index", err)
}

func (s *Practices) removeFromIndex(ctx context.Context, id string) error {
	_, err := s.index.UpdateOne(ctx, bson.M{"_id": indexID, "p." + id: bson.M{"$exists": true}},
		bson.M{"$unset": bson.M{"p." + id: ""}, "$inc": bson.M{"n": -1}})
	return storage.Err("practice index", err)
}

// putSummary replaces a practice's summary in the library (a $set of its entry).
func (s *Practices) putSummary(ctx context.Context, pr Practice) error {
	_, err := s.index.UpdateOne(ctx, bson.M{"_id": indexID, "p." + pr.ID: bson.M{"$exists": true}}, bson.M{"$set": bson.M{"p." + pr.ID: summaryOf(pr)}})
	return storage.Err("practice index", err)
}

func (s *Practices) practice(ctx context.Context, id string) (Practice, error) {
	var pr Practice
	err := s.practices.FindOne(ctx, bson.M{"_id": id}).Decode(&pr)
	return pr, storage.Err("practice "+id, err)
}

// Practice answers one practice to who may browse the library.
func (s *Practices) Practice(ctx context.Context, p *accounts.Principal, id string) (Practice, error) {
	if !CanBrowse(p) {
		return Practice{}, denied(p, "practice "+id)
	}
	return s.practice(ctx, id)
}

// Library lists the practices matching f, newest first: one read of the
// index. Each word of Q must appear in a practice's folded text (accents
// and case aside).
func (s *Practices) Library(ctx context.Context, p *accounts.Principal, f PracticeFilter) ([]PracticeSummary, error) {
	if !CanBrowse(p) {
		return nil, denied(p, "the practices library")
	}
	var fe errs.Fields
	f.Topic = strings.TrimSpace(f.Topic)
	if f.Topic != "" && !slices.Contains(mentoring.Topics, f.Topic) {
		fe.Add("topic", errs.CodeUnknown, "must be one of the programme's topics")
	}
	if strings.TrimSpace(f.Municipality) != "" {
		m, ok := catalog.LookupMunicipality(f.Municipality)
		if !ok {
			fe.Add("municipality", errs.CodeUnknown, "unknown municipality")
		}
		f.Municipality = m.Name
	}
	if utf8.RuneCountInString(f.Q) > 200 {
		fe.Add("q", errs.CodeTooLong, "must have at most 200 characters", "max", 200)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	all, err := s.summaries(ctx)
	if err != nil {
		return nil, err
	}
	words := strings.Fields(catalog.Fold(clean.Line(f.Q)))
	out := []PracticeSummary{}
	for _, sum := range all {
		if (f.Topic != "" && sum.Topic != f.Topic) || (f.Municipality != "" && sum.Municipality != f.Municipality) {
			continue
		}
		if !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(sum.Folded, w) }) {
			out = append(out, sum)
		}
	}
	return out, nil
}

// summaries reads the whole library, newest first.
func (s *Practices) summaries(ctx context.Context) ([]PracticeSummary, error) {
	var doc struct {
		P map[string]PracticeSummary `bson:"p"`
	}
	err := s.index.FindOne(ctx, bson.M{"_id": indexID}).Decode(&doc)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, storage.Err("practice index", err)
	}
	out := make([]PracticeSummary, 0, len(doc.P))
	for id, sum := range doc.P {
		sum.ID = id
		out = append(out, sum)
	}
	slices.SortFunc(out, func(a, b PracticeSummary) int { return cmp.Or(cmp.Compare(b.Date, a.Date), cmp.Compare(b.ID, a.ID)) })
	return out, nil
}

// Summaries answers the library's summaries of ids (those it holds), in
// the order given: one read of the index.
func (s *Practices) Summaries(ctx context.Context, p *accounts.Principal, ids []string) ([]PracticeSummary, error) {
	if !CanBrowse(p) {
		return nil, denied(p, "the practices library")
	}
	all, err := s.summaries(ctx)
	if err != nil {
		return nil, err
	}
	out := []PracticeSummary{}
	for _, id := range ids {
		if i := slices.IndexFunc(all, func(x PracticeSummary) bool { return x.ID == id }); i >= 0 {
			out = append(out, all[i])
		}
	}
	return out, nil
}

// ApplyKey names the one agreement of an initiative applying a practice.
func ApplyKey(practiceID, initiativeID string) string {
	return "practice:" + practiceID + ":" + initiativeID
}

// Apply is "Lo quiero aplicar": the initiative (p's, when p is a producer
// of only one and initiativeID is "") commits to apply the practice, an
// open agreement due in ApplyDueDays. Exactly one agreement per initiative
// and practice: tapped again it answers the one there, created false.
func (s *Practices) Apply(ctx context.Context, p *accounts.Principal, practiceID, initiativeID string) (mentoring.Agreement, bool, error) {
	if p == nil {
		return mentoring.Agreement{}, false, errs.Unauthenticated
	}
	pr, err := s.Practice(ctx, p, practiceID)
	if err != nil {
		return mentoring.Agreement{}, false, err
	}
	initiativeID = strings.TrimSpace(initiativeID)
	if mine := p.ProducerInitiatives(); initiativeID == "" && len(mine) == 1 {
		initiativeID = mine[0]
	}
	if initiativeID == "" {
		var fe errs.Fields
		fe.Add("initiative_id", errs.CodeRequired, "name the initiative that applies it")
		return mentoring.Agreement{}, false, fe.Err()
	}
	if !CanApply(p, initiativeID) {
		return mentoring.Agreement{}, false, denied(p, "applying a practice for initiative "+initiativeID)
	}
	if initiativeID == pr.InitiativeID {
		return mentoring.Agreement{}, false, fmt.Errorf("practice %s is initiative %s's own: %w", pr.ID, initiativeID, errs.Conflict)
	}
	ref, err := s.initiativeRef(ctx, "initiative_id", initiativeID)
	if err != nil {
		return mentoring.Agreement{}, false, err
	}
	if s.mentoring == nil {
		return mentoring.Agreement{}, false, fmt.Errorf("agreements: %w", errs.Unavailable)
	}
	due := mentoring.Today(s.clock()).AddDate(0, 0, ApplyDueDays)
	a, created, err := s.mentoring.AddStandaloneAgreement(ctx, p, mentoring.StandaloneAgreement{
		InitiativeID: initiativeID, PracticeID: pr.ID, Owner: cut(ref.Name, mentoring.MaxOwner-1), OwnerUserID: p.UserID, Due: due,
		Text: cut("Aplicar la buena práctica «"+pr.Title+"» de "+pr.InitiativeName, mentoring.MaxAgreementText-1),
		Key:  ApplyKey(pr.ID, initiativeID), KeyTime: pr.RecordedAt,
	})
	if err != nil {
		return a, created, err
	}
	// The practice counts who took it up ($addToSet: once per initiative).
	var after Practice
	err = s.practices.FindOneAndUpdate(ctx, bson.M{"_id": pr.ID}, bson.M{"$addToSet": bson.M{"applied_by": initiativeID}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&after)
	if err != nil {
		return a, created, storage.Err("practice "+pr.ID, err)
	}
	if len(after.AppliedBy) != len(pr.AppliedBy) {
		if err := s.putSummary(ctx, after); err != nil {
			return a, created, err
		}
	}
	return a, created, nil
}

// AddPhoto keeps a photo of a practice (who may share it may add photos,
// at most MaxPhotos): its medium and thumbnail renditions under
// private/practices/<id>/, then the photo on the practice and its summary.
func (s *Practices) AddPhoto(ctx context.Context, p *accounts.Principal, id string, r io.Reader) (Photo, error) {
	pr, err := s.Practice(ctx, p, id)
	if err != nil {
		return Photo{}, err
	}
	if !CanShare(p, pr.InitiativeID) {
		return Photo{}, denied(p, "adding photos to practice "+id)
	}
	if len(pr.Photos) >= MaxPhotos {
		return Photo{}, tooManyPhotos()
	}
	ph, err := s.storePhoto(ctx, p, "private/practices/"+id+"/", r)
	if err != nil {
		return Photo{}, err
	}
	after, err := pushPhoto[Practice](ctx, s, s.practices, "practice", id, ph)
	if err != nil {
		return Photo{}, err
	}
	if len(after.Photos) == 1 {
		if err := s.putSummary(ctx, after); err != nil {
			return ph, err
		}
	}
	return ph, nil
}

// pushPhoto adds the stored photo to the document id of coll unless it
// already holds MaxPhotos (one guarded write, so two uploads at once cannot
// pass the limit), and answers the document as it is then; on failure the
// photo's objects are deleted.
func pushPhoto[T any](ctx context.Context, s *Practices, coll *mongo.Collection, what, id string, ph Photo) (T, error) {
	var after T
	err := coll.FindOneAndUpdate(ctx, bson.M{"_id": id, "photos." + fmt.Sprint(MaxPhotos-1): bson.M{"$exists": false}},
		bson.M{"$push": bson.M{"photos": ph}}, options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&after)
	if err != nil {
		s.dropPhoto(ctx, ph)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return after, tooManyPhotos()
		}
		return after, storage.Err(what+" "+id, err)
	}
	return after, nil
}

func tooManyPhotos() error {
	var fe errs.Fields
	fe.Add("file", errs.CodeTooMany, fmt.Sprintf("at most %d photos", MaxPhotos), "max", MaxPhotos)
	return fe.Err()
}

// storePhoto re-encodes an upload (catalog.ProcessImage: no metadata) and
// keeps its medium and thumbnail renditions under prefix.
func (s *Practices) storePhoto(ctx context.Context, p *accounts.Principal, prefix string, r io.Reader) (Photo, error) {
	if s.objects == nil {
		return Photo{}, fmt.Errorf("photos: no object store: %w", errs.Unavailable)
	}
	img, err := catalog.ProcessImage(r)
	if err != nil {
		return Photo{}, err
	}
	ph := Photo{ID: storage.NewID(), Width: img.Medium.Width, Height: img.Medium.Height, By: p.UserID, At: s.now()}
	ph.Key = prefix + ph.ID + "." + img.Medium.Ext()
	ph.ThumbKey = prefix + ph.ID + "-thumb." + img.Thumb.Ext()
	if _, err := s.objects.Put(ctx, ph.Key, bytes.NewReader(img.Medium.Data), int64(len(img.Medium.Data)), img.Medium.ContentType); err != nil {
		return Photo{}, err
	}
	if _, err := s.objects.Put(ctx, ph.ThumbKey, bytes.NewReader(img.Thumb.Data), int64(len(img.Thumb.Data)), img.Thumb.ContentType); err != nil {
		_ = s.objects.Delete(context.WithoutCancel(ctx), ph.Key)
		return Photo{}, err
	}
	return ph, nil
}

func (s *Practices) dropPhoto(ctx context.Context, ph Photo) {
	cctx := context.WithoutCancel(ctx)
	_ = s.objects.Delete(cctx, ph.Key)
	_ = s.objects.Delete(cctx, ph.ThumbKey)
}

func openPhoto(ctx context.Context, objects storage.ObjectStore, photos []Photo, photoID string, thumb bool) (io.ReadCloser, storage.Object, error) {
	i := slices.IndexFunc(photos, func(ph Photo) bool { return ph.ID == photoID })
	if i < 0 {
		return nil, storage.Object{}, fmt.Errorf("photo %s: %w", photoID, errs.NotFound)
	}
	if objects == nil {
		return nil, storage.Object{}, fmt.Errorf("photos: no object store: %w", errs.Unavailable)
	}
	key := photos[i].Key
	if thumb {
		key = photos[i].ThumbKey
	}
	return objects.Get(ctx, key)
}

// OpenPhoto reads a practice's photo (thumb: its thumbnail) for who may
// browse the library; the caller closes the reader.
func (s *Practices) OpenPhoto(ctx context.Context, p *accounts.Principal, id, photoID string, thumb bool) (io.ReadCloser, storage.Object, error) {
	pr, err := s.Practice(ctx, p, id)
	if err != nil {
		return nil, storage.Object{}, err
	}
	return openPhoto(ctx, s.objects, pr.Photos, photoID, thumb)
}

// RebuildIndex writes the library again from the practices (at start, and
// after a crash between a practice and its entry): one read of a
// collection of at most MaxPractices documents.
func (s *Practices) RebuildIndex(ctx context.Context) error {
	var all []Practice
	if err := storage.ReadAll(ctx, s.practices, &all); err != nil {
		return err
	}
	set := bson.M{}
	for _, pr := range all {
		set[pr.ID] = summaryOf(pr)
	}
	_, err := s.index.ReplaceOne(ctx, bson.M{"_id": indexID}, bson.M{"p": set, "n": len(set)}, options.Replace().SetUpsert(true))
	return storage.Err("practice index", err)
}
