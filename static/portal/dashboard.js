// Draws the dashboard's charts from the JSON the page embeds; the same numbers are in its tables.
(function () {
  const source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const labels = document.getElementById("dashboard-labels").dataset;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  const colours = { onTime: "#198754", late: "#fd7e14", missing: "#dc3545", blue: "#0d6efd" };

  new Chart(document.getElementById("chart-submission"), {
    type: "bar",
    data: {
      labels: data.months,
      datasets: [
        { label: labels.onTime, data: data.submission.map((r) => r.on_time), backgroundColor: colours.onTime },
        { label: labels.late, data: data.submission.map((r) => r.late), backgroundColor: colours.late },
        { label: labels.missing, data: data.submission.map((r) => r.missing), backgroundColor: colours.missing },
      ],
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
  });

  // A programme that applies no compliance rules has no compliance chart.
  const complianceCanvas = document.getElementById("chart-compliance");
  if (complianceCanvas) new Chart(complianceCanvas, {
    type: "bar",
    data: {
      labels: data.compliance.by_rule.map((r) => r.rule),
      datasets: [{ label: labels.breaking, data: data.compliance.by_rule.map((r) => r.breaching), backgroundColor: colours.missing }],
    },
    options: { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { display: false } } },
  });

  new Chart(document.getElementById("chart-schools"), {
    type: "bar",
    data: {
      labels: data.schools.map((r) => r.school),
      datasets: [{ label: labels.rate, data: data.schools.map((r) => r.rate), backgroundColor: colours.blue }],
    },
    options: { indexAxis: "y", scales: { x: { min: 0, max: 100 }, y: { ticks: { autoSkip: false } } }, plugins: { legend: { display: false } } },
  });

  // Indicators of different units (activities, people, yuan) each get an axis of their own, titled
  // with the unit: on one axis a count of activities would lie flat under a sum of money.
  const palette = [colours.blue, colours.onTime, colours.late];
  const units = [...new Set(data.trends.map((t) => t.unit))];
  const trendScales = {};
  units.forEach((unit, i) => {
    const lines = data.trends.map((t, j) => [t, palette[j % 3]]).filter(([t]) => t.unit === unit);
    // An axis that carries one line takes its colour, so the reader sees which line it measures.
    const colour = units.length > 1 && lines.length === 1 ? lines[0][1] : undefined;
    trendScales["y" + i] = {
      beginAtZero: true,
      position: i === 0 ? "left" : "right",
      grid: { drawOnChartArea: i === 0 },
      ticks: { color: colour },
      title: { display: units.length > 1, text: lines[0][0].unit_label, color: colour },
    };
  });
  new Chart(document.getElementById("chart-trends"), {
    type: "line",
    data: {
      labels: data.months,
      datasets: data.trends.map((t, i) => ({ label: t.label, data: t.values, yAxisID: "y" + units.indexOf(t.unit), borderColor: palette[i % 3], backgroundColor: palette[i % 3], tension: 0, spanGaps: false })),
    },
    options: { scales: trendScales },
  });
})();
