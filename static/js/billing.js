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

  // A table wider than the screen scrolls inside its frame: such a frame takes the keyboard
  // focus, so it can be scrolled without a mouse, and is named after its table's section.
  function markScrollingTables(root) {
    root.querySelectorAll(".table-scroll").forEach(function (frame) {
      if (frame.scrollWidth <= frame.clientWidth) {
        if (frame.dataset.scrolls) {
          ["tabindex", "role", "aria-label", "data-scrolls"].forEach(function (name) {
            frame.removeAttribute(name);
          });
        }
        return;
      }
      if (frame.dataset.scrolls) return;
      const named = frame.querySelector("caption") ||
        (frame.closest("section, .card") || document).querySelector("h1, h2, h3");
      frame.dataset.scrolls = "true";
      frame.tabIndex = 0;
      frame.setAttribute("role", "region");
      frame.setAttribute("aria-label", (named ? named.textContent.trim() + ": " : "") + "table, scrolls sideways");
    });
  }

  function enhance(root) {
    root.querySelectorAll("[data-selection]").forEach(syncSelection);
    root.querySelectorAll("form[data-confirmations]").forEach(syncConfirmations);
    markScrollingTables(document);
  }

  let resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { markScrollingTables(document); }, 150);
  });

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
