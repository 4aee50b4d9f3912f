// ShopScribe review workspace: live guard checks, drafts saved as typed (and kept in the browser until the
// server has them), approve / reject / regenerate, conflicts between reviewers, bulk approve, shortcuts.
"use strict";

const HEADERS = { "Content-Type": "application/json", "X-ShopScribe-UI": "1" };

async function call(url, body, method = "POST") {
  const response = await fetch(url, { method, headers: HEADERS, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
  let data = null;
  try { data = await response.json(); } catch (e) { data = { detail: response.statusText }; }
  return { status: response.status, data };
}

function debounce(fn, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function renderCheck(check) {
  const annotated = document.getElementById("annotated");
  annotated.innerHTML = check.segments.map((s) => s.status
    ? `<mark class="${s.status}" title="${escapeHtml(s.notes.join("; "))}">${escapeHtml(s.text)}</mark>`
    : escapeHtml(s.text)).join("");
  const status = document.getElementById("guard-status");
  status.textContent = check.status;
  status.className = `badge ${check.status}`;
  const len = check.length;
  document.getElementById("length").textContent = `${len.chars} / ${len.limit} characters (${len.status})`;
  const items = [];
  for (const c of check.claims) {
    const attr = c.attribute ? ` — <a href="#attr-${escapeHtml(c.attribute)}" class="attr-link" data-attr="${escapeHtml(c.attribute)}">${escapeHtml(c.attribute)}</a>` : "";
    items.push(`<li class="${c.status}"><strong>${c.status}</strong> “${escapeHtml(c.text)}” (${escapeHtml(c.kind)})${attr}${c.reason ? " — " + escapeHtml(c.reason) : ""}</li>`);
  }
  for (const v of check.violations) items.push(`<li class="violation"><strong>rule ${escapeHtml(v.rule_id)}</strong> “${escapeHtml(v.text)}”${v.fix ? " — suggested: " + escapeHtml(v.fix) : ""}</li>`);
  for (const q of check.quality) items.push(`<li class="quality"><strong>${escapeHtml(q.kind)}</strong> “${escapeHtml(q.text)}” — ${escapeHtml(q.reason)}</li>`);
  for (const m of check.missing_terms) items.push(`<li class="quality"><strong>missing</strong> ${escapeHtml(m)}</li>`);
  document.getElementById("findings").innerHTML = items.join("");
}

function reviewPage(root) {
  const id = root.dataset.review;
  const editor = document.getElementById("editor");
  const saved = document.getElementById("saved");
  const stash = `shopscribe-draft-${id}`;
  let revision = Number(root.dataset.revision);
  let lastSaved = editor.value;

  const showConflict = (data, retry) => {
    const box = document.getElementById("conflict");
    document.getElementById("conflict-message").textContent = `${data.detail}; it is now ${data.current.state}. Their text:`;
    document.getElementById("conflict-text").textContent = data.current.text;
    box.hidden = false;
    document.getElementById("take-theirs").onclick = () => {
      revision = data.current.revision;
      editor.value = data.current.text;
      lastSaved = editor.value;
      localStorage.removeItem(stash);
      box.hidden = true;
      check();
    };
    document.getElementById("keep-mine").onclick = () => { revision = data.current.revision; box.hidden = true; retry(); };
  };

  const done = (data) => {
    revision = data.revision;
    localStorage.removeItem(stash);
    const state = document.getElementById("state");
    state.textContent = data.state;
    state.className = `badge ${data.state}`;
  };

  const check = debounce(async () => {
    const { status, data } = await call(`/ui/api/reviews/${id}/check`, { text: editor.value });
    if (status === 200) renderCheck(data);
  }, 300);

  const saveDraft = async () => {
    if (editor.value === lastSaved) return;
    const text = editor.value;
    saved.textContent = "saving…";
    const { status, data } = await call(`/ui/api/reviews/${id}/draft`, { revision, text });
    if (status === 200) {
      revision = data.revision;
      lastSaved = text;
      if (editor.value === text) localStorage.removeItem(stash);
      saved.textContent = "draft saved";
    } else if (status === 409) {
      saved.textContent = "not saved: changed by someone else";
      showConflict(data, saveDraft);
    } else {
      saved.textContent = `not saved (${status}): ${data.detail}`;
    }
  };
  const saveSoon = debounce(saveDraft, 600);

  editor.addEventListener("input", () => {
    localStorage.setItem(stash, JSON.stringify({ text: editor.value, revision }));
    saved.textContent = "editing…";
    check();
    saveSoon();
  });

  // a tab closed before the server had the draft: the browser kept it
  const kept = JSON.parse(localStorage.getItem(stash) || "null");
  if (kept && kept.text !== editor.value) {
    if (kept.revision === revision) { editor.value = kept.text; check(); saveDraft(); }
    else { showConflict({ detail: "this product changed since your unsaved edit", current: { text: editor.value, revision } }, () => { editor.value = kept.text; saveDraft(); }); document.getElementById("take-theirs").onclick = () => { localStorage.removeItem(stash); document.getElementById("conflict").hidden = true; }; }
  }

  const goNext = () => { if (root.dataset.next) window.location = root.dataset.next; };

  const approve = async () => {
    const text = editor.value.trim() === root.dataset.written.trim() ? null : editor.value;
    const { status, data } = await call(`/ui/api/reviews/${id}/approve`, { revision, text });
    if (status === 200) { done(data); saved.textContent = "approved"; goNext(); }
    else if (status === 409) showConflict(data, approve);
    else saved.textContent = `not approved (${status}): ${data.detail}`;
  };

  const reject = async () => {
    const reason = document.getElementById("reason");
    if (!reason.value.trim()) { reason.focus(); saved.textContent = "a rejection needs a reason"; return; }
    const { status, data } = await call(`/ui/api/reviews/${id}/reject`, { revision, reason: reason.value });
    if (status === 200) { done(data); saved.textContent = "rejected"; goNext(); }
    else if (status === 409) showConflict(data, reject);
    else saved.textContent = `not rejected (${status}): ${data.detail}`;
  };

  const regenerate = async () => {
    saved.textContent = "writing another draft…";
    const body = { revision, tone: document.getElementById("tone").value || null, candidates: Number(document.getElementById("candidates").value || 1) };
    const { status, data } = await call(`/ui/api/reviews/${id}/regenerate`, body);
    if (status === 200) { localStorage.removeItem(stash); window.location.reload(); }
    else if (status === 409) showConflict(data, regenerate);
    else saved.textContent = `not regenerated (${status}): ${JSON.stringify(data.detail)}`;
  };

  document.getElementById("approve").onclick = approve;
  document.getElementById("reject").onclick = reject;
  document.getElementById("regenerate").onclick = regenerate;
  document.getElementById("reason").addEventListener("keydown", (e) => { if (e.key === "Enter") reject(); });
  editor.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); approve(); }
    if (e.key === "Escape") editor.blur();
  });
  document.addEventListener("mouseover", (e) => {
    const link = e.target.closest(".attr-link");
    document.querySelectorAll("tr.linked").forEach((r) => r.classList.remove("linked"));
    if (link) { const row = document.getElementById(`attr-${link.dataset.attr}`); if (row) row.classList.add("linked"); }
  });
  document.addEventListener("keydown", (e) => {
    if (e.target.closest("input, textarea, select") || e.ctrlKey || e.metaKey || e.altKey) return;
    const prev = document.getElementById("prev");
    if (e.key === "j") goNext();
    else if (e.key === "k" && prev) window.location = prev.href;
    else if (e.key === "a") approve();
    else if (e.key === "r") { e.preventDefault(); document.getElementById("reason").focus(); }
    else if (e.key === "e") { e.preventDefault(); editor.focus(); }
  });
}

function queuePage(button) {
  const dialog = document.getElementById("bulk-dialog");
  let ids = [];
  button.onclick = async () => {
    const { data } = await call(`/ui/api/jobs/${button.dataset.job}/bulk?${button.dataset.qs}`, undefined, "GET");
    ids = data.ids;
    document.getElementById("bulk-message").textContent = ids.length
      ? `Approve ${ids.length} product${ids.length === 1 ? "" : "s"} the guard passed, as written?`
      : "No pending product the guard passed matches these filters.";
    document.getElementById("bulk-confirm").disabled = !ids.length;
    dialog.showModal();
  };
  document.getElementById("bulk-cancel").onclick = () => dialog.close();
  document.getElementById("bulk-confirm").onclick = async () => {
    const { data } = await call(`/ui/api/jobs/${button.dataset.job}/bulk-approve`, { ids });
    dialog.close();
    window.location.reload();
    return data;
  };
}

function homePage() {
  document.querySelectorAll(".js-retrain").forEach((b) => {
    b.onclick = async () => {
      const { status, data } = await call(`/ui/api/retrain/${b.dataset.model}`, {});
      document.getElementById("retrain-status").textContent = status === 200 ? `retraining (log: ${data.log})` : `failed: ${data.detail}`;
    };
  });
}

const review = document.getElementById("review");
if (review) reviewPage(review);
const bulk = document.getElementById("bulk-approve");
if (bulk) queuePage(bulk);
homePage();
