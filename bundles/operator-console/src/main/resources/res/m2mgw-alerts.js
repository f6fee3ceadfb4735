/*
 * m2mgw operator console: the alert log, newest first (the API's order), filtered by rule, device
 * and state, with "Acknowledge". ?rule=, ?device= and ?acknowledged= preset the filters, so that
 * other pages link here.
 */
(function () {
  'use strict';

  var M = window.M2mgw;
  var PERIOD_MS = 10000;

  function severityKind(s) {
    s = String(s || '').toLowerCase();
    return s === 'critical' || s === 'high' ? 'bad' : s === 'medium' || s === 'warning' ? 'warn' : 'off';
  }

  M.pages.alerts = function (root) {
    var state = {
      rule: M.param('rule') || '', device: M.param('device') || '', acknowledged: M.param('acknowledged') || '',
      offset: 0, limit: 50
    };
    var rule = M.el('input', { id: 'alert-rule', name: 'rule', value: state.rule, placeholder: 'rule', list: 'alert-rules', autocomplete: 'off' });
    var rules = M.el('datalist', { id: 'alert-rules' });
    var device = M.el('input', { id: 'alert-device', name: 'device', value: state.device, placeholder: 'device id', autocomplete: 'off' });
    var ack = M.el('select', { id: 'alert-acknowledged', name: 'acknowledged' });
    [['', 'all'], ['false', 'open'], ['true', 'acknowledged']].forEach(function (o) {
      M.append(ack, M.el('option', { value: o[0], selected: o[0] === state.acknowledged }, o[1]));
    });
    var filters = M.el('form', { id: 'alert-filters', class: 'm2mgw-filters', onsubmit: function (e) {
      e.preventDefault();
      state.rule = rule.value.trim();
      state.device = device.value.trim();
      state.acknowledged = ack.value;
      state.offset = 0;
      load();
    } }, 'Rule ', rule, rules, ' device ', device, ' show ', ack, ' ', M.el('button', { type: 'submit', id: 'alert-filter' }, 'Filter'));
    ack.addEventListener('change', function () { filters.requestSubmit(); });

    var t = M.table('alerts', ['Time', 'Severity', 'Rule', 'Subject', 'Score', 'Reason', 'Action', 'State']);
    var summary = M.el('span', { id: 'alerts-summary' });
    var prev = M.el('button', { type: 'button', id: 'page-prev', onclick: function () { state.offset = Math.max(0, state.offset - state.limit); load(); } }, 'Newer');
    var next = M.el('button', { type: 'button', id: 'page-next', onclick: function () { state.offset += state.limit; load(); } }, 'Older');
    var outcome = M.el('div', { id: 'alert-result', 'aria-live': 'polite' });
    M.append(root, [filters, outcome, t.table, M.el('p', { class: 'm2mgw-pager' }, prev, ' ', summary, ' ', next)]);
    var knownRules = {};

    function acknowledge(a, button) {
      button.disabled = true;
      M.clear(outcome);
      M.api('POST', '/alerts/' + M.seg(a.id) + '/ack', {}).then(function () {
        M.append(outcome, M.el('p', { class: 'm2mgw-ok' }, 'Acknowledged.'));
        return load();
      }).catch(function (err) {
        button.disabled = false;
        M.append(outcome, M.el('p', { class: 'm2mgw-error', id: 'ack-error' }, 'Not acknowledged: ' + M.errorText(err)));
      });
    }

    function subject(a) {
      if (a.device) {
        return M.el('td', null, M.deviceLink(a.device));
      }
      return M.el('td', null, (a.subjectKind ? a.subjectKind + ' ' : '') + (a.subject || '-'));
    }

    function render(page) {
      M.clear(t.body);
      var items = Array.isArray(page.items) ? page.items : [];
      items.forEach(function (a) {
        if (a.rule && !knownRules[a.rule]) {
          knownRules[a.rule] = true;
          M.append(rules, M.el('option', { value: a.rule }));
        }
        var stateCell;
        if (a.acknowledged) {
          stateCell = M.el('td', { title: a.acknowledgedAt ? 'at ' + M.time(a.acknowledgedAt) : null }, M.badge('acknowledged', 'off'));
        } else {
          var b = M.el('button', { type: 'button', class: 'm2mgw-ack', 'data-alert': a.id }, 'Acknowledge');
          b.addEventListener('click', function () { acknowledge(a, b); });
          stateCell = M.el('td', null, b);
        }
        var reason = M.el('td', { class: 'm2mgw-reason' }, a.reason || '');
        if (a.features && typeof a.features === 'object') {
          reason.title = Object.keys(a.features).map(function (k) { return k + '=' + a.features[k]; }).join(', ');
        }
        M.append(t.body, M.row([M.time(a.time), M.el('td', null, M.badge(a.severity || '-', severityKind(a.severity))), a.rule || '-',
          subject(a), M.num(a.score), reason, a.action || '-', stateCell],
        { 'data-alert': a.id, class: a.acknowledged ? 'm2mgw-acked' : 'm2mgw-open' }));
      });
      if (!items.length) {
        M.append(t.body, M.el('tr', null, M.el('td', { colspan: 8, class: 'm2mgw-empty' }, 'No alert.')));
      }
      var total = typeof page.total === 'number' ? page.total : items.length;
      summary.textContent = (items.length ? state.offset + 1 : 0) + '-' + (state.offset + items.length) + ' of ' + total + ' alert(s)';
      prev.disabled = state.offset <= 0;
      next.disabled = state.offset + items.length >= total;
    }

    var seq = 0;
    function load() {
      var mine = ++seq;
      history.replaceState(null, '', location.pathname + M.query({ rule: state.rule, device: state.device, acknowledged: state.acknowledged }));
      return M.api('GET', '/alerts' + M.query({
        rule: state.rule, device: state.device, acknowledged: state.acknowledged, offset: state.offset, limit: state.limit
      })).then(function (page) {
        if (mine === seq) {
          render(page);
          M.status('');
        }
      });
    }
    M.every(PERIOD_MS, load).now();
  };
}());
