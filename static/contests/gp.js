// The case page: display-only countdown that asks the server to time the case out at zero,
// keys 1-7 for the seven diagnoses (1-5 for "How sure are you?" where a study asks it), z for
// zoom, and focus moved to each new case.
// An answer (or a timeout) that does not reach the server, or meets a server that is down or
// busy, is sent again with a growing pause and the page says so: answers are idempotent on the
// server, so a repeat never stores twice. Other refusals ask the reader to reload.
(function () {
  "use strict";
  let timer = null;

  function startCountdown() {
    if (timer !== null) {
      clearInterval(timer);
      timer = null;
    }
    const box = document.getElementById("countdown");
    if (!box) return;
    const end = performance.now() + parseFloat(box.dataset.secondsLeft) * 1000;
    const out = box.querySelector("[data-seconds]");
    let fired = false;
    const tick = function () {
      const left = Math.max(0, (end - performance.now()) / 1000);
      out.textContent = String(Math.ceil(left));
      box.classList.toggle("low", left <= 10);
      if (left <= 0 && !fired) {
        fired = true;
        clearInterval(timer);
        timer = null;
        const form = document.getElementById("timeout-form");
        if (form) htmx.trigger(form, "timeout");
      }
    };
    tick();
    timer = setInterval(tick, 200);
  }

  function toggleZoom() {
    const figure = document.getElementById("case-figure");
    const button = document.getElementById("zoom-toggle");
    if (!figure || !button) return;
    const zoomed = figure.classList.toggle("zoomed");
    button.setAttribute("aria-pressed", zoomed ? "true" : "false");
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("#zoom-toggle")) toggleZoom();
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = event.target && event.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    if (event.key >= "1" && event.key <= "7") {
      const key = '[data-key="' + event.key + '"]';
      const button = document.querySelector(
        "#answer-form button" + key + ", #confidence-form button" + key
      );
      if (button && !button.disabled) {
        event.preventDefault();
        button.click();
      }
    } else if (event.key === "z" || event.key === "Z") {
      toggleZoom();
    }
  });

  // Status codes worth waiting out: the server busy (429), broken (500) or away (502-504).
  const RETRYABLE = new Set([0, 429, 500, 502, 503, 504]);
  const MAX_WAIT_MS = 30000;
  let attempts = 0;

  function status(kind) {
    const box = document.getElementById("save-status");
    if (!box) return;
    if (!kind) {
      box.hidden = true;
      box.textContent = "";
      return;
    }
    box.textContent = box.dataset[kind];
    box.className = "save-status " + kind;
    box.hidden = false;
  }

  function retry(event) {
    const detail = event.detail;
    const source = detail.elt;
    if (!source || !source.closest || !source.closest("#case")) return;
    const code = detail.xhr ? detail.xhr.status : 0;
    if (!RETRYABLE.has(code)) {
      status("refused");
      return;
    }
    status("retrying");
    attempts += 1;
    const config = detail.requestConfig;
    const values = {};
    const data = config.formData || config.parameters;
    if (data && typeof data.forEach === "function") {
      data.forEach(function (value, key) { values[key] = value; });
    } else if (data) {
      Object.assign(values, data);
    }
    const wait = Math.min(MAX_WAIT_MS, 1000 * Math.pow(2, attempts - 1));
    setTimeout(function () {
      htmx.ajax(config.verb.toUpperCase(), config.path, {
        source: source, target: "#case", swap: "outerHTML", values: values,
      });
    }, wait);
  }

  document.addEventListener("htmx:responseError", retry);
  document.addEventListener("htmx:sendError", retry);
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "case") {
      attempts = 0;
      status(null);
    }
  });

  // Both scripts are deferred and run in order, so htmx is there; it calls back for the page
  // itself once ready and for every fragment it swaps in later.
  htmx.onLoad(function (element) {
    startCountdown();
    // A new case or the end of a phase arrived by htmx: take the reader's focus there.
    if (element.id === "case") {
      const title = element.querySelector("h2");
      if (title) title.focus();
    }
  });
})();
