/* Column mapping and import progress: start the import, poll it, show the report. */
(function () {
  "use strict";
  var root = document.getElementById("mapping");
  if (!root) { return; }
  var result = document.getElementById("import-result");
  var bar = document.getElementById("import-bar");

  function poll(job) {
    window.phonebankApi.get("/api/admin/imports/" + job).then(function (s) {
      bar.value = s.percent;
      if (!s.finished) { window.setTimeout(function () { poll(job); }, 300); return; }
      if (s.error) { result.textContent = "Not imported: " + s.error; return; }
      var r = s.report;
      result.textContent = s.summary;
      if (r.errors.length > 0) {
        var link = document.getElementById("import-rejects");
        link.href = "/admin/imports/" + job + "/rejects.csv";
        link.hidden = false;
      }
    });
  }

  document.getElementById("map-import").addEventListener("click", function () {
    var mapping = {};
    root.querySelectorAll(".map-target").forEach(function (s) { mapping[s.getAttribute("data-column")] = s.value; });
    document.getElementById("import-progress").hidden = false;
    result.textContent = "Importing…";
    var body = { token: root.getAttribute("data-token"), list: document.getElementById("map-list").value, mapping: mapping };
    window.phonebankApi.post("/api/admin/contacts/import", body)
      .then(function (r) { document.getElementById("map-import").disabled = true; poll(r.job); })
      .catch(function (err) { result.textContent = "Not imported: " + err.message; });
  });
})();
