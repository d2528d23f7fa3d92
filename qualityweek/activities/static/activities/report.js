// The report form's running total of participants: the sum of the category fields, announced politely
// to screen readers (the <output> sits in an aria-live region). Without JavaScript the page still works:
// the total is computed on the server when the report is saved.
(function () {
  "use strict";
  function plural(n, one, few, many) {
    var m10 = n % 10, m100 = n % 100;
    if (m10 === 1 && m100 !== 11) return one;
    if (m10 >= 2 && m10 <= 4 && (m100 < 10 || m100 >= 20)) return few;
    return many;
  }
  function init() {
    var out = document.getElementById("participants-total");
    if (!out) return;
    var inputs = document.querySelectorAll("input[data-participants]");
    function update() {
      var sum = 0;
      inputs.forEach(function (input) {
        var n = parseInt(input.value, 10);
        if (!isNaN(n) && n > 0) sum += n;
      });
      out.value = sum.toLocaleString("ru-RU");
      out.textContent = sum.toLocaleString("ru-RU");
      var word = document.getElementById("participants-word");
      if (word) word.textContent = plural(sum, "участник", "участника", "участников");
    }
    inputs.forEach(function (input) { input.addEventListener("input", update); });
    out.closest("[hidden]") && out.closest("[hidden]").removeAttribute("hidden");
    update();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
