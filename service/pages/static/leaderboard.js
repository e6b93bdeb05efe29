// The live leaderboard: while marking, poll board.json and redraw the rows.
(function () {
  "use strict";
  var table = document.getElementById("board");
  if (!table || !table.dataset.boardUrl) return;
  var rows = document.getElementById("board-rows");
  var note = document.getElementById("board-updated");
  var every = Math.max(1, parseFloat(table.dataset.pollSeconds || "2")) * 1000;
  var shown = "";

  function cell(text) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined || text === "" ? "–" : String(text);
    return td;
  }
  function draw(board) {
    var key = JSON.stringify(board.items);
    if (key === shown) return;
    shown = key;
    rows.textContent = "";
    if (!board.items.length) {
      var tr = document.createElement("tr");
      var td = cell(note.dataset.empty);
      td.colSpan = 8;
      tr.appendChild(td);
      rows.appendChild(tr);
    }
    board.items.forEach(function (r) {
      var tr = document.createElement("tr");
      [r.rank, r.entrant_number, r.name, r.employer_name, r.total, r.standardised, r.award_label, r.group_label]
        .forEach(function (value) { tr.appendChild(cell(value)); });
      rows.appendChild(tr);
    });
    note.textContent = note.dataset.updated + " " + new Date().toLocaleTimeString();
    table.dataset.logPosition = String(board.log_position);
  }
  function poll() {
    fetch(table.dataset.boardUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (board) {
        if (board) {
          draw(board);
          if (board.final) { window.location.reload(); return; }
        }
        window.setTimeout(poll, every);
      })
      .catch(function () { window.setTimeout(poll, every); });
  }
  window.setTimeout(poll, every);
})();
