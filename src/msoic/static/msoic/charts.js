/* Draws every chart on the page from its Vega-Lite spec.
 *
 * The server puts each spec in a <script type="application/json" id="..."> block and
 * marks the chart's container with data-vega-spec="<that id>". The Content-Security-Policy
 * allows no eval, so Vega is asked for expression trees (ast: true), which vega-embed runs
 * through its built-in expression interpreter instead of compiling them to functions; and
 * vega-embed adds no <style> of its own (defaultStyle: false; tooltips are styled in
 * app.css). If a chart cannot be drawn, the container says so and the table below it,
 * which has the same figures, stays the way to read them.
 */
(function () {
  "use strict";

  function options() {
    return {
      renderer: "svg",
      actions: false,
      defaultStyle: false,
      ast: true,
      tooltip: { theme: "custom", disableDefaultStyle: true }
    };
  }

  function fail(container, error) {
    container.classList.add("msoic-chart__canvas--failed");
    container.textContent = "This chart could not be drawn. The table below has the same figures.";
    if (window.console) {
      window.console.error("MSOIC chart " + container.id + ": " + error);
    }
  }

  function draw(container) {
    var source = document.getElementById(container.getAttribute("data-vega-spec"));
    if (!source) {
      return;
    }
    var spec;
    try {
      spec = JSON.parse(source.textContent);
    } catch (error) {
      fail(container, error);
      return;
    }
    window.vegaEmbed(container, spec, options()).then(function (result) {
      container.classList.add("msoic-chart__canvas--drawn");
      var svg = container.querySelector("svg");
      if (svg && spec.description) {
        // Vega names the drawing after the spec's description; say it is an image.
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", spec.description);
        svg.setAttribute("focusable", "false");
      }
      return result;
    }).catch(function (error) {
      fail(container, error);
    });
  }

  function drawAll() {
    if (typeof window.vegaEmbed !== "function") {
      return;
    }
    var containers = document.querySelectorAll("[data-vega-spec]");
    for (var i = 0; i < containers.length; i += 1) {
      draw(containers[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
