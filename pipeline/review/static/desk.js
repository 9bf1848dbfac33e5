// Keyboard shortcuts for the review desk. This script never reads or writes post text:
// it only clicks the desk's own buttons and links, so nothing from a post can become markup.
"use strict";

(function () {
  function typing(target) {
    const tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function byKey(key) {
    const all = document.querySelectorAll("[data-keys]");
    for (const el of all) {
      if (el.getAttribute("data-keys").split(" ").indexOf(key) !== -1) return el;
    }
    return null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key.toLowerCase();
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    if (document.body.dataset.page === "queue" && key === "enter") {
      const start = document.getElementById("start");
      if (start) { event.preventDefault(); start.click(); }
      return;
    }
    if (document.body.dataset.page !== "post") return;
    if (key === "c") {
      const box = document.getElementById("apply-cluster");
      if (box) { event.preventDefault(); box.checked = !box.checked; }
      return;
    }
    if (key === "n") {
      const note = document.getElementById("note");
      if (note) { event.preventDefault(); note.focus(); }
      return;
    }
    const target = byKey(key);
    if (!target) return;
    event.preventDefault();
    if (target.disabled) return;
    // Disable every decision button once one is pressed so a held key cannot send twice.
    if (target.form && target.classList.contains("d")) {
      const form = target.form;
      form.requestSubmit(target);
      for (const b of form.querySelectorAll("button.d")) b.disabled = true;
      return;
    }
    target.click();
  });
  // Lets automated checks know the shortcuts are live before they press keys.
  document.documentElement.setAttribute("data-desk-ready", "1");
})();
