// Starts Swagger UI on /docs (no inline script: the pages' CSP allows none). The document's URL
// comes from the container's data-spec-url; the validator badge (an outside service) is off.
(function () {
  var container = document.getElementById("swagger-ui");
  if (!container || typeof window.SwaggerUIBundle !== "function") return;
  container.textContent = "";
  window.ui = window.SwaggerUIBundle({
    url: container.getAttribute("data-spec-url"),
    domNode: container,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null,
    queryConfigEnabled: false,
    tryItOutEnabled: false,
  });
})();
