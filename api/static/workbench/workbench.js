/* pingan workbench: shared behaviour of the htmx pages. No inline scripts, no eval.
   - a refused or failed htmx request shows the server's reason (problem+json `detail`)
     in the toast; a lost connection says so;
   - `data-confirm-dialog` on a form: submit only after the user confirms (the text comes
     from the attribute, escaped by the template);
   - `window.pingan.toast(text, kind)` for page scripts. */
(function () {
  "use strict";
  var texts = function () {
    var el = document.getElementById("wb-texts");
    return el ? el.dataset : { error: "Failed", offline: "Offline" };
  };
  var hideTimer = null;
  function toast(text, kind) {
    var box = document.getElementById("wb-toast");
    if (!box) { return; }
    box.textContent = text;
    box.dataset.kind = kind || "info";
    box.hidden = false;
    if (hideTimer) { clearTimeout(hideTimer); }
    hideTimer = setTimeout(function () { box.hidden = true; }, kind === "error" ? 12000 : 5000);
  }
  function detail(xhr) {
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && body.detail) { return String(body.detail); }
    } catch (e) { /* not JSON */ }
    return texts().error + " (" + xhr.status + ")";
  }
  window.pingan = window.pingan || {};
  window.pingan.toast = toast;
  document.addEventListener("htmx:responseError", function (ev) {
    toast(detail(ev.detail.xhr), "error");
  });
  document.addEventListener("htmx:sendError", function () { toast(texts().offline, "error"); });
  document.addEventListener("htmx:confirm", function (ev) {
    var el = ev.detail.elt;
    var question = el && el.getAttribute("data-confirm-dialog");
    if (!question) { return; }
    ev.preventDefault();
    if (window.confirm(question)) { ev.detail.issueRequest(true); }
  });
  /* a phone's navigation bar scrolls sideways: bring the current page's link into view */
  var current = document.querySelector(".pa-nav a.pa-current");
  if (current && current.scrollIntoView) { current.scrollIntoView({ block: "nearest", inline: "center" }); }
})();
