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
  var english = data.lang === "en";
  var say = function (french, inEnglish) { return english ? inEnglish : french; };

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
    collapsePrefixesOnLoad: true,
    editorHeight: "300px",
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

  // DataTables' own strings, in French (a local object: no language file is fetched).
  if (!english) Yasr.plugins.table.defaults.tableConfig.language = {
    paginate: { first: "&lt;&lt;", last: "&gt;&gt;", next: "&gt;", previous: "&lt;" },
    info: "Lignes _START_ à _END_ sur _TOTAL_",
    infoEmpty: "Aucune ligne",
    infoFiltered: "(filtrées parmi _MAX_)",
    emptyTable: "Aucun résultat",
    zeroRecords: "Aucune ligne ne correspond au filtre",
    lengthMenu: "_MENU_ lignes par page"
  };

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

  yasr.on("drawn", function () {
    if (!english) translateResultControls(document.getElementById("yasr"));
  });

  yasqe.on("queryResponse", function (_yasqe, response, duration) {
    results.hidden = false;
    yasr.setResponse(response, duration);
    status.textContent = yasr.results && yasr.results.hasError() ? say("Erreur.", "Error.")
                                                                 : say("Terminé.", "Done.");
  });

  // YASR writes its controls in English; the interface is French unless asked (DEVELOPERS.md).
  function translateResultControls(root) {
    var texts = {
      ".select_table span": "Tableau", ".select_response span": "Réponse",
      ".select_boolean span": "Booléen", ".select_error span": "Erreur",
      ".pageSizerLabel": "Lignes par page : "
    };
    Object.keys(texts).forEach(function (selector) {
      Array.prototype.forEach.call(root.querySelectorAll(selector), function (element) {
        element.textContent = texts[selector];
      });
    });
    var labels = { "Simple view": "Vue simple", "Ellipse": "Abréger les valeurs longues" };
    Array.prototype.forEach.call(root.querySelectorAll(".tableControls .label"), function (element) {
      element.textContent = labels[element.textContent] || element.textContent;
    });
    Array.prototype.forEach.call(root.querySelectorAll(".tableFilter"), function (element) {
      element.placeholder = "Filtrer les résultats";
      element.setAttribute("aria-label", "Filtrer les résultats");
    });
    Array.prototype.forEach.call(root.querySelectorAll(".tableSizer option[value='-1']"), function (element) {
      element.textContent = "Toutes";
    });
    Array.prototype.forEach.call(root.querySelectorAll(".yasr_downloadIcon"), function (element) {
      element.title = "Télécharger les résultats";
      element.setAttribute("aria-label", "Télécharger les résultats");
    });
    Array.prototype.forEach.call(root.querySelectorAll(".yasr_external_ref_btn"), function (element) {
      element.hidden = true; // English documentation on another site
    });
    var chip = root.querySelector(".yasr_response_chip");
    var match = chip && chip.textContent.match(/^(\d+) results? in ([\d.]+) seconds?/);
    if (match) {
      chip.textContent = match[1] + (match[1] === "1" ? " résultat" : " résultats") + " en " +
        match[2].replace(".", ",") + " s";
    }
  }

  function run(event) {
    if (event) {
      event.preventDefault();
    }
    textarea.value = yasqe.getValue(); // kept in step: the plain form still posts the same text
    status.textContent = say("Requête en cours…", "Running…");
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
