/* The deletion screen (#privacy): an admin deletes one person's data on request, with a reason.
   Needs admin-core.js. The ID number is sent in the body only and wiped from the form afterwards. */
(function () {
  "use strict";
  var A = window.HR && HR.admin;
  if (!A) return;
  var $ = A.$, element = A.element, clear = A.clear, fact = A.fact;

  var form = $("privacy-form");
  var KINDS = [
    ["registrations", "报名及考试记录"],
    ["people", "人员记录"],
    ["claims", "手机号和邮箱占用"],
    ["outbox", "待发送的邮件"]
  ];

  function show() {
    A.showView("privacy");
    document.title = "删除个人信息 · 工作人员控制台";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    HR.clearErrors(form);
    $("privacy-result").hidden = true;
    if (!$("privacy-confirm").checked) {
      HR.showError(form, { message: "请勾选确认后再删除。", field: "confirm" });
      return;
    }
    var body = { id_number: $("privacy-id-number").value.trim(), reason: $("privacy-reason").value.trim() };
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    A.call("POST", "api/admin/people/delete", body).then(function (answer) {
      button.disabled = false;
      if (answer.status === 200 && answer.body && answer.body.deleted) {
        form.reset();
        render(answer.body);
        return;
      }
      var error = answer.body && answer.body.error;
      HR.showError(form, {
        message: A.messageOf(answer, "删除没有成功"),
        field: error && (error.field === "id_number" || error.field === "reason") ? error.field : null
      });
    });
  });

  function render(done) {
    var result = $("privacy-result");
    clear(result);
    result.appendChild(element("strong", "", "已删除身份证号 " + done.person.id_number + " 的全部个人信息。"));
    var facts = element("dl", "facts");
    for (var i = 0; i < KINDS.length; i++) fact(facts, KINDS[i][1], String(done.deleted[KINDS[i][0]]) + " 项");
    result.appendChild(facts);
    result.hidden = false;
  }

  A.screen("privacy", show);
  A.onSignOut(function () {
    form.reset();
    HR.clearErrors(form);
    clear($("privacy-result"));
    $("privacy-result").hidden = true;
  });
})();
