// The stage form shows only the evidence fields of the chosen stage, and says in one
// line what pressing "Catat tahap" will record. Without JavaScript every field shows and
// the server still asks for the chosen stage's evidence.
(function () {
  const stage = document.getElementById("id_stage");
  const date = document.getElementById("id_reached_on");
  const summary = document.getElementById("stage-summary");
  if (!stage || !summary) return;

  function update() {
    document.querySelectorAll(".stage-evidence").forEach(function (box) {
      box.hidden = box.dataset.stage !== stage.value;
    });
    if (!stage.value) {
      summary.textContent = summary.dataset.none;
      return;
    }
    const label = stage.options[stage.selectedIndex].text;
    const day = date && date.value ? new Date(date.value + "T00:00:00") : null;
    const shown = day
      ? day.toLocaleDateString(document.documentElement.lang || "id", {
          day: "numeric",
          month: "long",
          year: "numeric",
        })
      : "–";
    summary.textContent = summary.dataset.template
      .replace("%(stage)s", label)
      .replace("%(date)s", shown);
  }

  stage.addEventListener("change", update);
  if (date) date.addEventListener("change", update);
  update();
})();
