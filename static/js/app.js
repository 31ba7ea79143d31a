// Behaviour the templates ask for with data attributes: the Content-Security-Policy allows no
// inline handlers. Delegated from the document, so content htmx swaps in behaves the same.
(function () {
  "use strict";

  // <select data-autosubmit>: choosing an option submits its form (a <noscript> button
  // does it without JavaScript).
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) {
      select.form.submit();
    }
  });

  // <details open data-collapse-narrow>: closed on a phone-sized screen, so the page's
  // headline comes first (open without JavaScript, and on wider screens).
  if (window.matchMedia("(max-width: 767.98px)").matches) {
    document.querySelectorAll("details[data-collapse-narrow]").forEach(function (details) {
      details.open = false;
    });
  }

  // <button data-print>: print the page.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
