// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // The language form submits itself when a language is chosen; its button stays for keyboards
  // and for browsers without JavaScript.
  document.querySelectorAll(".lang-form select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
