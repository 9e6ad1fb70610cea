package catalog

import (
	"context"
	"io"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/storage"
)

// MaxPhotosPerInitiative keeps initiative pages light.
const MaxPhotosPerInitiative = 3

// AddInitiativePhoto processes an upload (type sniffed, metadata stripped,
// resized), stores its renditions under content-addressed keys and adds it to
// the initiative's public photos.
func (s *Service) AddInitiativePhoto(ctx context.Context, who *accounts.Principal, initiativeID string, r io.Reader) (Image, error) {
	if _, err := s.allowInitiative(ctx, who, initiativeID, accounts.CanEditInitiative); err != nil {
		return Image{}, err
	}
	pi, err := ProcessImage(r)
	if err != nil {
		return Image{}, err
	}
	img, err := s.storeImage(ctx, pi)
	if err != nil {
		return Image{}, err
	}
	err = retryStale(func() error {
		in, err := s.initiatives.get(ctx, bson.M{"_id": initiativeID}, "initiative "+initiativeID)
		if err != nil {
			return err
		}
		if err := roomForImage(in.Images, MaxPhotosPerInitiative, "an initiative"); err != nil {
			return err
		}
		return s.setInitiativePhotos(ctx, in, append(in.Images, img))
	})
	if err != nil {
		return Image{}, err
	}
	return s.imageURLs(img), nil
}

// RemoveInitiativePhoto takes a photo off an initiative. The stored files
// stay: keys are content-addressed and may be shared.
func (s *Service) RemoveInitiativePhoto(ctx context.Context, who *accounts.Principal, initiativeID, imageID string) error {
	if _, err := s.allowInitiative(ctx, who, initiativeID, accounts.CanEditInitiative); err != nil {
		return err
	}
	return retryStale(func() error {
		in, err := s.initiatives.get(ctx, bson.M{"_id": initiativeID}, "initiative "+initiativeID)
		if err != nil {
			return err
		}
		kept, err := withoutImage(in.Images, imageID)
		if err != nil {
			return err
		}
		return s.setInitiativePhotos(ctx, in, kept)
	})
}

// setInitiativePhotos writes photos against the revision in was read at.
func (s *Service) setInitiativePhotos(ctx context.Context, in Initiative, photos []Image) error {
	res, err := s.initiatives.coll.UpdateOne(ctx, bson.M{"_id": in.ID, "rev": in.Rev},
		bson.M{"$set": bson.M{"photos": photos, "updated_at": s.now()}, "$inc": bson.M{"rev": 1}})
	if err == nil && res.MatchedCount == 0 {
		return errStale
	}
	return storage.Err("initiative "+in.ID, err)
}

// initiativeURLs fills the photos' URLs; photos are never nil once served.
func (s *Service) initiativeURLs(in Initiative) Initiative {
	photos := make([]Image, len(in.Images))
	for i, im := range in.Images {
		photos[i] = s.imageURLs(im)
	}
	in.Images = photos
	return in
}
