// The small map of an entity page: drawn only when Leaflet loaded; the page works without it.
(function () {
  "use strict";
  function draw() {
    var box = document.getElementById("entity-map");
    if (!box || typeof L === "undefined") { return; }
    var lat = parseFloat(box.dataset.lat), lon = parseFloat(box.dataset.lon);
    if (!isFinite(lat) || !isFinite(lon)) { return; }
    box.hidden = false;
    var map = L.map(box, { scrollWheelZoom: false }).setView([lat, lon], 14);
    L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: box.dataset.attribution }).addTo(map);
    L.marker([lat, lon], { title: box.dataset.label, alt: box.dataset.label }).addTo(map);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
