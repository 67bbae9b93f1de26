/* The staff console's entry into the city's system (#entries, #entries/<period id>): per ended
   period the passers exported, entered into 北京市人力资源市场管理信息系统 and outstanding, with
   the deadline (the 5th working day after the exam); and the form that marks passers entered:
   pasted ID numbers, the city system's result file (.xlsx or .csv), or every exported passer.
   Needs admin-core.js. Built with textContent only. ES5 only.

   The server decides everything: which ID numbers are exported passers, which were entered
   already. The answer lists the ones that are not (masked, with their line), which nothing
   changed for. */
(function () {
  "use strict";
  var A = window.HR && HR.admin;
  if (!A) return;
  var $ = A.$, element = A.element, clear = A.clear, cell = A.cell;

  var form = $("entry-form");
  var rows = {};        // period id -> the row of the last listing
  var chosen = null;    // the period id whose form is open

  function mode() {
    var checked = form.querySelector('input[name="mode"]:checked');
    return checked ? checked.value : "text";
  }

  function showMode() {
    $("entry-text-field").hidden = mode() !== "text";
    $("entry-file-field").hidden = mode() !== "file";
  }

  var radios = form.querySelectorAll('input[name="mode"]');
  for (var r = 0; r < radios.length; r++) radios[r].addEventListener("change", showMode);

  /* ---- the list --------------------------------------------------------------------- */

  function showEntries(parts) {
    A.showView("entries");
    document.title = "录入市系统 · 工作人员控制台";
    chosen = parts[1] ? decodeURIComponent(parts[1]) : null;
    if (!chosen) {
      form.hidden = true;
      $("entry-result").hidden = true;
    }
    load();
    return true;
  }

  function load() {
    $("entries-error").hidden = true;
    $("entries-status").textContent = "正在读取各期次的录入情况……";
    // Beijing's date (the default entry date): the office PC's clock may be off.
    var today = A.today ? Promise.resolve() : HR.api("GET", "api/today").then(function (answer) {
      if (answer.status === 200 && answer.body) A.today = answer.body.date;
    });
    today.then(function () {
      return A.call("GET", "api/admin/entries");
    }).then(function (answer) {
      if (answer.status !== 200 || !answer.body) {
        $("entries-status").textContent = "";
        $("entries-error").textContent = A.messageOf(answer, "录入情况没有读取成功");
        $("entries-error").hidden = false;
        return;
      }
      render(answer.body.periods);
      if (chosen) openForm(chosen);
    });
  }

  function deadlineText(row) {
    if (!row.deadline) return "该年节假日安排未录入";
    return A.day(row.deadline) + (row.late ? "，已超期" : "");
  }

  function render(periods) {
    var tbody = $("entries-table").querySelector("tbody");
    clear(tbody);
    rows = {};
    var outstanding = 0;
    for (var i = 0; i < periods.length; i++) {
      var row = periods[i];
      rows[row.period.id] = row;
      outstanding += row.outstanding;
      var tr = element("tr", row.late ? "late" : "");
      cell(tr, "期次", row.period.name);
      cell(tr, "考试日期", A.day(row.period.exam_date));
      cell(tr, "录入截止", deadlineText(row), row.late ? "warning" : "");
      cell(tr, "通过", row.passers);
      cell(tr, "已导出", row.exported);
      cell(tr, "已录入", row.entered);
      cell(tr, "未录入", row.outstanding, row.outstanding ? "warning outstanding" : "outstanding");
      var actions = cell(tr, "操作", "");
      var link = element("a", "button-link", "标记已录入");
      link.href = "#entries/" + encodeURIComponent(row.period.id);
      link.setAttribute("aria-label", "标记已录入：" + row.period.name);
      actions.appendChild(link);
      tbody.appendChild(tr);
    }
    $("entries-table").hidden = !periods.length;
    $("entries-status").textContent = !periods.length ? "还没有考试已结束的期次。" :
      periods.length + " 个考试已结束的期次，共 " + outstanding + " 名通过人员尚未录入市系统。";
  }

  /* ---- the form --------------------------------------------------------------------- */

  function openForm(periodId) {
    var row = rows[periodId];
    if (!row) {
      form.hidden = true;
      $("entries-error").textContent = "没有找到该期次，或该期次的考试尚未结束。";
      $("entries-error").hidden = false;
      return;
    }
    HR.clearErrors(form);
    $("entry-form-title").textContent = "标记已录入市系统：" + row.period.name;
    var facts = $("entry-facts");
    clear(facts);
    A.fact(facts, "录入截止", deadlineText(row));
    A.fact(facts, "已导出", row.exported + " 人（共 " + row.passers + " 名通过人员）");
    A.fact(facts, "已录入", row.entered + " 人");
    A.fact(facts, "未录入", row.outstanding + " 人");
    if (!$("entry-date").value && A.today) $("entry-date").value = A.today;
    if (A.today) $("entry-date").max = A.today;
    $("entry-date").min = row.period.exam_date;
    form.hidden = false;
  }

  /* The chosen file as base64 (FileReader's data: URL without its prefix). */
  function readFile(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () {
        var url = String(reader.result || "");
        resolve(url.slice(url.indexOf(",") + 1));
      };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(file);
    });
  }

  function body() {
    var data = { entered_on: $("entry-date").value || undefined };
    var which = mode();
    if (which === "all") {
      data.all = true;
      return Promise.resolve(data);
    }
    if (which === "text") {
      var text = $("entry-text").value;
      if (!text.replace(/\s+/g, "")) {
        return Promise.reject({ message: "请粘贴已录入市系统的人员的身份证号，每行一个。", field: "text" });
      }
      data.text = text;
      return Promise.resolve(data);
    }
    var file = $("entry-file").files && $("entry-file").files[0];
    if (!file) return Promise.reject({ message: "请选择市系统导出的结果文件（.xlsx 或 .csv）。", field: "file" });
    return readFile(file).then(function (content) {
      data.file = { name: file.name, content_base64: content };
      return data;
    }, function () {
      throw { message: "文件读取失败，请重新选择。", field: "file" };
    });
  }

  function describe(result) {
    var box = $("entry-result");
    clear(box);
    var lines = ["本次标记已录入 " + result.marked + " 人（录入日期 " + result.entered_on + "）。"];
    if (result.already) lines.push(result.already + " 人此前已标记，未重复标记。");
    if (result.repeated) lines.push("有 " + result.repeated + " 个身份证号重复出现，只计一次。");
    lines.push("本期现有 " + result.period.entered + " 人已录入，" + result.period.outstanding + " 人未录入。");
    for (var i = 0; i < lines.length; i++) box.appendChild(element("p", "", lines[i]));
    if (result.not_passers.length) {
      box.appendChild(element("p", "warning",
        result.not_passers.length + " 个身份证号不是本期已导出的通过人员，未做任何更改，请核对："));
      var list = element("ul", "not-passers");
      for (var j = 0; j < result.not_passers.length; j++) {
        var item = result.not_passers[j];
        list.appendChild(element("li", "", "第 " + item.line + " 行：" + item.id_number_masked));
      }
      box.appendChild(list);
    }
    if (result.unreadable.length) {
      box.appendChild(element("p", "warning",
        "第 " + result.unreadable.join("、") + " 行无法识别为身份证号，未做任何更改，请核对。"));
    }
    box.hidden = false;
    box.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    HR.clearErrors(form);
    $("entry-result").hidden = true;
    var periodId = chosen;
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    body().then(function (data) {
      return A.call("POST", "api/admin/periods/" + encodeURIComponent(periodId) + "/entries", data);
    }).then(function (answer) {
      button.disabled = false;
      if (answer.status === 200 && answer.body) {
        describe(answer.body);
        $("entry-text").value = "";
        $("entry-file").value = "";
        var row = answer.body.period;
        rows[periodId] = row;
        load();
        // The banner counts what is still outstanding: count again.
        if (A.loadWarnings) A.loadWarnings();
        return;
      }
      var error = (answer.body && answer.body.error) || { message: A.messageOf(answer, "没有标记成功") };
      // A refusal of the choice itself (field "all") belongs to the whole form.
      if (error.field === "all" || error.field === "id_numbers") error = { message: error.message };
      HR.showError(form, error);
    }, function (refusal) {
      button.disabled = false;
      HR.showError(form, refusal);
    });
  });

  $("entries-refresh").addEventListener("click", load);

  A.screen("entries", showEntries);
  A.onSignOut(function () {
    rows = {};
    chosen = null;
    clear($("entries-table").querySelector("tbody"));
    $("entries-table").hidden = true;
    $("entries-status").textContent = "";
    clear($("entry-result"));
    $("entry-result").hidden = true;
    form.reset();
    form.hidden = true;
    showMode();
  });
})();
