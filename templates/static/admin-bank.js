/* The question bank screen (#bank): import and export the bank, set a period's blueprint,
   and each item's analysis across periods. Needs admin-core.js. ES5, textContent only. */
(function () {
  "use strict";
  var A = window.HR && HR.admin;
  if (!A) return;
  var $ = A.$, element = A.element, clear = A.clear;
  var TYPES = { "单选": "single", "多选": "multiple" };
  var LEVELS = { "易": "easy", "中": "medium", "难": "hard" };
  var TYPE_LABELS = { single: "单选", multiple: "多选" };
  var LEVEL_LABELS = { easy: "易", medium: "中", hard: "难" };
  var analysis = A.itemAnalysis;

  function row(cells, className) {
    var tr = element("tr", className || "");
    for (var i = 0; i < cells.length; i++) tr.appendChild(element("td", "", String(cells[i])));
    return tr;
  }

  function showBank() {
    A.showView("bank");
    document.title = "题库 · 工作人员控制台";
    loadBank();
    loadAnalysis();
    fillPeriods();
  }

  function loadBank() {
    $("bank-status").textContent = "正在读取题库……";
    A.call("GET", "api/admin/bank").then(function (answer) {
      if (answer.status !== 200 || !answer.body) {
        $("bank-status").textContent = A.messageOf(answer, "题库没有读取成功");
        return;
      }
      var bank = answer.body;
      $("bank-status").textContent = bank.items.length ? "题库共 " + bank.items.length + " 道题。" : "题库还是空的：请导入题目。";
      var body = $("bank-cells").querySelector("tbody");
      clear(body);
      for (var i = 0; i < bank.cells.length; i++) {
        var c = bank.cells[i];
        body.appendChild(row([c.topic, TYPE_LABELS[c.type] || c.type, LEVEL_LABELS[c.difficulty] || c.difficulty, c.count]));
      }
      $("bank-cells").hidden = !bank.cells.length;
    });
  }

  function loadAnalysis() {
    $("bank-analysis-status").textContent = "正在统计……";
    A.call("GET", "api/admin/bank/analysis").then(function (answer) {
      if (answer.status !== 200 || !answer.body) {
        $("bank-analysis-status").textContent = A.messageOf(answer, "题目分析没有读取成功");
        return;
      }
      var items = answer.body.items;
      $("bank-analysis-status").textContent = items.length ? "" : "还没有从题库抽题的考试交卷，暂无题目分析。";
      var body = $("bank-analysis").querySelector("tbody");
      clear(body);
      for (var i = 0; i < items.length; i++) {
        var s = items[i];
        var tr = row([s.item + " v" + s.version, s.topic, s.n, analysis.share(s.facility),
          analysis.number(s.upper_lower), analysis.number(s.point_biserial), analysis.shares(s),
          analysis.flags(s)], s.flags.length ? "flagged" : "");
        tr.setAttribute("data-item", s.item);
        tr.title = s.text;
        body.appendChild(tr);
      }
      $("bank-analysis").hidden = !items.length;
    });
  }

  /* Read afresh: after a reload on #bank nothing has read the periods yet, and a period
     created since sign-in must be offered too. */
  function fillPeriods() {
    A.call("GET", "api/admin/periods").then(function (answer) {
      if (answer.status === 200 && answer.body) A.periods = answer.body.periods;
      listPeriods();
    });
  }

  function listPeriods() {
    var select = $("blueprint-period");
    clear(select);
    var periods = A.periods || [];
    for (var i = 0; i < periods.length; i++) {
      var option = element("option", "", periods[i].name + "（" + periods[i].exam_date + "）");
      option.value = periods[i].id;
      select.appendChild(option);
    }
    loadBlueprint();
  }

  /* Which read of a stored blueprint is the latest: only its answer may fill the box. */
  var blueprintRead = 0;

  /* The stored blueprint of the chosen period, back in the form's own lines (empty when none).
     The box is read-only until it comes: lines typed before would be replaced by it. Only the
     latest read counts: the same period read twice (listed, then chosen again) answers twice,
     and an earlier answer arriving last would wipe lines typed after the later one. */
  function loadBlueprint() {
    var period = $("blueprint-period").value;
    if (!period) return;
    var box = $("blueprint-rows");
    var read = ++blueprintRead;
    box.readOnly = true;
    box.setAttribute("aria-busy", "true");
    A.call("GET", "api/admin/periods/" + encodeURIComponent(period) + "/blueprint").then(function (answer) {
      if (read !== blueprintRead) return;
      var rows = answer.status === 200 && answer.body ? answer.body.paper.blueprint.rows : [];
      box.value = textOf(rows);
      box.readOnly = false;
      box.removeAttribute("aria-busy");
      $("blueprint-result").textContent = rows.length ? "本期已设置抽题规则（见上），修改后可重新设置。" : "";
    });
  }

  function textOf(rows) {
    var lines = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var parts = [r.topic, TYPE_LABELS[r.type]];
      if (r.difficulty) parts.push(LEVEL_LABELS[r.difficulty]);
      parts.push(r.count);
      lines.push(parts.join(" "));
    }
    return lines.join("\n");
  }

  /* "劳动合同 单选 7" or "劳动合同 单选 难 3", one row a line, into the blueprint's rows. */
  function rowsOf(text) {
    var rows = [], lines = String(text).split(/\r?\n/);
    for (var i = 0; i < lines.length; i++) {
      var parts = lines[i].trim().split(/\s+/);
      if (!parts[0]) continue;
      var count = parseInt(parts[parts.length - 1], 10);
      var type = TYPES[parts[1]];
      var level = parts.length === 4 ? LEVELS[parts[2]] : null;
      if (parts.length < 3 || parts.length > 4 || !type || isNaN(count) || (parts.length === 4 && !level)) {
        return { error: "第 " + (i + 1) + " 行应为「知识点 单选 题数」或「知识点 多选 难 题数」。" };
      }
      rows.push({ topic: parts[0], type: type, difficulty: level, count: count });
    }
    return { rows: rows };
  }

  $("blueprint-period").addEventListener("change", loadBlueprint);

  $("bank-import").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = $("bank-import");
    HR.clearErrors(form);
    A.uploadFile(form, $("bank-file"), "bank", "请先选择题库工作簿（.xlsx）。", "api/admin/bank").then(function (answer) {
      if (!answer) return;
      if (answer.status === 200 && answer.body) {
        var done = answer.body["import"];
        $("bank-import-result").textContent = "已导入：新增 " + done.added.length + " 道，修改（新版本）" +
          done.changed.length + " 道，未变 " + done.unchanged + " 道；题库共 " + done.items + " 道。";
        form.reset();
        loadBank();
        return;
      }
      HR.showError(form, { message: A.messageOf(answer, "题库没有导入成功"), field: "bank" });
    });
  });

  $("bank-export").addEventListener("click", function () {
    A.download("api/admin/bank.xlsx", $("bank-export-error"));
  });

  $("blueprint-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = $("blueprint-form");
    HR.clearErrors(form);
    $("blueprint-result").textContent = "";
    var parsed = rowsOf($("blueprint-rows").value);
    if (parsed.error) { HR.showError(form, { message: parsed.error, field: "rows" }); return; }
    var period = $("blueprint-period").value;
    A.call("PUT", "api/admin/periods/" + encodeURIComponent(period) + "/blueprint", { rows: parsed.rows }).then(function (answer) {
      if (answer.status === 200 && answer.body) {
        var paper = answer.body.paper;
        $("blueprint-result").textContent = "已设置：每位考生从 " + paper.pool + " 道题中抽取 " +
          (paper.blueprint.singles + paper.blueprint.multiples) + " 道，总分 " + paper.total_points + " 分。";
        return;
      }
      // blueprint_invalid names every row the bank cannot fill.
      HR.showError(form, { message: A.messageOf(answer, "抽题规则没有设置成功"), field: "rows" });
    });
  });

  A.screen("bank", showBank);
  A.onSignOut(function () {
    clear($("bank-analysis").querySelector("tbody"));
    clear($("bank-cells").querySelector("tbody"));
    $("bank-import-result").textContent = "";
    $("blueprint-result").textContent = "";
  });
})();
