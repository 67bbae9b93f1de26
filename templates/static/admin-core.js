/* The staff console's core, shared by every screen (admin-*.js): the token, the staff API,
   formatting, the views and the address bar, signing in and out.
   Every figure comes from the staff API (/api/admin/...) with the token staff paste in; the token
   lives in sessionStorage only, so it goes when the tab closes (staff share office computers).
   Built with textContent only: nothing the server sends is ever parsed as HTML. ES5 only.

   A screen is one file loaded after this one. It registers itself on HR.admin:
     A.screen("qr", show)          -- #qr opens it; show(parts) gets the hash split on "/",
                                      and returning false falls back to the periods list;
     A.tab("stats", {open, reset}) -- a tab of one period (#period/<id>/stats); reset() wipes it
                                      when another period opens and on sign-out;
     A.onSignOut(fn)               -- wipes what else it drew: the lists hold personal data.
   Routing starts once every script has run (DOMContentLoaded). */
(function () {
  "use strict";
  if (!window.HR || !document.getElementById("view-signin")) return;

  var TOKEN_KEY = "hr-staff-token";
  var WEEKDAYS = "日一二三四五六";

  var A = {
    token: readToken(),
    periods: null,       // the staff listing, once loaded
    today: null,         // Beijing's date from /api/today: the office PC's clock may be off
    current: null        // the period on screen
  };
  HR.admin = A;

  var generation = 0;    // bumped on sign-out, so late answers draw nothing
  var screens = {};
  var signOutHooks = [];

  function $(id) { return document.getElementById(id); }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function cell(row, label, text, className) {
    var td = element("td", className || "", text);
    td.setAttribute("data-label", label);
    row.appendChild(td);
    return td;
  }

  function fact(list, term, value) {
    list.appendChild(element("dt", "", term));
    list.appendChild(element("dd", "", value));
  }

  function readToken() {
    try { return window.sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }

  function keepToken(value) {
    try { window.sessionStorage.setItem(TOKEN_KEY, value); } catch (e) { /* kept in memory only */ }
  }

  function dropToken() {
    try { window.sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* nothing kept */ }
  }

  /* ---- formatting ------------------------------------------------------------------- */

  function parseDate(iso) {
    var p = iso.split("-");
    return new Date(parseInt(p[0], 10), parseInt(p[1], 10) - 1, parseInt(p[2], 10));
  }

  function day(iso) {
    return iso + "（周" + WEEKDAYS.charAt(parseDate(iso).getDay()) + "）";
  }

  /* Instants come as Beijing ISO 8601 ("2026-09-01T10:23:45+08:00"): shown as they are. */
  function instant(value) {
    return value ? String(value).replace("T", " ").slice(0, 19) : "—";
  }

  function percent(fraction) {
    return Math.round(fraction * 1000) / 10 + "%";
  }

  function phase(period) {
    var today = A.today;
    if (!today) return { label: "", kind: "" };
    if (period.exam_date === today) return { label: "今日考试", kind: "exam" };
    if (period.exam_date < today) return { label: "已考试", kind: "done" };
    if (period.registration_opens <= today && today <= period.registration_closes) {
      return { label: "报名中", kind: "open" };
    }
    if (today < period.registration_opens) return { label: "未开始报名", kind: "later" };
    return { label: "报名已截止，待考试", kind: "waiting" };
  }

  /* ---- talking to the staff API ----------------------------------------------------- */

  function messageOf(answer, fallback) {
    if (answer.status === 0) return "网络连接失败，请检查网络后重试。";
    var error = answer.body && answer.body.error;
    return (error && error.message) || fallback + "（HTTP " + answer.status + "）";
  }

  /* A 401 anywhere ends the session with the server's message; the promise then never
     settles, so no caller draws anything for a signed-out user. So does a late answer. */
  function guarded(mine) {
    return function (answer) {
      if (mine !== generation) return new Promise(function () {});
      if (answer.status === 401) {
        signOut(messageOf(answer, "登录已失效，请重新登录。"));
        return new Promise(function () {});
      }
      return answer;
    };
  }

  /* A staff call: resolves to {status, body}. */
  function call(method, path, body) {
    return HR.api(method, path, body, A.token).then(guarded(generation));
  }

  /* A staff file (QR code, template, bank) by its own URL: a link or an <img> cannot send the
     Authorization header, and WeChat's browser cannot save a blob: URL, so the server signs a
     link that opens that one file for five minutes. Resolves to {status, url} or {status, body}. */
  function fileLink(path) {
    return call("POST", "api/admin/links", { path: path }).then(function (answer) {
      var link = answer.status === 200 && answer.body && answer.body.link;
      return link ? { status: 200, url: link.url, expiresAt: link.expires_at } : answer;
    });
  }

  /* A staff call with a body that is not JSON (a workbook's bytes): resolves to {status, body}. */
  function send(method, path, data, contentType) {
    return fetch(HR.root + path, {
      method: method,
      headers: { "Authorization": "Bearer " + A.token, "Content-Type": contentType },
      body: data,
      cache: "no-store",
      credentials: "same-origin"
    }).then(function (response) {
      return response.text().then(function (text) {
        var parsed = null;
        try { parsed = text ? JSON.parse(text) : null; } catch (e) { parsed = null; }
        return { status: response.status, body: parsed };
      });
    }, function () {
      return { status: 0, body: null };
    }).then(guarded(generation));
  }

  var XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

  /* A chosen file's contents: its bytes (an ArrayBuffer) or, with asText, its UTF-8 text. */
  function readFile(file, asText) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onerror = function () { reject(reader.error); };
      reader.onload = function () { resolve(reader.result); };
      if (asText) reader.readAsText(file, "utf-8"); else reader.readAsArrayBuffer(file);
    });
  }

  /* The console's one workbook upload: the file chosen in `input`, its bytes PUT to `path`.
     No file chosen (`missing` says which to choose) or an unreadable one is shown at `field`
     of `form` and resolves to null, nothing sent; otherwise to the server's {status, body}. */
  function uploadFile(form, input, field, missing, path) {
    var file = input.files && input.files[0];
    if (!file) {
      HR.showError(form, { message: missing, field: field });
      return Promise.resolve(null);
    }
    return readFile(file).then(function (bytes) {
      return send("PUT", path, bytes, XLSX);
    }, function () {
      HR.showError(form, { message: "文件读取失败，请重新选择。", field: field });
      return null;
    });
  }

  /* Downloads a staff file through a plain link (the server answers it as an attachment).
     Where the browser does not save it (WeChat opens downloads only in another browser), the
     link stays under the button, to long-press, copy or open, until it expires. */
  function download(path, errorSlot) {
    errorSlot.hidden = true;
    var shown = errorSlot.parentNode.querySelector('.download-link[data-for="' + errorSlot.id + '"]');
    if (shown) shown.parentNode.removeChild(shown);
    return fileLink(path).then(function (answer) {
      if (!answer.url) {
        errorSlot.textContent = messageOf(answer, "下载没有成功");
        errorSlot.hidden = false;
        return;
      }
      var note = element("p", "hint download-link no-print");
      note.setAttribute("data-for", errorSlot.id);
      note.appendChild(document.createTextNode("没有开始下载（如在微信中）？请点此链接，或长按复制后在浏览器中打开（5 分钟内有效）："));
      var link = element("a", "", path.replace(/^.*\//, ""));
      link.href = answer.url;
      note.appendChild(link);
      errorSlot.parentNode.insertBefore(note, errorSlot.nextSibling);
      link.click();
    });
  }

  /* ---- views and the address bar ---------------------------------------------------- */

  function showView(name) {
    var views = document.querySelectorAll(".view");
    for (var i = 0; i < views.length; i++) views[i].hidden = views[i].id !== "view-" + name;
    var signedIn = name !== "signin";
    $("admin-nav").hidden = !signedIn;
    $("sign-out").hidden = !signedIn;
    var links = $("admin-nav").querySelectorAll("a");
    for (var j = 0; j < links.length; j++) {
      var active = links[j].getAttribute("data-nav") === (name === "period" ? "periods" : name);
      links[j].className = active ? "active" : "";
      if (active) links[j].setAttribute("aria-current", "page"); else links[j].removeAttribute("aria-current");
    }
  }

  function screen(name, show) { screens[name] = show; }

  function onSignOut(fn) { signOutHooks.push(fn); }

  /* One period's tabs, in the order their scripts load: [{name, open, reset}]. */
  var tabs = [];

  function tab(name, handlers) {
    tabs.push({ name: name, open: handlers.open, reset: handlers.reset });
  }

  /* #<screen>/<more>; an unknown or empty hash shows the periods list. */
  function route() {
    if (!A.token) { showSignIn(); return; }
    var parts = location.hash.replace(/^#/, "").split("/");
    var show = screens.hasOwnProperty(parts[0]) ? screens[parts[0]] : screens.periods;
    if (show(parts) === false) screens.periods(parts);
  }

  function go(hash) {
    if (location.hash === hash) route(); else location.hash = hash;
  }

  /* ---- signing in and out ----------------------------------------------------------- */

  var signinForm = $("signin-form");

  function showSignIn(message) {
    showView("signin");
    if (message) HR.showError(signinForm, { message: message, field: "token" });
    else $("signin-token").focus();
  }

  signinForm.addEventListener("submit", function (event) {
    event.preventDefault();
    HR.clearErrors(signinForm);
    var typed = $("signin-token").value.replace(/^\s*bearer\s+/i, "").replace(/\s+/g, "");
    if (!typed) { HR.showError(signinForm, { message: "请粘贴工作人员令牌。", field: "token" }); return; }
    var button = signinForm.querySelector('button[type="submit"]');
    button.disabled = true;
    HR.api("GET", "api/admin/periods", undefined, typed).then(function (answer) {
      button.disabled = false;
      if (answer.status === 200 && answer.body) {
        A.token = typed;
        keepToken(typed);
        $("signin-token").value = "";
        A.periods = answer.body.periods;
        route();
        return;
      }
      HR.showError(signinForm, { message: messageOf(answer, "登录没有成功"), field: answer.status === 401 ? "token" : null });
    });
  });

  /* Forgets the token and wipes everything drawn with it: the lists hold personal data.
     A refused token (message given) keeps the address, so signing in again returns there. */
  function signOut(message) {
    generation += 1;
    A.token = null;
    dropToken();
    A.periods = null;
    A.current = null;
    for (var i = 0; i < tabs.length; i++) if (tabs[i].reset) tabs[i].reset();
    for (var j = 0; j < signOutHooks.length; j++) signOutHooks[j]();
    var links = document.querySelectorAll(".download-link");
    for (var k = 0; k < links.length; k++) links[k].parentNode.removeChild(links[k]);
    document.title = "工作人员控制台 · 北京市人力资源服务行业协会";
    if (!message && location.hash) history.replaceState(null, "", location.pathname + location.search);
    showSignIn(message);
  }

  $("sign-out").addEventListener("click", function () { signOut(null); });

  A.$ = $;
  A.element = element;
  A.clear = clear;
  A.cell = cell;
  A.fact = fact;
  A.day = day;
  A.instant = instant;
  A.percent = percent;
  A.phase = phase;
  A.messageOf = messageOf;
  A.call = call;
  A.fileLink = fileLink;
  A.send = send;
  A.XLSX = XLSX;
  A.readFile = readFile;
  A.uploadFile = uploadFile;
  A.download = download;
  A.showView = showView;
  A.screen = screen;
  A.onSignOut = onSignOut;
  A.tab = tab;
  A.tabs = tabs;
  A.go = go;

  /* Every screen's script has run by now (they all load after this one). */
  document.addEventListener("DOMContentLoaded", function () {
    window.addEventListener("hashchange", route);
    route();
  });
})();
