// The Print button of the print pages (slips, paper ballots, proxy forms): shown only with JavaScript, it opens the
// browser's print dialog; without JavaScript the page says to use the browser's own Print command.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
