// Search-as-you-type for a town, a school or a village: the visible field keeps the name, its datalist is filled
// from the portal's suggestions as the user types, and the hidden field gets the chosen one's id.
// Without this script the name alone is sent and the server looks it up (pairing/filters.py).
(function () {
  "use strict";
  function wire(input) {
    const hidden = document.getElementById(input.dataset.suggestId);
    const list = document.getElementById(input.getAttribute("list"));
    let timer = null;
    let found = [];
    function pick() {
      const match = found.find((item) => item.text === input.value.trim());
      hidden.value = match ? match.id : "";
    }
    input.addEventListener("input", function () {
      hidden.value = "";
      clearTimeout(timer);
      const text = input.value.trim();
      if (!text) { list.replaceChildren(); return; }
      timer = setTimeout(function () {
        const url = new URL(input.dataset.suggest, window.location.href);
        url.searchParams.set("q", text);
        // A form whose programme is chosen on the page (the export) asks within that programme.
        const programme = input.form && input.form.elements.namedItem("programme");
        if (programme && programme.value && !url.searchParams.has("programme")) {
          url.searchParams.set("programme", programme.value);
        }
        fetch(url, { credentials: "same-origin" })
          .then((response) => (response.ok ? response.json() : { results: [] }))
          .then(function (data) {
            found = data.results;
            list.replaceChildren(...found.map(function (item) {
              const option = document.createElement("option");
              option.value = item.text;
              option.label = item.detail ? item.text + " · " + item.detail : item.text;
              return option;
            }));
            pick();
          });
      }, 200);
    });
    input.addEventListener("change", pick);
  }
  document.querySelectorAll("input[data-suggest]").forEach(wire);
})();
