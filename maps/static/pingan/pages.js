/* pingan command-centre pages: keeps the login alive, and on the wall page follows the
   API's event stream (EventSource, same-origin cookie) to update the incident list, the
   incident and unit pins and the readiness table without reloading.

   State for tests and operators: window.pingan.live = {state, lastEventId, updates}. */
(function () {
  "use strict";
  var P = (window.pingan = window.pingan || { layers: {} });
  var D = JSON.parse(document.getElementById("pa-data").textContent);
  var live = (P.live = { state: "connecting", lastEventId: D.last_event || 0, updates: 0, connects: 0 });

  function text(key) { return (D.labels && D.labels[key]) || key; }

  function el(tag, cls, content) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (content !== undefined) { node.textContent = content; }
    return node;
  }

  /* --- session: the login cookie is short-lived; renew it while the page is open --- */
  function renewSession() {
    return fetch(D.session_url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-Pingan-Page": "1" }
    }).then(function (r) {
      if (r.status === 401) { return false; }  // the login is gone
      return r.ok ? true : null;               // null: cannot tell now, try again later
    }, function () { return null; });
  }

  function toLogin() {
    var next = location.pathname + location.search;
    location.assign(D.login_url + "?next=" + encodeURIComponent(next) + "&lang=" + D.lang);
  }

  if (D.refresh_seconds) {
    setInterval(function () {
      renewSession().then(function (ok) { if (ok === false) { toLogin(); } });
    }, D.refresh_seconds * 1000);
  }

  /* --- plan page: filters submit on change, print button --- */
  document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
  document.querySelectorAll("[data-action=print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });

  if (D.page !== "wall") { return; }

  /* --- wall: pins --- */
  function pinByKey(group, key) {
    var found = null;
    group.eachLayer(function (m) { if (m.options.key === key) { found = m; } });
    return found;
  }

  function setPin(layerKey, key, row) {
    var group = P.layers[layerKey];
    if (!group) { return; }
    var old = pinByKey(group, key);
    if (old) { group.removeLayer(old); }
    if (row) { group.addLayer(P.pointMarker(row, group.pinSize)); }
  }

  /* --- wall: dispatch lines, found by their incident's class --- */
  function setLines(code, lines) {
    var group = P.layers.dispatch;
    if (!group) { return; }
    var mark = " pa-inc-" + code + " ";
    group.eachLayer(function (l) {
      if ((" " + (l.options.className || "") + " ").indexOf(mark) >= 0) { group.removeLayer(l); }
    });
    lines.forEach(function (s) {
      var line = L.polyline([s.start, s.end], s.options);
      if (s.tooltip) { line.bindTooltip(s.tooltip); }
      group.addLayer(line);
    });
  }

  /* --- wall: incident list; a click opens the incident in the workbench panel --- */
  var incidents = {};

  function openPanel(code) {
    var target = document.getElementById("inc-detail");
    if (!target || !window.htmx || !D.bench_url) { return; }
    window.htmx.ajax("GET", D.bench_url.replace("{code}", encodeURIComponent(code)),
      { target: "#inc-detail", swap: "innerHTML" });
  }

  function renderIncidents(fresh) {
    var list = document.getElementById("pa-incidents");
    var items = Object.keys(incidents).map(function (k) { return incidents[k]; });
    items.sort(function (a, b) { return a.reported < b.reported ? 1 : a.reported > b.reported ? -1 : 0; });
    list.textContent = "";
    items.forEach(function (it) {
      var li = el("li", "pa-incident pa-sev-" + it.severity);
      li.dataset.code = it.code;
      li.dataset.status = it.status;
      if (fresh && fresh[it.code]) { li.classList.add("pa-new"); }
      li.appendChild(el("span", "pa-status", it.status_label));
      li.appendChild(el("span", "pa-code", it.code));
      li.appendChild(document.createTextNode(" " + it.kind_label));
      var where = [it.reported, it.jurisdiction, it.note].filter(Boolean).join(" · ");
      li.appendChild(el("div", "pa-meta", where));
      li.tabIndex = 0;
      li.setAttribute("role", "button");
      var open = function () {
        if (it.point && P.map) { P.map.setView([it.point[0], it.point[1]], Math.max(P.map.getZoom(), 15)); }
        openPanel(it.code);
      };
      li.addEventListener("click", open);
      li.addEventListener("keydown", function (e) { if (e.key === "Enter") { open(); } });
      list.appendChild(li);
    });
    if (!items.length) { list.appendChild(el("li", "pa-empty", text("page.no_incidents"))); }
    document.getElementById("pa-incident-count").textContent = items.length ? "(" + items.length + ")" : "";
  }

  function applyIncidents(items, initial) {
    var fresh = {};
    items.forEach(function (it) {
      if (it.open) {
        if (!initial && !incidents[it.code]) { fresh[it.code] = true; }
        incidents[it.code] = it;
        setPin("incidents", it.code, it.point);
      } else {
        delete incidents[it.code];
        setPin("incidents", it.code, null);
      }
    });
    renderIncidents(fresh);
  }

  /* --- wall: readiness --- */
  /* without a published plan for the shift running now nobody is on standby by plan:
     say so instead of a red shortfall in every county */
  var planInForce = D.plan_in_force !== false;

  function renderReadiness(rows) {
    var body = document.getElementById("pa-readiness");
    body.textContent = "";
    var note = document.getElementById("pa-readiness-note");
    if (note) { note.hidden = planInForce; note.textContent = text("page.no_plan_in_force"); }
    rows.forEach(function (r) {
      var tr = el("tr", planInForce && r.short > 0 ? "pa-short" : "");
      tr.dataset.county = r.county;
      var short = planInForce ? (r.short || "") : "—";
      [r.name || r.county, r.on_standby, r.required, short].forEach(function (v) {
        tr.appendChild(el("td", "", String(v)));
      });
      body.appendChild(tr);
    });
    if (!rows.length) {
      var tr = el("tr");
      var td = el("td", "pa-empty", text("page.no_readiness"));
      td.colSpan = 4;
      tr.appendChild(td);
      body.appendChild(tr);
    }
  }

  function applyUpdate(u, initial) {
    if (u.incidents) { applyIncidents(u.incidents, initial); }
    Object.keys(u.lines || {}).forEach(function (code) { setLines(code, u.lines[code]); });
    (u.units || []).forEach(function (it) { setPin("units", it.key, it.point); });
    if (u.plan_in_force !== undefined) { planInForce = u.plan_in_force !== false; }
    if (u.readiness) { renderReadiness(u.readiness); }
    if (!initial) { live.updates += 1; }
  }

  /* --- wall: what changed, fetched in one request per burst of events --- */
  var pending = { incident: {}, unit: {} };
  var timer = null;

  function queue(kind, codes) {
    codes.forEach(function (c) { if (c) { pending[kind][c] = true; } });
    if (!timer) { timer = setTimeout(flush, 150); }
  }

  function flush() {
    timer = null;
    var params = [];
    Object.keys(pending.incident).forEach(function (c) { params.push("incident=" + encodeURIComponent(c)); });
    Object.keys(pending.unit).forEach(function (c) { params.push("unit=" + encodeURIComponent(c)); });
    pending = { incident: {}, unit: {} };
    fetch(D.data_url + (params.length ? "&" + params.join("&") : ""), { credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 401) { toLogin(); return null; }
        return r.ok ? r.json() : null;
      })
      .then(function (u) { if (u) { applyUpdate(u, false); } })
      .catch(function () { /* the next event or reconnect fetches again */ });
  }

  /* --- wall: the event stream --- */
  var source = null;
  var retryMs = 1000;

  function setConn(state) {
    live.state = state;
    var badge = document.getElementById("pa-conn");
    if (badge) { badge.dataset.state = state; badge.textContent = text("conn." + state); }
  }

  function onEvent(handler) {
    return function (e) {
      if (e.lastEventId) { live.lastEventId = Number(e.lastEventId); }
      try { handler(JSON.parse(e.data)); } catch (err) { /* a malformed event is skipped */ }
    };
  }

  function connect() {
    if (source) { source.close(); }
    setConn(live.connects ? "reconnecting" : "connecting");
    source = new EventSource(D.events_url + "&after=" + live.lastEventId);
    source.onopen = function () {
      live.connects += 1;
      retryMs = 1000;
      setConn("live");
    };
    source.addEventListener("incident", onEvent(function (d) { queue("incident", [d.code]); }));
    source.addEventListener("unit_status", onEvent(function (d) { queue("unit", d.units || []); }));
    // a published plan or a roster change redraws posts, zones and units: reload the page
    source.addEventListener("plan", onEvent(function (d) {
      if (d.action === "published") { redraw(); }
    }));
    source.addEventListener("roster", onEvent(function () { redraw(); }));
    source.onerror = function () {
      if (source.readyState === EventSource.CONNECTING) {
        setConn("reconnecting");  // the browser retries by itself, with Last-Event-ID
        return;
      }
      // refused (the login expired, or the server is gone): renew the login and retry
      source.close();
      setConn("reconnecting");
      renewSession().then(function (ok) {
        if (ok === false) { setConn("logged_out"); toLogin(); return; }
        if (ok === null) { setConn("offline"); }
        setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, 30000);
      });
    };
  }

  var redrawTimer = null;
  function redraw() {
    live.redraws = (live.redraws || 0) + 1;
    if (!redrawTimer) { redrawTimer = setTimeout(function () { window.location.reload(); }, 1000); }
  }

  /* a phone's navigation bar scrolls sideways: bring the current page's link into view */
  var current = document.querySelector(".pa-nav a.pa-current");
  if (current && current.scrollIntoView) { current.scrollIntoView({ block: "nearest", inline: "center" }); }
  P.reconnect = connect;
  applyUpdate(D, true);
  connect();
})();
