/* The period picker, enhanced (templates/includes/period_picker.html).
 *
 * Without JavaScript the picker is one select with a group of options per kind of period.
 * Here it becomes two native selects: "Type of period" (month, quarter, financial year, ...)
 * and the period itself, listing only that type. Changing the type keeps the end month of
 * the period chosen where the new type has one ending then (April to June 2024 becomes the
 * year to June 2024), else takes the newest ending before it, else the newest. Only the
 * period select has a name, so the form sends the same value either way. Both are plain selects: keyboard and screen reader use
 * is the browser's own. */
for (const wrap of document.querySelectorAll("[data-msoic-period-picker]")) {
  const select = wrap.querySelector("select");
  const groups = select ? Array.from(select.querySelectorAll("optgroup")) : [];
  if (groups.length < 2 || wrap.dataset.enhanced) continue;
  wrap.dataset.enhanced = "true";

  const blank = Array.from(select.options).filter((o) => !o.value);
  const kinds = groups.map((g) => ({
    label: g.label,
    kind: g.querySelector("option")?.dataset.kind || g.label,
    options: Array.from(g.querySelectorAll("option")),
  }));
  const chosen = select.selectedOptions[0];
  const current = kinds.find((k) => k.options.includes(chosen)) || kinds[0];

  const group = document.createElement("div");
  group.className = "govuk-form-group";
  const label = document.createElement("label");
  label.className = "govuk-label";
  label.htmlFor = `${select.id}-kind`;
  label.textContent = "Type of period";
  const kindSelect = document.createElement("select");
  kindSelect.className = "govuk-select";
  kindSelect.id = `${select.id}-kind`;
  for (const k of kinds) {
    const option = new Option(k.label, k.kind, false, k === current);
    kindSelect.append(option);
  }
  group.append(label, kindSelect);
  wrap.prepend(group);

  // The end month of the period last chosen: moving through the types (as arrow keys do)
  // does not lose it. A type with no period ending then offers the newest ending before.
  let anchor = chosen?.dataset.end;
  const show = (kind) => {
    select.replaceChildren(...blank, ...kind.options);
    const same = anchor && kind.options.find((o) => o.dataset.end === anchor);
    const before = anchor && kind.options.find((o) => o.dataset.end < anchor);
    const pick = same || (blank.includes(chosen) ? chosen : before || kind.options[0]);
    if (pick) pick.selected = true;
  };
  show(current);
  if (chosen) chosen.selected = true;

  kindSelect.addEventListener("change", () => {
    const kind = kinds.find((k) => k.kind === kindSelect.value);
    if (kind) show(kind);
  });
  select.addEventListener("change", () => {
    anchor = select.selectedOptions[0]?.dataset.end || anchor;
  });
}
