/*
 * m2mgw operator console: small time-series charts drawn as plain SVG. One chart is a fixed time
 * window (the last hour by default) with a value axis from zero to a rounded maximum, one line per
 * series, and a read-out of the value under the mouse.
 */
(function () {
  'use strict';

  var M = window.M2mgw;
  var NS = 'http://www.w3.org/2000/svg';
  var W = 360;
  var H = 140;
  var PAD = { left: 44, right: 8, top: 10, bottom: 22 };

  function svg(tag, attrs) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (k) {
      e.setAttribute(k, String(attrs[k]));
    });
    return e;
  }

  /** The smallest 1, 2 or 5 times a power of ten that is at least x (1 for x <= 0). */
  function niceMax(x) {
    if (!(x > 0)) {
      return 1;
    }
    var p = Math.pow(10, Math.floor(Math.log10(x)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (steps[i] * p >= x) {
        return steps[i] * p;
      }
    }
    return 10 * p;
  }
  M.niceMax = niceMax;

  function label(v) {
    return Math.abs(v) >= 1000 ? (v / 1000).toFixed(v % 1000 === 0 ? 0 : 1) + 'k' : String(+v.toFixed(2));
  }

  function clock(ms) {
    var d = new Date(ms);
    var h = d.getHours();
    var m = d.getMinutes();
    return (h < 10 ? '0' : '') + h + ':' + (m < 10 ? '0' : '') + m;
  }

  /**
   * A chart in a figure element.
   *
   * @param opts id, title, unit, series: [{key, name, cls}], step (draw as steps: states, counts),
   *        windowMs (default one hour), max (a fixed top of the value axis, e.g. 1 for a state)
   */
  function Chart(opts) {
    this.opts = opts;
    this.windowMs = opts.windowMs || 3600000;
    this.figure = M.el('figure', { class: 'm2mgw-chart', id: opts.id });
    this.caption = M.el('figcaption', null, M.el('span', { class: 'm2mgw-chart-title' }, opts.title));
    this.readout = M.el('span', { class: 'm2mgw-chart-readout' });
    M.append(this.caption, this.readout);
    this.svg = svg('svg', {
      viewBox: '0 0 ' + W + ' ' + H, class: 'm2mgw-svg', role: 'img', preserveAspectRatio: 'none'
    });
    this.desc = svg('title', {});
    this.svg.appendChild(this.desc);
    this.grid = svg('g', { class: 'm2mgw-grid' });
    this.lines = svg('g', { class: 'm2mgw-lines' });
    this.cursor = svg('line', { class: 'm2mgw-cursor', x1: 0, x2: 0, y1: PAD.top, y2: H - PAD.bottom, visibility: 'hidden' });
    this.svg.appendChild(this.grid);
    this.svg.appendChild(this.lines);
    this.svg.appendChild(this.cursor);
    this.legend = M.el('div', { class: 'm2mgw-legend' });
    var self = this;
    opts.series.forEach(function (s) {
      M.append(self.legend, M.el('span', { class: 'm2mgw-key ' + s.cls }, s.name));
    });
    M.append(this.figure, [this.caption, this.svg, this.legend]);
    this.data = {};
    this.svg.addEventListener('mousemove', function (ev) { self.hover(ev); });
    this.svg.addEventListener('mouseleave', function () {
      self.cursor.setAttribute('visibility', 'hidden');
      self.showLatest();
    });
  }

  Chart.prototype.x = function (t) {
    return PAD.left + (t - this.t0) / this.windowMs * (W - PAD.left - PAD.right);
  };

  Chart.prototype.y = function (v) {
    return H - PAD.bottom - v / this.top * (H - PAD.top - PAD.bottom);
  };

  /**
   * Draws the chart anew.
   *
   * @param series the history's series object: key to [[epochMs, value], ...], oldest first
   * @param now the right end of the time axis, epoch ms
   */
  Chart.prototype.update = function (series, now) {
    var self = this;
    this.t1 = now;
    this.t0 = now - this.windowMs;
    var max = 0;
    this.data = {};
    this.opts.series.forEach(function (s) {
      var pts = (series && Array.isArray(series[s.key]) ? series[s.key] : []).filter(function (p) {
        return Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number' && isFinite(p[1])
          && p[0] >= self.t0 && p[0] <= now;
      });
      self.data[s.key] = pts;
      pts.forEach(function (p) {
        max = Math.max(max, p[1]);
      });
    });
    this.top = this.opts.max || niceMax(max);
    this.drawGrid();
    M.clear(this.lines);
    this.opts.series.forEach(function (s) {
      var pts = self.data[s.key];
      if (!pts.length) {
        return;
      }
      var d = '';
      pts.forEach(function (p, i) {
        var x = self.x(p[0]).toFixed(1);
        var y = self.y(Math.max(0, p[1])).toFixed(1);
        if (i === 0) {
          d += 'M' + x + ' ' + y;
        } else if (self.opts.step) {
          d += 'H' + x + 'V' + y;
        } else {
          d += 'L' + x + ' ' + y;
        }
      });
      self.lines.appendChild(svg('path', { d: d, class: 'm2mgw-line ' + s.cls, 'data-series': s.key, 'data-points': pts.length }));
    });
    this.showLatest();
  };

  Chart.prototype.drawGrid = function () {
    M.clear(this.grid);
    for (var i = 0; i <= 2; i++) {
      var v = this.top * i / 2;
      var y = this.y(v);
      this.grid.appendChild(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y, y2: y, class: i === 0 ? 'm2mgw-axis' : '' }));
      var t = svg('text', { x: PAD.left - 4, y: y + 4, 'text-anchor': 'end' });
      t.textContent = label(v);
      this.grid.appendChild(t);
    }
    var ticks = [this.t0, this.t0 + this.windowMs / 2, this.t1];
    var anchors = ['start', 'middle', 'end'];
    for (var j = 0; j < ticks.length; j++) {
      var tx = svg('text', { x: this.x(ticks[j]), y: H - 6, 'text-anchor': anchors[j] });
      tx.textContent = j === 2 ? 'now' : clock(ticks[j]);
      this.grid.appendChild(tx);
    }
  };

  /** The read-out: each series' latest value. */
  Chart.prototype.showLatest = function () {
    var self = this;
    var parts = [];
    this.opts.series.forEach(function (s) {
      var pts = self.data[s.key] || [];
      parts.push(s.name + ' ' + (pts.length ? self.format(pts[pts.length - 1][1]) : '-'));
    });
    this.readout.textContent = parts.join(', ');
    this.desc.textContent = this.opts.title + ': ' + parts.join(', ');
  };

  Chart.prototype.format = function (v) {
    return this.opts.format ? this.opts.format(v) : M.num(v) + (this.opts.unit ? ' ' + this.opts.unit : '');
  };

  /** The read-out under the mouse: the sample of each series nearest to the pointer's time. */
  Chart.prototype.hover = function (ev) {
    var box = this.svg.getBoundingClientRect();
    if (!box.width || this.t0 === undefined) {
      return;
    }
    var vx = (ev.clientX - box.left) / box.width * W;
    var t = this.t0 + (vx - PAD.left) / (W - PAD.left - PAD.right) * this.windowMs;
    if (t < this.t0 || t > this.t1) {
      return;
    }
    var self = this;
    var parts = [];
    this.opts.series.forEach(function (s) {
      var best = null;
      (self.data[s.key] || []).forEach(function (p) {
        if (best === null || Math.abs(p[0] - t) < Math.abs(best[0] - t)) {
          best = p;
        }
      });
      parts.push(s.name + ' ' + (best ? self.format(best[1]) : '-'));
    });
    this.cursor.setAttribute('x1', vx);
    this.cursor.setAttribute('x2', vx);
    this.cursor.setAttribute('visibility', 'visible');
    this.readout.textContent = clock(t) + ': ' + parts.join(', ');
  };

  M.Chart = Chart;
}());
