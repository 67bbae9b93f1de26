/* The staff tokens screen (#staff): an admin creates a token for a name and a role, lists the
   holders and revokes a token. Needs admin-core.js. A new token is shown once, in this screen,
   and wiped on sign-out and when the screen is left; the list never holds a token. */
(function () {
  "use strict";
  var A = window.HR && HR.admin;
  if (!A) return;
  var $ = A.$, element = A.element, clear = A.clear, cell = A.cell;

  var ROLES = { viewer: "只读", operator: "操作员", admin: "管理员" };
  var form = $("staff-form");
  var created = $("staff-created");
  var table = $("staff-table");
  var statusLine = $("staff-status");
  var errorLine = $("staff-error");

  function show() {
    A.showView("staff");
    document.title = "工作人员凭证 · 工作人员控制台";
    forgetCreated();
    load();
  }

  function forgetCreated() {
    clear(created);
    created.hidden = true;
  }

  function load() {
    errorLine.hidden = true;
    statusLine.textContent = "正在读取……";
    A.call("GET", "api/admin/staff").then(function (answer) {
      if (answer.status !== 200 || !answer.body) {
        statusLine.textContent = "";
        errorLine.textContent = A.messageOf(answer, "读取凭证列表没有成功");
        errorLine.hidden = false;
        table.hidden = true;
        return;
      }
      render(answer.body.staff);
    });
  }

  function render(staff) {
    var body = table.tBodies[0];
    clear(body);
    for (var i = 0; i < staff.length; i++) body.appendChild(row(staff[i]));
    table.hidden = staff.length === 0;
    statusLine.textContent = "共 " + staff.length + " 个凭证。";
  }

  function row(entry) {
    var tr = element("tr");
    cell(tr, "姓名", entry.name);
    cell(tr, "角色", (ROLES[entry.role] || entry.role) + "（" + entry.role + "）");
    var actions = cell(tr, "操作", "");
    var button = element("button", "secondary inline", "撤销");
    button.type = "button";
    button.setAttribute("aria-label", "撤销 " + entry.name + " 的凭证");
    button.addEventListener("click", function () { confirmRevoke(actions, button, entry); });
    actions.appendChild(button);
    return tr;
  }

  /* Revoking takes a second, explicit click: the holder is locked out within a minute. */
  function confirmRevoke(slot, first, entry) {
    first.hidden = true;
    var sure = element("button", "primary inline", "确认撤销");
    sure.type = "button";
    sure.setAttribute("aria-label", "确认撤销 " + entry.name + " 的凭证");
    var keep = element("button", "secondary inline", "取消");
    keep.type = "button";
    keep.addEventListener("click", function () {
      slot.removeChild(sure);
      slot.removeChild(keep);
      first.hidden = false;
      first.focus();
    });
    sure.addEventListener("click", function () {
      sure.disabled = true;
      keep.disabled = true;
      A.call("DELETE", "api/admin/staff/" + encodeURIComponent(entry.id)).then(function (answer) {
        if (answer.status === 204) {
          statusLine.textContent = "已撤销 " + entry.name + " 的凭证，1 分钟内在所有服务器上失效。";
          load();
          return;
        }
        sure.disabled = false;
        keep.disabled = false;
        errorLine.textContent = A.messageOf(answer, "撤销没有成功");
        errorLine.hidden = false;
        errorLine.setAttribute("tabindex", "-1");
        errorLine.focus();
      });
    });
    slot.appendChild(sure);
    slot.appendChild(keep);
    sure.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    HR.clearErrors(form);
    forgetCreated();
    var body = { name: $("staff-name").value.trim(), role: $("staff-role").value };
    if (!body.name) {
      HR.showError(form, { message: "请填写工作人员姓名。", field: "name" });
      return;
    }
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    A.call("POST", "api/admin/staff", body).then(function (answer) {
      button.disabled = false;
      if (answer.status === 201 && answer.body && answer.body.token) {
        form.reset();
        showCreated(answer.body);
        load();
        return;
      }
      var error = answer.body && answer.body.error;
      var field = error && (error.field === "name" || error.field === "role") ? error.field : null;
      if (error && error.code === "staff_exists") field = "name";
      HR.showError(form, { message: A.messageOf(answer, "创建凭证没有成功"), field: field });
    });
  });

  function showCreated(answer) {
    clear(created);
    created.appendChild(element("strong", "", "已为 " + answer.staff.name + "（" +
      (ROLES[answer.staff.role] || answer.staff.role) + "）创建凭证。"));
    created.appendChild(element("p", "", "请立即复制并当面或通过安全渠道交给本人；离开本页后无法再次查看："));
    var code = element("code", "staff-token", answer.token);
    code.id = "staff-new-token";
    created.appendChild(code);
    created.hidden = false;
    created.focus();
  }

  A.screen("staff", show);
  window.addEventListener("hashchange", function () {
    if (location.hash.replace(/^#/, "").split("/")[0] !== "staff") forgetCreated();
  });
  A.onSignOut(function () {
    form.reset();
    HR.clearErrors(form);
    forgetCreated();
    clear(table.tBodies[0]);
    table.hidden = true;
    statusLine.textContent = "";
    errorLine.hidden = true;
  });
})();
