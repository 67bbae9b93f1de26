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

  /* How the server normalises what a candidate types (chalicelib/domain/identity.py), so a
     page never refuses what the server would accept: one copy, used by every page and run
     against the server's own table by tests/browser/test_normalise.py. */
  // Dashes a phone keyboard or a Chinese IME produces: Unicode's Pd and the minus sign, as the
  // server has it; a browser without property escapes gets the common ones.
  var DASHES;
  try { DASHES = new RegExp("[\\p{Pd}\\u2212]", "gu"); }
  catch (e) { DASHES = /[\-\u2010-\u2015\u2212\u2E3A\u2E3B\uFE31\uFE32\uFE58\uFE63\uFF0D]/g; }

  /* NFKC where the browser has it; otherwise the part that matters here:
     full-width ASCII and the ideographic space. */
  function halfWidth(text) {
    text = String(text == null ? "" : text);
    if (typeof text.normalize === "function") return text.normalize("NFKC");
    return text.replace(/[\uFF01-\uFF5E]/g, function (ch) {
      return String.fromCharCode(ch.charCodeAt(0) - 0xFEE0);
    }).replace(/\u3000/g, " ");
  }

  function trim(text) { return String(text == null ? "" : text).replace(/^\s+|\s+$/g, ""); }

  var normalise = {
    idNumber: function (text) { return halfWidth(text).replace(/\s+/g, "").toUpperCase(); },
    phone: function (text) {
      var phone = halfWidth(text).replace(/\s+/g, "").replace(DASHES, "");
      return phone.replace(/^(?:\+86|0086|86)(?=1[0-9]{10}$)/, "");
    },
    // The server keeps the local part as typed and lowercases the domain.
    email: function (text) {
      var email = trim(halfWidth(text));
      var at = email.lastIndexOf("@");
      if (at <= 0) return email;
      return email.slice(0, at + 1) + email.slice(at + 1).replace(/[\u3002\uFF61]/g, ".").toLowerCase();
    },
    // A name is not rewritten (it must match the ID card), only trimmed.
    name: trim
  };

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

  /* A failed attempt's feedback by topic (劳动合同 3/6) and when the next registration opens,
     into `box` (emptied first; hidden when there is none). Never the key: only counts come. */
  function showFeedback(box, feedback) {
    if (!box) return;
    while (box.firstChild) box.removeChild(box.firstChild);
    box.hidden = !feedback || !feedback.topics || !feedback.topics.length;
    if (box.hidden) return;
    var title = document.createElement("p");
    title.textContent = "各知识点答对题数：";
    box.appendChild(title);
    var list = document.createElement("ul");
    list.className = "topics";
    for (var i = 0; i < feedback.topics.length; i++) {
      var topic = feedback.topics[i];
      var item = document.createElement("li");
      item.textContent = topic.topic + " " + topic.right + "/" + topic.total;
      list.appendChild(item);
    }
    box.appendChild(list);
    var next = document.createElement("p");
    next.textContent = "建议重点复习答对较少的知识点。" + (feedback.next_registration_opens
      ? "下一期报名将于 " + cnDate(feedback.next_registration_opens) + " 开放。"
      : "下一期报名将于本次考试后的第一个工作日开放。");
    box.appendChild(next);
  }

  window.HR = {
    api: api, root: root, clearErrors: clearErrors, showError: showError,
    cnDate: cnDate, cnDateTime: cnDateTime, focusHeading: focusHeading, normalise: normalise,
    showFeedback: showFeedback
  };
})();
