// The portal's page behaviours, wired by data- attributes: the Content-Security-Policy allows no
// inline script, no inline event handler and no style attribute, so templates say what they need
// and this file does it.
(function () {
  "use strict";

  // <select data-submit-on-change>: choosing an option submits its form (the language switch, the
  // dashboard's programme). Each form keeps a submit button in <noscript>.
  document.querySelectorAll("select[data-submit-on-change]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });

  // <select data-navigate-on-change>: choosing an option opens the page afresh for it (?name=value
  // alone), so the form's other fields take that choice's defaults: the export's and the compile
  // form's months follow the programme picked (submitting the form would carry the old months).
  document.querySelectorAll("select[data-navigate-on-change]").forEach((select) => {
    select.addEventListener("change", () => {
      const url = new URL(window.location.href);
      url.search = new URLSearchParams({ [select.name]: select.value }).toString();
      window.location.assign(url.toString());
    });
  });

  // data-confirm="question" on a submit button or a form: ask first, and do nothing unless confirmed.
  // With data-confirm-if="CSS selector", only when that selector finds something (the queue asks
  // "accept the selected reports?" only when some are ticked; with none the server says to tick).
  document.querySelectorAll("button[data-confirm], input[data-confirm]").forEach((button) => {
    button.addEventListener("click", (event) => {
      const only = button.dataset.confirmIf;
      if (only && !document.querySelector(only)) return;
      // data-confirm-unless-empty="CSS selector": no question while one of those fields is empty
      // (submitting a report with a required figure missing: the server names it at once).
      const filled = button.dataset.confirmUnlessEmpty;
      if (filled && Array.from(document.querySelectorAll(filled)).some((field) => !field.value.trim())) return;
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  // <form data-unsaved="CSS selector" data-unsaved-message="question">: a form that reloads the page
  // (an upload) asks first when the form it names has changes not saved yet, which the reload would
  // lose (a liaison on a phone writes the report, then attaches a photo).
  const changed = (form) =>
    Array.from(form.elements).some((element) => {
      if (element.type === "checkbox" || element.type === "radio") return element.checked !== element.defaultChecked;
      if (element.tagName === "SELECT") {
        return Array.from(element.options).some((option) => option.selected !== option.defaultSelected);
      }
      if (["file", "hidden", "submit", "button", "reset"].includes(element.type)) return false;
      return "defaultValue" in element && element.value !== element.defaultValue;
    });
  document.querySelectorAll("form[data-unsaved]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      const guarded = document.querySelector(form.dataset.unsaved);
      if (guarded && changed(guarded) && !window.confirm(form.dataset.unsavedMessage)) event.preventDefault();
    });
  });

  // <input type="checkbox" data-select-all="CSS selector">: ticks or clears every box it names.
  document.querySelectorAll("input[data-select-all]").forEach((master) => {
    master.addEventListener("change", () => {
      document.querySelectorAll(master.dataset.selectAll).forEach((box) => {
        box.checked = master.checked;
      });
    });
  });

  // Forms with a choice of action (the adjustment) show only the fields of the chosen action.
  const action = document.querySelector("select[name=action]");
  if (action && document.querySelector("[data-for-action]")) {
    const show = () =>
      document.querySelectorAll("[data-for-action]").forEach((field) => {
        field.closest(".mb-3").hidden = !field.dataset.forAction.split(" ").includes(action.value);
      });
    action.addEventListener("change", show);
    show();
  }

  // Sizes computed by the server (a progress bar's width, a chart's height) come as data and are
  // set through the CSSOM, which the policy allows, instead of style attributes, which it refuses.
  document.querySelectorAll("[data-width-percent]").forEach((element) => {
    element.style.width = `${Number(element.dataset.widthPercent) || 0}%`;
  });
  document.querySelectorAll("[data-height-rem]").forEach((element) => {
    element.style.height = `${Number(element.dataset.heightRem) || 0}rem`;
  });
})();
