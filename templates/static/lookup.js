/* Lookup: ID number + phone -> every registration, its exam time, status and score.
   Built with textContent only: nothing the server sends is ever parsed as HTML. ES5 only. */
(function () {
  "use strict";
  var form = document.getElementById("lookup-form");
  if (!form || !window.HR) return;
  var results = document.getElementById("lookup-results");
  var button = form.querySelector('button[type="submit"]');
  var STATUS = {
    registered: { label: "已报名，待考试", advice: "请按时参加考试：考试当天扫描同一个二维码进入考试。" },
    passed: {
      label: "已通过",
      advice: "协会工作人员会在考试后 5 个工作日内（不含周末和法定节假日）把通过人员的信息录入北京市人力资源市场管理信息系统，" +
        "录入后这里会显示“已录入市系统”和录入日期。"
    },
    failed: { label: "未通过", advice: "请再学习课程，报名参加下一期考试。" },
    absent: { label: "缺考", advice: "您错过了这次考试，请报名参加下一期考试。" }
  };
  var sending = false;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fact(list, term, value, className) {
    list.appendChild(element("dt", "", term));
    list.appendChild(element("dd", className || "", value));
  }

  /* "2026-12-22" as 已录入市系统（2026年12月22日）. */
  function enteredText(isoDate) {
    var parts = String(isoDate).split("-");
    return "已录入市系统（" + parseInt(parts[0], 10) + "年" + parseInt(parts[1], 10) + "月" +
      parseInt(parts[2], 10) + "日）";
  }

  function render(registrations) {
    while (results.firstChild) results.removeChild(results.firstChild);
    results.appendChild(element("p", "muted", "共找到 " + registrations.length + " 条报名记录，最近的考试在前。"));
    for (var i = 0; i < registrations.length; i++) {
      var entry = registrations[i];
      var status = STATUS[entry.status] || { label: entry.status, advice: "" };
      var card = element("article", "card lookup-entry status-" + entry.status);
      card.appendChild(element("h2", "", entry.period.name));
      var facts = element("dl", "facts");
      fact(facts, "考试日期", HR.cnDate(entry.period.exam_date), "exam-date");
      fact(facts, "考试时间", entry.period.exam_start + "–" + entry.period.exam_end, "exam-date");
      fact(facts, "状态", status.label, "status");
      if (entry.score !== null && entry.score !== undefined) fact(facts, "成绩", entry.score + " 分", "score");
      if (entry.status === "passed") {
        if (entry.entered_on) fact(facts, "市系统录入", enteredText(entry.entered_on), "entered");
        else fact(facts, "市系统录入", "待录入（考试后 5 个工作日内）", "entered pending");
      }
      if (entry.auto_submitted) fact(facts, "交卷方式", "自动交卷（考试结束时按已保存的答案计分）", "auto-submitted");
      card.appendChild(facts);
      if (entry.status === "registered" && entry.period.notes) card.appendChild(element("p", "notes", entry.period.notes));
      if (status.advice) card.appendChild(element("p", "advice", status.advice));
      if (entry.feedback) {
        var feedback = element("div", "feedback", "");
        HR.showFeedback(feedback, entry.feedback);
        card.appendChild(feedback);
      }
      results.appendChild(card);
    }
    results.hidden = false;
    if (results.scrollIntoView) results.scrollIntoView({ block: "start" });
    offerRights();
  }

  /* Rights requests: offered after a lookup found the records, sent with the same ID number and
     phone (the server checks them again). The answer, and any copy, goes to the registered e-mail. */
  var rightsForm = document.getElementById("rights-form");
  var receipt = document.getElementById("rights-receipt");
  var KINDS = { copy: "复制个人信息", correction: "更正或补充个人信息", deletion: "删除个人信息", withdraw: "撤回同意" };
  var filing = false;

  function offerRights() {
    if (!rightsForm) return;
    HR.clearErrors(rightsForm);
    rightsForm.hidden = false;
    receipt.hidden = true;
  }

  function chosenKind() {
    var checked = rightsForm.querySelector('[name="kind"]:checked');
    return checked ? checked.value : "";
  }

  if (rightsForm) {
    rightsForm.addEventListener("submit", function (event) {
      event.preventDefault();
      if (filing) return;
      HR.clearErrors(rightsForm);
      var kind = chosenKind();
      if (!kind) {
        HR.showError(rightsForm, { field: "kind", message: "请选择要申请的事项。" });
        return;
      }
      var submit = rightsForm.querySelector('button[type="submit"]');
      filing = true;
      submit.disabled = true;
      HR.api("POST", "api/rights-requests", {
        id_number: HR.normalise.idNumber(form.querySelector('[name="id_number"]').value),
        phone: HR.normalise.phone(form.querySelector('[name="phone"]').value),
        kind: kind,
        details: rightsForm.querySelector('[name="details"]').value
      }).then(function (answer) {
        filing = false;
        submit.disabled = false;
        if (answer.status === 201 && answer.body && answer.body.request) {
          var request = answer.body.request;
          var slots = { kind: KINDS[request.kind] || request.kind, answer_by: HR.cnDate(request.answer_by),
                        email_masked: request.email_masked };
          for (var key in slots) {
            if (slots.hasOwnProperty(key)) receipt.querySelector('[data-receipt="' + key + '"]').textContent = slots[key];
          }
          rightsForm.reset();
          rightsForm.hidden = true;
          receipt.hidden = false;
          HR.focusHeading(receipt);
          return;
        }
        if (answer.status === 0) {
          HR.showError(rightsForm, null, "网络连接失败，申请尚未提交。请检查网络后重试。");
          return;
        }
        var error = answer.body && answer.body.error;
        // The ID number or phone was changed since the lookup: the refusal belongs to the lookup form.
        if (error && (error.field === "id_number" || error.field === "phone")) {
          HR.showError(form, error);
          return;
        }
        HR.showError(rightsForm, error, "申请没有提交成功，请稍后重试。");
      });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) return;
    HR.clearErrors(form);
    results.hidden = true;
    if (rightsForm) { rightsForm.hidden = true; receipt.hidden = true; }
    sending = true;
    button.disabled = true;
    HR.api("POST", "api/registrations/lookup", {
      id_number: HR.normalise.idNumber(form.querySelector('[name="id_number"]').value),
      phone: HR.normalise.phone(form.querySelector('[name="phone"]').value)
    }).then(function (answer) {
      sending = false;
      button.disabled = false;
      if (answer.status === 200 && answer.body && answer.body.registrations) {
        render(answer.body.registrations);
        return;
      }
      if (answer.status === 0) {
        HR.showError(form, null, "网络连接失败，请检查网络后重试。");
        return;
      }
      HR.showError(form, answer.body && answer.body.error, "查询没有成功，请稍后重试。");
    });
  });
})();
