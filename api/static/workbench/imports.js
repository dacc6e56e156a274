/* 导入: a changed file, table, coordinate system or mode must be checked again before it can
   be imported: any change to the form disables the import button until the next check. */
(function () {
  "use strict";
  function disableImport() {
    var button = document.getElementById("im-commit");
    if (button) { button.disabled = true; }
  }
  document.addEventListener("change", function (ev) {
    var form = document.getElementById("im-form");
    if (form && form.contains(ev.target)) { disableImport(); }
  });
})();
