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
    if (!/^#(edit|delete)\//.test(location.hash)) closeDelete();
    // Drawn once the warnings above it are: see loadWarnings.
    var warned = A.loadWarnings ? A.loadWarnings() : null;
    return Promise.all([loadPeriods(), warned]).then(function (done) {
      if (done[0]) renderPeriods();
      return done[0];
    });
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
      var edit = element("a", "button-link", "修改");
      edit.href = "#edit/" + encodeURIComponent(period.id);
      edit.setAttribute("aria-label", "修改“" + period.name + "”");
      actions.appendChild(edit);
      var remove = element("a", "button-link", "删除");
      remove.href = "#delete/" + encodeURIComponent(period.id);
      remove.setAttribute("aria-label", "删除“" + period.name + "”");
      actions.appendChild(remove);
      body.appendChild(row);
    }
  }

  /* ---- a new period, or a correction of one ----------------------------------------- */

  var periodForm = $("period-form");
  var FIELDS = ["name", "exam_date", "exam_start", "exam_end", "notes", "registration_opens", "registration_closes"];
  var editing = null;    // the period being corrected; null while creating one

  function openPeriodForm(period) {
    closeDelete();
    editing = period;
    periodForm.reset();
    HR.clearErrors(periodForm);
    $("period-form-title").textContent = period ? "修改期次：" + period.name : "新建期次";
    $("period-submit").textContent = period ? "保存修改" : "创建期次";
    $("period-form-hint").hidden = !period;
    if (period) for (var i = 0; i < FIELDS.length; i++) periodForm.elements[FIELDS[i]].value = period[FIELDS[i]] || "";
    $("period-window").open = false;
    periodForm.hidden = false;
    $("period-new").hidden = true;
    $("periods-flash").hidden = true;
    $("period-name").focus();
  }

  $("period-new").addEventListener("click", function () { openPeriodForm(null); });

  function closePeriodForm() {
    periodForm.reset();
    HR.clearErrors(periodForm);
    $("period-window").open = false;
    periodForm.hidden = true;
    $("period-new").hidden = false;
    if (editing) { editing = null; if (/^#edit\//.test(location.hash)) history.replaceState(null, "", "#periods"); }
  }

  $("period-cancel").addEventListener("click", closePeriodForm);

  /* A name to start from once the date is known: "2026年9月培训考试". */
  $("period-exam-date").addEventListener("change", function () {
    var name = $("period-name");
    var value = this.value;
    if (name.value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return;
    name.value = parseInt(value.slice(0, 4), 10) + "年" + parseInt(value.slice(5, 7), 10) + "月培训考试";
  });

  /* Creating: every field, the window only when given. Correcting: only what changed, so an
     unchanged exam date never counts as moved, and a moved one gets its window computed again. */
  function formBody() {
    var body = {};
    for (var i = 0; i < FIELDS.length; i++) {
      var name = FIELDS[i];
      var value = periodForm.elements[name].value;
      var optional = /^registration_/.test(name);
      if (editing) { if (value !== (editing[name] || "") && (value || !optional)) body[name] = value; }
      else if (value || !optional) body[name] = value;
    }
    return body;
  }

  periodForm.addEventListener("submit", function (event) {
    event.preventDefault();
    HR.clearErrors(periodForm);
    var body = formBody();
    var before = editing;
    if (before && !Object.keys(body).length) { closePeriodForm(); A.go("#periods"); return; }
    var button = $("period-submit");
    button.disabled = true;
    var request = before ?
      A.call("PATCH", "api/admin/periods/" + encodeURIComponent(before.id), body) :
      A.call("POST", "api/admin/periods", body);
    request.then(function (answer) {
      button.disabled = false;
      if ((answer.status === 201 || (before && answer.status === 200)) && answer.body) {
        var period = answer.body.period;
        closePeriodForm();
        if (before) flashCorrected(before, period, answer.body.notified || 0); else flashCreated(period);
        A.go("#periods");
        return;
      }
      var error = answer.body && answer.body.error;
      // A moved exam date is what a registration forbids: the refusal shows at the date.
      if (error && error.code === "period_has_registrations" && !error.field && "exam_date" in body) {
        error = { code: error.code, message: error.message, field: "exam_date" };
      }
      if (error && /^registration_/.test(error.field || "")) $("period-window").open = true;
      HR.showError(periodForm, error || { message: A.messageOf(answer, before ? "修改没有保存成功" : "期次没有创建成功") });
      if (A.linkUnknownYear) A.linkUnknownYear(periodForm, error);
    });
  });

  function examTime(period) {
    return day(period.exam_date) + " " + period.exam_start + "–" + period.exam_end;
  }

  function flashCreated(period) {
    var flash = $("periods-flash");
    clear(flash);
    flash.appendChild(document.createTextNode(
      "已创建“" + period.name + "”：考试 " + examTime(period) +
      "，报名 " + period.registration_opens + " 至 " + period.registration_closes + "。"));
    var next = element("a", "", "下一步：上传试卷");
    next.href = "#period/" + encodeURIComponent(period.id) + "/paper";
    flash.appendChild(next);
    flash.hidden = false;
  }

  /* What staff are told after a correction; `notified` is how many candidates the server
     queued an e-mail for (none when nobody has registered yet). */
  function flashCorrected(before, period, notified) {
    var flash = $("periods-flash");
    clear(flash);
    var moved = examTime(before) !== examTime(period);
    var told = notified > 0 ? "，已报名的 " + notified + " 位考生会收到邮件通知新的考试时间。"
      : "。本期尚无待考的已报名考生，无需通知。";
    flash.appendChild(document.createTextNode("已保存“" + period.name + "”的修改" +
      (moved ? "：考试时间改为 " + examTime(period) + told : "。")));
    flash.hidden = false;
  }

  /* #edit/<id>: the list with the form open on that period. */
  function showEdit(parts) {
    var id = decodeURIComponent(parts[1] || "");
    if (!id) return false;
    showPeriods().then(function () {
      var found = findPeriod(id);
      if (found) openPeriodForm(found); else A.go("#periods");
    });
    return true;
  }

  function findPeriod(id) {
    if (!A.periods) return null;
    for (var i = 0; i < A.periods.length; i++) if (A.periods[i].id === id) return A.periods[i];
    return null;
  }

  /* ---- deleting a period created by mistake -------------------------------------------- */

  var deleting = null;

  /* #delete/<id>: the list with a confirmation for that period. */
  function showDelete(parts) {
    var id = decodeURIComponent(parts[1] || "");
    if (!id) return false;
    showPeriods().then(function () {
      var found = findPeriod(id);
      if (!found) { A.go("#periods"); return; }
      closePeriodForm();
      deleting = found;
      $("period-delete-text").textContent = "确定删除“" + found.name + "”（考试 " + examTime(found) +
        "）吗？删除后不能恢复。已有考生报名的期次不能删除。";
      $("period-delete-error").hidden = true;
      $("period-delete").hidden = false;
      $("period-delete-confirm").disabled = false;
      $("periods-flash").hidden = true;
      $("period-delete-confirm").focus();
    });
    return true;
  }

  function closeDelete() {
    deleting = null;
    $("period-delete").hidden = true;
    $("period-delete-error").hidden = true;
  }

  $("period-delete-cancel").addEventListener("click", function () { closeDelete(); A.go("#periods"); });

  $("period-delete-confirm").addEventListener("click", function () {
    var period = deleting;
    if (!period) return;
    var button = this;
    button.disabled = true;
    A.call("DELETE", "api/admin/periods/" + encodeURIComponent(period.id)).then(function (answer) {
      button.disabled = false;
      if (answer.status === 204) {
        closeDelete();
        var flash = $("periods-flash");
        flash.textContent = "已删除“" + period.name + "”。";
        flash.hidden = false;
        A.go("#periods");
        return;
      }
      var slot = $("period-delete-error");
      slot.textContent = A.messageOf(answer, "期次没有删除成功");
      slot.hidden = false;
    });
  });

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
    $("period-edit").href = "#edit/" + encodeURIComponent(current.id);
    $("period-remove").href = "#delete/" + encodeURIComponent(current.id);
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
  A.screen("edit", showEdit);
  A.screen("delete", showDelete);
  A.onSignOut(function () {
    clear($("periods-table").querySelector("tbody"));
    $("periods-flash").hidden = true;
    closePeriodForm();
    closeDelete();
  });
})();
