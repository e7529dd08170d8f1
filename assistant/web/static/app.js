// The Mini App's only script: it carries Telegram's initData on every request, turns every
// form into a fetch that replaces the view, and applies Telegram's theme colours.
(function () {
  "use strict";
  var hash = new URLSearchParams(window.location.hash.slice(1));
  var initData = hash.get("tgWebAppData") || window.sessionStorage.getItem("tgWebAppData") || "";
  if (hash.get("tgWebAppData")) {
    window.sessionStorage.setItem("tgWebAppData", initData);
  }
  var view = document.getElementById("view");

  function applyTheme(raw) {
    var theme;
    try {
      theme = JSON.parse(raw || "{}");
    } catch (error) {
      return;
    }
    Object.keys(theme).forEach(function (key) {
      if (/^[a-z_]+$/.test(key) && /^#[0-9a-fA-F]{3,8}$/.test(theme[key])) {
        document.documentElement.style.setProperty(
          "--tg-theme-" + key.replace(/_/g, "-"),
          theme[key]
        );
      }
    });
  }

  function postEvent(type, data) {
    var body = JSON.stringify(data || {});
    if (window.TelegramWebviewProxy) {
      window.TelegramWebviewProxy.postEvent(type, body);
    } else if (window.external && "notify" in window.external) {
      window.external.notify(JSON.stringify({ eventType: type, eventData: data || {} }));
    } else if (window.parent !== window) {
      window.parent.postMessage(JSON.stringify({ eventType: type, eventData: data || {} }), "*");
    }
  }

  function load(path, fields) {
    var headers = { "Content-Type": "application/json", "X-Mini-App": "1" };
    if (initData) {
      headers.Authorization = "tma " + initData;
    }
    view.setAttribute("aria-busy", "true");
    return window
      .fetch(path, {
        method: "POST",
        headers: headers,
        body: JSON.stringify(fields || {}),
        credentials: "same-origin",
      })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        view.innerHTML = html;
        view.removeAttribute("aria-busy");
        window.scrollTo(0, 0);
      })
      .catch(function () {
        view.removeAttribute("aria-busy");
        view.insertAdjacentHTML("afterbegin", '<p class="error">⚠️ offline · 网络断开</p>');
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    event.preventDefault();
    var fields = {};
    new FormData(form, event.submitter).forEach(function (value, key) {
      fields[key] = String(value);
    });
    var submitter = event.submitter;
    var path = (submitter && submitter.getAttribute("formaction")) || form.getAttribute("action");
    load(path, fields);
  });

  window.addEventListener("message", function (event) {
    try {
      var message = JSON.parse(event.data);
      if (message.eventType === "theme_changed") {
        applyTheme(JSON.stringify(message.eventData.theme_params));
      }
    } catch (error) {
      /* not a message from Telegram */
    }
  });

  applyTheme(hash.get("tgWebAppThemeParams"));
  postEvent("web_app_ready");
  postEvent("web_app_expand");
  load(view.getAttribute("data-start"), {});
})();
