/*
 * m2mgw operator console: the dashboard. Current figures (GET /rates, /queue, /alerts) and the
 * last hour as charts (GET /history), refreshed every few seconds without reloading the page.
 */
(function () {
  'use strict';

  var M = window.M2mgw;
  var PERIOD_MS = 5000;

  var CHARTS = [
    { id: 'chart-messages', title: 'Messages per second', unit: '/s',
      series: [{ key: 'messagesIn', name: 'in', cls: 's1' }, { key: 'messagesOut', name: 'out', cls: 's2' }] },
    { id: 'chart-handshakes', title: 'Handshakes per second', unit: '/s',
      series: [{ key: 'handshakes', name: 'done', cls: 's1' }, { key: 'handshakeFailures', name: 'failed', cls: 's3' }] },
    { id: 'chart-queue-depth', title: 'Queue depth', unit: 'messages',
      series: [{ key: 'queueDepth', name: 'depth', cls: 's1' }] },
    { id: 'chart-queue-age', title: 'Age of the oldest queued message',
      format: function (v) { return M.duration(v); },
      series: [{ key: 'queueOldestAgeSeconds', name: 'age', cls: 's2' }] },
    { id: 'chart-cloud', title: 'Cloud connection', step: true, max: 1,
      format: function (v) { return v >= 1 ? 'connected' : 'disconnected'; },
      series: [{ key: 'cloudConnected', name: 'state', cls: 's1' }] },
    { id: 'chart-alerts', title: 'Alerts raised', step: true,
      series: [{ key: 'alerts', name: 'alerts', cls: 's3' }] }
  ];

  function tile(id, title, hint) {
    var value = M.el('span', { class: 'm2mgw-tile-value', id: id }, '-');
    return {
      node: M.el('div', { class: 'm2mgw-tile', title: hint || null }, M.el('span', { class: 'm2mgw-tile-title' }, title), value),
      set: function (text, kind) {
        value.textContent = text;
        value.className = 'm2mgw-tile-value' + (kind ? ' m2mgw-' + kind : '');
      }
    };
  }

  M.pages.dashboard = function (root) {
    var tiles = {
      messagesIn: tile('rate-messagesIn', 'Messages in', 'per second, over the last sample interval'),
      messagesOut: tile('rate-messagesOut', 'Messages out', 'per second, over the last sample interval'),
      handshakes: tile('rate-handshakes', 'Handshakes', 'per second'),
      handshakeFailures: tile('rate-handshakeFailures', 'Handshake failures', 'per second'),
      depth: tile('queue-depth', 'Queue depth', 'messages waiting for the cloud'),
      age: tile('queue-age', 'Oldest message', 'age of the oldest message in the queue'),
      cloud: tile('cloud-state', 'Cloud', 'connection to the broker'),
      alerts: tile('alerts-open', 'Open alerts', 'alerts not yet acknowledged')
    };
    var tileRow = M.el('div', { class: 'm2mgw-tiles', id: 'm2mgw-tiles' });
    Object.keys(tiles).forEach(function (k) { M.append(tileRow, tiles[k].node); });
    var alertsLink = M.el('a', { href: M.pageHref('m2mgw-alerts', { acknowledged: 'false' }), id: 'alerts-link' },
      'Work through the open alerts');
    var connections = M.el('ul', { class: 'm2mgw-connections', id: 'cloud-connections' });
    var grid = M.el('div', { class: 'm2mgw-charts', id: 'm2mgw-charts' });
    var charts = CHARTS.map(function (c) {
      var chart = new M.Chart(c);
      M.append(grid, chart.figure);
      return chart;
    });
    var updated = M.el('span', { id: 'm2mgw-updated' });
    M.append(root, [tileRow, M.el('p', { class: 'm2mgw-links' }, alertsLink, ' ', updated), connections, grid]);

    var polls = 0;
    function refresh() {
      var failures = [];
      function guard(p, what) {
        return p.catch(function (e) { failures.push(what + ': ' + M.errorText(e)); });
      }
      return Promise.all([
        guard(M.api('GET', '/rates').then(function (r) {
          ['messagesIn', 'messagesOut', 'handshakes', 'handshakeFailures'].forEach(function (k) {
            tiles[k].set(M.num(r[k]) + ' /s', k === 'handshakeFailures' && r[k] > 0 ? 'bad' : null);
          });
        }), 'rates'),
        guard(M.api('GET', '/queue').then(function (q) {
          tiles.depth.set(M.num(q.depth));
          tiles.age.set(q.depth > 0 ? M.duration(q.oldestAgeSeconds) : '-', q.oldestAgeSeconds > 300 ? 'warn' : null);
          tiles.cloud.set(q.connected ? 'connected' : 'disconnected', q.connected ? 'ok' : 'bad');
          M.clear(connections);
          (q.connections || []).forEach(function (c) {
            M.append(connections, M.el('li', null, c.name + ': ', M.badge(c.connected ? 'connected' : 'disconnected',
              c.connected ? 'ok' : 'bad'), ', ' + M.num(c.depth) + ' queued'));
          });
        }), 'queue'),
        guard(M.api('GET', '/alerts' + M.query({ acknowledged: 'false', limit: 1 })).then(function (a) {
          tiles.alerts.set(M.num(a.total), a.total > 0 ? 'warn' : 'ok');
        }), 'alerts'),
        guard(M.api('GET', '/history' + M.query({ minutes: 60 })).then(function (h) {
          var now = Date.now();
          charts.forEach(function (c) { c.update(h.series || {}, now); });
        }), 'history')
      ]).then(function () {
        polls++;
        root.setAttribute('data-polls', String(polls));
        updated.textContent = 'Updated ' + M.time(new Date().toISOString()) + '; refreshes every ' + PERIOD_MS / 1000 + ' s.';
        if (failures.length) {
          M.status('Could not load ' + failures.join('; '), 'error');
        } else {
          M.status('');
        }
      });
    }
    M.every(PERIOD_MS, refresh).now();
  };
}());
