/* Shared by every page: the API client and how server errors reach the form.
   No framework, no other origin: this file and the page's own script are all. */
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "/";

  /* Calls a JSON route. Resolves to {status, body}; a lost connection resolves
     to {status: 0, body: null} so callers can tell "offline" from a refusal. */
  function api(method, path, body, token) {
    var headers = { "Content-Type": "application/json" };
    if (token) headers["Authorization"] = "Bearer " + token;
    return fetch(root + path.replace(/^\//, ""), {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "same-origin"
    }).then(function (response) {
      if (response.status === 204) return { status: 204, body: null };
      return response.text().then(function (text) {
        var parsed = null;
        try { parsed = text ? JSON.parse(text) : null; } catch (e) { parsed = null; }
        return { status: response.status, body: parsed };
      });
    }, function () {
      return { status: 0, body: null };
    });
  }

  function clearErrors(form) {
    var shown = form.querySelectorAll(".field-error");
    for (var i = 0; i < shown.length; i++) { shown[i].textContent = ""; shown[i].hidden = true; }
    var marked = form.querySelectorAll("[aria-invalid]");
    for (var j = 0; j < marked.length; j++) marked[j].removeAttribute("aria-invalid");
  }

  /* Puts a server error next to its field (an element with
     data-error-for="<field>"), or into the form's general message box. */
  function showError(form, error, fallback) {
    var message = (error && error.message) || fallback || "操作没有成功，请稍后重试。";
    var field = error && error.field;
    var slot = field ? form.querySelector('[data-error-for="' + field + '"]') : null;
    if (!slot) slot = form.querySelector('[data-error-for="_form"]');
    if (slot) { slot.textContent = message; slot.hidden = false; }
    var input = field ? form.querySelector('[name="' + field + '"]') : null;
    if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
    else if (slot) { slot.setAttribute("tabindex", "-1"); slot.focus(); }
    if (slot && slot.scrollIntoView) slot.scrollIntoView({ block: "center" });
  }

  var WEEKDAYS = "日一二三四五六";

  /* "2026-12-02" as every page writes a date: 2026年12月2日（星期三）. */
  function cnDate(isoDate) {
    var parts = String(isoDate).slice(0, 10).split("-");
    var year = parseInt(parts[0], 10), month = parseInt(parts[1], 10), day = parseInt(parts[2], 10);
    var weekday = new Date(year, month - 1, day).getDay();
    return year + "年" + month + "月" + day + "日（星期" + WEEKDAYS.charAt(weekday) + "）";
  }

  /* "2026-12-02T10:31:05+08:00" (Beijing time) as 2026年12月2日（星期三） 10:31. */
  function cnDateTime(isoDateTime) {
    var text = String(isoDateTime);
    return cnDate(text) + " " + text.slice(11, 16);
  }

  /* Moves the focus to a step's heading (a screen reader then reads where the candidate is). */
  function focusHeading(step) {
    var heading = step && step.querySelector("h1, h2");
    if (!heading) return;
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  window.HR = {
    api: api, root: root, clearErrors: clearErrors, showError: showError,
    cnDate: cnDate, cnDateTime: cnDateTime, focusHeading: focusHeading
  };
})();
