// app.js: the dashboard's only script, written here; every page works without it.
// 1. Live updates: a page marked data-live follows the journal (Server-Sent Events) and, when
//    something in the reader's scope changes, fetches itself again and replaces its <main>.
// 2. Inline checks: a form marked data-check shows the same refusals the server gives, as the
//    figures are typed (the server checks again).
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
