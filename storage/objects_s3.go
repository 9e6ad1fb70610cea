package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"

	"github.com/tesoro-pact/tesoro/errs"
)

// S3Config locates an S3-compatible bucket (MinIO in development and tests).
type S3Config struct {
	Endpoint  string // host:port (S3_ENDPOINT); a scheme, if given, must agree with UseSSL
	AccessKey string // S3_ACCESS_KEY
	SecretKey string // S3_SECRET_KEY
	Bucket    string // S3_BUCKET
	Region    string // optional, default "us-east-1"
	UseSSL    bool
}

// DefaultS3Region is used when S3Config.Region is empty; MinIO accepts it.
const DefaultS3Region = "us-east-1"

// s3PartSize bounds upload memory. minio-go buffers one part at a time, and
// for an unknown size (-1) it would otherwise pick ~537 MiB parts. 16 MiB
// parts still allow objects up to ~156 GiB (10,000 parts).
const s3PartSize = 16 << 20

// S3Store keeps objects in an S3-compatible bucket.
type S3Store struct {
	client *minio.Client
	bucket string
	region string
	// bucketReady caches that the bucket exists; bucketSem lets one caller
	// at a time create it while others wait (or give up with their ctx).
	// A failed attempt leaves bucketReady false, so the next call retries.
	bucketReady atomic.Bool
	bucketSem   chan struct{}
}

var _ ObjectStore = (*S3Store)(nil)

// NewS3Store builds the client without contacting the server, so the app
// starts while MinIO is down (readiness reports it via Ping). The bucket is
// created on first Ping or Put.
func NewS3Store(cfg S3Config) (*S3Store, error) {
	var missing []string
	for _, f := range []struct{ val, env string }{
		{cfg.Endpoint, "S3_ENDPOINT"},
		{cfg.AccessKey, "S3_ACCESS_KEY"},
		{cfg.SecretKey, "S3_SECRET_KEY"},
		{cfg.Bucket, "S3_BUCKET"},
	} {
		if strings.TrimSpace(f.val) == "" {
			missing = append(missing, f.env)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("storage: s3 config: %s not set", strings.Join(missing, ", "))
	}
	if err := s3utils.CheckValidBucketNameStrict(cfg.Bucket); err != nil {
		return nil, fmt.Errorf("storage: s3 config: S3_BUCKET %q: %w", cfg.Bucket, err)
	}
	region := cfg.Region
	if region == "" {
		region = DefaultS3Region
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:       cfg.UseSSL,
		Region:       region,
		BucketLookup: minio.BucketLookupPath,
		// minio-go retries 10 times by default (≈6 s against a dead server);
		// three keeps a blip survivable and an outage quick to report.
		MaxRetries: 3,
	})
	if err != nil {
		return nil, fmt.Errorf("storage: s3 config: S3_ENDPOINT %q (want host:port): %w", cfg.Endpoint, err)
	}
	return &S3Store{client: client, bucket: cfg.Bucket, region: region, bucketSem: make(chan struct{}, 1)}, nil
}

// Put uploads the object; S3 makes the replacement atomic. ModTime is the
// server's time when it reports one, otherwise the local clock.
func (s *S3Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Object, error) {
	if err := ValidKey(key); err != nil {
		return Object{}, err
	}
	contentType = contentTypeOrDefault(contentType)
	if err := s.ensureBucket(ctx); err != nil {
		return Object{}, err
	}
	body := newSizedReader(r, size, key)
	if size == 0 { // minio-go never reads a body declared empty
		if err := body.checkEnd(); err != io.EOF {
			return Object{}, err
		}
	}
	info, err := s.client.PutObject(ctx, s.bucket, key, body, size, minio.PutObjectOptions{
		ContentType: contentType,
		PartSize:    s3PartSize,
	})
	if body.err != nil { // minio-go and net/http may have replaced it
		return Object{}, body.err
	}
	if err != nil {
		return Object{}, s.fail("put", key, err)
	}
	mod := info.LastModified
	if mod.IsZero() { // PUT responses carry no Last-Modified; S3 keeps seconds
		mod = time.Now().UTC().Truncate(time.Second)
	}
	return Object{Key: key, Size: info.Size, ContentType: contentType, ETag: info.ETag, ModTime: mod}, nil
}

// Get opens the object with one GET request. (Client.GetObject would send a
// HEAD for the object info and then a GET with If-Match, failing the read if
// the object was overwritten in between; Core.GetObject streams the version
// the headers describe.)
func (s *S3Store) Get(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	if err := ValidKey(key); err != nil {
		return nil, Object{}, err
	}
	body, info, _, err := minio.Core{Client: s.client}.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, Object{}, s.fail("get", key, err)
	}
	return body, s3Object(info, true), nil
}

// Stat describes the object with a HEAD request.
func (s *S3Store) Stat(ctx context.Context, key string) (Object, error) {
	if err := ValidKey(key); err != nil {
		return Object{}, err
	}
	info, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return Object{}, s.fail("stat", key, err)
	}
	return s3Object(info, true), nil
}

// Delete removes the object; S3 already treats a missing key as success,
// and a missing bucket holds nothing to delete.
func (s *S3Store) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if err = s.fail("delete", key, err); errors.Is(err, errs.NotFound) {
		return nil
	}
	return err
}

// List returns the objects under prefix. Keys that ValidKey rejects (e.g.
// "dir/" markers made by other tools) are skipped: the app could not use them.
func (s *S3Store) List(ctx context.Context, prefix string) ([]Object, error) {
	if err := validPrefix(prefix); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx) // stops minio-go's lister if we return early
	defer cancel()
	out := []Object{}
	for info := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if info.Err != nil {
			if minio.ToErrorResponse(info.Err).Code == minio.NoSuchBucket {
				s.bucketReady.Store(false)
				return []Object{}, nil // bucket not created yet: nothing stored
			}
			return nil, s.fail("list", prefix, info.Err)
		}
		if ValidKey(info.Key) != nil {
			continue
		}
		out = append(out, s3Object(info, false))
	}
	if err := ctx.Err(); err != nil { // the channel also closes on cancel
		return nil, err
	}
	slices.SortFunc(out, func(a, b Object) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// URL returns "/files/" + key.
func (s *S3Store) URL(key string) string { return fileURL(key) }

// Ping checks on every call that the server answers and the bucket exists,
// creating it if needed, so readiness follows the backend's real state.
func (s *S3Store) Ping(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return s.fail("ping", "", err)
	}
	if ok {
		s.bucketReady.Store(true)
		return nil
	}
	s.bucketReady.Store(false)
	return s.ensureBucket(ctx)
}

// ensureBucket creates the bucket once; concurrent callers wait for the
// attempt in progress, and a failure is retried by the next call.
func (s *S3Store) ensureBucket(ctx context.Context) error {
	if s.bucketReady.Load() {
		return nil
	}
	select {
	case s.bucketSem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.bucketSem }()
	if s.bucketReady.Load() {
		return nil
	}
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return s.fail("create bucket", "", err)
	}
	if !ok {
		err := s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: s.region})
		switch code := minio.ToErrorResponse(err).Code; {
		case err == nil, code == "BucketAlreadyOwnedByYou", code == "BucketAlreadyExists":
			// Created, possibly by another instance racing us.
		default:
			return s.fail("create bucket", "", err)
		}
	}
	s.bucketReady.Store(true)
	return nil
}

// fail maps a minio-go error to the errs kinds: missing key or bucket →
// NotFound, server trouble (5xx) or no answer at all → Unavailable.
// Caller cancellation stays a plain context error.
func (s *S3Store) fail(op, key string, err error) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf("storage: s3 %s bucket %q", op, s.bucket)
	if key != "" {
		what += fmt.Sprintf(" key %q", key)
	}
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		switch {
		case resp.Code == minio.NoSuchBucket:
			// Deleted behind our back: the next Put recreates it. For this
			// Put the backend is not usable, which the caller may retry.
			s.bucketReady.Store(false)
			if op == "put" {
				return fmt.Errorf("%s: %w: %w", what, errs.Unavailable, err)
			}
			if key != "" {
				return notFound(key)
			}
			return fmt.Errorf("%s: %w: %w", what, errs.NotFound, err)
		case resp.Code == "NoSuchKey" || resp.StatusCode == http.StatusNotFound:
			if key != "" {
				return notFound(key)
			}
			return fmt.Errorf("%s: %w: %w", what, errs.NotFound, err)
		case resp.StatusCode >= 500:
			return fmt.Errorf("%s: %w: %w", what, errs.Unavailable, err)
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s: %w: %w", what, errs.Unavailable, err)
}

func s3Object(info minio.ObjectInfo, withType bool) Object {
	obj := Object{Key: info.Key, Size: info.Size, ETag: info.ETag, ModTime: info.LastModified}
	if withType {
		obj.ContentType = info.ContentType
	}
	return obj
}
