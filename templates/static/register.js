/* Registration: fill in -> preview exactly what will be stored -> confirm -> result card.
   The checks below mirror chalicelib/domain/identity.py so that most mistakes show next to
   their field before the preview; the server checks everything again on confirm, and its
   refusals land next to their field too. ES5 only: WeChat's and older Android WebViews. */
(function () {
  "use strict";
  var form = document.getElementById("register-form");
  if (!form || !window.HR) return;
  var preview = document.getElementById("register-preview");
  var result = document.getElementById("register-result");
  var confirmButton = document.getElementById("preview-confirm");
  var backButton = document.getElementById("preview-back");
  var todayData = JSON.parse(document.getElementById("today-data").textContent);
  var FIELDS = ["name", "id_number", "phone", "email", "consent", "consent_city_system", "consent_cross_border"];
  // The separate consents the stage asks for: the page shows their boxes only then, each with
  // the server's own refusal in data-required (domain/privacy.py REFUSALS).
  var EXTRA_CONSENTS = ["consent_city_system", "consent_cross_border"];
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK_CHARACTERS = "10X98765432";
  var pending = null;
  var sending = false;

  function codePoints(text) { return text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, "_").length; }

  function normalise(values) {
    var clean = HR.normalise;
    var normalised = {
      name: clean.name(values.name),
      id_number: clean.idNumber(values.id_number),
      phone: clean.phone(values.phone),
      email: clean.email(values.email),
      consent: values.consent
    };
    for (var i = 0; i < EXTRA_CONSENTS.length; i++) {
      if (Object.prototype.hasOwnProperty.call(values, EXTRA_CONSENTS[i])) {
        normalised[EXTRA_CONSENTS[i]] = values[EXTRA_CONSENTS[i]];
      }
    }
    return normalised;
  }

  function dayNumber(isoDate) { return parseInt(isoDate.replace(/-/g, ""), 10); }

  function idNumberProblem(number) {
    if (!number) return "请填写 18 位居民身份证号码。";
    if (number.length !== 18) return "身份证号码应为 18 位，您填写了 " + number.length + " 位，请核对。";
    if (!/^[0-9]{17}[0-9X]$/.test(number)) return "身份证号码应为 17 位数字加 1 位数字或 X，请核对。";
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += parseInt(number.charAt(i), 10) * WEIGHTS[i];
    if (CHECK_CHARACTERS.charAt(sum % 11) !== number.charAt(17)) {
      return "身份证号码校验位不正确，请逐位核对后重新填写。";
    }
    var year = parseInt(number.substr(6, 4), 10);
    var month = parseInt(number.substr(10, 2), 10);
    var day = parseInt(number.substr(12, 2), 10);
    var birth = new Date(2000, 0, 1);
    birth.setFullYear(year, month - 1, day);
    if (year < 1 || birth.getFullYear() !== year || birth.getMonth() !== month - 1 || birth.getDate() !== day) {
      return "身份证号码中的出生日期不存在，请核对。";
    }
    var born = parseInt(number.substr(6, 8), 10);
    if (born < 19000101 || born > dayNumber(todayData.date)) return "身份证号码中的出生日期不正确，请核对。";
    return null;
  }

  function problems(values) {
    var found = {};
    if (!values.name) found.name = "请填写姓名。";
    else if (codePoints(values.name) > 40) found.name = "姓名应为 1 到 40 个字符。";
    else if (/[\u0000-\u001F\u007F-\u009F]/.test(values.name)) found.name = "姓名中含有无法识别的控制字符，请重新填写。";
    var idProblem = idNumberProblem(values.id_number);
    if (idProblem) found.id_number = idProblem;
    if (!values.phone) found.phone = "请填写 11 位手机号码。";
    else if (!/^1[0-9]{10}$/.test(values.phone)) found.phone = "请填写 11 位中国大陆手机号码（以 1 开头）。";
    if (!values.email) found.email = "请填写电子邮箱。";
    else if (!/^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(values.email)) {
      found.email = "电子邮箱格式不正确，请核对（例如 name@example.com）。";
    }
    if (values.consent !== true) found.consent = "请阅读个人信息保护说明，并勾选“我已阅读并同意”后再提交。";
    for (var i = 0; i < EXTRA_CONSENTS.length; i++) {
      var box = input(EXTRA_CONSENTS[i]);
      if (box && values[EXTRA_CONSENTS[i]] !== true) found[EXTRA_CONSENTS[i]] = box.getAttribute("data-required");
    }
    return found;
  }

  function input(name) { return form.querySelector('[name="' + name + '"]'); }

  function readForm() {
    var values = {
      name: input("name").value,
      id_number: input("id_number").value,
      phone: input("phone").value,
      email: input("email").value,
      consent: input("consent").checked
    };
    for (var i = 0; i < EXTRA_CONSENTS.length; i++) {
      var box = input(EXTRA_CONSENTS[i]);
      if (box) values[EXTRA_CONSENTS[i]] = box.checked;
    }
    return values;
  }

  function fill(scope, attribute, values) {
    var slots = scope.querySelectorAll("[" + attribute + "]");
    for (var i = 0; i < slots.length; i++) {
      var key = slots[i].getAttribute(attribute);
      if (Object.prototype.hasOwnProperty.call(values, key)) slots[i].textContent = values[key];
    }
  }

  function show(step) {
    form.hidden = step !== form;
    preview.hidden = step !== preview;
    result.hidden = step !== result;
    if (step.scrollIntoView) step.scrollIntoView({ block: "start" });
    HR.focusHeading(step);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    HR.clearErrors(form);
    var values = normalise(readForm());
    var found = problems(values);
    // Every problem at its field; the first one (in form order) gets the focus.
    var first = null;
    for (var i = FIELDS.length - 1; i >= 0; i--) {
      if (found[FIELDS[i]]) {
        HR.showError(form, { field: FIELDS[i], message: found[FIELDS[i]] });
        first = FIELDS[i];
      }
    }
    if (first) return;
    pending = values;
    fill(preview, "data-preview", values);
    HR.clearErrors(preview);
    show(preview);
  });

  backButton.addEventListener("click", function () {
    show(form);
  });

  function settle(answer) {
    sending = false;
    confirmButton.disabled = false;
    confirmButton.textContent = "确认报名";
    var body = answer.body || {};
    if (answer.status === 201 && body.registration) {
      showResult(body.registration);
      return;
    }
    if (answer.status === 0) {
      HR.showError(preview, null, "网络连接失败，报名尚未完成。请检查网络后再次点击“确认报名”。");
      return;
    }
    var error = body.error;
    if (error && error.field && form.querySelector('[data-error-for="' + error.field + '"]')) {
      show(form);
      HR.showError(form, error);
      return;
    }
    HR.showError(preview, error, "报名没有成功，请稍后重试。");
  }

  confirmButton.addEventListener("click", function () {
    if (sending || !pending) return;
    sending = true;
    confirmButton.disabled = true;
    confirmButton.textContent = "正在提交…";
    HR.clearErrors(preview);
    HR.api("POST", "api/registrations", pending).then(settle);
  });

  function showResult(registration) {
    var period = registration.period;
    fill(result, "data-result", {
      name: registration.name,
      id_number_masked: registration.id_number_masked,
      phone_masked: registration.phone_masked,
      email_masked: registration.email_masked,
      period_name: period.name,
      exam_date: HR.cnDate(period.exam_date),
      exam_time: period.exam_start + "–" + period.exam_end
    });
    // Done: the full details leave the page (a shared phone shows only the masked card).
    pending = null;
    form.reset();
    fill(preview, "data-preview", { name: "", id_number: "", phone: "", email: "" });
    show(result);
  }
})();
