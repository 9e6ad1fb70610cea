// Tesoro service worker: keeps the app shell and an offline page so that a
// producer on a fair with no signal still sees something useful.
const CACHE = "tesoro-{{.Version}}";
const OFFLINE = "/offline";
const SHELL = [OFFLINE{{range .Shell}}, "{{.}}"{{end}}];
// A fair's till (its page and product photos) is kept in a cache of its
// own, across versions: a producer must be able to open it with no signal.
const TILL = "caja";
const TILL_PAGE = /^\/feria\/[^/]+\/caja$/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("tesoro-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === "navigate" && TILL_PAGE.test(url.pathname)) {
    // Network first, so units left are fresh; the copy kept when there is none.
    event.respondWith(
      fetch(req).then((res) => {
        if (res.ok && res.type === "basic" && !res.redirected) {
          const copy = res.clone();
          caches.open(TILL).then((c) => c.put(url.pathname + url.search, copy));
        }
        return res;
      }).catch(() => caches.match(url.pathname + url.search, { cacheName: TILL }).then((hit) => hit || caches.match(OFFLINE)))
    );
    return;
  }
  if (req.mode === "navigate") {
    event.respondWith(fetch(req).catch(() => caches.match(OFFLINE)));
    return;
  }
  if (url.pathname.startsWith("/mini/")) {
    event.respondWith(
      caches.match(req, { cacheName: TILL }).then((hit) => hit || fetch(req).then((res) => {
        if (res.ok) { const copy = res.clone(); caches.open(TILL).then((c) => c.put(req, copy)); }
        return res;
      }))
    );
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    // Fingerprinted: a cached copy is always right.
    event.respondWith(
      caches.match(req).then((hit) => hit || fetch(req).then((res) => {
        if (res.ok) { const copy = res.clone(); caches.open(CACHE).then((c) => c.put(req, copy)); }
        return res;
      }))
    );
  }
});
