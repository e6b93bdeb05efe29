/* Score entry grid (/console/sessions/<id>/scores): Enter moves to the same examiner's cell of
   the next candidate (Shift+Enter: the one above) instead of submitting, so a column typed from
   one examiner's sheet needs no Tab; a cell that differs from the recorded mark is marked as
   changed. Without this script Tab moves along the row and Enter saves. */
(function () {
  "use strict";
  var form = document.querySelector(".score-grid-form");
  if (!form) { return; }
  function column(input) {
    var cell = input.closest("td");
    var table = input.closest("table");
    var index = Array.prototype.indexOf.call(cell.parentNode.children, cell);
    return Array.prototype.map.call(table.querySelectorAll("tbody tr"), function (row) {
      var target = row.children[index];
      return target ? target.querySelector("input") : null;
    }).filter(Boolean);
  }
  form.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !input.matches(".score-cell input")) { return; }
    event.preventDefault();
    var cells = column(input);
    var next = cells[cells.indexOf(input) + (event.shiftKey ? -1 : 1)];
    if (next) { next.focus(); next.select(); }
  });
  form.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches(".score-cell input")) { return; }
    var recorded = input.getAttribute("data-recorded");
    var changed = recorded === null ? input.value.trim() !== "" : input.value.trim() !== recorded;
    input.closest("td").classList.toggle("changed", changed);
  });
}());
