/* The staff console's periods: the list, the form for a new period, and one period's page
   (its facts and its tabs; each tab is its own admin-<tab>.js). Needs admin-core.js. */
(function () {
  "use strict";
  var A = window.HR && HR.admin;
  if (!A) return;
  var $ = A.$, element = A.element, clear = A.clear, cell = A.cell, fact = A.fact, day = A.day;

  /* ---- the list --------------------------------------------------------------------- */

  function loadPeriods() {
    $("periods-status").textContent = "正在读取期次……";
    var todayRequest = HR.api("GET", "api/today").then(function (answer) {
      if (answer.status === 200 && answer.body) A.today = answer.body.date;
    });
    return A.call("GET", "api/admin/periods").then(function (answer) {
      return todayRequest.then(function () {
        if (answer.status !== 200 || !answer.body) {
          $("periods-status").textContent = A.messageOf(answer, "期次没有读取成功");
          return false;
        }
        A.periods = answer.body.periods;
        return true;
      });
    });
  }

  function showPeriods() {
    A.showView("periods");
    document.title = "考试期次 · 工作人员控制台";
    loadPeriods().then(function (ok) { if (ok) renderPeriods(); });
  }

  function renderPeriods() {
    var table = $("periods-table");
    var body = table.querySelector("tbody");
    clear(body);
    var newest = A.periods.slice().sort(function (a, b) { return a.exam_date < b.exam_date ? 1 : -1; });
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
      var state = A.phase(period);
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

  /* ---- a new period ----------------------------------------------------------------- */

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
    A.call("POST", "api/admin/periods", body).then(function (answer) {
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
      HR.showError(periodForm, error || { message: A.messageOf(answer, "期次没有创建成功") });
      if (A.linkUnknownYear) A.linkUnknownYear(periodForm, error);
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

  function tabNamed(name) {
    for (var i = 0; i < A.tabs.length; i++) if (A.tabs[i].name === name) return A.tabs[i];
    return null;
  }

  /* #period/<id>[/<tab>]; without an id, the list. */
  function showPeriod(parts) {
    if (!parts[1]) return false;
    var id = decodeURIComponent(parts[1]);
    var tab = tabNamed(parts[2]) ? parts[2] : "paper";
    A.showView("period");
    var ready = A.periods && A.today ? Promise.resolve(true) : loadPeriods();
    ready.then(function (ok) {
      if (!ok) return;
      var found = null;
      for (var i = 0; i < A.periods.length; i++) if (A.periods[i].id === id) found = A.periods[i];
      if (!found) { A.go("#periods"); return; }
      if (!A.current || A.current.id !== found.id) resetPeriodTabs();
      A.current = found;
      renderPeriodHead();
      openTab(tab);
    });
    return true;
  }

  /* Another period: nothing of the previous one may show while this one's figures load. */
  function resetPeriodTabs() {
    for (var i = 0; i < A.tabs.length; i++) if (A.tabs[i].reset) A.tabs[i].reset();
  }

  function renderPeriodHead() {
    var current = A.current;
    document.title = current.name + " · 工作人员控制台";
    $("period-title").textContent = current.name;
    var facts = $("period-facts");
    clear(facts);
    var state = A.phase(current);
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

  function openTab(name) {
    var links = $("period-tabs").querySelectorAll("a");
    for (var i = 0; i < links.length; i++) {
      var active = links[i].getAttribute("data-tab") === name;
      links[i].className = active ? "active" : "";
      if (active) links[i].setAttribute("aria-current", "page"); else links[i].removeAttribute("aria-current");
    }
    for (var j = 0; j < A.tabs.length; j++) $("tab-" + A.tabs[j].name).hidden = A.tabs[j].name !== name;
    var tab = tabNamed(name);
    if (tab && tab.open) tab.open();
  }

  A.renderPeriodHead = renderPeriodHead;
  A.screen("periods", showPeriods);
  A.screen("period", showPeriod);
  A.onSignOut(function () {
    clear($("periods-table").querySelector("tbody"));
    $("periods-flash").hidden = true;
    closePeriodForm();
  });
})();
