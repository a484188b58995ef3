// The specification explorer, in the browser: for the combination of choices in the form, the
// doubling time, its interval and the figure of densing.explorer.export, which the build wrote
// into the page as JSON (#densing-explorer-data). Nothing is computed here but the drawing.
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  const MARGIN = { left: 78, right: 30, top: 14, bottom: 58 };
  const FONT_PX = 15; // at least the page's caption text (14.4 px)

  function fixed(value, digits) {
    return value === null ? "undefined" : value.toFixed(digits);
  }

  // What the result line says for one combination (or why there is none).
  function describe(data, key) {
    const result = data.combinations[key];
    if (result === undefined) {
      return { missing: true, text: "Not computed on this page (its combinations are described " +
        `below). The nearest one that is: set ${nearest(data, key)}.` };
    }
    if (result.unavailable !== undefined) {
      return { missing: true, text: `Not available: ${result.unavailable}` };
    }
    const rate = `A = ${fixed(result.A, 4)} per day, R² = ${fixed(result.r2, 2)}; ` +
      `${result.n_models} models, ${result.n_record_setters} record-setters.`;
    if (!(result.A > 0)) {
      return { missing: false, text: `No doubling: the fitted line does not rise. ${rate}` };
    }
    const [low, high] = result.interval;
    const interval = low === null ? "no interval: no resample gave a line"
      : high === null ? `models interval ${fixed(low, 0)} days to unbounded`
        : `models interval ${fixed(low, 0)}–${fixed(high, 0)} days`;
    return { missing: false, text: `Doubling every ${fixed(result.doubling_days, 0)} days ` +
      `(${interval}; ${Math.round(100 * result.level)}%, ${data.n_boot} resamples of the ` +
      `models). ${rate}` };
  }

  // The changes to the menus that reach a computed combination from ``key`` in fewest steps
  // (each way, if several are as near).
  function nearest(data, key) {
    const chosen = key.split(data.separator);
    let best = [];
    for (const other of Object.keys(data.combinations)) {
      const labels = other.split(data.separator);
      const changes = data.menus.map((menu, i) => [menu.name, labels[i]])
        .filter((_, i) => labels[i] !== chosen[i]);
      if (best.length === 0 || changes.length < best[0].length) best = [changes];
      else if (changes.length === best[0].length) best.push(changes);
    }
    return best.map((changes) => changes.map(([menu, label]) => `${menu} to “${label}”`)
      .join(", ")).join("; or ");
  }

  function element(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function decadeTicks(low, high) {
    // powers of ten over [low, high], at most eight; with two decades or fewer, also 2x and 5x
    const first = Math.floor(Math.log10(low)), last = Math.ceil(Math.log10(high));
    const stride = Math.ceil((last - first + 1) / 8);
    const steps = last - first <= 2 ? [1, 2, 5] : [1];
    const ticks = [];
    for (let power = first; power <= last; power += stride) {
      for (const step of steps) {
        if (step === 1 || power < last) ticks.push(step * Math.pow(10, power));
      }
    }
    return { domain: [Math.pow(10, first), Math.pow(10, last)], ticks };
  }

  function tickLabel(value) {
    // 0.01 to 1000 as numbers, others as powers of ten (10⁵, 10⁻³)
    if (value >= 0.01 && value <= 1000) return String(Number(value.toPrecision(2)));
    const [mantissa, power] = value.toExponential(0).split("e");
    const superscript = power.replace("+", "").replace(/[-0-9]/g,
      (c) => "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"["-0123456789".indexOf(c)]);
    return (mantissa === "1" ? "" : `${mantissa}×`) + `10${superscript}`;
  }

  // Log density against release date: every model, the record-setters, and the line.
  function draw(svg, data, key) {
    const result = data.combinations[key];
    const width = svg.parentElement.clientWidth;
    const height = Math.round(Math.min(520, Math.max(340, 0.62 * width)));
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    const title = svg.querySelector("title");
    svg.replaceChildren(title);
    const plotted = result !== undefined && result.unavailable === undefined;
    document.getElementById("densing-explorer-legend").hidden = !plotted;
    if (!plotted) {
      title.textContent = "No figure: this combination has no line.";
      svg.setAttribute("height", 0);
      return;
    }
    const dates = data.models.map((m) => Date.parse(m.date));
    const start = new Date(Math.min(...dates)), end = new Date(Math.max(...dates));
    const x0 = Date.UTC(start.getUTCFullYear(), 0, 1);
    const x1 = Date.UTC(end.getUTCFullYear() + 1, 0, 1);
    const values = result.points.map((p) => p[1]).concat(result.line.map((p) => p[1]));
    const y = decadeTicks(Math.min(...values), Math.max(...values));
    const left = MARGIN.left, right = width - MARGIN.right;
    const top = MARGIN.top, bottom = height - MARGIN.bottom;
    const px = (ms) => left + (ms - x0) / (x1 - x0) * (right - left);
    const py = (rho) => bottom - (Math.log(rho) - Math.log(y.domain[0])) /
      (Math.log(y.domain[1]) - Math.log(y.domain[0])) * (bottom - top);
    const text = { "font-size": FONT_PX, fill: "#222" };

    const axes = element("g", { "font-family": "sans-serif" });
    for (const rho of y.ticks) {
      axes.append(element("line", { x1: left, x2: right, y1: py(rho), y2: py(rho),
        stroke: "#ddd" }));
      axes.append(element("text", { ...text, x: left - 6, y: py(rho) + 5, "text-anchor": "end" },
        tickLabel(rho)));
    }
    for (let year = new Date(x0).getUTCFullYear(); Date.UTC(year, 0, 1) <= x1; year++) {
      const at = px(Date.UTC(year, 0, 1));
      axes.append(element("line", { x1: at, x2: at, y1: top, y2: bottom, stroke: "#ddd" }));
      axes.append(element("text", { ...text, x: at, y: bottom + 20, "text-anchor": "middle" },
        String(year)));
    }
    axes.append(element("text", { ...text, x: (left + right) / 2, y: height - 10,
      "text-anchor": "middle" }, "release date"));
    axes.append(element("text", { ...text, x: 0, y: 0, "text-anchor": "middle",
      transform: `translate(${FONT_PX + 2} ${(top + bottom) / 2}) rotate(-90)` },
    "capability density ρ (log scale)"));
    svg.append(axes);

    const records = new Set(result.record_setters);
    const points = element("g", {});
    for (const [index, rho] of result.points) {
      if (records.has(index)) continue;
      const dot = element("circle", { cx: px(dates[index]), cy: py(rho), r: 4, fill: "#1f77b4",
        "fill-opacity": 0.7 });
      dot.append(element("title", {}, `${data.models[index].name} (${data.models[index].date}): ` +
        `density ${Number(rho.toPrecision(3))}`));
      points.append(dot);
    }
    const [first, fitted, last] = result.line.map(([date, rho]) => [px(Date.parse(date)), py(rho)]);
    points.append(element("line", { x1: first[0], y1: first[1], x2: fitted[0], y2: fitted[1],
      stroke: "#d62728", "stroke-width": 2 }));
    if (last[0] > fitted[0]) {
      points.append(element("line", { x1: fitted[0], y1: fitted[1], x2: last[0], y2: last[1],
        stroke: "#d62728", "stroke-width": 2, "stroke-dasharray": "6 4" }));
    }
    for (const index of result.record_setters) {
      const rho = result.points.find((p) => p[0] === index)[1];
      const dot = element("circle", { cx: px(dates[index]), cy: py(rho), r: 6, fill: "#d62728",
        stroke: "black" });
      dot.append(element("title", {}, `${data.models[index].name} (${data.models[index].date}): ` +
        `density ${Number(rho.toPrecision(3))}, a record`));
      points.append(dot);
    }
    svg.append(points);
    title.textContent = `Capability density (log scale) of ${result.n_models} models against ` +
      `their release date, with the ${result.n_record_setters} record-setters highlighted and ` +
      `the fitted line: ${describe(data, key).text}`;
  }

  function start() {
    const source = document.getElementById("densing-explorer-data");
    if (!source) return;
    const data = JSON.parse(source.textContent);
    const form = document.getElementById("densing-explorer");
    const selects = data.menus.map((menu) => form.elements[menu.name]);
    const output = document.getElementById("densing-explorer-result");
    const svg = document.getElementById("densing-explorer-figure");
    // the key of the chosen combination, or of the one with ``label`` in menu number ``menu``
    const keyWith = (menu, label) =>
      selects.map((select, i) => (i === menu ? label : select.value)).join(data.separator);
    const chosenKey = () => keyWith(-1, null);

    function show() {
      selects.forEach((select, i) => {
        for (const option of select.options) {
          const result = data.combinations[keyWith(i, option.value)];
          const notes = [];
          if (option.value === data.menus[i].headline) notes.push("headline");
          if (result === undefined) notes.push("not computed");
          else if (result.unavailable !== undefined) notes.push("not available");
          option.textContent = option.value + (notes.length ? ` (${notes.join(", ")})` : "");
        }
      });
      const key = chosenKey();
      const shown = describe(data, key);
      output.textContent = shown.text;
      output.classList.toggle("densing-explorer-missing", shown.missing);
      draw(svg, data, key);
    }

    form.addEventListener("change", show);
    form.addEventListener("submit", (event) => event.preventDefault());
    let pending;
    window.addEventListener("resize", () => {
      clearTimeout(pending);
      pending = setTimeout(() => draw(svg, data, chosenKey()), 100);
    });
    show();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
