/* pingan plan workbench: the solve's progress (polled, drawn as an inline SVG chart of the
   objective and the bound over time), the result page's live refresh (a `plan` event on the
   live-update stream: another plan published → say "superseded" and offer it; this plan
   edited or re-planned → redraw the grid), and closing the edit dialog. No inline scripts:
   data comes from <script type="application/json"> blocks; text goes in via textContent. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function setText(id, text) {
    var el = document.getElementById(id);
    if (el) { el.textContent = text; }
  }
  function fmt(x) {
    return x === null || x === undefined ? "–" : String(Math.round(x * 1000) / 1000);
  }
  function node(tag, attrs, text) {
    var el = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text !== undefined) { el.textContent = text; }
    return el;
  }

  /* --- progress chart --- */
  function draw(svg, samples) {
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    var W = 600, H = 220, L = 56, R = 12, T = 12, B = 28;
    svg.appendChild(node("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, class: "plan-axis" }));
    svg.appendChild(node("line", { x1: L, y1: T, x2: L, y2: H - B, class: "plan-axis" }));
    var pts = samples.filter(function (s) { return s.objective !== null && s.objective !== undefined; });
    if (!pts.length) { return; }
    var t1 = Math.max(1, pts[pts.length - 1].t);
    var values = [];
    pts.forEach(function (s) {
      values.push(s.objective);
      if (s.bound !== null && s.bound !== undefined) { values.push(s.bound); }
    });
    var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
    if (hi - lo < 1e-9) { hi = lo + 1; }
    var x = function (t) { return L + (W - L - R) * t / t1; };
    var y = function (v) { return H - B - (H - T - B) * (v - lo) / (hi - lo); };
    svg.appendChild(node("text", { x: L - 4, y: T + 10, class: "plan-tick", "text-anchor": "end" }, fmt(hi)));
    svg.appendChild(node("text", { x: L - 4, y: H - B, class: "plan-tick", "text-anchor": "end" }, fmt(lo)));
    svg.appendChild(node("text", { x: W - R, y: H - 8, class: "plan-tick", "text-anchor": "end" }, fmt(t1) + " s"));
    var line = function (key, cls) {
      var p = pts.filter(function (s) { return s[key] !== null && s[key] !== undefined; })
        .map(function (s) { return x(s.t).toFixed(1) + "," + y(s[key]).toFixed(1); });
      if (p.length === 1) { p.push((x(pts[0].t) + 2).toFixed(1) + "," + p[0].split(",")[1]); }
      if (p.length) { svg.appendChild(node("polyline", { points: p.join(" "), class: cls })); }
    };
    line("bound", "plan-line-bound");
    line("objective", "plan-line-obj");
  }

  function watchJob(cfg) {
    var svg = document.getElementById("job-chart");
    var samples = [];
    var started = Date.now();
    var timer = null;
    function poll() {
      fetch(cfg.progress, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (p) {
          var badge = document.getElementById("job-status");
          if (badge) {
            badge.textContent = p.status_text;
            badge.className = "wb-badge " + (p.status === "succeeded" ? "wb-ok" : (p.finished ? "wb-bad" : "wb-warn"));
            badge.dataset.status = p.status;
          }
          setText("job-seconds", p.seconds === null || p.seconds === undefined ? "–" : p.seconds.toFixed(1));
          setText("job-objective", fmt(p.objective));
          setText("job-bound", fmt(p.bound));
          setText("job-gap", p.gap === null || p.gap === undefined ? "–" : (p.gap * 100).toFixed(2) + "%");
          var t = p.seconds !== null && p.seconds !== undefined ? p.seconds : (Date.now() - started) / 1000;
          if (p.objective !== null && p.objective !== undefined) {
            var last = samples[samples.length - 1];
            if (!last || last.t !== t) { samples.push({ t: t, objective: p.objective, bound: p.bound }); }
          }
          if (svg) { draw(svg, samples); }
          if (p.finished) {
            clearInterval(timer);
            setText("job-message", p.message || p.error || "");
            var cancel = document.getElementById("job-cancel");
            if (cancel) { cancel.hidden = true; }
            if (p.plan_url) {
              var link = document.getElementById("job-result");
              link.href = p.plan_url;
              link.hidden = false;
              link.focus();
            }
          }
        })
        .catch(function () { /* the next poll tries again */ });
    }
    poll();
    timer = setInterval(poll, 1000);
  }

  /* --- result page: live refresh --- */
  function watchPlan(cfg) {
    var known = (cfg.superseded_by || []).join(",");
    function check() {
      fetch(cfg.state, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (!s || !s.superseded_by.length || s.superseded_by.join(",") === known) { return; }
          var newest = s.superseded_by[s.superseded_by.length - 1];
          var box = document.getElementById("plan-superseded");
          var link = document.getElementById("plan-superseded-link");
          link.href = "/pages/plan/" + newest + "/work?lang=" + document.body.dataset.lang;
          box.hidden = false;
        });
    }
    if (window.EventSource) {
      var stream = new EventSource("/events?kind=plan");
      stream.addEventListener("plan", function (ev) {
        var e = JSON.parse(ev.data);
        if (e.id === cfg.plan && (e.action === "edited" || e.action === "replanned")) {
          if (window.htmx) { window.htmx.trigger(document.body, "plan-changed"); }
        } else if (e.action === "published" && e.id !== cfg.plan && cfg.published) {
          check();
        }
      });
    }
    var reload = document.getElementById("plan-reload");
    if (reload) { reload.addEventListener("click", function () { window.location.reload(); }); }
  }

  /* the grid's chips and add buttons open the edit dialog (one handler for every cell) */
  function openEdit(btn) {
    var box = btn.closest("[data-edit]");
    if (!box || !window.htmx) { return; }
    var params = new URLSearchParams();
    if (btn.dataset.row) {
      params.set("row", btn.dataset.row);
    } else {
      params.set("date", btn.dataset.slot);
      params.set("shift", btn.dataset.shift);
      params.set("target", btn.dataset.target);
    }
    window.htmx.ajax("GET", box.dataset.edit + "&" + params.toString(), { target: "#plan-dialog" })
      .then(function () {
        var dialog = document.getElementById("plan-dialog");
        if (dialog && dialog.scrollIntoView) { dialog.scrollIntoView({ block: "start" }); }
        var first = dialog && dialog.querySelector("input:not([type=hidden]), select, button");
        if (first) { first.focus({ preventScroll: true }); }  /* keyboard users land in it */
      });
  }

  document.addEventListener("click", function (ev) {
    if (!ev.target.closest) { return; }
    var cell = ev.target.closest("button.plan-chip[data-row], button.plan-add");
    if (cell) { openEdit(cell); return; }
    var btn = ev.target.closest("[data-close-dialog]");
    if (!btn) { return; }
    var dialog = document.getElementById("plan-dialog");
    if (dialog) { dialog.replaceChildren(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var job = data("plan-job-data");
    if (job) { watchJob(job); }
    var work = data("plan-work-data");
    if (work) { watchPlan(work); }
  });
})();
