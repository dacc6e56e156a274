/* pingan wall: the incident workbench in the side panel (htmx fragment /pages/incidents/panel).
   - a click on the map puts its coordinates in the report form (and a marker where it was);
   - a refused action (a dispatch lost to another commander, a bad form) keeps the server's
     reason in the panel's message box, besides the toast;
   - a reported incident closes the report form.
   No inline handlers, no HTML built from strings: text goes in with textContent. */
(function () {
  "use strict";
  var P = (window.pingan = window.pingan || { layers: {} });
  var pick = null;

  function round(x) { return Math.round(x * 1e6) / 1e6; }

  function onMapClick(e) {
    var lon = document.getElementById("inc-lon");
    var lat = document.getElementById("inc-lat");
    if (!lon || !lat) { return; }
    lon.value = String(round(e.latlng.lng));
    lat.value = String(round(e.latlng.lat));
    var box = document.getElementById("inc-report-box");
    if (box) { box.open = true; }
    if (window.L && P.map) {
      if (pick) { pick.setLatLng(e.latlng); } else {
        pick = window.L.circleMarker(e.latlng, { radius: 9, color: "#b71c1c", weight: 3, fillOpacity: 0.3, className: "inc-pick" }).addTo(P.map);
      }
    }
    lon.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function watchMap() {
    if (P.map && P.map.on) { P.map.on("click", onMapClick); return; }
    setTimeout(watchMap, 100);
  }

  function message(text) {
    var box = document.getElementById("inc-message");
    if (!box) { return; }
    box.textContent = text || "";
    box.hidden = !text;
  }

  function detail(xhr) {
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && body.detail) { return String(body.detail); }
    } catch (e) { /* not JSON */ }
    return String(xhr.status);
  }

  function inBench(el) { return el && el.closest && el.closest("#inc-bench"); }

  /* after a refusal, show the incident as it is now (another commander may have moved it) */
  function refresh(card) {
    var bench = document.getElementById("inc-bench");
    if (!card || !window.htmx) { return; }
    var lang = bench ? bench.dataset.lang : "zh";
    window.htmx.ajax("GET", "/pages/incidents/" + encodeURIComponent(card.dataset.code) +
      "/panel?lang=" + encodeURIComponent(lang), { target: "#inc-detail", swap: "innerHTML" });
  }

  document.addEventListener("htmx:responseError", function (ev) {
    var elt = ev.detail.elt;
    if (!inBench(elt)) { return; }
    message(detail(ev.detail.xhr));
    if (ev.detail.xhr.status === 409) { refresh(elt.closest(".inc-card")); }
  });
  document.addEventListener("htmx:afterRequest", function (ev) {
    var elt = ev.detail.elt;
    if (!inBench(elt) || !ev.detail.successful) { return; }
    var verb = ev.detail.requestConfig && ev.detail.requestConfig.verb;
    if (verb !== "post") { return; }
    message("");
    if (elt.id === "inc-report") {
      var box = document.getElementById("inc-report-box");
      if (box) { box.open = false; }
      if (pick && P.map) { P.map.removeLayer(pick); pick = null; }
    }
  });

  watchMap();
})();
