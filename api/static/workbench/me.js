/* 我的勤务: the small map of the officer's shift places, from the page's JSON data
   (#me-data): their jurisdiction's outline, each patrol zone's shape, each place as a
   numbered point matching the list. No tiles unless the command centre has its own tile
   server (setting tile_url). Labels are set with textContent, never as HTML. */
(function () {
  "use strict";
  function numbered(n) {
    var el = document.createElement("span");
    el.className = "me-marker";
    el.textContent = String(n);
    return L.divIcon({ html: el, className: "", iconSize: [24, 24], iconAnchor: [12, 12] });
  }
  function draw() {
    var box = document.getElementById("me-map");
    var source = document.getElementById("me-data");
    if (!box || !source || typeof L === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var map = L.map(box, { zoomControl: true, attributionControl: false });
    if (data.tiles) {
      L.tileLayer(data.tiles.url, { subdomains: data.tiles.subdomains }).addTo(map);
    }
    var layers = [];
    if (data.outline) {
      layers.push(L.geoJSON(data.outline, { style: { color: "#5a6a7a", weight: 1, fillOpacity: 0.05 } }).addTo(map));
    }
    data.duties.forEach(function (d) {
      if (d.geometry) {
        layers.push(L.geoJSON(d.geometry, { style: { color: "#1d5aa0", weight: 2, fillOpacity: 0.15 } }).addTo(map));
      }
      if (d.point) {
        var marker = L.marker([d.point[1], d.point[0]], { icon: numbered(d.n), keyboard: false, title: d.name });
        layers.push(marker.addTo(map));
      }
    });
    var group = L.featureGroup(layers);
    if (layers.length) {
      map.fitBounds(group.getBounds(), { padding: [20, 20], maxZoom: 15 });
    } else {
      map.setView([35, 105], 4);
    }
    box.dataset.ready = "true";
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
