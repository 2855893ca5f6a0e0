/* Radios with conditionally revealed content (the GOV.UK pattern), for a group marked
 * data-msoic-reveal: an input with data-reveal="ID" shows the element ID while it is
 * checked and hides it otherwise (govuk-radios__conditional--hidden), and controls it
 * (aria-controls). Without JavaScript the content stays visible, as GOV.UK Frontend does.
 *
 * Why not GOV.UK Frontend's own Radios module: it also sets aria-expanded on the radio,
 * which ARIA does not allow on that role, and axe-core (our WCAG 2.2 AA gate) refuses it
 * (govuk-frontend issue 979 keeps it on purpose). The revealed box follows its radio
 * directly, so it is next in reading and tab order when shown. */
for (const group of document.querySelectorAll("[data-msoic-reveal]")) {
  const inputs = Array.from(group.querySelectorAll("input[type=radio][data-reveal]"));
  const sync = () => {
    for (const input of inputs) {
      const target = document.getElementById(input.dataset.reveal);
      if (target) {
        input.setAttribute("aria-controls", target.id);
        target.classList.toggle("govuk-radios__conditional--hidden", !input.checked);
      }
    }
  };
  group.addEventListener("change", sync);
  sync();
}
