/* pingan: the one place a map pin is drawn, for PointLayer and for live updates.
   A row is [lat, lon, colour, Font Awesome icon, tooltip, popup HTML, key]. */
(function () {
  var pingan = (window.pingan = window.pingan || { layers: {} });
  pingan.layers = pingan.layers || {};
  pingan.pointMarker = function (r, size) {
    size = size || 24;
    var half = Math.floor(size / 2);
    var icon = L.divIcon({
      className: "pa-pin",
      html: '<span class="pa-pin-dot" style="background:' + r[2] +
            '"><i class="fa-solid fa-' + r[3] + '"></i></span>',
      iconSize: [size, size],
      iconAnchor: [half, half],
      popupAnchor: [0, -half]
    });
    var m = L.marker([r[0], r[1]], { icon: icon, key: r[6] });
    if (r[4]) { m.bindTooltip(r[4]); }
    if (r[5]) { m.bindPopup(r[5], { maxWidth: 360 }); }
    m.pinRow = r;
    return m;
  };
})();
