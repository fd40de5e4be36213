// Small progressive enhancements. The server checks everything again: these only spare a
// billing manager a refused request or a double submission.
(function () {
  "use strict";
  document.documentElement.classList.replace("no-js", "js");

  // "Select all on this page" for the bulk checkboxes of a list.
  function syncSelection(scope) {
    const rows = scope.querySelectorAll("[data-select-row]");
    const ticked = scope.querySelectorAll("[data-select-row]:checked").length;
    const all = scope.querySelector("[data-select-all]");
    if (all) {
      all.checked = rows.length > 0 && ticked === rows.length;
      all.indeterminate = ticked > 0 && ticked < rows.length;
    }
    const count = scope.querySelector("[data-selected-count]");
    if (count) count.textContent = ticked ? ticked + " selected" : "";
    // Nothing ticked, nothing to generate (the server refuses an empty selection anyway).
    const submit = scope.querySelector("[data-selection-submit]");
    if (submit) submit.disabled = ticked === 0;
  }

  document.addEventListener("change", function (event) {
    const target = event.target;
    const scope = target.closest("[data-selection]");
    if (scope && target.matches("[data-select-all]")) {
      scope.querySelectorAll("[data-select-row]").forEach(function (box) {
        box.checked = target.checked;
      });
    }
    if (scope) syncSelection(scope);
    const form = target.closest("form[data-confirmations]");
    if (form) syncConfirmations(form);
  });

  // A submit button stays disabled until every confirmation box it depends on is ticked.
  function syncConfirmations(form) {
    const button = form.querySelector("[data-confirmed-submit]");
    if (!button || button.dataset.blocked === "true") return;
    const missing = form.querySelectorAll("[data-confirmation]:not(:checked)").length;
    button.disabled = missing > 0;
  }

  // One submission per click: a double-click sends one request, and the page shows it is working.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches("[data-submit-once]")) return;
    const submitter = event.submitter;
    if (submitter && submitter.getAttribute("formmethod") === "get") return;
    if (form.dataset.submitting === "true") {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "true";
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      // Disabled after this event, so the clicked button's own value is still submitted.
      setTimeout(function () {
        button.disabled = true;
        if (button.dataset.busyLabel) {
          button.dataset.idleLabel = button.textContent;
          button.textContent = button.dataset.busyLabel;
        }
      }, 0);
    });
  });

  function enhance(root) {
    root.querySelectorAll("[data-selection]").forEach(syncSelection);
    root.querySelectorAll("form[data-confirmations]").forEach(syncConfirmations);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSettle", function () { enhance(document); });
  // Back to a page kept in the browser's cache: a form left "submitting" is usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
      delete form.dataset.submitting;
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        if (button.dataset.idleLabel) button.textContent = button.dataset.idleLabel;
        button.disabled = button.dataset.blocked === "true";
      });
    });
    enhance(document);
  });
})();
