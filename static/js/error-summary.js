// A form shown again with its errors starts with an error summary (templates/_macros/forms.html error_summary):
// move the focus to it, so that a screen reader reads the errors first and the page scrolls to them, whether the
// page was loaded or a fragment swapped in by htmx. A link in it moves the focus to its field and shows the field's
// label too. Without JavaScript the summary is simply at the top of the form and its links still lead to the fields.
"use strict";

const focusSummary = (root) => {
  const summary = root.matches?.("[data-error-summary]") ? root : root.querySelector?.("[data-error-summary]");
  if (summary) summary.focus();
};

const followLink = (event) => {
  const link = event.target.closest?.("[data-error-summary] a[href^='#']");
  if (!link) return;
  const target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
  if (!target) return;
  // A group of choices (a fieldset) is not focusable itself: its first choice is.
  const field = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
  if (!field) return;
  event.preventDefault();
  // The label (or the legend of a group) above the field stays in view, so one reads what the field asks for.
  const label = document.querySelector(`label[for="${CSS.escape(field.id)}"]`) || field.closest("fieldset");
  (label || field).scrollIntoView({ block: "start" });
  field.focus({ preventScroll: true });
};

focusSummary(document);
document.addEventListener("click", followLink);
document.addEventListener("htmx:afterSettle", (event) => focusSummary(event.detail.elt));
