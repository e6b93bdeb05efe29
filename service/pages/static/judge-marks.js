/* The judge's marking page (/judge/<competition>/<component>): a mark is saved as soon as it
   changes (fetch, with the page's CSRF token), its answer shown beside the field (已保存, or
   the refusal and its rule), and the progress and the 提交 button follow. Without this script
   each form's button saves the mark and the page goes on to the next entrant. */
(function () {
  "use strict";
  var forms = document.querySelectorAll("form.judge-mark");
  if (!forms.length) { return; }
  var progress = document.getElementById("judge-progress");
  var bar = document.getElementById("judge-progress-bar");
  var submit = document.querySelector(".judge-submit-button");

  function status(form) {
    return form.querySelector(".judge-saved");
  }
  function clearError(form) {
    var old = form.querySelector(".field-error.from-script");
    if (old) { old.parentNode.removeChild(old); }
    var input = form.querySelector("input[name=mark]");
    input.removeAttribute("aria-invalid");
    input.closest(".field, td").classList.remove("has-error");
  }
  function showError(form, answer) {
    var input = form.querySelector("input[name=mark]");
    var p = document.createElement("p");
    p.className = "field-error from-script";
    p.id = input.id + "-error";
    p.setAttribute("role", "alert");
    p.textContent = answer.error + " ";
    if (answer.rule) {
      var rule = document.createElement("span");
      rule.className = "rule";
      var code = document.createElement("code");
      code.textContent = answer.rule;
      rule.appendChild(document.createTextNode(form.getAttribute("data-rule-label") || "规则 "));
      rule.appendChild(code);
      p.appendChild(rule);
    }
    input.parentNode.insertBefore(p, input);
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", p.id);
    input.closest(".field, td").classList.add("has-error");
  }
  function save(form) {
    var input = form.querySelector("input[name=mark]");
    var value = input.value.trim();
    if (value === "" || value === input.getAttribute("data-saved")) {
      return Promise.resolve(value !== "");
    }
    if (form.pending && form.pendingValue === value) { return form.pending; }
    form.pendingValue = value;
    form.pending = send(form, input).then(function (saved) {
      form.pending = null;
      return saved;
    });
    return form.pending;
  }
  function send(form, input) {
    var token = form.querySelector("input[name=csrf]").value;
    var shown = status(form);
    shown.classList.remove("failed");
    shown.textContent = form.getAttribute("data-saving") || "…";
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json", "X-CSRFToken": token },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json();
    }).then(function (answer) {
      clearError(form);
      if (progress) { progress.textContent = answer.progress; }
      if (bar) { bar.value = answer.marked; }
      if (submit) { submit.disabled = !answer.may_submit; }
      if (answer.saved) {
        input.setAttribute("data-saved", answer.mark);
        shown.textContent = form.getAttribute("data-saved-label") || "已保存";
        return true;
      }
      shown.textContent = "";
      showError(form, answer);
      return false;
    }).catch(function () {
      shown.classList.add("failed");
      shown.textContent = form.getAttribute("data-offline") || "未保存";
      return false;
    });
  }
  Array.prototype.forEach.call(forms, function (form) {
    var input = form.querySelector("input[name=mark]");
    input.setAttribute("data-saved", input.getAttribute("data-recorded") || "");
    input.addEventListener("change", function () { save(form); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save(form).then(function (saved) {
        var next = document.querySelector(".judge-steps a[rel=next]");
        if (saved && form.classList.contains("judge-single")) {
          if (next) { window.location.assign(next.href); } else { window.location.reload(); }
        }
      });
    });
  });
}());
