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

  // <button data-print>: print the page.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
