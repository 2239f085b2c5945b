/* Phonebank page helpers: JSON calls to the app's API with the CSRF header.
 *
 *   phonebankApi.get("/api/session").then(...)
 *   phonebankApi.post("/api/...", {key: "value"})   // also put(), del()
 *
 * Each call resolves to the parsed JSON body; a refusal rejects with an Error carrying
 * `status`, `code` (the machine-readable id, e.g. "csrf_failed") and the server's message.
 * A 401 (signed out or expired) sends the browser to the login page.
 */
(function () {
  "use strict";

  function token() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  async function call(method, url, body) {
    var headers = { "Accept": "application/json", "X-CSRF-Token": token() };
    var init = { method: method, headers: headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    var response = await fetch(url, init);
    var data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (response.status === 401) {
      window.location.href = "/login?next=" + encodeURIComponent(window.location.pathname);
    }
    if (!response.ok) {
      var err = new Error((data && data.message) || ("Request failed (" + response.status + ")"));
      err.status = response.status;
      err.code = data && data.error;
      throw err;
    }
    return data;
  }

  window.phonebankApi = {
    get: function (url) { return call("GET", url); },
    post: function (url, body) { return call("POST", url, body === undefined ? {} : body); },
    put: function (url, body) { return call("PUT", url, body === undefined ? {} : body); },
    del: function (url) { return call("DELETE", url); }
  };
})();
