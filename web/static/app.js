// app.js: the dashboard's only script, written here; every page works without it.
// 1. Live updates: a page marked data-live follows the journal (Server-Sent Events) and, when
//    something in the reader's scope changes, fetches itself again and replaces its <main>.
// 2. Inline checks: a form marked data-check shows the same refusals the server gives, as the
//    figures are typed (the server checks again).
// 3. A tally (form data-form=tally or correct) is reconciled as it is typed by the rules of
//    core/elect/rules.c (cv_rules_reconcile), in its words, beside the field the server would
//    name; an attendance (data-form=attendance) shows the base and the votes needed.
"use strict";

(function live() {
  const url = document.body.dataset.live;
  if (!url || !window.EventSource) return;
  const status = document.getElementById("live-status");
  let pending = null;
  async function refresh() {
    pending = null;
    const res = await fetch(location.href, { credentials: "same-origin" });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const next = doc.querySelector("main");
    if (!next) return;
    document.querySelector("main").replaceChildren(...next.childNodes);
    if (status) status.textContent = (document.documentElement.lang === "vi" ?
      "Đã cập nhật lúc " : "Updated at ") + new Date().toLocaleTimeString(document.documentElement.lang);
  }
  // The stream names each event by its journal type; any of them may change what the page shows.
  const types = ["congress.planned", "congress.updated", "congress.preparing", "congress.held",
    "work_item.added", "work_item.assigned", "work_item.done", "work_item.overdue",
    "document.round_opened", "document.response_received", "document.round_closed",
    "scenario.switched", "complaint.added", "complaint.settled", "org.added", "org.updated"];
  const source = new EventSource(url, { withCredentials: true });
  const changed = () => { if (!pending) pending = setTimeout(refresh, 300); };
  source.onmessage = changed;
  for (const t of types) source.addEventListener(t, changed);
  // Closed on leaving, so a browser's few connections per server are not held by old pages.
  addEventListener("pagehide", () => source.close());
})();

(function checks() {
  const form = document.querySelector("form[data-check=held]");
  if (!form) return;
  const vi = document.documentElement.lang === "vi";
  const say = {
    start: vi ? "Nhập ngày khai mạc theo dạng dd/mm/yyyy, ví dụ 22/05/2020."
              : "Write the first day as dd/mm/yyyy, e.g. 22/05/2020.",
    end: vi ? "Nhập ngày bế mạc theo dạng dd/mm/yyyy, hoặc để trống."
            : "Write the last day as dd/mm/yyyy, or leave it empty.",
    present: vi ? "Số có mặt không được vượt số triệu tập." : "Present cannot exceed summoned.",
  };
  const date = (v) => /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.test(v) || /^\d{4}-\d{2}-\d{2}$/.test(v);
  function show(field, msg) {
    const input = form.elements[field];
    let p = document.getElementById(field + "-error");
    if (!msg) {
      if (p && p.dataset.inline) p.remove();
      if (!p || p.dataset.inline) input.removeAttribute("aria-invalid");
      return;
    }
    if (!p) {
      p = document.createElement("p");
      p.id = field + "-error";
      p.className = "error";
      p.dataset.inline = "1";
      input.after(p);
    }
    p.textContent = msg;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", p.id);
  }
  function check() {
    const v = (n) => form.elements[n].value.trim();
    show("start", v("start") && !date(v("start")) ? say.start : "");
    show("end", v("end") && !date(v("end")) ? say.end : "");
    const s = parseInt(v("summoned"), 10), p = parseInt(v("present"), 10);
    show("present", !isNaN(s) && !isNaN(p) && p > s ? say.present : "");
  }
  form.addEventListener("input", check);
})();

// Shows msg beside the control named field of form (an empty msg clears what this script said).
function inlineSay(form, field, msg) {
  const input = form.elements[field];
  if (!input) return;
  let p = document.getElementById(field + "-error");
  if (!msg) {
    if (p && p.dataset.inline) { p.remove(); input.removeAttribute("aria-invalid"); }
    return;
  }
  if (!p) {
    p = document.createElement("p");
    p.id = field + "-error";
    p.className = "error";
    p.dataset.inline = "1";
    input.after(p);
  }
  p.textContent = msg;
  input.setAttribute("aria-invalid", "true");
  input.setAttribute("aria-describedby", p.id);
}

(function tally() {
  const form = document.querySelector("form[data-form=tally], form[data-form=correct]");
  const box = form && form.querySelector("fieldset.votes");
  if (!box) return;
  const figures = ["issued", "returned", "valid", "invalid"];
  const seats = parseInt(box.dataset.seats, 10), attending = parseInt(box.dataset.attending, 10);
  const votes = [...box.querySelectorAll("input[data-n]")];
  const num = (el) => /^\d+$/.test(el.value.trim()) ? parseInt(el.value.trim(), 10) : NaN;
  // A rule's words in the reader's language (the server's own formats, carried by the fieldset),
  // its %d and %lld filled in order.
  const say = (rule, ...args) => box.dataset[rule].replace(/%(lld|d)/g, () => args.shift());
  // The first rule broken, as cv_rules_reconcile checks them, and the field the server would name
  // for it (opforms.c, blamed: the candidate's votes, else the last figure the rule names), or null.
  function rule() {
    const [issued, returned, valid, invalid] = figures.map((f) => num(form.elements[f]));
    if ([issued, returned, valid, invalid].some(isNaN)) return null;
    if (returned > issued) return ["returned", say("returned", returned, issued)];
    if (valid + invalid !== returned) return ["invalid", say("sum", valid, invalid, returned)];
    if (attending >= 0 && issued > attending)
      return ["issued", say("issued", issued, attending)];
    let total = 0;
    for (let i = 0; i < votes.length; i++) {
      const v = num(votes[i]);
      if (isNaN(v)) return null; // not typed yet
      if (v > valid) return [votes[i].name, say("candidate", i + 1, v, valid)];
      total += v;
    }
    if (total > valid * seats) return ["valid", say("total", total, valid, seats)];
    return null;
  }
  let shown = null;
  form.addEventListener("input", () => {
    const broken = rule();
    const [field, msg] = broken || [null, null];
    if (shown && shown !== field) inlineSay(form, shown, "");
    if (field) inlineSay(form, field, msg);
    shown = field;
  });
})();

(function attendance() {
  const form = document.querySelector("form[data-form=attendance]");
  if (!form) return;
  const out = document.createElement("p");
  out.setAttribute("role", "status");
  out.className = "meta";
  form.querySelector("button[type=submit]").before(out);
  const vi = document.documentElement.lang === "vi";
  const less = ["transferred", "exempt_absent", "suspended", "excused_absent", "convening_absent",
    "unreplaced_absent"];
  form.addEventListener("input", () => {
    const n = (f) => parseInt((form.elements[f] || {}).value, 10) || 0;
    const summoned = parseInt(form.elements.summoned.value, 10);
    if (isNaN(summoned)) { out.textContent = ""; return; }
    const base = summoned - less.reduce((s, f) => s + n(f), 0);
    // 244-QĐ/TW: elected with more than half of the base (rules.c, cv_rules_threshold).
    const need = Math.floor(base / 2) + 1;
    out.textContent = base < 0 ? "" : vi ? `Cơ sở tính tỷ lệ: ${base}; cần ít nhất ${need} phiếu.`
      : `Base: ${base}; at least ${need} votes needed.`;
  });
})();
