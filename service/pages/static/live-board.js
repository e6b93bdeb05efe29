// The live board (competition page and big screen): one EventSource on the table's
// data-events-url; each "board" event carries the whole board as this viewer may see it, and the
// rows are updated in place (cells that changed are marked for a moment). The browser
// reconnects by itself and sends Last-Event-ID, so the server sends only what changed since.
// Without script the page shows the board as it was rendered.
(function () {
  "use strict";
  var table = document.getElementById("board");
  if (!table || !table.dataset.eventsUrl || !window.EventSource) return;
  var rows = document.getElementById("board-rows");
  var note = document.getElementById("board-updated");
  var hiddenNote = document.getElementById("board-hidden");
  var status = document.getElementById("board-status");
  var fields = Array.prototype.map.call(table.querySelectorAll("thead th[data-field]"), function (th) {
    return th.dataset.field;
  });

  function value(row, field) {
    var parts = field.split(".");
    var found = row[parts[0]];
    if (parts.length > 1 && found) found = found[parts.slice(1).join(".")];
    return found === null || found === undefined || found === "" ? "–" : String(found);
  }
  function emptyRow() {
    var tr = document.createElement("tr");
    tr.className = "empty";
    var td = document.createElement("td");
    td.colSpan = fields.length;
    td.textContent = note ? note.dataset.empty : "–";
    tr.appendChild(td);
    return tr;
  }
  function draw(board) {
    var existing = {};
    Array.prototype.forEach.call(rows.querySelectorAll("tr[data-key]"), function (tr) {
      existing[tr.dataset.key] = tr;
    });
    var empty = rows.querySelector("tr.empty");
    if (empty) rows.removeChild(empty);
    var kept = {};
    board.items.forEach(function (item) {
      var key = item.group + ":" + item.entrant_number;
      var tr = existing[key];
      if (!tr) {
        tr = document.createElement("tr");
        tr.dataset.key = key;
        fields.forEach(function () { tr.appendChild(document.createElement("td")); });
      }
      fields.forEach(function (field, index) {
        var td = tr.children[index];
        var text = value(item, field);
        if (td.textContent !== text) {
          if (td.textContent !== "") td.classList.add("changed");
          td.textContent = text;
        }
      });
      kept[key] = true;
      rows.appendChild(tr); // moves an existing row to its new place
    });
    Object.keys(existing).forEach(function (key) {
      if (!kept[key]) rows.removeChild(existing[key]);
    });
    if (!board.items.length) rows.appendChild(emptyRow());
    window.setTimeout(function () {
      Array.prototype.forEach.call(rows.querySelectorAll("td.changed"), function (td) {
        td.classList.remove("changed");
      });
    }, 2500);
    table.hidden = false;
    if (hiddenNote) hiddenNote.hidden = true;
    if (status && board.status_label) status.textContent = board.status_label;
    if (note) note.textContent = note.dataset.updated + " " + new Date().toLocaleTimeString();
    document.dispatchEvent(new CustomEvent("board-drawn"));
  }

  var lastId = "";
  var finished = false;
  function connect() {
    // After an answer other than 200 (a server at its stream limit answers 503) the browser
    // gives up; then this tries again itself, a few seconds later, from the last event seen.
    var url = table.dataset.eventsUrl;
    if (lastId) url += (url.indexOf("?") < 0 ? "?" : "&") + "last_event_id=" + encodeURIComponent(lastId);
    var source = new EventSource(url);
    source.addEventListener("board", function (event) {
      lastId = event.lastEventId || lastId;
      table.dataset.logPosition = lastId;
      var board = JSON.parse(event.data);
      draw(board);
      if (board.final) { finished = true; source.close(); }
    });
    source.addEventListener("hidden", function (event) {
      lastId = event.lastEventId || lastId;
      table.hidden = true;
      if (hiddenNote) hiddenNote.hidden = false;
    });
    source.addEventListener("open", function () {
      table.dataset.live = "open";
    });
    source.addEventListener("error", function () {
      table.dataset.live = "reconnecting";
      if (note && note.dataset.offline) note.textContent = note.dataset.offline;
      if (source.readyState === EventSource.CLOSED && !finished) {
        window.setTimeout(connect, 3000 + Math.random() * 4000);
      }
    });
  }
  connect();
})();
