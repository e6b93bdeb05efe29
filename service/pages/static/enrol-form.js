/* The candidate enrolment form (console, 考生): once a route is chosen, show only the evidence
   it needs (each radio's data-needs names the fieldsets' data-need). A fieldset already filled
   in stays shown. Without JavaScript every fieldset shows, each route saying what it needs. */
(function () {
  "use strict";
  var form = document.getElementById("enrol-form");
  if (!form) { return; }
  function filled(set) {
    return Array.prototype.some.call(set.querySelectorAll("input, select"), function (field) {
      return field.value !== "";
    });
  }
  function update() {
    var chosen = form.querySelector("input[name=route]:checked");
    var needs = chosen ? (chosen.getAttribute("data-needs") || "").split(" ") : null;
    Array.prototype.forEach.call(form.querySelectorAll("fieldset[data-need]"), function (set) {
      var needed = needs === null || needs.indexOf(set.getAttribute("data-need")) >= 0;
      set.hidden = !needed && !filled(set);
    });
  }
  form.addEventListener("change", update);
  update();
})();
