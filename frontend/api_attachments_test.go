package frontend

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/api"
)

func TestMentoringSessionAttachments(t *testing.T) {
	// A body limit above the attachment limit, so that the handler's own check answers.
	env := newTestEnv(t, func(d *Deps) { d.BodyLimit = 12 << 20 }, nil)
	own := createInitiative(t, env.catalog, "Panadería de Papa", "Mongua")
	other := createInitiative(t, env.catalog, "Arepas de Segovia", "Segovia")
	_, adviser := env.user(t, "asesora@tesoro.demo", []string{accounts.RoleAdviser}, own.ID)
	_, producer := env.user(t, "rosa@tesoro.demo", []string{accounts.RoleProducer}, own.ID)
	_, stranger := env.user(t, "otro@tesoro.demo", []string{accounts.RoleProducer}, other.ID)

	res, body := env.do(t, request("POST", "/api/v1/sessions", sessionJSON(time.Now().UTC().Format(time.DateOnly), own.ID), adviser))
	if res.StatusCode != 201 {
		t.Fatalf("create: got %d %s", res.StatusCode, body)
	}
	var created sessionCreated
	if err := json.Unmarshal([]byte(body), &created); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/sessions/" + created.Session.ID + "/attachments"
	pdf := []byte("%PDF-1.4\n% acta de la visita\n%%EOF\n")

	upload := func(t *testing.T, name string, data []byte, token string, want int) api.Attachment {
		t.Helper()
		res, body := env.do(t, uploadRequest(t, path, name, data, token))
		if res.StatusCode != want {
			t.Fatalf("upload %s: got %d %s, want %d", name, res.StatusCode, body, want)
		}
		var a api.Attachment
		if want == 201 {
			if err := json.Unmarshal([]byte(body), &a); err != nil {
				t.Fatal(err)
			}
		}
		return a
	}
	fetch := func(t *testing.T, url, token string) (*http.Response, string) {
		t.Helper()
		return env.do(t, request("GET", url, "", token))
	}

	doc := upload(t, "acta.pdf", pdf, adviser, 201)
	if doc.ContentType != "application/pdf" || doc.Size != int64(len(pdf)) || doc.Name != "acta.pdf" || !strings.HasPrefix(doc.URL, path+"/") {
		t.Fatalf("pdf: unexpected %+v", doc)
	}
	photo := upload(t, "horno.png", testJPEG(t, 640, 480), adviser, 201) // named .png, sniffed as JPEG: kept as horno.jpg
	if photo.ContentType != "image/jpeg" {
		t.Fatalf("photo: got %q, want image/jpeg", photo.ContentType)
	}

	// A photo with GPS in its Exif is kept without it; its name, however
	// long or odd, is cut and cleaned, and comes back in an RFC 6266 header
	// (items 11 and 12 of the security review).
	t.Run("photos lose their metadata, names are cleaned", func(t *testing.T) {
		const secret = "6.2442N-75.5812W-FINCA"
		name := "Reunión\u202Egpj.exe " + strings.Repeat("ñ", 200_000) + ".jpg"
		shot := upload(t, name, withExif(testJPEG(t, 800, 600), secret), adviser, 201)
		if len(shot.Name) > 255 || strings.ContainsRune(shot.Name, '\u202E') || !strings.HasSuffix(shot.Name, ".jpg") {
			t.Fatalf("stored name: %d bytes, %.40q…", len(shot.Name), shot.Name)
		}
		res, body := fetch(t, shot.URL, adviser)
		if res.StatusCode != 200 || strings.Contains(body, secret) || strings.Contains(body, "Exif") {
			t.Fatalf("the stored photo: %d, still holds its Exif: %v", res.StatusCode, strings.Contains(body, secret))
		}
		cd := res.Header.Get("Content-Disposition")
		if !strings.HasPrefix(cd, `inline; filename="Reuni_ngpj.exe `) || !strings.Contains(cd, "; filename*=UTF-8''Reuni%C3%B3ngpj.exe%20%C3%B1") {
			t.Fatalf("Content-Disposition: %.120q", cd)
		}
		if _, body := fetch(t, "/api/v1/sessions/"+created.Session.ID, adviser); strings.Count(body, "ñ") > 200 {
			t.Fatalf("the session holds the long name: %d ñ", strings.Count(body, "ñ"))
		}
	})
	t.Run("types and sizes", func(t *testing.T) {
		upload(t, "notas.txt", []byte("solo texto, no una foto"), adviser, 415)
		upload(t, "falso.pdf", []byte("<html>%PDF-</html>"), adviser, 415)
		upload(t, "grande.pdf", append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{'x'}, 10<<20)...), adviser, 413)
	})
	t.Run("who may upload", func(t *testing.T) {
		upload(t, "acta.pdf", pdf, producer, 403)
		upload(t, "acta.pdf", pdf, stranger, 403)
		upload(t, "acta.pdf", pdf, "", 401)
	})
	t.Run("who may fetch", func(t *testing.T) {
		for _, token := range []string{adviser, producer} {
			res, body := fetch(t, doc.URL, token)
			if res.StatusCode != 200 || body != string(pdf) || res.Header.Get("Content-Type") != "application/pdf" ||
				!strings.Contains(res.Header.Get("Cache-Control"), "private") {
				t.Fatalf("fetch: got %d %q %v", res.StatusCode, body, res.Header)
			}
		}
		if res, _ := fetch(t, photo.URL+"?size=thumb", producer); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("thumb: got %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if res, _ := fetch(t, doc.URL, stranger); res.StatusCode != 403 {
			t.Fatalf("stranger: got %d, want 403", res.StatusCode)
		}
		if res, _ := fetch(t, doc.URL, ""); res.StatusCode != 401 {
			t.Fatalf("anonymous: got %d, want 401", res.StatusCode)
		}
		if res, _ := fetch(t, path+"/nope", producer); res.StatusCode != 404 {
			t.Fatalf("unknown attachment: got %d, want 404", res.StatusCode)
		}
	})
	t.Run("listed on the session", func(t *testing.T) {
		_, body := fetch(t, "/api/v1/sessions/"+created.Session.ID, producer)
		if !strings.Contains(body, doc.ID) || !strings.Contains(body, photo.ID) || strings.Contains(body, "private/sessions") {
			t.Fatalf("session: got %s", body)
		}
	})
	t.Run("removed", func(t *testing.T) {
		for _, tc := range []struct {
			token string
			want  int
		}{{producer, 403}, {stranger, 403}, {"", 401}} {
			if res, body := env.do(t, request("DELETE", photo.URL, "", tc.token)); res.StatusCode != tc.want {
				t.Fatalf("delete by another: got %d %s, want %d", res.StatusCode, body, tc.want)
			}
		}
		keys := []string{"private/sessions/" + created.Session.ID + "/" + photo.ID + ".jpg",
			"private/sessions/" + created.Session.ID + "/" + photo.ID + "-thumb.jpg"}
		for _, key := range keys {
			r, _, err := env.objects.Get(t.Context(), key)
			if err != nil {
				t.Fatalf("object %s before the delete: %v", key, err)
			}
			r.Close()
		}
		if res, body := env.do(t, request("DELETE", photo.URL, "", adviser)); res.StatusCode != 204 {
			t.Fatalf("delete: got %d %s, want 204", res.StatusCode, body)
		}
		if res, _ := fetch(t, photo.URL, adviser); res.StatusCode != 404 {
			t.Fatalf("fetch after delete: got %d, want 404", res.StatusCode)
		}
		if res, _ := env.do(t, request("DELETE", photo.URL, "", adviser)); res.StatusCode != 404 {
			t.Fatalf("delete twice: got %d, want 404", res.StatusCode)
		}
		_, body := fetch(t, "/api/v1/sessions/"+created.Session.ID, producer)
		if strings.Contains(body, photo.ID) || !strings.Contains(body, doc.ID) {
			t.Fatalf("session after delete: got %s", body)
		}
		// The objects are gone; the removal is a version.
		for _, key := range keys {
			if _, _, err := env.objects.Get(t.Context(), key); !errors.Is(err, errs.NotFound) {
				t.Errorf("object %s after the delete: got %v, want not found", key, err)
			}
		}
		_, body = fetch(t, "/api/v1/sessions/"+created.Session.ID+"/versions", adviser)
		if !strings.Contains(body, `"attachments"`) || !strings.Contains(body, `"horno.jpg"`) {
			t.Errorf("versions: got %s, want the removal of horno.jpg (renamed to what it is)", body)
		}
	})
}
