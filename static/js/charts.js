// Draws the progress charts from the JSON the page embeds (json_script "chart-data").
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var text = JSON.parse(document.getElementById("chart-text").textContent);
  var numbers = new Intl.NumberFormat(document.documentElement.lang || "id");
  Chart.defaults.animation = false;

  var progress = document.getElementById("chart-progress");
  if (progress) {
    new Chart(progress, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: text.target, data: data.target, backgroundColor: "#adb5bd", yAxisID: "y" },
          { type: "bar", label: text.new, data: data.new, backgroundColor: "#e35d1d", yAxisID: "y" },
          { type: "line", label: text.cumulative, data: data.cumulative, borderColor: "#0d6efd", backgroundColor: "#0d6efd", yAxisID: "y1" },
          { type: "line", label: text.cumulativeTarget, data: data.cumulativeTarget, borderColor: "#6c757d", borderDash: [6, 4], yAxisID: "y1" }
        ]
      },
      options: {
        maintainAspectRatio: false,
        plugins: { tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + numbers.format(c.parsed.y); } } } },
        scales: {
          y: { beginAtZero: true, title: { display: true, text: text.perSemester } },
          y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: text.cumulativeAxis } }
        }
      }
    });
  }

  var funnel = document.getElementById("chart-funnel");
  if (funnel) {
    new Chart(funnel, {
      type: "bar",
      data: { labels: data.funnelLabels, datasets: [{ label: text.residents, data: data.funnel, backgroundColor: "#198754" }] },
      options: { indexAxis: "y", maintainAspectRatio: false, plugins: { legend: { display: false } } }
    });
  }
  document.documentElement.dataset.chartsDrawn = "true";
})();
