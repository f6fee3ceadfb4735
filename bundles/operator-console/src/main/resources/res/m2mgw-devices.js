/*
 * m2mgw operator console: the devices. Without ?id= the device table (search, filters, sorting
 * and paging all done by the API) and the form that adds a device; with ?id= one device's page.
 * Messages are shown by their metadata only; the pages never ask for payloads.
 */
(function () {
  'use strict';

  var M = window.M2mgw;
  var PERIOD_MS = 5000;
  /** What a new device may use unless the operator says otherwise: as the demo device. */
  var DEFAULT_RESOURCES = 'telemetry/*, events, commands';
  var CONTENT_FORMATS = [[0, 'text/plain'], [50, 'application/json'], [60, 'application/cbor'], [42, 'application/octet-stream']];

  M.pages.devices = function (root) {
    var id = M.param('id');
    if (id !== null && id !== '') {
      devicePage(root, id);
    } else {
      listPage(root);
    }
  };

  function stateBadges(d) {
    var out = [M.badge(d.state === 'disabled' ? 'disabled' : 'enabled', d.state === 'disabled' ? 'off' : 'ok')];
    if (d.quarantined) {
      out.push(' ', M.badge('quarantined', 'bad'));
    }
    out.push(' ', d.connected ? M.badge('connected', 'ok') : M.badge('not connected', 'off'));
    return out;
  }

  function restrictionText(list) {
    if (!Array.isArray(list) || !list.length) {
      return '-';
    }
    return list.map(function (r) {
      return r.kind + (r.until ? ' until ' + M.time(r.until) : '');
    }).join(', ');
  }

  function select(name, id, options, value) {
    var s = M.el('select', { name: name, id: id });
    options.forEach(function (o) {
      M.append(s, M.el('option', { value: o[0], selected: String(o[0]) === String(value) }, o[1]));
    });
    return s;
  }

  function field(labelText, input, hint) {
    return M.el('label', { class: 'm2mgw-field' }, M.el('span', null, labelText), input,
      hint ? M.el('small', null, hint) : null);
  }

  // ------------------------------------------------------------------------------ the list

  function listPage(root) {
    var state = {
      q: M.param('q') || '', credential: M.param('credential') || '', state: M.param('state') || '',
      sort: M.param('sort') || 'id', offset: Math.max(0, parseInt(M.param('offset') || '0', 10) || 0), limit: 50
    };
    var search = M.el('input', { type: 'search', id: 'device-search', name: 'q', value: state.q, placeholder: 'device id contains', autocomplete: 'off' });
    var cred = select('credential', 'device-credential', [['', 'any credential'], ['psk', 'PSK'], ['rpk', 'raw public key'], ['x509', 'X.509'], ['edhoc', 'EDHOC']], state.credential);
    var st = select('state', 'device-state', [['', 'any state'], ['enabled', 'enabled'], ['disabled', 'disabled'], ['quarantined', 'quarantined'], ['connected', 'connected']], state.state);
    var size = select('limit', 'device-limit', [[25, '25 a page'], [50, '50 a page'], [100, '100 a page'], [500, '500 a page']], state.limit);
    var filters = M.el('form', { class: 'm2mgw-filters', id: 'device-filters', onsubmit: function (e) { e.preventDefault(); } },
      search, ' ', cred, ' ', st, ' ', size);
    var sortable = { id: 'id', lastSeen: 'lastSeen', messages: 'messages' };
    var headers = [['id', 'Device'], [null, 'Credential'], [null, 'State'], ['lastSeen', 'Last seen'], [null, 'Suite'],
      ['messages', 'Messages'], [null, 'Restrictions'], [null, 'Alerts']].map(function (h) {
      if (!h[0]) {
        return h[1];
      }
      return M.el('a', { href: '#', class: 'm2mgw-sort', id: 'sort-' + h[0], 'data-sort': h[0], onclick: function (e) {
        e.preventDefault();
        var key = sortable[h[0]];
        state.sort = state.sort === key ? '-' + key : key;
        state.offset = 0;
        load();
      } }, h[1]);
    });
    var t = M.table('devices', headers);
    var summary = M.el('span', { id: 'devices-summary' });
    var prev = M.el('button', { type: 'button', id: 'page-prev', onclick: function () { state.offset = Math.max(0, state.offset - state.limit); load(); } }, 'Previous');
    var next = M.el('button', { type: 'button', id: 'page-next', onclick: function () { state.offset += state.limit; load(); } }, 'Next');
    var pager = M.el('p', { class: 'm2mgw-pager' }, prev, ' ', summary, ' ', next);

    M.append(root, [M.el('p', null, M.el('button', { type: 'button', id: 'add-device-open', onclick: function () {
      addForm.hidden = !addForm.hidden;
      if (!addForm.hidden) {
        addForm.querySelector('input[name=id]').focus();
      }
    } }, 'Add a device')), addDeviceForm(function () { load(); }), filters, t.table, pager]);
    var addForm = document.getElementById('add-device');

    var debounce = null;
    search.addEventListener('input', function () {
      clearTimeout(debounce);
      debounce = setTimeout(function () { state.q = search.value.trim(); state.offset = 0; load(); }, 300);
    });
    [cred, st, size].forEach(function (s) {
      s.addEventListener('change', function () {
        state.credential = cred.value;
        state.state = st.value;
        state.limit = parseInt(size.value, 10);
        state.offset = 0;
        load();
      });
    });

    var seq = 0;
    function load() {
      var mine = ++seq;
      var q = { offset: state.offset, limit: state.limit, q: state.q, credential: state.credential, state: state.state, sort: state.sort };
      history.replaceState(null, '', location.pathname + M.query({ q: state.q, credential: state.credential, state: state.state,
        sort: state.sort === 'id' ? '' : state.sort, offset: state.offset || '' }));
      return M.api('GET', '/devices' + M.query(q)).then(function (page) {
        if (mine !== seq) {
          return; // an answer to an older query
        }
        render(page);
        M.status('');
      });
    }

    function render(page) {
      M.clear(t.body);
      var items = Array.isArray(page.items) ? page.items : [];
      items.forEach(function (d) {
        M.append(t.body, M.row([
          M.el('td', null, M.deviceLink(d.id)),
          d.credential || '-',
          M.el('td', { class: 'm2mgw-state' }, stateBadges(d)),
          M.el('td', { title: d.lastSeen ? M.time(d.lastSeen) : null }, M.ago(d.lastSeen)),
          (d.suite || '-') + (d.protocol ? ' (' + d.protocol + ')' : ''),
          M.num(d.messages),
          restrictionText(d.restrictions),
          d.alerts > 0 ? M.el('td', null, M.el('a', { href: M.pageHref('m2mgw-alerts', { device: d.id }) }, M.num(d.alerts))) : '0'
        ], { 'data-device': d.id }));
      });
      if (!items.length) {
        M.append(t.body, M.el('tr', null, M.el('td', { colspan: 8, class: 'm2mgw-empty' },
          state.q || state.credential || state.state ? 'No device matches.' : 'No devices yet. Add one above.')));
      }
      var total = typeof page.total === 'number' ? page.total : items.length;
      var from = items.length ? state.offset + 1 : 0;
      summary.textContent = from + '-' + (state.offset + items.length) + ' of ' + total + ' device(s)';
      prev.disabled = state.offset <= 0;
      next.disabled = state.offset + items.length >= total;
      Array.prototype.forEach.call(document.querySelectorAll('.m2mgw-sort'), function (a) {
        var k = a.getAttribute('data-sort');
        a.className = 'm2mgw-sort' + (state.sort === k ? ' m2mgw-asc' : state.sort === '-' + k ? ' m2mgw-desc' : '');
      });
    }

    var poll = M.every(PERIOD_MS, load);
    poll.now();
  }

  // ------------------------------------------------------------------------------ add a device

  function addDeviceForm(onAdded) {
    var idIn = M.el('input', { name: 'id', id: 'add-id', required: true, maxlength: 128, autocomplete: 'off' });
    var type = select('type', 'add-type', [['psk-generate', 'PSK, generated by the gateway'], ['psk', 'PSK, my own key (hex)'],
      ['rpk', 'raw public key'], ['x509', 'certificate (issuer and subject)']], 'psk-generate');
    var identity = M.el('input', { name: 'identity', id: 'add-identity', autocomplete: 'off', placeholder: 'the device id' });
    var key = M.el('input', { name: 'key', id: 'add-key', autocomplete: 'off', placeholder: '64 hex digits' });
    var publicKey = M.el('textarea', { name: 'publicKey', id: 'add-publicKey', rows: 3, cols: 60, placeholder: 'base64 DER SubjectPublicKeyInfo' });
    var issuer = M.el('input', { name: 'issuer', id: 'add-issuer', size: 50, placeholder: 'CN=Factory CA,O=Example' });
    var subject = M.el('input', { name: 'subject', id: 'add-subject', size: 50, placeholder: 'CN=sensor-17' });
    var resources = M.el('input', { name: 'resources', id: 'add-resources', size: 40, value: DEFAULT_RESOURCES });
    var enabled = M.el('input', { type: 'checkbox', name: 'enabled', id: 'add-enabled', checked: true });
    var parts = {
      identity: field('PSK identity', identity, 'empty: the device id'),
      key: field('Key', key, 'at least 16 bytes; a generated key is better'),
      publicKey: field('Public key', publicKey),
      issuer: field('Issuer', issuer),
      subject: field('Subject', subject)
    };
    var result = M.el('div', { id: 'add-result' });
    var form = M.el('form', { id: 'add-device', class: 'm2mgw-form', hidden: true, autocomplete: 'off' },
      M.el('h3', null, 'Add a device'),
      field('Device id', idIn), field('Credential', type), parts.identity, parts.key, parts.publicKey, parts.issuer, parts.subject,
      field('Resources', resources, 'what it may use, comma-separated; empty: the registry\'s default'),
      field('Enabled', enabled),
      M.el('p', null, M.el('button', { type: 'submit', id: 'add-submit' }, 'Add device')), result);

    function showParts() {
      var v = type.value;
      parts.identity.hidden = !(v === 'psk' || v === 'psk-generate');
      parts.key.hidden = v !== 'psk';
      parts.publicKey.hidden = v !== 'rpk';
      parts.issuer.hidden = v !== 'x509';
      parts.subject.hidden = v !== 'x509';
    }
    type.addEventListener('change', showParts);
    showParts();

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var devId = idIn.value.trim();
      var credential;
      switch (type.value) {
        case 'psk':
          credential = { type: 'psk', identity: identity.value.trim() || devId, key: key.value.trim() };
          break;
        case 'rpk':
          credential = { type: 'rpk', publicKey: publicKey.value.replace(/\s+/g, '') };
          break;
        case 'x509':
          credential = { type: 'x509', issuer: issuer.value.trim(), subject: subject.value.trim() };
          break;
        default:
          credential = { type: 'psk', identity: identity.value.trim() || devId };
      }
      var submit = document.getElementById('add-submit');
      submit.disabled = true;
      M.clear(result);
      var body = { id: devId, credential: credential, enabled: enabled.checked };
      var rules = resources.value.split(',').map(function (r) { return r.trim(); }).filter(function (r) { return r; });
      if (rules.length) {
        body.resources = rules;
      }
      M.api('POST', '/devices', body).then(function (d) {
        key.value = '';
        M.append(result, M.el('p', { class: 'm2mgw-ok', id: 'add-ok' }, 'Added ', M.deviceLink(d.id), '.'));
        if (typeof d.psk === 'string') {
          var ident = d.pskIdentity || credential.identity;
          M.append(result, M.secretBox('Pre-shared key of ' + d.id, [
            ['PSK identity', ident, 'm2mgw-psk-identity'],
            ['Key (hex)', d.psk, 'm2mgw-psk']
          ]));
        }
        idIn.value = '';
        onAdded();
      }).catch(function (err) {
        M.append(result, M.el('p', { class: 'm2mgw-error', id: 'add-error' }, 'Not added: ' + M.errorText(err)));
      }).then(function () {
        submit.disabled = false;
      });
    });
    return form;
  }

  // ------------------------------------------------------------------------------ one device

  function devicePage(root, id) {
    var base = '/devices/' + M.seg(id);
    var title = M.el('h2', { id: 'device-title' }, 'Device ', M.el('span', { class: 'm2mgw-id' }, id));
    var badges = M.el('span', { id: 'device-state' });
    var facts = M.el('dl', { class: 'm2mgw-facts', id: 'device-facts' });
    var restrictions = M.el('div', { id: 'device-restrictions' });
    var sessions = M.table('device-sessions', ['Protocol', 'Address', 'Suite', 'CID', 'Resumed', 'Since', 'Last seen', 'Bytes in', 'Bytes out']);
    var recent = M.table('device-recent', ['Time', 'Resource', 'Bytes', 'Content format', 'Accepted']);
    var counters = M.table('device-counters', ['Counter', 'Value']);
    var outcome = M.el('div', { id: 'action-result', 'aria-live': 'polite' });
    var current = null;

    var toggle = M.el('button', { type: 'button', id: 'action-toggle', onclick: function () {
      var enable = current && current.state === 'disabled';
      act('POST', base + (enable ? '/enable' : '/disable'), undefined, enable ? 'Enabled.' : 'Disabled.');
    } }, 'Disable');

    var qSeconds = M.el('input', { type: 'number', id: 'quarantine-seconds', name: 'seconds', min: 1, value: 3600, size: 7 });
    var qReason = M.el('input', { id: 'quarantine-reason', name: 'reason', size: 30, placeholder: 'why', value: 'operator' });
    var quarantine = M.el('form', { id: 'quarantine-form', class: 'm2mgw-inline', onsubmit: function (e) {
      e.preventDefault();
      var s = parseInt(qSeconds.value, 10);
      act('POST', base + '/quarantine', { seconds: s, reason: qReason.value.trim() || 'operator' },
        'Quarantined for ' + M.duration(s) + '.');
    } }, 'Quarantine for ', qSeconds, ' s, reason ', qReason, ' ', M.el('button', { type: 'submit', id: 'action-quarantine' }, 'Quarantine'));

    var rpk = M.el('input', { id: 'rotate-publicKey', name: 'publicKey', size: 40, placeholder: 'base64 DER (raw public key devices)' });
    var rotate = M.el('form', { id: 'rotate-form', class: 'm2mgw-inline', onsubmit: function (e) {
      e.preventDefault();
      var body = rpk.value.trim() ? { publicKey: rpk.value.replace(/\s+/g, '') } : {};
      act('POST', base + '/rotate', body, null).then(function (r) {
        rpk.value = '';
        if (!r) {
          return;
        }
        var msg = 'Rotation started' + (r.nextIdentity ? ': next PSK identity ' + r.nextIdentity : '') +
          '. Both credentials are accepted until the device first uses the new one.';
        M.append(outcome, M.el('p', { class: 'm2mgw-ok' }, msg));
        if (typeof r.psk === 'string') {
          M.append(outcome, M.secretBox('Next pre-shared key of ' + id, [
            ['PSK identity', r.nextIdentity || '-', 'm2mgw-psk-identity'], ['Key (hex)', r.psk, 'm2mgw-psk']]));
        }
      });
    } }, 'Rotate the key ', rpk, ' ', M.el('button', { type: 'submit', id: 'action-rotate' }, 'Rotate key'));

    var cName = M.el('input', { id: 'command-name', name: 'name', size: 16, required: true, placeholder: 'name' });
    var cPayload = M.el('input', { id: 'command-payload', name: 'payload', size: 30, placeholder: 'payload (text)' });
    var cFormat = select('contentFormat', 'command-format', CONTENT_FORMATS.map(function (f) { return [f[0], f[1]]; }), 0);
    var command = M.el('form', { id: 'command-form', class: 'm2mgw-inline', onsubmit: function (e) {
      e.preventDefault();
      act('POST', base + '/commands', { name: cName.value.trim(), payload: cPayload.value, contentFormat: parseInt(cFormat.value, 10) }, null)
        .then(function (r) {
          if (r) {
            cPayload.value = '';
            M.append(outcome, M.el('p', { class: 'm2mgw-ok' }, 'Command queued (id ' + r.id + '); the device fetches it with GET /commands.'));
          }
        });
    } }, 'Queue a command ', cName, ' ', cPayload, ' ', cFormat, ' ', M.el('button', { type: 'submit', id: 'action-command' }, 'Queue'));

    var del = M.el('button', { type: 'button', id: 'action-delete', class: 'm2mgw-danger', onclick: function () {
      if (del.getAttribute('data-armed') !== 'true') {
        del.setAttribute('data-armed', 'true');
        del.textContent = 'Really delete ' + id + '?';
        return;
      }
      act('DELETE', base, undefined, 'Deleted.').then(function (r) {
        if (r !== undefined) {
          location.href = M.pageHref('m2mgw-devices');
        }
      });
    } }, 'Delete device');

    M.append(root, [
      M.el('p', null, M.el('a', { href: M.pageHref('m2mgw-devices'), id: 'back-to-list' }, 'All devices')),
      title, badges, facts,
      M.el('div', { class: 'm2mgw-actions', id: 'device-actions' }, M.el('h3', null, 'Actions'),
        M.el('p', null, toggle, ' ', del), quarantine, rotate, command, outcome),
      M.el('h3', null, 'Restrictions'), restrictions,
      M.el('h3', null, 'Sessions'), sessions.table,
      M.el('h3', null, 'Recent messages'), M.el('p', { class: 'm2mgw-hint' }, 'Metadata only; payloads are not shown.'), recent.table,
      M.el('h3', null, 'Counters'), counters.table
    ]);

    /** Runs an action; resolves to its answer, or undefined when it failed (shown on the page). */
    function act(method, path, body, done) {
      M.clear(outcome);
      return M.api(method, path, body).then(function (r) {
        if (done) {
          M.append(outcome, M.el('p', { class: 'm2mgw-ok' }, done));
        }
        poll.now();
        return r === undefined ? null : r;
      }).catch(function (err) {
        M.append(outcome, M.el('p', { class: 'm2mgw-error', id: 'action-error' }, M.errorText(err)));
        return undefined;
      });
    }

    function fact(name, value) {
      return [M.el('dt', null, name), M.el('dd', null, value)];
    }

    function render(d) {
      current = d;
      M.clear(badges);
      M.append(badges, stateBadges(d));
      toggle.textContent = d.state === 'disabled' ? 'Enable' : 'Disable';
      M.clear(facts);
      M.append(facts, [
        fact('Credential', (d.credential || '-') + (d.pskIdentity ? ', PSK identity ' + d.pskIdentity : '')),
        fact('Next credential', d.nextCredential ? (typeof d.nextCredential === 'object' ? JSON.stringify(d.nextCredential) : String(d.nextCredential)) : '-'),
        fact('Last seen', d.lastSeen ? M.time(d.lastSeen) + ' (' + M.ago(d.lastSeen) + ')' : 'never'),
        fact('Suite', (d.suite || '-') + (d.protocol ? ' (' + d.protocol + ')' : '')),
        fact('Messages', M.num(d.messages)),
        fact('Commands waiting', M.el('span', { id: 'commands-waiting' }, M.num(d.commandsWaiting))),
        fact('Alerts', d.alerts > 0 ? M.el('a', { href: M.pageHref('m2mgw-alerts', { device: d.id }), id: 'device-alerts' }, M.num(d.alerts)) : '0')
      ]);

      M.clear(restrictions);
      var rs = Array.isArray(d.restrictions) ? d.restrictions : [];
      if (!rs.length) {
        M.append(restrictions, M.el('p', { class: 'm2mgw-empty' }, 'None.'));
      } else {
        var rt = M.table('device-restriction-table', ['Kind', 'Until', 'Rate/s', 'Reason', 'By', '']);
        rs.forEach(function (r) {
          M.append(rt.body, M.row([r.kind, r.until ? M.time(r.until) : 'until lifted', r.rate === null || r.rate === undefined ? '-' : M.num(r.rate),
            r.reason || '', r.origin || '', M.el('td', null, M.el('button', { type: 'button', class: 'm2mgw-lift', 'data-kind': r.kind, onclick: function () {
              act('DELETE', '/restrictions/' + M.seg(r.kind) + '/' + M.seg(r.subject), undefined, 'Lifted.');
            } }, 'Lift'))], { 'data-kind': r.kind }));
        });
        M.append(restrictions, rt.table);
      }

      M.clear(sessions.body);
      (Array.isArray(d.sessions) ? d.sessions : []).forEach(function (s) {
        M.append(sessions.body, M.row([s.protocol || '-', s.address || '-', s.suite || '-', s.cid || '-', s.resumed ? 'yes' : 'no',
          M.time(s.since), M.time(s.lastSeen), M.num(s.bytesIn), M.num(s.bytesOut)]));
      });
      if (!sessions.body.firstChild) {
        M.append(sessions.body, M.el('tr', null, M.el('td', { colspan: 9, class: 'm2mgw-empty' }, 'No session.')));
      }

      M.clear(recent.body);
      (Array.isArray(d.recent) ? d.recent : []).forEach(function (m) {
        M.append(recent.body, M.row([M.time(m.time), m.resource || '-', M.num(m.bytes),
          m.contentFormat === null || m.contentFormat === undefined ? '-' : String(m.contentFormat),
          m.accepted ? M.badge('accepted', 'ok') : M.badge('refused', 'bad')]));
      });
      if (!recent.body.firstChild) {
        M.append(recent.body, M.el('tr', null, M.el('td', { colspan: 5, class: 'm2mgw-empty' }, 'No message yet.')));
      }

      M.clear(counters.body);
      var c = d.counters && typeof d.counters === 'object' ? d.counters : {};
      Object.keys(c).sort().forEach(function (k) {
        M.append(counters.body, M.row([k, typeof c[k] === 'number' ? M.num(c[k]) : String(c[k])]));
      });
    }

    var poll = M.every(PERIOD_MS, function () {
      return M.api('GET', base).then(function (d) {
        render(d);
        M.status('');
      }, function (err) {
        if (err && err.status === 404 && err.code) {
          M.status('No device ' + id + '.', 'error');
          return;
        }
        throw err;
      });
    });
    poll.now();
  }
}());
