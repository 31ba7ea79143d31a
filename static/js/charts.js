// Draws the progress charts from the JSON the page embeds (json_script "chart-data").
// Everything is in percent of the target, with the target as a line at 100 %: a semester
// of 800 residents against a target of 160,000 is 0.5 %, and still visible.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var text = JSON.parse(document.getElementById("chart-text").textContent);
  var lang = document.documentElement.lang || "id";
  var numbers = new Intl.NumberFormat(lang);
  var percent = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  var colours = { on_track: "#198754", behind: "#b8860b", far_behind: "#b02a37" };
  Chart.defaults.animation = false;

  function targetLine(length) {
    var line = [];
    for (var n = 0; n < length; n++) line.push(100);
    return {
      type: "line",
      label: text.target100,
      data: line,
      borderColor: "#212529",
      borderDash: [6, 4],
      borderWidth: 1.5,
      pointRadius: 0
    };
  }

  function percentAxis(extra) {
    var axis = {
      beginAtZero: true,
      suggestedMax: 100,
      ticks: { callback: function (value) { return percent.format(value) + " %"; } }
    };
    return Object.assign(axis, extra || {});
  }

  function percentTooltip(c) {
    var value = c.parsed.y !== undefined && c.chart.options.indexAxis !== "y" ? c.parsed.y : c.parsed.x;
    return c.dataset.label + ": " + percent.format(value) + " %";
  }

  var progress = document.getElementById("chart-progress");
  if (progress) {
    new Chart(progress, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: text.semesterPercent, data: data.percent, backgroundColor: "#e35d1d" },
          { type: "line", label: text.cumulativePercent, data: data.cumulativePercent, borderColor: "#0d6efd", backgroundColor: "#0d6efd" },
          targetLine(data.labels.length)
        ]
      },
      options: {
        maintainAspectRatio: false,
        plugins: { tooltip: { callbacks: { label: percentTooltip } } },
        scales: { y: percentAxis({ title: { display: true, text: text.ofTarget } }) }
      }
    });
  }

  var districts = document.getElementById("chart-districts");
  if (districts && data.districtLabels.length) {
    new Chart(districts, {
      data: {
        labels: data.districtLabels,
        datasets: [
          {
            type: "bar",
            label: text.toDate,
            data: data.districtPercent,
            backgroundColor: data.districtStatus.map(function (s) { return colours[s] || "#6c757d"; })
          }
        ]
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: percentTooltip } } },
        scales: { x: percentAxis({ title: { display: true, text: text.toDate } }) }
      }
    });
  }

  var funnel = document.getElementById("chart-funnel");
  if (funnel) {
    new Chart(funnel, {
      type: "bar",
      data: { labels: data.funnelLabels, datasets: [{ label: text.residents, data: data.funnel, backgroundColor: "#198754" }] },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (c) { return numbers.format(c.parsed.x); } } }
        }
      }
    });
  }
  document.documentElement.dataset.chartsDrawn = "true";
})();
