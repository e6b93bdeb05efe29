// The audit page's proof checker, run in the browser: RFC 9162 inclusion and consistency
// proofs recomputed with WebCrypto SHA-256, and each tree head's Ed25519 signature checked with
// WebCrypto against the ledger's public key (Multikey z6Mk…). Nothing is asked of the server
// except, on request, the public proofs to check ("load inclusion proof").
(function () {
  "use strict";
  var form = document.getElementById("proof-form");
  if (!form) return;
  var out = document.getElementById("proof-result");
  var texts = document.getElementById("proof-texts").dataset;
  var subtle = window.crypto && window.crypto.subtle;
  var ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

  function b64(text) {
    var raw = atob(String(text));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }
  function b58(text) {
    var n = 0n;
    for (var i = 0; i < text.length; i++) {
      var d = ALPHABET.indexOf(text[i]);
      if (d < 0) throw new Error("not base58");
      n = n * 58n + BigInt(d);
    }
    var bytes = [];
    while (n > 0n) { bytes.unshift(Number(n % 256n)); n = n / 256n; }
    for (var j = 0; j < text.length && text[j] === "1"; j++) bytes.unshift(0);
    return new Uint8Array(bytes);
  }
  function concat() {
    var total = 0, i;
    for (i = 0; i < arguments.length; i++) total += arguments[i].length;
    var result = new Uint8Array(total), offset = 0;
    for (i = 0; i < arguments.length; i++) { result.set(arguments[i], offset); offset += arguments[i].length; }
    return result;
  }
  function equal(a, b) {
    if (a.length !== b.length) return false;
    var diff = 0;
    for (var i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
    return diff === 0;
  }
  async function sha256(bytes) { return new Uint8Array(await subtle.digest("SHA-256", bytes)); }
  function nodeHash(left, right) { return sha256(concat(new Uint8Array([1]), left, right)); }
  function hash32(text, what) {
    var bytes = b64(text);
    if (bytes.length !== 32) throw new Error(what + " is not a 32-byte hash");
    return bytes;
  }
  function u64(value) {
    var n = BigInt(value), bytes = new Uint8Array(8);
    for (var i = 7; i >= 0; i--) { bytes[i] = Number(n & 255n); n >>= 8n; }
    return bytes;
  }

  async function rootFromInclusion(leaf, index, size, path) {
    var fn = BigInt(index), sn = BigInt(size) - 1n, r = leaf;
    if (fn < 0n || fn > sn) throw new Error("leaf index " + index + " is not below tree size " + size);
    for (var i = 0; i < path.length; i++) {
      if (sn === 0n) throw new Error("proof is longer than the tree is deep");
      if ((fn & 1n) === 1n || fn === sn) {
        r = await nodeHash(path[i], r);
        while (fn !== 0n && (fn & 1n) === 0n) { fn >>= 1n; sn >>= 1n; }
      } else {
        r = await nodeHash(r, path[i]);
      }
      fn >>= 1n; sn >>= 1n;
    }
    if (sn !== 0n) throw new Error("proof is shorter than the tree is deep");
    return r;
  }

  async function checkConsistency(first, second, firstRoot, secondRoot, proof) {
    if (!(0 < first && first <= second)) throw new Error("no consistency proof from " + first + " to " + second);
    if (first === second) {
      if (proof.length) throw new Error("proof between equal sizes must be empty");
      if (!equal(firstRoot, secondRoot)) throw new Error("equal sizes with different root hashes");
      return;
    }
    if (!proof.length) throw new Error("proof is empty");
    var path = proof.slice();
    var f = BigInt(first);
    if ((f & (f - 1n)) === 0n) path.unshift(firstRoot);
    var fn = f - 1n, sn = BigInt(second) - 1n;
    while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
    var fr = path[0], sr = path[0];
    for (var i = 1; i < path.length; i++) {
      if (sn === 0n) throw new Error("proof is longer than the trees are deep");
      if ((fn & 1n) === 1n || fn === sn) {
        fr = await nodeHash(path[i], fr);
        sr = await nodeHash(path[i], sr);
        while (fn !== 0n && (fn & 1n) === 0n) { fn >>= 1n; sn >>= 1n; }
      } else {
        sr = await nodeHash(sr, path[i]);
      }
      fn >>= 1n; sn >>= 1n;
    }
    if (sn !== 0n) throw new Error("proof is shorter than the trees are deep");
    if (!equal(fr, firstRoot)) throw new Error("proof leads to a different first root hash");
    if (!equal(sr, secondRoot)) throw new Error("proof leads to a different second root hash");
  }

  async function headSignature(head, keyText) {
    var name = "tree head " + head.tree_size + " signature";
    var raw = keyText.trim();
    if (!raw) return { check: name, status: "unknown", detail: "no public key given" };
    var keyBytes = raw[0] === "z" ? b58(raw.slice(1)) : b64(raw);
    if (keyBytes.length === 34 && keyBytes[0] === 0xed && keyBytes[1] === 0x01) keyBytes = keyBytes.slice(2);
    if (keyBytes.length !== 32) return { check: name, status: "invalid", detail: "not an Ed25519 key" };
    var message = concat(new TextEncoder().encode("craftledger-tree-head"), new Uint8Array([1]),
      u64(head.tree_size), u64(head.timestamp), hash32(head.sha256_root_hash, "root hash"));
    var key;
    try {
      key = await subtle.importKey("raw", keyBytes, { name: "Ed25519" }, false, ["verify"]);
    } catch (error) {
      return { check: name, status: "unknown", detail: texts.unsupported };
    }
    var ok = await subtle.verify({ name: "Ed25519" }, key, b64(head.tree_head_signature), message);
    return ok ? { check: name, status: "valid", detail: "Ed25519 (WebCrypto)" }
      : { check: name, status: "invalid", detail: "signature does not verify with this key" };
  }

  async function run(headsDoc, proof, keyText) {
    var heads = Array.isArray(headsDoc) ? headsDoc : [headsDoc];
    var checks = [], bySize = {};
    for (var i = 0; i < heads.length; i++) {
      checks.push(await headSignature(heads[i], keyText));
      bySize[heads[i].tree_size] = hash32(heads[i].sha256_root_hash, "root hash");
    }
    if (proof && proof.audit_path) {
      var name = "inclusion of leaf " + proof.leaf_index + " in tree " + proof.tree_size;
      var root = bySize[proof.tree_size];
      if (!root) { checks.push({ check: name, status: "invalid", detail: "no tree head of size " + proof.tree_size + " given" }); return checks; }
      try {
        var path = proof.audit_path.map(function (h, n) { return hash32(h, "proof element " + n); });
        var computed = await rootFromInclusion(hash32(proof.leaf_hash, "leaf hash"), proof.leaf_index, proof.tree_size, path);
        if (!equal(computed, root)) throw new Error("proof leads to a different root hash");
        checks.push({ check: name, status: "valid", detail: "SHA-256 (WebCrypto)" });
      } catch (error) { checks.push({ check: name, status: "invalid", detail: error.message }); }
    } else if (proof && proof.consistency) {
      var cname = "consistency of tree " + proof.first + " with tree " + proof.second;
      if (!bySize[proof.first] || !bySize[proof.second]) { checks.push({ check: cname, status: "invalid", detail: "both tree heads are needed" }); return checks; }
      try {
        var cpath = proof.consistency.map(function (h, n) { return hash32(h, "proof element " + n); });
        await checkConsistency(proof.first, proof.second, bySize[proof.first], bySize[proof.second], cpath);
        checks.push({ check: cname, status: "valid", detail: "the first tree is a prefix of the second" });
      } catch (error) { checks.push({ check: cname, status: "invalid", detail: error.message }); }
    } else {
      checks.push({ check: "proof", status: "invalid", detail: "neither an inclusion (audit_path) nor a consistency proof" });
    }
    return checks;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function show(checks) {
    var ok = checks.length > 0 && checks.every(function (c) { return c.status === "valid"; });
    out.textContent = "";
    out.appendChild(el("p", "verdict verdict-" + (ok ? "ok" : "bad"), ok ? texts.ok : texts.bad));
    var list = el("ul", "checks");
    checks.forEach(function (c) {
      var item = el("li", "check check-" + c.status);
      item.appendChild(el("span", "check-status", texts[c.status] || c.status));
      item.appendChild(document.createTextNode(" "));
      item.appendChild(el("span", "check-name", c.check));
      item.appendChild(el("span", "check-detail", c.detail));
      list.appendChild(item);
    });
    out.appendChild(list);
    out.dataset.verified = ok ? "true" : "false";
  }

  function readInto(fileInput, textarea) {
    fileInput.addEventListener("change", function () {
      if (fileInput.files[0]) fileInput.files[0].text().then(function (t) { textarea.value = t; });
    });
  }
  readInto(document.getElementById("tree_head_file"), document.getElementById("tree_head"));
  readInto(document.getElementById("proof_file"), document.getElementById("proof"));

  document.getElementById("check-in-browser").addEventListener("click", function () {
    var heads, proof;
    out.dataset.verified = "";
    try {
      heads = JSON.parse(document.getElementById("tree_head").value);
      proof = JSON.parse(document.getElementById("proof").value);
    } catch (error) {
      show([{ check: "input", status: "invalid", detail: texts.badjson }]);
      return;
    }
    run(heads, proof, document.getElementById("public_key").value)
      .then(show)
      .catch(function (error) { show([{ check: "input", status: "invalid", detail: error.message }]); });
  });

  Array.prototype.forEach.call(document.querySelectorAll(".load-proof"), function (button) {
    button.addEventListener("click", function () {
      var index = encodeURIComponent(button.dataset.leaf);
      fetch("/api/v1/audit/proofs/inclusion?index=" + index)
        .then(function (r) { return r.json(); })
        .then(function (proof) {
          return fetch("/api/v1/audit/tree-head?size=" + encodeURIComponent(proof.tree_size))
            .then(function (r) { return r.json(); })
            .then(function (head) {
              document.getElementById("tree_head").value = JSON.stringify(head, null, 2);
              document.getElementById("proof").value = JSON.stringify(proof, null, 2);
              document.getElementById("check-in-browser").focus();
            });
        });
    });
  });
})();
