/* The staff console: periods, papers, statistics, registrations, the export and the QR poster.
   Every figure comes from the staff API (/api/admin/...) with the token staff paste in; the token
   lives in sessionStorage only, so it goes when the tab closes (staff share office computers).
   Built with textContent only: nothing the server sends is ever parsed as HTML. ES5 only. */
(function () {
  "use strict";
  if (!window.HR || !document.getElementById("view-signin")) return;

  var TOKEN_KEY = "hr-staff-token";
  var PAGE_SIZE = 50;
  var WEEKDAYS = "日一二三四五六";
  var STATUS = { registered: "已报名", passed: "通过", failed: "未通过", absent: "缺考" };
  var TABS = ["paper", "stats", "registrations", "export"];

  var token = readToken();
  var periods = null;       // the staff listing, once loaded
  var today = null;         // Beijing's date from /api/today: the office PC's clock may be off
  var current = null;       // the period on screen
  var cursor = null;        // the next page of the period's registrations
  var qrUrl = null;         // the blob: URL the poster shows
  var generation = 0;       // bumped on sign-out, so late answers draw nothing

  function $(id) { return document.getElementById(id); }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

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

  /* A staff call. A 401 anywhere ends the session with the server's message; the
     promise then never settles, so no caller draws anything for a signed-out user. */
  function call(method, path, body) {
    var mine = generation;
    return HR.api(method, path, body, token).then(function (answer) {
      if (mine !== generation) return new Promise(function () {});
      if (answer.status === 401) {
        signOut(messageOf(answer, "登录已失效，请重新登录。"));
        return new Promise(function () {});
      }
      return answer;
    });
  }

  /* A binary staff route (QR code, template) as a Blob: an <img> or a link cannot send
     the Authorization header, so the page fetches it and hands the browser a blob: URL. */
  function fetchBlob(path, accept) {
    var mine = generation;
    return fetch(HR.root + path, {
      method: "GET",
      headers: { "Authorization": "Bearer " + token, "Accept": accept },
      cache: "no-store",
      credentials: "same-origin"
    }).then(function (response) {
      if (response.ok) {
        return response.blob().then(function (blob) { return { status: response.status, blob: blob }; });
      }
      return response.text().then(function (text) {
        var parsed = null;
        try { parsed = JSON.parse(text); } catch (e) { parsed = null; }
        return { status: response.status, body: parsed };
      });
    }, function () {
      return { status: 0, body: null };
    }).then(function (answer) {
      if (mine !== generation) return new Promise(function () {});
      if (answer.status === 401) {
        signOut(messageOf(answer, "登录已失效，请重新登录。"));
        return new Promise(function () {});
      }
      return answer;
    });
  }

  function download(path, accept, filename, errorSlot) {
    errorSlot.hidden = true;
    return fetchBlob(path, accept).then(function (answer) {
      if (!answer.blob) {
        errorSlot.textContent = messageOf(answer, "下载没有成功");
        errorSlot.hidden = false;
        return;
      }
      var url = URL.createObjectURL(answer.blob);
      var link = element("a");
      link.href = url;
      link.download = filename;
      document.body.appendChild(link);
      link.click();
      document.body.removeChild(link);
      setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
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

  function route() {
    if (!token) { showSignIn(); return; }
    var parts = location.hash.replace(/^#/, "").split("/");
    if (parts[0] === "qr") { showQr(); return; }
    if (parts[0] === "period" && parts[1]) {
      showPeriod(decodeURIComponent(parts[1]), TABS.indexOf(parts[2]) >= 0 ? parts[2] : "paper");
      return;
    }
    showPeriods();
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
        token = typed;
        keepToken(typed);
        $("signin-token").value = "";
        periods = answer.body.periods;
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
    token = null;
    dropToken();
    periods = null;
    current = null;
    cursor = null;
    if (qrUrl) { URL.revokeObjectURL(qrUrl); qrUrl = null; }
    $("qr-image").removeAttribute("src");
    $("qr-image").hidden = true;
    clear($("periods-table").querySelector("tbody"));
    clear($("registrations-table").querySelector("tbody"));
    clear($("stats-tiles"));
    clear($("stats-questions").querySelector("tbody"));
    $("paper-result").hidden = true;
    $("export-result").hidden = true;
    $("periods-flash").hidden = true;
    $("stats-questions").hidden = true;
    closePeriodForm();
    document.title = "工作人员控制台 · 北京市人力资源服务行业协会";
    if (!message && location.hash) history.replaceState(null, "", location.pathname + location.search);
    showSignIn(message);
  }

  $("sign-out").addEventListener("click", function () { signOut(null); });

  /* ---- periods ---------------------------------------------------------------------- */

  function loadPeriods() {
    $("periods-status").textContent = "正在读取期次……";
    var todayRequest = HR.api("GET", "api/today").then(function (answer) {
      if (answer.status === 200 && answer.body) today = answer.body.date;
    });
    return call("GET", "api/admin/periods").then(function (answer) {
      return todayRequest.then(function () {
        if (answer.status !== 200 || !answer.body) {
          $("periods-status").textContent = messageOf(answer, "期次没有读取成功");
          return false;
        }
        periods = answer.body.periods;
        return true;
      });
    });
  }

  function showPeriods() {
    showView("periods");
    document.title = "考试期次 · 工作人员控制台";
    loadPeriods().then(function (ok) { if (ok) renderPeriods(); });
  }

  function cell(row, label, text, className) {
    var td = element("td", className || "", text);
    td.setAttribute("data-label", label);
    row.appendChild(td);
    return td;
  }

  function renderPeriods() {
    var table = $("periods-table");
    var body = table.querySelector("tbody");
    clear(body);
    var newest = periods.slice().sort(function (a, b) { return a.exam_date < b.exam_date ? 1 : -1; });
    $("periods-status").textContent = newest.length ?
      "共 " + newest.length + " 期，最近的考试在前。" : "还没有期次。点击“新建期次”安排第一期考试。";
    table.hidden = !newest.length;
    for (var i = 0; i < newest.length; i++) {
      var period = newest[i];
      var row = element("tr");
      row.setAttribute("data-period", period.id);
      var name = cell(row, "期次", "", "name");
      var link = element("a", "", period.name);
      link.href = "#period/" + encodeURIComponent(period.id);
      name.appendChild(link);
      cell(row, "考试时间", day(period.exam_date) + " " + period.exam_start + "–" + period.exam_end);
      cell(row, "报名期", period.registration_opens + " 至 " + period.registration_closes);
      var state = phase(period);
      cell(row, "状态", "").appendChild(element("span", "badge " + state.kind, state.label));
      var paper = cell(row, "试卷", "");
      paper.appendChild(element("span", period.has_paper ? "badge ok" : "badge missing",
        period.has_paper ? "已上传" : "未上传"));
      var actions = cell(row, "操作", "", "ops");
      var manage = element("a", "button-link", "管理");
      manage.href = link.href;
      actions.appendChild(manage);
      body.appendChild(row);
    }
  }

  var periodForm = $("period-form");

  $("period-new").addEventListener("click", function () {
    periodForm.hidden = false;
    $("period-new").hidden = true;
    $("periods-flash").hidden = true;
    $("period-name").focus();
  });

  function closePeriodForm() {
    periodForm.reset();
    HR.clearErrors(periodForm);
    $("period-window").open = false;
    periodForm.hidden = true;
    $("period-new").hidden = false;
  }

  $("period-cancel").addEventListener("click", closePeriodForm);

  /* A name to start from once the date is known: "2026年9月培训考试". */
  $("period-exam-date").addEventListener("change", function () {
    var name = $("period-name");
    var value = this.value;
    if (name.value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return;
    name.value = parseInt(value.slice(0, 4), 10) + "年" + parseInt(value.slice(5, 7), 10) + "月培训考试";
  });

  periodForm.addEventListener("submit", function (event) {
    event.preventDefault();
    HR.clearErrors(periodForm);
    var body = {};
    var fields = ["name", "exam_date", "exam_start", "exam_end", "notes"];
    for (var i = 0; i < fields.length; i++) body[fields[i]] = periodForm.elements[fields[i]].value;
    var optional = ["registration_opens", "registration_closes"];
    for (var j = 0; j < optional.length; j++) {
      var value = periodForm.elements[optional[j]].value;
      if (value) body[optional[j]] = value;
    }
    var button = periodForm.querySelector('button[type="submit"]');
    button.disabled = true;
    call("POST", "api/admin/periods", body).then(function (answer) {
      button.disabled = false;
      if (answer.status === 201 && answer.body) {
        var period = answer.body.period;
        closePeriodForm();
        flashCreated(period);
        showPeriods();
        return;
      }
      var error = answer.body && answer.body.error;
      if (error && /^registration_/.test(error.field || "")) $("period-window").open = true;
      HR.showError(periodForm, error || { message: messageOf(answer, "期次没有创建成功") });
    });
  });

  function flashCreated(period) {
    var flash = $("periods-flash");
    clear(flash);
    flash.appendChild(document.createTextNode(
      "已创建“" + period.name + "”：考试 " + day(period.exam_date) + " " + period.exam_start + "–" +
      period.exam_end + "，报名 " + period.registration_opens + " 至 " + period.registration_closes + "。"));
    var next = element("a", "", "下一步：上传试卷");
    next.href = "#period/" + encodeURIComponent(period.id) + "/paper";
    flash.appendChild(next);
    flash.hidden = false;
  }

  /* ---- one period ------------------------------------------------------------------- */

  function showPeriod(id, tab) {
    showView("period");
    var ready = periods && today ? Promise.resolve(true) : loadPeriods();
    ready.then(function (ok) {
      if (!ok) return;
      var found = null;
      for (var i = 0; i < periods.length; i++) if (periods[i].id === id) found = periods[i];
      if (!found) { go("#periods"); return; }
      if (!current || current.id !== found.id) resetPeriodTabs();
      current = found;
      renderPeriodHead();
      openTab(tab);
    });
  }

  /* Another period: nothing of the previous one may show while this one's figures load. */
  function resetPeriodTabs() {
    clear($("stats-tiles"));
    $("stats-questions").hidden = true;
    clear($("registrations-table").querySelector("tbody"));
    $("registrations-table").hidden = true;
    $("registrations-more").hidden = true;
    $("paper-result").hidden = true;
    $("export-result").hidden = true;
    HR.clearErrors($("paper-form"));
    HR.clearErrors($("export-form"));
    $("paper-form").reset();
    $("export-form").reset();
  }

  function fact(list, term, value) {
    list.appendChild(element("dt", "", term));
    list.appendChild(element("dd", "", value));
  }

  function renderPeriodHead() {
    document.title = current.name + " · 工作人员控制台";
    $("period-title").textContent = current.name;
    var facts = $("period-facts");
    clear(facts);
    var state = phase(current);
    fact(facts, "考试时间", day(current.exam_date) + " " + current.exam_start + "–" + current.exam_end);
    fact(facts, "报名期", current.registration_opens + " 至 " + current.registration_closes);
    fact(facts, "状态", state.label || "—");
    fact(facts, "试卷", current.has_paper ? "已上传" : "未上传");
    if (current.notes) fact(facts, "考试须知", current.notes);
    var links = $("period-tabs").querySelectorAll("a");
    for (var i = 0; i < links.length; i++) {
      links[i].href = "#period/" + encodeURIComponent(current.id) + "/" + links[i].getAttribute("data-tab");
    }
  }

  function openTab(tab) {
    var links = $("period-tabs").querySelectorAll("a");
    for (var i = 0; i < links.length; i++) {
      var active = links[i].getAttribute("data-tab") === tab;
      links[i].className = active ? "active" : "";
      if (active) links[i].setAttribute("aria-current", "page"); else links[i].removeAttribute("aria-current");
    }
    for (var j = 0; j < TABS.length; j++) $("tab-" + TABS[j]).hidden = TABS[j] !== tab;
    if (tab === "paper") renderPaperState();
    if (tab === "stats") loadStats();
    if (tab === "registrations") loadRegistrations(true);
  }

  /* ---- paper ------------------------------------------------------------------------ */

  var paperForm = $("paper-form");

  function renderPaperState() {
    $("paper-state").textContent = current.has_paper ?
      "本期已上传试卷。上传新文件会替换原试卷（考试开始前均可替换）。" :
      "本期尚未上传试卷。考试开始前须上传，否则考生无法开始考试。";
    $("paper-submit").textContent = current.has_paper ? "替换试卷" : "上传试卷";
  }

  paperForm.addEventListener("submit", function (event) {
    event.preventDefault();
    HR.clearErrors(paperForm);
    $("paper-result").hidden = true;
    var file = $("paper-file").files && $("paper-file").files[0];
    if (!file) { HR.showError(paperForm, { message: "请先选择试卷文件（.json）。", field: "paper" }); return; }
    var button = $("paper-submit");
    button.disabled = true;
    var period = current;
    var reader = new FileReader();
    reader.onerror = function () {
      button.disabled = false;
      HR.showError(paperForm, { message: "文件读取失败，请重新选择。", field: "paper" });
    };
    reader.onload = function () {
      var paper;
      try {
        paper = JSON.parse(String(reader.result).replace(/^\uFEFF/, ""));
      } catch (e) {
        button.disabled = false;
        HR.showError(paperForm, {
          message: "文件不是有效的 JSON，请用文本编辑器检查括号、引号和逗号（" + e.message + "）。",
          field: "paper"
        });
        return;
      }
      call("PUT", "api/admin/periods/" + encodeURIComponent(period.id) + "/paper", paper).then(function (answer) {
        button.disabled = false;
        if (answer.status === 200 && answer.body) {
          var stored = answer.body.paper;
          period.has_paper = true;
          paperForm.reset();
          var result = $("paper-result");
          clear(result);
          result.appendChild(element("strong", "", "试卷已上传。"));
          result.appendChild(element("p", "", "“" + (stored.title || file.name) + "”：共 " + stored.questions +
            " 题，总分 " + stored.total_points + " 分" +
            (stored.pass_mark !== undefined ? "，" + stored.pass_mark + " 分及格" : "") + "。"));
          result.hidden = false;
          if (current === period) { renderPeriodHead(); renderPaperState(); }
          return;
        }
        // paper_invalid names the first problem (its field is a path inside the file): shown at the file.
        HR.showError(paperForm, { message: messageOf(answer, "试卷没有上传成功"), field: "paper" });
      });
    };
    reader.readAsText(file, "utf-8");
  });

  $("paper-template").addEventListener("click", function () {
    download("api/admin/paper-template.json", "application/json", "试卷模板.json", $("paper-template-error"));
  });

  /* ---- statistics ------------------------------------------------------------------- */

  function tile(parent, label, value, note) {
    var box = element("div", "tile");
    box.appendChild(element("div", "tile-value", value));
    box.appendChild(element("div", "tile-label", label));
    if (note) box.appendChild(element("div", "tile-note", note));
    parent.appendChild(box);
  }

  function loadStats() {
    var period = current;
    $("stats-status").textContent = "正在统计……";
    call("GET", "api/admin/periods/" + encodeURIComponent(period.id) + "/stats").then(function (answer) {
      if (current !== period) return;
      if (answer.status !== 200 || !answer.body) {
        $("stats-status").textContent = messageOf(answer, "统计没有读取成功");
        return;
      }
      renderStats(answer.body);
    });
  }

  function renderStats(stats) {
    var tiles = $("stats-tiles");
    clear(tiles);
    tile(tiles, "报名", stats.registered);
    tile(tiles, "开始考试", stats.started);
    tile(tiles, "已交卷", stats.submitted);
    tile(tiles, "通过", stats.passed);
    tile(tiles, "通过率", stats.submitted ? percent(stats.pass_rate) : "—", "按交卷人数计算");
    var box = $("stats-questions");
    var body = box.querySelector("tbody");
    clear(body);
    if (!stats.questions.length) {
      $("stats-status").textContent = "本期尚未上传试卷，没有各题正确率。";
      box.hidden = true;
      return;
    }
    if (!stats.submitted) {
      $("stats-status").textContent = "还没有人交卷，各题正确率会在考生交卷后显示。";
      box.hidden = true;
      return;
    }
    $("stats-status").textContent = "";
    var order = [];
    for (var i = 0; i < stats.questions.length; i++) order.push({ question: stats.questions[i], index: i });
    // Hardest first; equal rates keep the paper's order.
    order.sort(function (a, b) {
      return (a.question.correct_rate - b.question.correct_rate) || (a.index - b.index);
    });
    for (var j = 0; j < order.length; j++) {
      var q = order[j].question;
      var row = element("tr", q.correct_rate < 0.5 ? "hard" : "");
      row.setAttribute("data-question", q.id);
      cell(row, "难度", j + 1, "rank");
      cell(row, "题号", q.id, "qid");
      cell(row, "题型", q.type === "multiple" ? "多选" : q.type === "single" ? "单选" : "—", "qtype");
      cell(row, "题目", q.text || "—", "qtext");
      var rate = cell(row, "正确率", "", "rate");
      var bar = element("span", "bar");
      var fill = element("span", "bar-fill");
      fill.style.width = percent(q.correct_rate);
      bar.appendChild(fill);
      rate.appendChild(bar);
      rate.appendChild(element("span", "rate-value", percent(q.correct_rate)));
      body.appendChild(row);
    }
    box.hidden = false;
  }

  $("stats-refresh").addEventListener("click", loadStats);

  /* ---- registrations ---------------------------------------------------------------- */

  function loadRegistrations(fresh) {
    var period = current;
    var table = $("registrations-table");
    var body = table.querySelector("tbody");
    var more = $("registrations-more");
    $("registrations-error").hidden = true;
    if (fresh) {
      clear(body);
      cursor = null;
      table.hidden = true;
      $("registrations-status").textContent = "正在读取名单……";
    }
    more.disabled = true;
    var path = "api/admin/periods/" + encodeURIComponent(period.id) + "/registrations?limit=" + PAGE_SIZE;
    if (cursor) path += "&cursor=" + encodeURIComponent(cursor);
    call("GET", path).then(function (answer) {
      more.disabled = false;
      if (current !== period) return;
      if (answer.status !== 200 || !answer.body) {
        $("registrations-error").textContent = messageOf(answer, "名单没有读取成功");
        $("registrations-error").hidden = false;
        if (fresh) $("registrations-status").textContent = "";
        return;
      }
      var list = answer.body.registrations;
      for (var i = 0; i < list.length; i++) body.appendChild(registrationRow(list[i]));
      cursor = answer.body.cursor;
      var shown = body.children.length;
      table.hidden = !shown;
      more.hidden = !cursor;
      $("registrations-status").textContent = !shown ? "本期还没有人报名。" :
        "已显示 " + shown + " 人" + (cursor ? "，还有更多。" : "，已全部显示。");
    });
  }

  function registrationRow(r) {
    var row = element("tr", "status-" + r.status);
    cell(row, "姓名", r.name, "name");
    cell(row, "身份证号", r.id_number, "mono");
    cell(row, "手机号", r.phone, "mono");
    cell(row, "邮箱", r.email, "email");
    cell(row, "状态", STATUS[r.status] || r.status, "status");
    cell(row, "成绩", r.score === null || r.score === undefined ? "—" : r.score);
    cell(row, "报名时间", instant(r.registered_at));
    cell(row, "交卷时间", instant(r.submitted_at));
    cell(row, "已导出", r.exported_at ? instant(r.exported_at) : "—");
    return row;
  }

  $("registrations-more").addEventListener("click", function () { loadRegistrations(false); });
  $("registrations-refresh").addEventListener("click", function () { loadRegistrations(true); });

  /* ---- export ----------------------------------------------------------------------- */

  var exportForm = $("export-form");

  exportForm.addEventListener("submit", function (event) {
    event.preventDefault();
    HR.clearErrors(exportForm);
    var result = $("export-result");
    result.hidden = true;
    var period = current;
    var button = exportForm.querySelector('button[type="submit"]');
    button.disabled = true;
    var body = $("export-full").checked ? { full: true } : {};
    call("POST", "api/admin/periods/" + encodeURIComponent(period.id) + "/export", body).then(function (answer) {
      button.disabled = false;
      if (current !== period) return;
      if (answer.status === 200 && answer.body && answer.body.export) {
        renderExport(answer.body.export);
        return;
      }
      HR.showError(exportForm, { message: messageOf(answer, "导出没有成功") });
    });
  });

  function renderExport(sent) {
    var result = $("export-result");
    clear(result);
    if (!sent.count) {
      result.className = "info";
      result.appendChild(element("strong", "", "没有新的通过人员需要发送。"));
      result.appendChild(element("p", "", "本期的通过人员都已导出过。需要再发一次时，勾选“重新发送本期全部通过人员”后再导出。"));
      result.hidden = false;
      return;
    }
    result.className = "success";
    result.appendChild(element("strong", "", "已导出 " + sent.count + " 名通过人员，CSV 和 Excel 文件已发送。"));
    var facts = element("dl", "facts wide");
    fact(facts, "收件人", sent.recipients && sent.recipients.length ? sent.recipients.join("、") : "—");
    fact(facts, "CSV 文件", sent.csv_key || "—");
    fact(facts, "Excel 文件", sent.xlsx_key || "—");
    result.appendChild(facts);
    result.appendChild(element("p", "hint", "两个文件也保存在存储桶（S3）中，以上为其路径。"));
    result.hidden = false;
  }

  /* ---- the QR poster ---------------------------------------------------------------- */

  function showQr() {
    showView("qr");
    document.title = "报名二维码 · 工作人员控制台";
    if (qrUrl) return;
    $("qr-status").textContent = "正在生成二维码……";
    fetchBlob("api/admin/qr.svg", "image/svg+xml").then(function (answer) {
      if (!answer.blob) {
        $("qr-status").textContent = messageOf(answer, "二维码没有生成成功");
        return;
      }
      qrUrl = URL.createObjectURL(answer.blob);
      var image = $("qr-image");
      image.onload = function () { $("qr-status").textContent = ""; };
      image.onerror = function () { $("qr-status").textContent = "二维码无法显示，请刷新页面后重试。"; };
      image.src = qrUrl;
      image.hidden = false;
    });
  }

  $("qr-print").addEventListener("click", function () { window.print(); });
  $("qr-png").addEventListener("click", function () {
    download("api/admin/qr.png", "image/png", "报名考试二维码.png", $("qr-error"));
  });
  $("qr-svg").addEventListener("click", function () {
    download("api/admin/qr.svg", "image/svg+xml", "报名考试二维码.svg", $("qr-error"));
  });

  window.addEventListener("hashchange", route);
  route();
})();
