/* The staff console's city import template (#city): upload the blank workbook the city's system
   gives, see its sheet and header row, choose what each column holds, save. The export then also
   writes the passers in that layout. Needs admin-core.js.

   The server reads the workbook and checks the mapping; this screen only shows what it answers
   and puts each refusal next to the column it names (field "columns[2].field" and so on). */
(function () {
  "use strict";
  var A = window.HR && HR.admin;
  if (!A) return;
  var $ = A.$, element = A.element, clear = A.clear;

  var ROUTE = "api/admin/city-template";
  var uploadForm = $("city-upload");
  var mappingForm = $("city-mapping");
  var shown = null;      // the server's last answer: {template, fields, max_rows}

  function showCity() {
    A.showView("city");
    document.title = "市系统导入模板 · 工作人员控制台";
    load(null);
    return true;
  }

  function load(headerRow) {
    $("city-error").hidden = true;
    $("city-status").textContent = "正在读取模板……";
    var path = ROUTE + (headerRow ? "?header_row=" + encodeURIComponent(headerRow) : "");
    A.call("GET", path).then(function (answer) {
      if (answer.status !== 200 || !answer.body) {
        $("city-status").textContent = "";
        $("city-error").textContent = A.messageOf(answer, "模板没有读取成功");
        $("city-error").hidden = false;
        return;
      }
      render(answer.body);
    });
  }

  function render(data) {
    shown = data;
    $("city-max-rows").textContent = String(data.max_rows);
    var template = data.template;
    mappingForm.hidden = !template;
    $("city-upload-title").textContent = template ? "更换模板" : "上传模板";
    $("city-upload-submit").textContent = template ? "上传并替换" : "上传模板";
    if (!template) {
      $("city-status").textContent = "尚未上传市系统导入模板：导出邮件只附 CSV 和 Excel 文件。";
      return;
    }
    $("city-status").textContent = template.ready ?
      "已启用：导出邮件会附上按此模板填好的文件。" :
      "模板已上传，尚未保存各列对应的内容：保存后导出才会按模板生成文件。";
    var facts = $("city-facts");
    clear(facts);
    A.fact(facts, "工作表", template.sheet);
    A.fact(facts, "上传", A.instant(template.uploaded_at) + (template.uploaded_by ? "（" + template.uploaded_by + "）" : ""));
    A.fact(facts, "对应关系", template.mapped_at ?
      "已保存 " + A.instant(template.mapped_at) + (template.mapped_by ? "（" + template.mapped_by + "）" : "") : "尚未保存");
    drawHeaderRows(template);
    drawColumns(template, data.fields);
    HR.clearErrors(mappingForm);
  }

  function drawHeaderRows(template) {
    var select = $("city-header-row");
    clear(select);
    for (var i = 0; i < template.rows.length; i++) {
      var texts = [];
      for (var j = 0; j < template.rows[i].length; j++) if (template.rows[i][j]) texts.push(template.rows[i][j]);
      if (!texts.length) continue;
      var preview = texts.join(" | ");
      if (preview.length > 40) preview = preview.slice(0, 40) + "…";
      var option = element("option", "", "第 " + (i + 1) + " 行：" + preview);
      option.value = String(i + 1);
      select.appendChild(option);
    }
    select.value = String(template.header_row);
  }

  /* What the column holds now: the saved mapping for this header row, else the header's suggestion. */
  function chosen(template, column) {
    var mapping = template.mapping;
    if (mapping && mapping.header_row === template.header_row) {
      for (var i = 0; i < mapping.columns.length; i++) {
        if (mapping.columns[i].column === column.column) return mapping.columns[i];
      }
    }
    return { field: column.suggested || "", text: "" };
  }

  function drawColumns(template, fields) {
    var body = $("city-columns").querySelector("tbody");
    clear(body);
    for (var i = 0; i < template.columns.length; i++) {
      var column = template.columns[i];
      var name = column.label || "（无表头）";
      var current = chosen(template, column);
      var row = element("tr");
      row.setAttribute("data-column", column.column);
      A.cell(row, "列", column.column);
      A.cell(row, "模板表头", name);
      var td = A.cell(row, "对应的内容", null);
      var field = "columns[" + i + "].field";
      var label = element("label", "sr-only", "「" + column.column + "」列（" + name + "）对应的内容");
      label.setAttribute("for", "city-field-" + i);
      var select = element("select");
      select.id = "city-field-" + i;
      select.name = field;
      var none = element("option", "", "请选择……");
      none.value = "";
      select.appendChild(none);
      for (var f = 0; f < fields.length; f++) {
        var option = element("option", "", fields[f].label);
        option.value = fields[f].field;
        select.appendChild(option);
      }
      select.value = current.field;
      var textLabel = element("label", "sr-only", "「" + column.column + "」列的固定文字");
      textLabel.setAttribute("for", "city-text-" + i);
      var text = element("input");
      text.type = "text";
      text.id = "city-text-" + i;
      text.name = "columns[" + i + "].text";
      text.maxLength = 100;
      text.placeholder = "每行写入的文字";
      text.value = current.text || "";
      td.appendChild(label);
      td.appendChild(select);
      td.appendChild(textLabel);
      td.appendChild(text);
      td.appendChild(errorSlot(field));
      td.appendChild(errorSlot("columns[" + i + "].text"));
      showText(select, text, textLabel);
      select.addEventListener("change", onFieldChange(select, text, textLabel));
      body.appendChild(row);
    }
  }

  function errorSlot(field) {
    var slot = element("p", "field-error");
    slot.setAttribute("data-error-for", field);
    slot.setAttribute("role", "alert");
    slot.hidden = true;
    return slot;
  }

  function showText(select, text, textLabel) {
    text.hidden = select.value !== "fixed";
    textLabel.hidden = text.hidden;
  }

  function onFieldChange(select, text, textLabel) {
    return function () {
      showText(select, text, textLabel);
      if (!text.hidden) text.focus();
    };
  }

  /* The mapping as the server takes it: the columns staff have chosen, in the template's order
     (a column left unchosen is named by the server's answer). */
  function mappingBody() {
    var template = shown.template;
    var columns = [];
    for (var i = 0; i < template.columns.length; i++) {
      var field = $("city-field-" + i).value;
      if (!field) continue;
      var entry = { column: template.columns[i].column, field: field };
      if (field === "fixed") entry.text = $("city-text-" + i).value;
      columns.push(entry);
    }
    return { template_key: template.key, header_row: template.header_row, columns: columns };
  }

  $("city-header-row").addEventListener("change", function () { load($("city-header-row").value); });

  uploadForm.addEventListener("submit", function (event) {
    event.preventDefault();
    HR.clearErrors(uploadForm);
    $("city-flash").hidden = true;
    var button = $("city-upload-submit");
    button.disabled = true;
    A.uploadFile(uploadForm, $("city-file"), "template", "请先选择市系统提供的空白导入模板（.xlsx）。", ROUTE)
      .then(function (answer) {
        button.disabled = false;
        if (!answer) return;
        if (answer.status === 200 && answer.body) {
          $("city-file").value = "";
          render(answer.body);
          flash("已上传模板（工作表「" + answer.body.template.sheet + "」，共 " +
            answer.body.template.columns.length + " 列）。请为每一列选择对应的内容后保存。");
          return;
        }
        var error = answer.body && answer.body.error;
        HR.showError(uploadForm, {
          message: A.messageOf(answer, "模板没有上传成功"),
          field: error && error.field ? error.field : "template"
        });
      });
  });

  mappingForm.addEventListener("submit", function (event) {
    event.preventDefault();
    HR.clearErrors(mappingForm);
    $("city-flash").hidden = true;
    var button = $("city-save");
    button.disabled = true;
    A.call("PUT", ROUTE + "/mapping", mappingBody()).then(function (answer) {
      button.disabled = false;
      if (answer.status === 200 && answer.body) {
        render(answer.body);
        flash("已保存各列对应的内容。之后的导出邮件会附上按此模板填好的文件。");
        return;
      }
      HR.showError(mappingForm, answer.body && answer.body.error, A.messageOf(answer, "没有保存成功"));
    });
  });

  $("city-remove").addEventListener("click", function () {
    HR.clearErrors(mappingForm);
    var button = $("city-remove");
    button.disabled = true;
    A.call("DELETE", ROUTE).then(function (answer) {
      button.disabled = false;
      if (answer.status !== 204 && answer.status !== 404) {
        HR.showError(mappingForm, answer.body && answer.body.error, A.messageOf(answer, "没有停用成功"));
        return;
      }
      load(null);
      flash("已停用模板：导出邮件只附 CSV 和 Excel 文件。");
    });
  });

  function flash(text) {
    var box = $("city-flash");
    box.textContent = text;
    box.hidden = false;
  }

  A.screen("city", showCity);
  A.onSignOut(function () {
    shown = null;
    clear($("city-columns").querySelector("tbody"));
    clear($("city-facts"));
    mappingForm.hidden = true;
    $("city-flash").hidden = true;
  });
})();
