// The activation letter's QR code opens /activate#code=XXXX-XXXX-XXXX: the part after "#" never reaches a server,
// a proxy or a log. This copies the code into the form's code field and removes it from the address bar (and so from
// the history). Without JavaScript the owner types the code printed on the letter.
"use strict";

const fillCodeFromFragment = () => {
  const match = /(?:^#|&)code=([^&]*)/.exec(window.location.hash);
  if (!match) return;
  const field = document.getElementById("code");
  if (field) {
    try {
      field.value = decodeURIComponent(match[1]).slice(0, 40);
    } catch {
      // A mangled link: leave the field for the owner to type.
    }
  }
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
};

fillCodeFromFragment();
// The link opened while the page was already showing (only the fragment changed): no reload, so listen too.
window.addEventListener("hashchange", fillCodeFromFragment);
