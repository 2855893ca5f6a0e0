/* Starts the GOV.UK Frontend components (error summary focus, buttons, details) on every page. */
import { initAll } from "../vendor/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();
