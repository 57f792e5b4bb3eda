// The map: one request for the street's parcels (GeoJSON with grades), drawn with Leaflet;
// street outlines and labels make it readable without any basemap. A click loads the card.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el) { return; }
  var COLOURS = { A: "#1a9850", B: "#4575b4", C: "#f39c12", D: "#d73027" };
  var map = L.map(el, { preferCanvas: false });
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "" }).addTo(map);
  }
  map.setView([39.79, 116.55], 12);
  var params = new URLSearchParams();
  ["year", "street", "grade", "category"].forEach(function (k) { if (el.dataset[k]) { params.set(k, el.dataset[k]); } });

  function style(feature) {
    var p = feature.properties, provisional = p.status === "provisional";
    return { color: "#333", weight: provisional ? 2 : 1.5, dashArray: provisional ? "4 3" : null,
             fillColor: COLOURS[p.grade] || "#aaa", fillOpacity: provisional ? 0.45 : 0.75,
             className: "parcel parcel-" + p.parcel_id + " grade-" + (p.grade || "none") + " " + (p.status || "ungraded") };
  }

  function showCard(parcelId) {
    var year = el.dataset.year ? "?year=" + encodeURIComponent(el.dataset.year) : "";
    htmx.ajax("GET", "/parcels/" + encodeURIComponent(parcelId) + "/card" + year, { target: "#card", swap: "innerHTML" });
  }

  fetch("/map/parcels.geojson?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (data) {
      var streets = L.geoJSON({ type: "FeatureCollection", features: data.streets }, {
        style: { color: "#567", weight: 1, dashArray: "6 4", fill: false, className: "street-outline" }, interactive: false
      }).addTo(map);
      data.streets.forEach(function (s) {
        L.marker(s.properties.label, { interactive: false, icon: L.divIcon({ className: "street-label", html: "", iconSize: null }) })
          .addTo(map).getElement().textContent = s.properties.street;
      });
      var parcels = L.geoJSON(data, {
        style: style,
        onEachFeature: function (feature, layer) {
          var p = feature.properties;
          layer.bindTooltip(p.parcel_id + " " + (p.grade || ""), { sticky: true });
          layer.on("click", function () { showCard(p.parcel_id); });
        }
      }).addTo(map);
      var bounds = parcels.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); } else if (streets.getBounds().isValid()) { map.fitBounds(streets.getBounds()); }
      Object.keys(COLOURS).forEach(function (g) {
        var row = document.querySelector('#legend [data-grade="' + g + '"] .count');
        if (row) { row.textContent = String(data.counts[g] || 0); }
      });
      if (data.without_outline) {
        var none = document.getElementById("no-outline");
        none.hidden = false; none.querySelector(".count").textContent = String(data.without_outline);
      }
      el.dataset.loaded = "true";
    })
    .catch(function (e) { el.dataset.loaded = "error"; el.dataset.error = String(e.message || e); });
})();
