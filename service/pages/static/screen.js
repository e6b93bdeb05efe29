// The big screen: a full-screen button (browsers allow it only on a click), and a slow
// scroll through a board taller than the screen (inside <main>, under the sticky headings):
// down to the end, a pause, back to the top.
(function () {
  "use strict";
  var button = document.getElementById("screen-full");
  if (button && document.documentElement.requestFullscreen) {
    button.hidden = false;
    button.addEventListener("click", function () {
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen();
    });
  }
  var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var step = reduce ? 0 : 1;
  var pauseUntil = Date.now() + 4000;
  var position = 0;
  var area = document.getElementById("main");
  if (!area) return;
  function tick() {
    var room = area.scrollHeight - area.clientHeight;
    var now = Date.now();
    if (step && room > 4 && now >= pauseUntil) {
      if (position >= room) {
        position = 0;
        pauseUntil = now + 4000; // at the top again: let the leaders be read
      } else {
        position = Math.min(room, position + step);
        if (position >= room) pauseUntil = now + 3000; // the end: a pause before the top
      }
      area.scrollTop = position;
      area.dataset.scrolled = String(position);
    }
  }
  window.setInterval(tick, 40);
})();
