// Tesoro's till: a sale is kept on the phone (IndexedDB) before anything
// else, so "Cobrar" works with no signal; the queue goes to the batch API
// on load, when the network returns and on a timer, and each sale stays
// listed until the server answers for it. Sale ids are made here, so a
// batch sent twice stores nothing twice.
(() => {
  "use strict";
  const root = document.getElementById("pos");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const fair = root.dataset.fair;
  const api = "/api/v1/fairs/" + fair;
  const W = JSON.parse($("pos-msg").textContent);
  const UNDO_MS = 10 * 60 * 1000;
  const KEEP_MS = 2 * 24 * 3600 * 1000; // sent sales are kept this long, for undo and units left
  let state = JSON.parse($("pos-state").textContent);
  let base = lefts(state); // units left as of state.at
  let fresh = false; // state came from the network in this page's life
  let signIn = false;
  let busy = false;
  let failures = 0;
  let timer = 0;
  let sales = [];
  let last = null;
  const cart = new Map();
  const tiles = new Map();
  for (const el of root.querySelectorAll(".tile")) {
    tiles.set(el.dataset.id, { el, name: el.dataset.name, price: +el.dataset.price, currency: el.dataset.currency,
      lf: el.querySelector(".lf"), qt: el.querySelector(".qt") });
  }

  function lefts(st) {
    const m = {};
    for (const ini of st.till.initiatives) for (const p of ini.products) if (p.left != null) m[p.id] = p.left;
    return m;
  }

  const pesos = (minor) => "$ " + String(Math.round(minor / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  const say = (id, n) => (W[id] || id).replace("{n}", n).replace("{total}", n);

  // IndexedDB: one store of sale records, keyed by the sale's id.
  let dbp = null;
  function db() {
    dbp = dbp || new Promise((ok, ko) => {
      const r = indexedDB.open("tesoro-caja", 1);
      r.onupgradeneeded = () => r.result.createObjectStore("sales", { keyPath: "id" });
      r.onsuccess = () => ok(r.result);
      r.onerror = () => ko(r.error);
    });
    return dbp;
  }
  async function store(mode, fn) {
    const d = await db();
    return new Promise((ok, ko) => {
      const t = d.transaction("sales", mode);
      const req = fn(t.objectStore("sales"));
      t.oncomplete = () => ok(req && req.result);
      t.onerror = t.onabort = () => ko(t.error);
    });
  }
  const save = (...recs) => store("readwrite", (s) => { for (const r of recs) s.put(r); });
  const drop = (id) => store("readwrite", (s) => s.delete(id));
  async function load() {
    const now = Date.now();
    const mine = [];
    const old = [];
    for (const r of await store("readonly", (s) => s.getAll())) {
      if (r.fair !== fair) continue;
      if (r.state === "sent" && now - r.created > KEEP_MS) old.push(r.id);
      else mine.push(r);
    }
    for (const id of old) drop(id);
    sales = mine.sort((a, b) => a.created - b.created);
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // Units left: the server's count as of state.at, less what this phone
  // sold that the count did not hold yet, plus what it undid since.
  function leftOf(id) {
    if (!(id in base)) return null;
    const at = Date.parse(state.at);
    let n = base[id];
    for (const r of sales) {
      const u = r.units[id] || 0;
      if (!u) continue;
      const counted = r.state === "sent" && r.sentAt <= at;
      if (!counted && !r.undoAt) n -= u;
      if (counted && r.undoAt && !(r.undoSent && r.undoSent <= at)) n += u;
    }
    return n - (cart.get(id) || 0);
  }

  const waiting = () => sales.filter((r) => r.state === "queued" && !r.undoAt);
  const undos = () => sales.filter((r) => r.state === "sent" && r.undoAt && !r.undoSent);

  function render() {
    let total = 0;
    const lines = $("pos-lines");
    lines.textContent = "";
    for (const [id, q] of cart) {
      const t = tiles.get(id);
      total += t.price * q;
      const li = document.createElement("li");
      li.innerHTML = '<span class="n"></span><button type="button" class="secondary small" data-d="-1" aria-label="−">−</button><span class="q"></span><button type="button" class="secondary small" data-d="1" aria-label="+">+</button>';
      li.dataset.id = id;
      li.firstChild.textContent = t.name + " · " + pesos(t.price * q);
      li.querySelector(".q").textContent = q;
      lines.append(li);
    }
    for (const [id, t] of tiles) {
      const q = cart.get(id) || 0;
      t.el.classList.toggle("on", q > 0);
      t.qt.hidden = !q;
      t.qt.textContent = q;
      const n = leftOf(id);
      if (t.lf && n != null) {
        t.lf.textContent = say("left", n);
        t.lf.classList.toggle("out", n <= 0);
      }
    }
    $("pos-total").textContent = pesos(total);
    $("pos-charge").disabled = cart.size === 0;
    const method = $("pos-pay").elements.method.value;
    $("pos-cash").hidden = method !== "cash";
    $("pos-due-box").hidden = method !== "credit";
    const got = received();
    const ch = $("pos-change");
    ch.textContent = got > 0 && total > 0 ? (got >= total ? ch.dataset.label + ": " + pesos(got - total) : ch.dataset.short + ": " + pesos(total - got)) : "";
    ch.classList.toggle("short", got > 0 && got < total);
    banner();
    rejected();
    return total;
  }

  function banner() {
    const q = $("pos-queue");
    const n = waiting().length;
    q.dataset.count = n;
    q.classList.toggle("wait", n > 0);
    q.textContent = n === 0 ? q.dataset.none : n === 1 ? q.dataset.one : q.dataset.many.replace("{n}", n);
    if (n && busy) q.textContent += " · " + q.dataset.sending;
    if (n && signIn) {
      const a = document.createElement("a");
      a.href = "/entrar?next=" + encodeURIComponent(location.pathname);
      a.textContent = q.dataset.signin;
      q.append(" · ", a);
    }
  }

  function rejected() {
    const box = $("pos-rejected");
    const list = sales.filter((r) => r.state === "rejected");
    box.hidden = list.length === 0;
    const ul = box.querySelector("ul");
    ul.textContent = "";
    for (const r of list) {
      const li = document.createElement("li");
      const when = new Date(r.sale.sold_at).toLocaleTimeString("es-CO", { hour: "2-digit", minute: "2-digit" });
      li.textContent = say("sale_of", pesos(r.total)) + " · " + when + " — " + (W[r.code] || W.other);
      if (r.code === "sold_at_out_of_range") li.append(button(W.use_now, () => retry(r, true)));
      li.append(button(W.discard, () => discard(r)));
      ul.append(li);
    }
  }

  function button(text, fn) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "secondary small";
    b.textContent = text;
    b.onclick = fn;
    return b;
  }

  async function retry(r, now) {
    if (now) r.sale.sold_at = new Date().toISOString();
    r.state = "queued";
    r.code = "";
    await save(r);
    render();
    sync();
  }

  async function discard(r) {
    if (!confirm(W.discard + "?")) return;
    await drop(r.id);
    sales = sales.filter((x) => x.id !== r.id);
    render();
  }

  function received() {
    const v = ($("pos-received").value || "").replace(/\D/g, "");
    return v ? +v * 100 : 0;
  }

  function fail(msg) {
    const e = $("pos-error");
    e.textContent = msg;
    e.hidden = !msg;
  }

  async function charge(ev) {
    ev.preventDefault();
    if (!cart.size) return;
    const form = $("pos-pay");
    const method = form.elements.method.value;
    const name = $("pos-name").value.trim();
    const phone = $("pos-phone").value.trim();
    const lines = [];
    const units = {};
    let total = 0;
    for (const [id, q] of cart) {
      const t = tiles.get(id);
      lines.push({ product_id: id, quantity: q, unit_price: { amount: t.price, currency: t.currency } });
      units[id] = q;
      total += t.price * q;
    }
    const sale = { client_id: uuid(), sold_at: new Date().toISOString(), lines, payment_method: method };
    if (root.dataset.table) sale.table_id = root.dataset.table;
    if (method === "credit") {
      if (!name || !phone) {
        $("pos-buyer").open = true;
        return fail(W.credit_needs);
      }
      sale.due_on = $("pos-due").value || undefined;
    }
    const got = received();
    if (method === "cash" && got) {
      if (got < total) return fail(W.cash_short);
      sale.cash_received = { amount: got, currency: lines[0].unit_price.currency };
    }
    if (name || phone) sale.buyer = { name, phone };
    const rec = { id: sale.client_id, fair, created: Date.now(), state: "queued", code: "", sentAt: 0, undoAt: "", undoSent: 0, units, total, sale };
    await save(rec);
    sales.push(rec);
    last = rec.id;
    cart.clear();
    form.reset();
    fail("");
    render();
    showLast(say("sale_of", pesos(total)) + " · " + W.saved, true);
    sync();
  }

  function showLast(text, undoable) {
    const p = $("pos-last");
    p.hidden = false;
    p.firstChild.textContent = text;
    $("pos-undo").hidden = !undoable;
  }

  async function undo() {
    const r = last && sales.find((x) => x.id === last);
    last = null;
    if (!r) return;
    if (Date.now() - r.created > UNDO_MS) return showLast(W.undo_late, false);
    if (r.state !== "sent" && !busy) {
      await drop(r.id);
      sales = sales.filter((x) => x.id !== r.id);
    } else {
      r.undoAt = new Date().toISOString(); // sent, or being sent: the server voids it
      await save(r);
    }
    render();
    showLast(W.undone, false);
    sync();
  }

  // The server's clock of a response, to compare with state.at.
  const serverTime = (res) => Date.parse(res.headers.get("Date")) || Date.now();

  async function post(path, body) {
    const send = () => fetch(api + path, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": state.csrf }, body: JSON.stringify(body) });
    let res = await send();
    if (res.status === 403 && !fresh) { // a page from the cache carries an old token
      await refresh();
      res = await send();
    }
    if (res.status === 401 || res.status === 403) {
      signIn = true;
      throw new Error("sign in");
    }
    return res;
  }

  async function refresh() {
    const res = await fetch(location.pathname + "/datos" + location.search, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (res.status === 401 || res.status === 403) {
      signIn = true;
      throw new Error("sign in");
    }
    if (!res.ok) throw new Error("till " + res.status);
    state = await res.json();
    base = lefts(state);
    fresh = true;
    signIn = false;
  }

  async function sync() {
    if (busy) return;
    busy = true;
    let serverDown = false;
    try {
      await load();
      for (const r of sales.filter((x) => x.state === "queued" && x.undoAt)) await drop(r.id); // undone before it left
      sales = sales.filter((x) => !(x.state === "queued" && x.undoAt));
      if (!waiting().length && !undos().length) {
        failures = 0;
        return;
      }
      banner();
      if (!fresh) await refresh();
      for (let q = waiting(); q.length; q = waiting()) {
        const chunk = q.slice(0, 200);
        const res = await post("/sales/batch", { sales: chunk.map((r) => r.sale) });
        if (!res.ok) {
          serverDown = res.status >= 500;
          throw new Error("batch " + res.status);
        }
        const at = serverTime(res);
        const by = new Map(chunk.map((r) => [r.id, r]));
        for (const x of (await res.json()).results) {
          const r = by.get(x.client_id);
          if (!r) continue;
          if (x.status === "rejected") Object.assign(r, { state: "rejected", code: x.code || "other" });
          else Object.assign(r, { state: "sent", sentAt: at });
        }
        await save(...chunk);
      }
      for (const r of undos()) {
        const res = await post("/sales/" + r.id + "/undo", { sold_at: r.sale.sold_at, undone_at: r.undoAt });
        if (res.ok || res.status === 404) r.undoSent = serverTime(res);
        else if (res.status === 409 || res.status === 422) {
          r.undoAt = ""; // closed, or too late: the sale stands
          showLast(W.undo_late, false);
        } else {
          serverDown = res.status >= 500;
          throw new Error("undo " + res.status);
        }
        await save(r);
      }
      await refresh();
      failures = 0;
    } catch (e) {
      failures++;
    } finally {
      busy = false;
      render();
      clearTimeout(timer);
      if (waiting().length || undos().length) {
        // Back off, but not far: a fair's signal comes and goes in seconds.
        const cap = serverDown || signIn ? 60000 : 8000;
        timer = setTimeout(sync, Math.min(cap, 1000 * 2 ** Math.min(failures, 6)));
      }
    }
  }

  root.querySelector(".tiles") && root.addEventListener("click", (ev) => {
    const tile = ev.target.closest(".tile");
    const step = ev.target.closest("[data-d]");
    if (tile) cart.set(tile.dataset.id, (cart.get(tile.dataset.id) || 0) + 1);
    else if (step) {
      const id = step.closest("li").dataset.id;
      const q = (cart.get(id) || 0) + +step.dataset.d;
      if (q > 0) cart.set(id, q);
      else cart.delete(id);
    } else return;
    fail("");
    render();
  });
  $("pos-pay").addEventListener("submit", charge);
  $("pos-pay").addEventListener("input", () => render());
  $("pos-pay").addEventListener("change", () => {
    const due = $("pos-due");
    if ($("pos-pay").elements.method.value === "credit" && !due.value) {
      due.value = new Date(Date.now() + 7 * 864e5).toISOString().slice(0, 10);
      $("pos-buyer").open = true;
    }
    render();
  });
  $("pos-undo").addEventListener("click", undo);
  window.addEventListener("online", sync);
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && sync());

  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  // Opened before the service worker took over: keep the page and its photos for offline use.
  if ("caches" in window && navigator.serviceWorker && !navigator.serviceWorker.controller) {
    const photos = [...root.querySelectorAll(".tile img")].map((i) => i.getAttribute("src"));
    caches.open("caja").then((c) => c.addAll([location.pathname + location.search, ...photos])).catch(() => {});
  }
  load().then(render).then(sync).catch(() => render());
})();
