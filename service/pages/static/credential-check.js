// Verify a dropped or chosen credential file: the browser reads it and POSTs it, byte for byte,
// as {"verifiableCredential": <file>} to /credentials/verify, then lists each check. A valid
// credential whose issuer is not filed here says so rather than "valid".
(function () {
  "use strict";
  var form = document.querySelector(".drop-form");
  if (!form) return;
  var zone = document.getElementById("drop-zone");
  var input = document.getElementById("credential-file");
  var out = document.getElementById("file-result");
  var texts = document.getElementById("file-texts").dataset;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function textFor(prefix, key) {
    var name = (prefix + "-" + key.replace(/_/g, "-")).replace(/-([a-z])/g, function (_, c) {
      return c.toUpperCase();
    });
    return texts[name] || key;
  }
  function show(result) {
    out.textContent = "";
    var ok = !!result.verified;
    // a valid credential of an issuer not filed here: its issuer_filed check is skipped
    var filed = (result.checks || []).some(function (c) {
      return c.check === "issuer_filed" && c.status === "passed";
    });
    var verdict = ok ? (filed ? "ok" : "foreign") : "bad";
    out.appendChild(el("p", "verdict verdict-" + verdict, texts[verdict]));
    var list = el("ul", "checks");
    (result.checks || []).forEach(function (c) {
      var item = el("li", "check check-" + c.status);
      item.appendChild(el("span", "check-status", textFor("status", c.status)));
      item.appendChild(el("span", "check-name", textFor("check", c.check)));
      if (c.detail) item.appendChild(el("span", "check-detail", c.detail));
      list.appendChild(item);
    });
    out.appendChild(list);
    out.dataset.verified = ok ? "true" : "false";
  }
  function fail(detail) {
    show({ verified: false, checks: [{ check: "credential", status: "failed", detail: detail }] });
  }
  function check(file) {
    if (!file) return;
    out.dataset.verified = "";
    out.textContent = texts.checking;
    file.text().then(function (text) {
      var body = '{"verifiableCredential":' + text + "}";
      return fetch(form.dataset.verifyUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: body,
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (answer) {
          if (response.ok) show(answer);
          else fail(answer.detail || answer.title || String(response.status));
        });
      });
    }).catch(function () { fail(texts.unreadable); });
  }
  input.addEventListener("change", function () { check(input.files[0]); });
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (event) {
      event.preventDefault();
      zone.classList.add("dragging");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function (event) {
      event.preventDefault();
      zone.classList.remove("dragging");
    });
  });
  zone.addEventListener("drop", function (event) {
    var files = event.dataTransfer && event.dataTransfer.files;
    if (files && files.length) check(files[0]);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    check(input.files[0]);
  });
})();
