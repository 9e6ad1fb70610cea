// Participant counters on the session form: − and + change the number in
// place. Without JavaScript the buttons send the form and the page comes back
// with the new count, so this is only a shortcut.
document.addEventListener("click", (e) => {
  const b = e.target.closest("button[name=step]");
  const m = b && /^(\w+)([+-])$/.exec(b.value);
  const input = m && document.getElementById(m[1]);
  if (!input) return;
  e.preventDefault();
  const n = (parseInt(input.value, 10) || 0) + (m[2] === "+" ? 1 : -1);
  input.value = String(Math.max(0, n));
});
