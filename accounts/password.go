package accounts

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/tesoro-pact/tesoro/errs"
)

// Argon2Params tune password hashing. The defaults take ~70 ms on the
// project's 2-core machines: slow for an attacker, quick enough for a login.
type Argon2Params struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultArgon2 is used in production; tests may pass cheaper parameters.
var DefaultArgon2 = Argon2Params{Time: 2, Memory: 32 << 10, Threads: 2}

const (
	minPasswordRunes = 10
	maxPasswordBytes = 256 // longer inputs only cost CPU
	saltLen, keyLen  = 16, 32
)

// hashPassword returns a PHC-format argon2id hash.
func hashPassword(password string, p Argon2Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var b64 = base64.RawStdEncoding

// checkPassword compares in constant time; an unparsable hash never matches.
func checkPassword(password, encoded string) bool {
	var version int
	var p Argon2Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false
	}
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

var errWeakPassword = errors.New("weak password")

// passwordProblem says why a password is refused (a field error's code,
// message and params), or returns code "".
func passwordProblem(password, email string) (code, message string, params []any) {
	// Spaces count inside a passphrase, not around it: ten spaces are no
	// password, nor is one that is mostly padding; controls and invalid
	// UTF-8 cannot be typed twice the same way.
	switch {
	case !utf8.ValidString(password) || strings.IndexFunc(password, unicode.IsControl) >= 0:
		return errs.CodeInvalid, "must be text you can type, without control characters", nil
	case utf8.RuneCountInString(strings.TrimSpace(password)) < minPasswordRunes:
		return errs.CodeTooShort, fmt.Sprintf("must have at least %d characters", minPasswordRunes), []any{"min", minPasswordRunes}
	case len(password) > maxPasswordBytes:
		return errs.CodeTooLong, fmt.Sprintf("must have at most %d bytes", maxPasswordBytes), []any{"max", maxPasswordBytes}
	}
	lower := strings.ToLower(strings.TrimSpace(password))
	local, _, _ := strings.Cut(email, "@")
	if email != "" && (lower == email || lower == local) {
		return errs.CodeWeak, "must not be your email", []any{"reason", "email"}
	}
	return "", "", nil
}

// hashGate bounds the argon2id computations running at once: each takes
// Argon2Params.Memory (32 MiB by default), so a burst of anonymous logins
// could otherwise take gigabytes. Slots are sized to the cores; a few more
// callers may wait briefly for one; beyond that, or after the wait, the
// caller is refused at once (429 with Retry-After) — a login answered
// "try again in a second" instead of a process out of memory.
type hashGate struct {
	slots chan struct{} // running
	queue chan struct{} // running or waiting
	wait  time.Duration
}

func newHashGate(slots, queued int, wait time.Duration) *hashGate {
	return &hashGate{slots: make(chan struct{}, slots), queue: make(chan struct{}, slots+queued), wait: wait}
}

var errHashBusy = &errs.RetryError{What: "password check (the server is busy)", After: time.Second}

func (g *hashGate) do(ctx context.Context, fn func()) error {
	select {
	case g.queue <- struct{}{}:
	default:
		return errHashBusy
	}
	defer func() { <-g.queue }()
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
	case <-t.C:
		return errHashBusy
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-g.slots }()
	fn()
	return nil
}

// hash is hashPassword through the gate.
func (s *Service) hash(ctx context.Context, password string) (string, error) {
	var h string
	var err error
	if gerr := s.gate.do(ctx, func() { h, err = hashPassword(password, s.opt.Argon2) }); gerr != nil {
		return "", gerr
	}
	return h, err
}

// check is checkPassword through the gate.
func (s *Service) check(ctx context.Context, password, encoded string) (bool, error) {
	var ok bool
	err := s.gate.do(ctx, func() { ok = checkPassword(password, encoded) })
	return ok, err
}
