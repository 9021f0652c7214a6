// The report pages' filters: switch each chart between pre-built, suppressed variants.
// No data is computed here: every number was aggregated and suppressed when the site was built.
// Text is set with textContent only, so nothing from the data is parsed as HTML.
document.addEventListener("DOMContentLoaded", function () {
  // A key is "<period>|<group>": the period menu is left out where a page has no periods.
  var period = document.getElementById("filter-period");
  var group = document.getElementById("filter-group");
  var block = document.getElementById("variants");
  if (!group || !block) return;
  var variants = JSON.parse(block.textContent);
  function apply() {
    var key = (period ? period.value : group.dataset.period) + "|" + group.value;
    Object.keys(variants.charts).forEach(function (id) {
      var chart = variants.charts[id];
      var v = chart.variants[chart.keys[key]];
      var gd = document.getElementById(id);
      if (!v || !gd || !gd.data) return;
      var traces = gd.data.map(function (t, i) {
        var next = Object.assign({}, t);
        var change = v.traces[i] || {};
        Object.keys(change).forEach(function (k) { next[k] = change[k]; });
        return next;
      });
      // the "nothing drawn" note follows the variant (it was set for the unfiltered one)
      var notes = (gd.layout.annotations || []).filter(function (a) {
        return a.name !== variants.note.name;
      });
      if (v.empty) notes = notes.concat([variants.note]);
      Plotly.react(gd, traces, Object.assign({}, gd.layout, { annotations: notes }));
      var title = document.querySelector('h2[data-chart="' + id + '"]');
      if (title) title.textContent = v.title;
    });
    var items = variants.headline[key];
    var box = document.getElementById("headline");
    if (items && box) {
      var wrap = document.createElement("div");
      wrap.className = "headline";
      items.forEach(function (kv) {
        var cell = document.createElement("div");
        var value = document.createElement("b");
        value.textContent = kv[1];
        cell.appendChild(value);
        cell.appendChild(document.createTextNode(kv[0]));
        wrap.appendChild(cell);
      });
      box.replaceChildren(wrap);
    }
    document.body.setAttribute("data-filter", key);
  }
  if (period) period.addEventListener("change", apply);
  group.addEventListener("change", apply);
  // Back/forward restores the menus' choice (after DOMContentLoaded): show what they say.
  window.addEventListener("pageshow", apply);
});
