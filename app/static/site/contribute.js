/* Contribution forms: suggestions for references (from /search.json) and the place map.
   Without JavaScript every input stays a plain, editable field. No CDN: Leaflet is vendored. */
(function () {
  "use strict";

  // References: fill the field's datalist with entries matching what is typed.
  document.querySelectorAll("input[data-reference]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    input.addEventListener("input", function () {
      var text = input.value.trim();
      if (timer) { clearTimeout(timer); }
      if (text.length < 2 || /^(https?:|\/id\/)/.test(text)) { return; }
      timer = setTimeout(function () {
        fetch("/search.json?q=" + encodeURIComponent(text), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            list.textContent = "";
            (data.results || []).forEach(function (hit) {
              var option = document.createElement("option");
              option.value = hit.iri;
              option.label = hit.label + " (" + hit.kind_label + ")";
              option.textContent = hit.label + " (" + hit.kind_label + ")";
              list.appendChild(option);
            });
          })
          .catch(function () { /* suggestions are a help, not a need */ });
      }, 250);
    });
  });

  // Place: commune -> centroid in the lat/long inputs; a draggable marker refines them.
  var commune = document.querySelector("input[data-geo=commune]");
  var lat = document.querySelector("input[data-geo=lat]");
  var lon = document.querySelector("input[data-geo=long]");
  var box = document.querySelector(".place-map");
  if (!commune || !lat || !lon) { return; }
  var map = null, marker = null;

  function centroidOf(text) {
    var options = document.querySelectorAll("#communes-list option");
    for (var i = 0; i < options.length; i++) {
      if (options[i].value === text && options[i].dataset.lat) {
        return [parseFloat(options[i].dataset.lat), parseFloat(options[i].dataset.long)];
      }
    }
    return null;
  }
  function show(point, zoom) {
    if (!window.L || !box) { return; }
    box.hidden = false;
    if (!map) {
      map = L.map(box, { scrollWheelZoom: false }).setView(point, zoom);
      L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution, maxZoom: 19 }).addTo(map);
      marker = L.marker(point, { draggable: true, title: "position", alt: "position" }).addTo(map);
      marker.on("dragend", function () {
        var p = marker.getLatLng();
        lat.value = p.lat.toFixed(5);
        lon.value = p.lng.toFixed(5);
      });
    } else {
      marker.setLatLng(point);
      map.setView(point, zoom);
    }
  }
  function fromInputs() {
    var p = [parseFloat(lat.value), parseFloat(lon.value)];
    return isFinite(p[0]) && isFinite(p[1]) ? p : null;
  }
  commune.addEventListener("change", function () {
    var point = centroidOf(commune.value.trim());
    if (point) {
      lat.value = point[0];
      lon.value = point[1];
      show(point, 13);
    }
  });
  [lat, lon].forEach(function (input) {
    input.addEventListener("change", function () { var p = fromInputs(); if (p) { show(p, 15); } });
  });
  var start = fromInputs() || centroidOf(commune.value.trim());
  if (start) { show(start, 13); }
}());
