/* The rights-request queue (#rights): candidates' requests for a copy, a correction, deletion or
   withdrawing consent, each with its answer date. Staff act with the helpdesk tools (or delete the
   requester here, admins only), then answer: the candidate is e-mailed the outcome (and, for a
   copy, their data: it is never shown here). Needs admin-core.js. Built with textContent only. */
(function () {
  "use strict";
  var A = window.HR && HR.admin;
  if (!A) return;
  var $ = A.$, element = A.element, clear = A.clear, fact = A.fact;

  var KINDS = { copy: "复制个人信息", correction: "更正或补充", deletion: "删除个人信息", withdraw: "撤回同意" };
  var STATUS = { open: "待办理", done: "已办理", refused: "不予办理" };
  var answerForm = $("rights-answer");
  var deleteForm = $("rights-delete");
  var current = null;

  function show() {
    A.showView("rights");
    document.title = "权利申请 · 工作人员控制台";
    load();
  }

  function flash(text) {
    $("rights-flash").textContent = text;
    $("rights-flash").hidden = !text;
  }

  function load() {
    $("rights-status").textContent = "正在读取申请…";
    A.call("GET", "api/admin/rights-requests").then(function (answer) {
      if (answer.status !== 200 || !answer.body) {
        $("rights-status").textContent = A.messageOf(answer, "读取申请没有成功");
        return;
      }
      render(answer.body.requests);
    });
  }

  function render(requests) {
    var rows = $("rights-table").querySelector("tbody");
    clear(rows);
    var open = 0;
    for (var i = 0; i < requests.length; i++) {
      var r = requests[i];
      if (r.status === "open") open += 1;
      var row = element("tr", r.overdue ? "overdue" : "");
      A.cell(row, "收到时间", A.instant(r.received_at));
      A.cell(row, "事项", KINDS[r.kind] || r.kind);
      A.cell(row, "考生", r.status === "open" ? r.name + "（" + r.id_number_masked + "）" : r.id_number_masked);
      A.cell(row, "说明", r.status === "open" ? (r.details || "—") : (r.note || "—"));
      A.cell(row, "答复期限", A.day(r.answer_by) + (r.overdue ? "（已逾期）" : ""));
      A.cell(row, "状态", STATUS[r.status] + (r.closed_by ? "（" + r.closed_by + "）" : ""));
      var actions = A.cell(row, "操作", "");
      if (r.status === "open") {
        var button = element("button", "secondary inline", "答复");
        button.type = "button";
        button.setAttribute("aria-label", "答复 " + r.name + " 的申请：" + (KINDS[r.kind] || r.kind));
        button.addEventListener("click", openAnswer.bind(null, r));
        actions.appendChild(button);
      }
      rows.appendChild(row);
    }
    $("rights-table").hidden = !requests.length;
    $("rights-status").textContent = requests.length
      ? "共 " + requests.length + " 条申请，其中待办理 " + open + " 条。"
      : "还没有权利申请。";
  }

  function openAnswer(request) {
    current = request;
    answerForm.reset();
    deleteForm.reset();
    HR.clearErrors(answerForm);
    HR.clearErrors(deleteForm);
    var facts = $("rights-answer-facts");
    clear(facts);
    fact(facts, "事项", KINDS[request.kind] || request.kind);
    fact(facts, "考生", request.name + "（" + request.id_number_masked + "）");
    fact(facts, "说明", request.details || "—");
    fact(facts, "答复期限", A.day(request.answer_by) + (request.overdue ? "（已逾期）" : ""));
    fact(facts, "答复邮箱", request.email_masked);
    answerForm.hidden = false;
    deleteForm.hidden = request.kind !== "deletion" && request.kind !== "withdraw";
    HR.focusHeading(answerForm);
  }

  function closeAnswer() {
    current = null;
    answerForm.hidden = true;
    deleteForm.hidden = true;
  }

  answerForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!current) return;
    HR.clearErrors(answerForm);
    var chosen = answerForm.querySelector('[name="outcome"]:checked');
    var body = { outcome: chosen ? chosen.value : "", note: $("rights-note").value.trim() };
    var submit = answerForm.querySelector('button[type="submit"]');
    submit.disabled = true;
    A.call("POST", "api/admin/rights-requests/" + encodeURIComponent(current.id) + "/answer", body).then(function (answer) {
      submit.disabled = false;
      if (answer.status === 200) {
        closeAnswer();
        flash("已答复，结果已发送到考生的报名邮箱。");
        load();
        return;
      }
      var error = answer.body && answer.body.error;
      HR.showError(answerForm, {
        message: A.messageOf(answer, "答复没有成功"),
        field: error && (error.field === "outcome" || error.field === "note") ? error.field : null
      });
    });
  });

  $("rights-answer-cancel").addEventListener("click", closeAnswer);

  deleteForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!current) return;
    HR.clearErrors(deleteForm);
    var submit = deleteForm.querySelector('button[type="submit"]');
    submit.disabled = true;
    var path = "api/admin/rights-requests/" + encodeURIComponent(current.id) + "/delete-person";
    A.call("POST", path, { reason: $("rights-delete-reason").value.trim() }).then(function (answer) {
      submit.disabled = false;
      if (answer.status === 200 && answer.body && answer.body.deleted) {
        deleteForm.hidden = true;
        var d = answer.body.deleted;
        flash("已删除 " + answer.body.person.id_number + " 的全部个人信息（报名 " + d.registrations +
              " 项）。请在上方答复“已办理”。");
        return;
      }
      var error = answer.body && answer.body.error;
      HR.showError(deleteForm, {
        message: A.messageOf(answer, "删除没有成功"),
        field: error && error.field === "reason" ? "reason" : null
      });
    });
  });

  A.screen("rights", show);
  A.onSignOut(function () {
    closeAnswer();
    flash("");
    clear($("rights-table").querySelector("tbody"));
    $("rights-table").hidden = true;
    $("rights-status").textContent = "";
  });
})();
