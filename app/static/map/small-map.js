/* A small map with one marker, for any element with class "small-map" and data-lat/data-lon. */
(function () {
  "use strict";
  if (!window.L) { return; }
  document.querySelectorAll(".small-map[data-lat][data-lon]").forEach(function (box) {
    var point = [parseFloat(box.dataset.lat), parseFloat(box.dataset.lon)];
    if (!isFinite(point[0]) || !isFinite(point[1])) { return; }
    var map = L.map(box, { scrollWheelZoom: false }).setView(point, 13);
    L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution, maxZoom: 19 }).addTo(map);
    L.marker(point, { title: box.dataset.label, alt: box.dataset.label }).addTo(map);
  });
}());
