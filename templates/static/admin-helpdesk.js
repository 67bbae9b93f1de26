/* The helpdesk (#helpdesk) and the audit trail (#audit). Needs admin-core.js.
   Search by one detail -> the person's card (every registration, masked unless an admin ticks
   "full details", which the server audits) -> correct / withdraw / move / release / incident
   actions, each with a reason. Everything is drawn with textContent; sign-out wipes it. */
(function () {
  "use strict";
  var A = window.HR && HR.admin;
  if (!A) return;
  var $ = A.$, element = A.element, clear = A.clear, instant = A.instant;

  var STATUS = { registered: "已报名", passed: "通过", failed: "未通过", absent: "缺考" };
  var FIELDS = { name: "姓名", phone: "手机号", email: "邮箱", period: "期次" };
  var MAILS = { confirmation: "报名确认", reminder: "考前提醒", result: "成绩通知",
    details_changed: "信息变更通知", exam_changed: "考试时间变更" };
  var lastQuery = null;     // the search on screen, repeated after a change

  /* ---- the helpdesk screen ----------------------------------------------------------- */

  function showHelpdesk() {
    A.showView("helpdesk");
    document.title = "咨询服务 · 工作人员控制台";
    $("helpdesk-value").focus();
  }

  function search(query) {
    lastQuery = query;
    var status = $("helpdesk-status");
    var results = $("helpdesk-results");
    $("helpdesk-error").hidden = true;
    status.textContent = "正在查询……";
    var path = "api/admin/people?" + query.kind + "=" + encodeURIComponent(query.value) +
      (query.full ? "&full=1" : "");
    return A.call("GET", path).then(function (answer) {
      clear(results);
      if (answer.status !== 200 || !answer.body) {
        status.textContent = "";
        showError(A.messageOf(answer, "查询没有成功"));
        return;
      }
      var people = answer.body.people;
      status.textContent = people.length ? "找到 " + people.length + " 人。" : "没有找到相关人员。";
      for (var i = 0; i < people.length; i++) results.appendChild(personCard(people[i]));
    });
  }

  function showError(message) {
    $("helpdesk-error").textContent = message;
    $("helpdesk-error").hidden = false;
  }

  function flash(message) {
    var slot = $("helpdesk-flash");
    slot.textContent = message;
    slot.hidden = false;
  }

  function personCard(person) {
    var card = element("article", "card person-card");
    card.setAttribute("data-person", person.person);
    card.appendChild(element("h2", "", person.name));
    var facts = element("dl", "facts wide");
    A.fact(facts, "身份证号", person.id_number);
    A.fact(facts, "手机号", person.phone);
    A.fact(facts, "邮箱", person.email);
    card.appendChild(facts);
    if (person.masked) card.appendChild(element("p", "muted", "已隐藏部分信息。管理员可勾选「显示完整信息」查询（会记录在审计日志中）。"));
    var buttons = element("div", "buttons");
    buttons.appendChild(actionButton("释放手机号", function () {
      askReason("释放手机号（判定为冒用）", [], function (body) {
        return A.call("POST", "api/admin/people/" + person.person + "/claims/phone/release", body);
      });
    }));
    buttons.appendChild(actionButton("释放邮箱", function () {
      askReason("释放邮箱（判定为冒用）", [], function (body) {
        return A.call("POST", "api/admin/people/" + person.person + "/claims/email/release", body);
      });
    }));
    card.appendChild(buttons);
    for (var i = 0; i < person.registrations.length; i++) {
      card.appendChild(registrationBlock(person, person.registrations[i]));
    }
    return card;
  }

  function registrationBlock(person, r) {
    var block = element("section", "registration-block");
    block.setAttribute("data-period", r.period.id);
    block.appendChild(element("h3", "", r.period.name + " · " + A.day(r.period.exam_date)));
    var facts = element("dl", "facts wide");
    A.fact(facts, "姓名", r.name);
    A.fact(facts, "手机号", r.phone);
    A.fact(facts, "邮箱", r.email);
    A.fact(facts, "状态", (STATUS[r.status] || r.status) + (r.auto_submitted ? "（自动交卷）" : ""));
    A.fact(facts, "成绩", r.score === null || r.score === undefined ? "—" : r.score);
    A.fact(facts, "报名时间", instant(r.registered_at));
    A.fact(facts, "交卷时间", instant(r.submitted_at));
    if (r.extra_minutes) A.fact(facts, "个人结束时间", instant(r.ends_at) + "（延时 " + r.extra_minutes + " 分钟）");
    var mails = [];
    for (var m = 0; m < (r.mails || []).length; m++) mails.push((MAILS[r.mails[m].kind] || r.mails[m].kind) + " " + instant(r.mails[m].at));
    A.fact(facts, "已发邮件", mails.length ? mails.join("\n") : "—");
    var changes = [];
    for (var c = 0; c < (r.changes || []).length; c++) {
      var ch = r.changes[c];
      changes.push(instant(ch.at) + " " + (FIELDS[ch.field] || ch.field) + "：" + ch.old + " → " + (ch.new || "（已释放）"));
    }
    A.fact(facts, "变更记录", changes.length ? changes.join("\n") : "—");
    var voided = [];
    for (var v = 0; v < (r.voided || []).length; v++) {
      voided.push(instant(r.voided[v].at) + " " + r.voided[v].staff + "：" + r.voided[v].reason);
    }
    if (voided.length) A.fact(facts, "已作废作答", voided.join("\n"));
    block.appendChild(facts);

    var base = "api/admin/people/" + person.person + "/registrations/" + encodeURIComponent(r.period.id);
    var buttons = element("div", "buttons");
    buttons.appendChild(actionButton("更正信息", function () {
      askReason("更正报名信息", [
        { name: "name", label: "姓名", value: r.masked ? r.name : r.name },
        { name: "phone", label: "手机号（不改请留空）", value: "" },
        { name: "email", label: "邮箱（不改请留空）", value: "" }
      ], function (body) {
        if (body.name === r.name) delete body.name;
        return A.call("PATCH", base, body);
      });
    }));
    buttons.appendChild(actionButton("撤销报名", function () {
      askReason("撤销报名", [], function (body) { return A.call("POST", base + "/withdraw", body); });
    }));
    buttons.appendChild(actionButton("调到其他期次", function () {
      // Read afresh: a period created since sign-in must be offered too.
      A.call("GET", "api/admin/periods").then(function (answer) {
        if (answer.status === 200 && answer.body) A.periods = answer.body.periods;
        var choices = moveTargets(r.period.id);
        if (!choices.length) {
          flash("没有可调入的期次：请先在“考试期次”中创建下一期。");
          return;
        }
        askReason("调到其他期次", [{ name: "period_id", label: "调入的期次", choices: choices }], function (body) {
          return A.call("POST", base + "/move", body);
        });
      });
    }));
    buttons.appendChild(actionButton("延时", function () {
      askReason("考试延时", [{ name: "minutes", label: "增加的分钟数", value: "10", number: true }], function (body) {
        return A.call("POST", base + "/extra-time", body);
      });
    }));
    buttons.appendChild(actionButton("允许迟到入场", function () {
      askReason("允许迟到入场", [{ name: "minutes", label: "从现在起可作答的分钟数", value: "30", number: true }], function (body) {
        return A.call("POST", base + "/late-entry", body);
      });
    }));
    buttons.appendChild(actionButton("恢复作答", function () {
      askReason("恢复被误自动交卷的作答", [{ name: "minutes", label: "从现在起可作答的分钟数", value: "15", number: true }], function (body) {
        return A.call("POST", base + "/reopen", body);
      });
    }));
    buttons.appendChild(actionButton("作废作答", function () {
      askReason("作废本次作答（他人代考等）", [], function (body) { return A.call("POST", base + "/void", body); });
    }));
    block.appendChild(buttons);
    return block;
  }

  /* The periods a registration may move to, soonest first: every other period whose exam is
     still ahead (the server checks the rest: its window, overlaps, a result). */
  function moveTargets(fromId) {
    var today = A.today || "";
    var list = (A.periods || []).filter(function (p) { return p.id !== fromId && p.exam_date >= today; });
    list.sort(function (a, b) { return a.exam_date < b.exam_date ? -1 : 1; });
    return list.map(function (p) {
      return { value: p.id, label: p.name + "（" + A.day(p.exam_date) + " 考试）" };
    });
  }

  function actionButton(label, onClick) {
    var button = element("button", "secondary inline small", label);
    button.type = "button";
    button.addEventListener("click", onClick);
    return button;
  }

  /* The action form: its fields, then the required reason; send(body) makes the call. */
  function askReason(title, fields, send) {
    var form = $("helpdesk-action");
    clear(form);
    form.hidden = false;
    form.appendChild(element("h2", "", title));
    var inputs = [];
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      var wrap = element("div", "field");
      var id = "helpdesk-action-" + f.name;
      var label = element("label", "", f.label);
      label.setAttribute("for", id);
      var input;
      if (f.choices) {
        input = element("select");
        for (var o = 0; o < f.choices.length; o++) {
          var option = element("option", "", f.choices[o].label);
          option.value = f.choices[o].value;
          input.appendChild(option);
        }
      } else {
        input = element("input");
        input.type = f.number ? "number" : "text";
        input.value = f.value;
      }
      input.id = id;
      input.name = f.name;
      wrap.appendChild(label);
      wrap.appendChild(input);
      wrap.appendChild(errorSlot(f.name));
      form.appendChild(wrap);
      inputs.push({ field: f, input: input });
    }
    var reasonWrap = element("div", "field");
    var reasonLabel = element("label", "", "原因（必填，会记录在审计日志中）");
    reasonLabel.setAttribute("for", "helpdesk-reason");
    var reason = element("textarea");
    reason.id = "helpdesk-reason";
    reason.name = "reason";
    reason.rows = 2;
    reasonWrap.appendChild(reasonLabel);
    reasonWrap.appendChild(reason);
    reasonWrap.appendChild(errorSlot("reason"));
    form.appendChild(reasonWrap);
    form.appendChild(errorSlot("_form"));
    var submit = element("button", "primary inline", "确认");
    submit.type = "submit";
    var cancel = actionButton("取消", function () { clear(form); form.hidden = true; });
    form.appendChild(submit);
    form.appendChild(cancel);
    form.onsubmit = function (event) {
      event.preventDefault();
      HR.clearErrors(form);
      var body = { reason: reason.value.trim() };
      for (var k = 0; k < inputs.length; k++) {
        var value = inputs[k].input.value.trim();
        if (value === "") continue;
        body[inputs[k].field.name] = inputs[k].field.number ? parseInt(value, 10) : value;
      }
      submit.disabled = true;
      send(body).then(function (answer) {
        submit.disabled = false;
        if (answer.status >= 200 && answer.status < 300) {
          clear(form);
          form.hidden = true;
          flash(title + "：已完成。");
          if (lastQuery) search(lastQuery);
          return;
        }
        var error = (answer.body && answer.body.error) || {};
        HR.showError(form, { message: A.messageOf(answer, "操作没有成功"), field: error.field || null });
      });
    };
    reason.focus();
  }

  function errorSlot(name) {
    var slot = element("p", "field-error");
    slot.setAttribute("data-error-for", name);
    slot.setAttribute("role", "alert");
    slot.hidden = true;
    return slot;
  }

  $("helpdesk-form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("helpdesk-flash").hidden = true;
    var value = $("helpdesk-value").value.trim();
    if (!value) { showError("请输入要查询的内容。"); return; }
    search({ kind: $("helpdesk-kind").value, value: value, full: $("helpdesk-full").checked });
  });

  /* ---- the audit trail (admins) ------------------------------------------------------ */

  var auditCursor = null;

  function showAudit() {
    A.showView("audit");
    document.title = "审计日志 · 工作人员控制台";
    loadAudit(true);
  }

  function loadAudit(fresh) {
    var rows = $("audit-table").querySelector("tbody");
    $("audit-error").hidden = true;
    if (fresh) { clear(rows); auditCursor = null; }
    var since = $("audit-since").value || "";
    var staff = $("audit-staff").value.trim();
    var path = "api/admin/audit?" + (since ? "since=" + encodeURIComponent(since) + "&" : "") +
      (staff ? "staff=" + encodeURIComponent(staff) + "&" : "") +
      (auditCursor ? "cursor=" + encodeURIComponent(auditCursor) : "");
    A.call("GET", path).then(function (answer) {
      if (answer.status !== 200 || !answer.body) {
        $("audit-error").textContent = A.messageOf(answer, "审计日志没有读取成功");
        $("audit-error").hidden = false;
        return;
      }
      var events = answer.body.events;
      for (var i = 0; i < events.length; i++) {
        var e = events[i];
        var row = element("tr");
        A.cell(row, "时间", instant(e.at));
        A.cell(row, "工作人员", e.staff + "（" + e.role + "）");
        A.cell(row, "操作", e.action, "mono");
        var record = [];
        for (var key in e.record) if (e.record.hasOwnProperty(key)) record.push(key + "=" + e.record[key]);
        A.cell(row, "记录", record.join(" "), "mono");
        A.cell(row, "原因", e.reason || "—");
        rows.appendChild(row);
      }
      auditCursor = answer.body.cursor;
      $("audit-more").hidden = !auditCursor;
      $("audit-table").hidden = !rows.children.length;
      $("audit-status").textContent = rows.children.length ? "已显示 " + rows.children.length + " 条。" : "没有审计记录。";
    });
  }

  $("audit-filter").addEventListener("submit", function (event) { event.preventDefault(); loadAudit(true); });
  $("audit-more").addEventListener("click", function () { loadAudit(false); });

  A.screen("helpdesk", showHelpdesk);
  A.screen("audit", showAudit);
  A.onSignOut(function () {
    lastQuery = null;
    clear($("helpdesk-results"));
    clear($("helpdesk-action"));
    $("helpdesk-action").hidden = true;
    $("helpdesk-status").textContent = "";
    $("helpdesk-flash").hidden = true;
    $("helpdesk-value").value = "";
    clear($("audit-table").querySelector("tbody"));
  });
})();
