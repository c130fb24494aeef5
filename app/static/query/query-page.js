/* The SPARQL query page: YASQE (editor) and YASR (results) from the self-hosted YASGUI bundle.
 *
 * Nothing here may reach another host (DEVELOPERS.md: no CDN, no third party): the editor's
 * completions that call Linked Open Vocabularies ("class", "property") or prefix.cc
 * (prefixCcApi) are switched off, share links and local persistence are off, and queries go to
 * this site's /sparql only. tests/test_query_page.py records every request to prove it.
 * Without JavaScript the page is a plain form that posts to /sparql.
 */
(function () {
  "use strict";

  var form = document.getElementById("sparql-form");
  var dataElement = document.getElementById("query-page-data");
  if (!form || !dataElement || !window.Yasgui) {
    return; // the plain form keeps working
  }
  var data = JSON.parse(dataElement.textContent);
  var Yasqe = window.Yasgui.Yasqe;
  var Yasr = window.Yasgui.Yasr;
  var textarea = document.getElementById("query");
  var editorElement = document.getElementById("editor");
  var results = document.getElementById("results");
  var status = document.getElementById("status");

  // Completions that stay in the browser: variables of the query, and prefixes from the list
  // bundled with YASQE (prefixCcApi null). YASQE merges its config into the defaults with
  // lodash (arrays merge index by index), so the defaults themselves are replaced too: a
  // refreshed bundle that turns LOV completion on by default still cannot call out.
  var localCompleters = ["variables", "prefixes"];
  Yasqe.defaults.autocompleters = localCompleters.slice();
  Yasqe.defaults.prefixCcApi = null;

  var yasqe = new Yasqe(editorElement, {
    value: textarea.value,
    autocompleters: localCompleters.slice(),
    prefixCcApi: null,
    persistenceId: null,
    consumeShareLink: null,
    createShareableLink: null,
    createShortLink: undefined,
    showQueryButton: false,
    resizeable: true,
    editorHeight: "360px",
    requestConfig: {
      endpoint: data.endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle",
      acceptHeaderUpdate: "application/json",
      namedGraphs: [],
      defaultGraphs: [],
      args: [],
      headers: {},
      withCredentials: false
    }
  });

  var yasr = new Yasr(document.getElementById("yasr"), {
    prefixes: data.prefixes,
    persistenceId: null,
    defaultPlugin: "table",
    pluginOrder: ["table", "response"],
    getPlainQueryLinkToEndpoint: undefined
  });

  textarea.hidden = true;
  form.querySelector("label[for=query]").hidden = true;
  editorElement.hidden = false;
  yasqe.refresh();

  yasqe.on("queryResponse", function (_yasqe, response, duration) {
    results.hidden = false;
    yasr.setResponse(response, duration);
    status.textContent = yasr.results && yasr.results.hasError() ? "Erreur." : "Terminé.";
  });

  function run(event) {
    if (event) {
      event.preventDefault();
    }
    textarea.value = yasqe.getValue(); // kept in step: the plain form still posts the same text
    status.textContent = "Requête en cours…";
    yasqe.query().catch(function () { /* shown by YASR through "queryResponse" */ });
  }
  form.addEventListener("submit", run);

  var examples = {};
  data.examples.forEach(function (example) { examples[example.name] = example; });
  Array.prototype.forEach.call(document.querySelectorAll("button.load-example"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var example = examples[button.getAttribute("data-example")];
      yasqe.setValue(example.query);
      textarea.value = example.query;
      editorElement.scrollIntoView({ block: "start" });
      yasqe.focus();
    });
  });
})();
