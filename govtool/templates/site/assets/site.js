/* govtool site: draws each chart with the plotly.js shipped beside this file, in the page's
   colours (light or dark, following the system), and filters searchable tables.
   No request leaves the site: the figures are in the page. */
(function () {
  "use strict";

  function colours() {
    var style = getComputedStyle(document.documentElement);
    var text = style.getPropertyValue("--text").trim();
    var grid = style.getPropertyValue("--grid").trim();
    return {
      "font.color": text,
      "xaxis.gridcolor": grid,
      "yaxis.gridcolor": grid,
      "xaxis.linecolor": grid,
      "yaxis.linecolor": grid,
      "xaxis.zerolinecolor": grid,
      "yaxis.zerolinecolor": grid,
      "hoverlabel.bgcolor": style.getPropertyValue("--card").trim(),
      "hoverlabel.font.color": text
    };
  }

  function themed(layout) {
    var set = colours();
    Object.keys(set).forEach(function (path) {
      var keys = path.split("."), node = layout;
      for (var i = 0; i < keys.length - 1; i++) {
        node[keys[i]] = node[keys[i]] || {};
        node = node[keys[i]];
      }
      node[keys[keys.length - 1]] = set[path];
    });
    return layout;
  }

  var drawn = [];
  function drawCharts() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("div[data-plot]").forEach(function (plot) {
      var source = document.getElementById(plot.getAttribute("data-plot"));
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(plot, figure.data, themed(figure.layout), {
        responsive: true,
        displaylogo: false,
        modeBarButtonsToRemove: ["select2d", "lasso2d"]
      });
      drawn.push(plot);
    });
    var scheme = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
    if (scheme && scheme.addEventListener) {
      scheme.addEventListener("change", function () {
        drawn.forEach(function (plot) { window.Plotly.relayout(plot, colours()); });
      });
    }
  }

  function wireSearch() {
    document.querySelectorAll("input[data-filter]").forEach(function (input) {
      var table = document.getElementById(input.getAttribute("data-filter"));
      var counter = document.getElementById(input.getAttribute("data-count"));
      if (!table || !table.tBodies.length) { return; }
      var rows = Array.prototype.slice.call(table.tBodies[0].rows);
      var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
      function filter() {
        var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
        var shown = 0;
        rows.forEach(function (row, i) {
          var match = words.every(function (word) { return texts[i].indexOf(word) !== -1; });
          row.hidden = !match;
          if (match) { shown += 1; }
        });
        if (counter) { counter.textContent = shown + " of " + rows.length + " decisions"; }
      }
      input.addEventListener("input", filter);
      if (input.value) { filter(); }
    });
  }

  drawCharts();
  wireSearch();
})();
