// The density of your model, in the browser: the same closed forms as densing.calculator
// (eq. 3 inverted, eq. 4, rho = N_hat / N) on the constants of the book's default reference,
// which the build writes to densing-reference.js (window.DENSING_REFERENCE). No server.
(function () {
  "use strict";
  const R = window.DENSING_REFERENCE;

  function effectiveParams(score, law, curve, D0) {
    // eq. 3 inverted, then eq. 4: N_hat = ((L_hat - b D0^-beta - E) / a)^(-1/alpha)
    const [a, alpha, b, beta, E] = law;
    const [c, gamma, l, d] = curve;
    const loss = l - Math.log(c / (score - d) - 1) / gamma;
    const excess = loss - (b * Math.pow(D0, -beta) + E);
    return excess > 0 ? Math.pow(excess / a, -1 / alpha) : NaN;
  }

  function reach(law, curve, D0) {
    // the score of an infinitely large reference trained on D0 tokens
    const [, , b, beta, E] = law;
    const [c, gamma, l, d] = curve;
    const z = gamma * (b * Math.pow(D0, -beta) + E - l);
    return c * Math.exp(-(Math.max(0, -z) + Math.log1p(Math.exp(-Math.abs(z))))) + d;
  }

  function percentile(sorted, q) {
    // numpy's default (linear) percentile of sorted values
    const position = (q / 100) * (sorted.length - 1);
    const low = Math.floor(position), high = Math.ceil(position);
    return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
  }

  function number(name, text) {
    if (text === "" || text === null || text === undefined) return null;
    const value = Number(text);
    if (String(text).trim() === "" || Number.isNaN(value)) {
      throw new Error(`${name} = '${text}' must be a number`);
    }
    return value;
  }

  // The checks of densing.calculator, with the same messages.
  function compute(paramsText, scoreTexts) {
    const n = number("n_params", paramsText);
    if (n === null) throw new Error("n_params is missing: give the raw parameter count");
    if (!Number.isFinite(n)) {
      throw new Error(`n_params = ${n > 0 ? "inf" : "-inf"} is not finite: the valid range is ` +
                      `[${R.params_range_text[0]}, ${R.params_range_text[1]}]`);
    }
    if (n < R.params_range[0] || n > R.params_range[1]) {
      const hint = n > 0 && n < R.params_range[0] ? `; it looks like billions: pass ${n}e9 for ${n}B` : "";
      throw new Error(`n_params = ${n} is outside the valid range [${R.params_range_text[0]}, ` +
                      `${R.params_range_text[1]}] (a raw count)${hint}`);
    }
    const scores = {};
    for (const benchmark of R.benchmarks) {
      const value = number(benchmark, scoreTexts[benchmark]);
      if (value === null) continue;
      if (!Number.isFinite(value)) {
        throw new Error(`${benchmark} = ${value > 0 ? "inf" : "-inf"} is not finite: the valid range is [0, 100]`);
      }
      if (value < 0 || value > 100) {
        throw new Error(`${benchmark} = ${value} is not a percentage: the valid range is [0, 100]`);
      }
      scores[benchmark] = value;
    }
    const given = Object.keys(scores);
    if (given.length === 0) {
      throw new Error(`no scores given: pass at least one of ${R.benchmarks.join(", ")} (percent)`);
    }
    if (given.length >= 2 && given.every((b) => scores[b] <= 1)) {
      const listed = given.map((b) => `${b} = ${scores[b]}`).join(", ");
      throw new Error(`the scores are all at most 1 (${listed}): they look like fractions; pass percentages (0.742 -> 74.2)`);
    }
    for (const b of given) {  // a benchmark whose random guessing scores well above 1%
      if (R.guessing[b] > 1 && scores[b] <= 1) {
        const percent = Number((scores[b] * 100).toPrecision(6));
        throw new Error(`${b} = ${scores[b]} is far below random guessing (${R.guessing[b]}%): ` +
                        `it looks like a fraction; pass percentages (${scores[b]} -> ${percent})`);
      }
    }
    const missing = R.benchmarks.filter((b) => !(b in scores));
    if (missing.length) {
      throw new Error(`the mean score needs all of ${R.benchmarks.join(", ")}; missing ` +
                      `${missing.join(", ")}: pass them, or aggregate='median' to use the benchmarks given`);
    }
    const mean = R.benchmarks.reduce((sum, b) => sum + scores[b], 0) / R.benchmarks.length;
    const [c, , , d] = R.curve;
    const nearFloor = d + R.near_floor * c;
    const top = reach(R.law, R.curve, R.D0);
    if (mean < nearFloor) {
      throw new Error(`the mean score is near the floor (below ${nearFloor.toFixed(1)}): its density would say more about the fitted floor than about the model`);
    }
    if (mean >= top) {
      throw new Error(`the mean score is beyond what a reference trained on D0 = ${R.D0_text} tokens can reach (>= ${top.toFixed(1)})`);
    }
    const nearTop = top - R.near_top * (top - d);
    if (mean > nearTop) {
      throw new Error(`the mean score is near the top of what a reference trained on D0 = ${R.D0_text} tokens can reach (above ${nearTop.toFixed(1)}): its density would say more about the fitted top than about the model`);
    }
    const nHat = effectiveParams(mean, R.law, R.curve, R.D0);
    const placed = [];
    for (let i = 0; i < R.draws.law.length; i++) {
      const law = R.draws.law[i], curve = R.draws.curve[i];
      const drawTop = reach(law, curve, R.D0);
      const ok = mean >= curve[3] + R.near_floor * curve[0] && mean < drawTop &&
        mean <= drawTop - R.near_top * (drawTop - curve[3]);
      const rho = effectiveParams(mean, law, curve, R.D0) / n;
      if (ok && Number.isFinite(rho) && rho > 0) placed.push(rho);
    }
    placed.sort((x, y) => x - y);
    const tail = (1 - R.level) / 2 * 100;
    return {
      mean_score: mean, effective_params: nHat, density: nHat / n,
      density_low: placed.length ? percentile(placed, tail) : NaN,
      density_high: placed.length ? percentile(placed, 100 - tail) : NaN,
      placed_share: placed.length / R.draws.law.length,
    };
  }

  function human(value) {
    for (const [scale, unit] of [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "k"]]) {
      if (Math.abs(value) >= scale) return `${Number((value / scale).toPrecision(3))}${unit}`;
    }
    return `${Number(value.toPrecision(3))}`;
  }

  function show(form) {
    const output = form.querySelector("output");
    const scores = {};
    for (const b of R.benchmarks) scores[b] = form.elements[b].value.trim();
    const params = form.elements.n_params.value.trim();
    if (params === "" && Object.values(scores).every((v) => v === "")) {
      output.textContent = "Type a size and five scores.";
      return;
    }
    try {
      const r = compute(params, scores);
      output.classList.remove("densing-error");
      output.textContent = `Effective size ${human(r.effective_params)} parameters; density ` +
        `${Number(r.density.toPrecision(3))} (95% interval over refitted references: ` +
        `${Number(r.density_low.toPrecision(3))} to ${Number(r.density_high.toPrecision(3))}; ` +
        `${Math.round(100 * r.placed_share)}% of them can place this score).`;
    } catch (error) {
      output.classList.add("densing-error");
      output.textContent = `Refused: ${error.message}`;
    }
  }

  window.densingCalculator = { compute, reference: R };
  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("densing-calculator");
    if (!form) return;
    form.addEventListener("input", () => show(form));
    form.addEventListener("submit", (event) => { event.preventDefault(); show(form); });
    show(form);
  });
})();
