// Contact Now as a dialog on the same page, and sending without leaving it. Without this file
// the envelope button is a link to the contact page and every form posts normally.
(function () {
  "use strict";
  var dialog = document.getElementById("contact-dialog");
  if (!dialog || typeof dialog.showModal !== "function") { return; }
  var form = dialog.querySelector("[data-message-form]");
  var title = dialog.querySelector("[data-dialog-title]");
  var contextLine = form.querySelector("[data-context-line]");
  var error = form.querySelector("[data-form-error]");
  var sent = dialog.querySelector("[data-dialog-sent]");
  var sentLink = dialog.querySelector("[data-dialog-sent-link]");
  var sendButton = form.querySelector("button[type=submit]");

  function newKey() {
    return window.crypto && crypto.randomUUID ? crypto.randomUUID().replace(/-/g, "")
      : String(Date.now()) + Math.random().toString(16).slice(2);
  }

  function open(button) {
    var link = new URL(button.href, window.location.href);
    form.reset();
    form.action = link.pathname;
    form.elements.client_id.value = newKey();
    form.elements.product.value = button.dataset.product || "";
    form.elements.order.value = button.dataset.order || "";
    title.textContent = button.dataset.storeName;
    contextLine.textContent = button.dataset.context || "";
    contextLine.hidden = !button.dataset.context;
    error.hidden = true;
    sent.hidden = true;
    form.hidden = false;
    dialog.showModal();
    form.elements.body.focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-contact]");
    if (!button || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    event.preventDefault();
    open(button);
  });
  dialog.querySelector("[data-dialog-close]").addEventListener("click", function () { dialog.close(); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    sendButton.disabled = true;
    error.hidden = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (result.ok) {
        form.hidden = true;
        sentLink.href = result.data.conversation_url;
        sent.hidden = false;
        sentLink.focus();
      } else {
        error.textContent = result.data.message;
        error.hidden = false;
      }
    }).catch(function () {
      form.submit();
    }).finally(function () {
      sendButton.disabled = false;
    });
  });
})();
