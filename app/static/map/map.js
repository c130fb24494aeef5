/* The map page: Leaflet with clustered markers, loaded from /api/map.geojson for the visible
   area and the chosen filters. Popup text is set with textContent (never parsed as HTML). */
(function () {
  "use strict";
  var box = document.getElementById("map");
  if (!box || !window.L || !L.markerClusterGroup) { return; }
  var status = document.getElementById("map-status");
  var form = document.getElementById("map-filters");
  var map = L.map(box).setView([48.52, 2.25], 10); // Essonne
  L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution, maxZoom: 19 }).addTo(map);
  var cluster = L.markerClusterGroup({ chunkedLoading: true });
  map.addLayer(cluster);
  var pending = null;
  var shown = new Map(); // IRI -> marker

  function localUrl(url) {
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : "#";
  }

  function popup(properties) {
    var content = document.createElement("div");
    var title = document.createElement("a");
    title.href = localUrl(properties.url);
    title.textContent = properties.label;
    var kind = document.createElement("p");
    kind.textContent = properties.kind_label;
    content.appendChild(title);
    content.appendChild(kind);
    return content;
  }

  function parameters(withBounds) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) { if (value) { params.append(key, value); } });
    if (withBounds) {
      var b = map.getBounds();
      params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
        .map(function (x) { return x.toFixed(5); }).join(","));
    }
    return params;
  }

  function load(first) {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(box.dataset.geojson + "?" + parameters(!first), { signal: pending.signal,
                                                           headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        // Keep the markers already shown (an open popup stays open while the map moves);
        // add the new ones, remove those no longer in the answer.
        var wanted = new Map(), added = [], removed = [];
        data.features.forEach(function (feature) { wanted.set(feature.properties.iri, feature); });
        shown.forEach(function (marker, iri) {
          if (!wanted.has(iri)) { removed.push(marker); shown.delete(iri); }
        });
        wanted.forEach(function (feature, iri) {
          if (shown.has(iri)) { return; }
          var point = feature.geometry.coordinates; // [longitude, latitude] (RFC 7946)
          var marker = L.marker([point[1], point[0]], { title: feature.properties.label,
                                                       alt: feature.properties.label })
            .bindPopup(popup(feature.properties));
          shown.set(iri, marker);
          added.push(marker);
        });
        cluster.removeLayers(removed);
        cluster.addLayers(added);
        box.dataset.loaded = String(shown.size);
        status.textContent = data.truncated ? box.dataset.textTruncated
                                            : shown.size + " " + box.dataset.textCount;
        if (first && shown.size) {
          map.fitBounds(cluster.getBounds(), { maxZoom: 13, padding: [20, 20] });
        }
      })
      .catch(function (error) {
        if (error.name !== "AbortError") { status.textContent = box.dataset.textError; }
      });
  }

  form.addEventListener("change", function () {
    var params = parameters(false);
    history.replaceState(null, "", "/map" + (String(params) ? "?" + params : ""));
    load(false);
  });
  map.on("moveend", function () { load(false); });
  load(true);
}());
