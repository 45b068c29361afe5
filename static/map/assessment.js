// The details panel's repurposing assessment of one asset (`assets/{id}/assessment/`).

import { fetchJSON, isAbort } from "./api.js";
import { S, config, fmt, urls } from "./config.js";
import { el } from "./dom.js";

export function yesNo(value) {
  if (value === true) return S.yes;
  if (value === false) return S.no;
  return S.unknown;
}

export async function loadAssessment(id, container, signal) {
  container.dataset.state = "loading";
  try {
    const data = await fetchJSON(fmt(urls.assessment, { id }), signal);
    const checks = Array.isArray(data.checks) ? data.checks : [];
    container.replaceChildren(
      el("h4", { text: S.assessment }),
      el("p", {
        class: `verdict ${data.repurposable ? "yes" : "no"}`,
        "data-testid": "assessment-verdict",
        text: data.repurposable ? S.assessment_yes : S.assessment_no,
      }),
      el("ul", {}, checks.map((check) => el("li", {
        class: check.passed ? "passed" : "failed",
        "data-testid": "assessment-check",
        "data-rule": check.rule,
        title: check.passed ? S.check_passed : S.check_failed,
      }, el("span", { class: "rule", text: config.rule_labels[check.rule] || check.rule }), el("span", { class: "detail", text: check.detail || "" })))),
    );
    container.dataset.state = "loaded";
  } catch (err) {
    if (isAbort(err)) return;
    container.replaceChildren(el("h4", { text: S.assessment }),
      el("p", { class: "error", "data-testid": "assessment-error",
        text: fmt(S.layer_failed, { layer: S.layer_assessment, reason: err.message }) }));
    container.dataset.state = "failed";
  }
}
