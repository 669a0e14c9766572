// Send the ballot's fill-in form with fields of a fixed length (see portal/voting/ballot_form.py): a browser sends a
// radio or checkbox only when ticked, so without this the length of the request would tell how many items were left
// blank or how many names were ticked. Every item goes as exactly one one-character field ("-" when blank), and each
// list of candidates or options as one bitmap in ballot order. Without JavaScript the form still works as it is.
"use strict";

document.addEventListener(
  "formdata",
  (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-ballot")) return;
    const data = event.formData;
    for (const item of form.querySelectorAll("[data-ballot-item]")) {
      const name = item.getAttribute("data-ballot-item");
      if (!data.has(name)) data.append(name, "-");
    }
    for (const list of form.querySelectorAll("[data-ballot-list]")) {
      const boxes = list.querySelectorAll("input[type=checkbox], input[type=radio]");
      const bits = Array.from(boxes, () => "0");
      for (const box of boxes) {
        if (box.checked) bits[Number(box.value)] = "1";
        data.delete(box.name);
      }
      data.set(list.getAttribute("data-ballot-list"), bits.join(""));
    }
  },
  true,
);

// The election ballot's counter ("已选 2/5"): shown once this script runs, kept up to date as boxes are ticked, and
// saying at once when too many are ("已选 6 人，最多 5 人"). Its sentences come from the page (data-count / data-over,
// already translated, "{n}" standing for the number). Without JavaScript the legend says the most, and the server
// refuses too many with the numbers.
function updateCounter(list, counter) {
  const chosen = list.querySelectorAll("input[type=checkbox]:checked").length;
  const most = Number(counter.getAttribute("data-most"));
  const over = chosen > most;
  counter.textContent = counter.getAttribute(over ? "data-over" : "data-count").replace("{n}", String(chosen));
  counter.classList.toggle("over", over);
}

for (const counter of document.querySelectorAll("[data-ballot-counter]")) {
  const list = counter.closest("[data-ballot-list]");
  if (!list) continue;
  updateCounter(list, counter);
  counter.hidden = false;
  list.addEventListener("change", () => updateCounter(list, counter));
}
