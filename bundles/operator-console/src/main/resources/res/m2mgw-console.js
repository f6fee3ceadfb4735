/*
 * m2mgw operator console: what every page shares. Plain browser JavaScript, no library.
 *
 * Rules for all the pages (device ids, alert reasons and the like come from devices and the
 * network, so they are attacker-influenced):
 *  - data reaches the page only as text nodes (el(), textContent), never as markup;
 *  - links are built from encodeURIComponent'ed values on the console's own paths;
 *  - every change is a fetch() of the REST API on this origin, JSON with Content-Type
 *    application/json; the browser adds the console's login.
 */
(function () {
  'use strict';

  var root = document.getElementById('m2mgw-app');
  var M = window.M2mgw = window.M2mgw || {};
  M.root = root;
  M.apiBase = root ? root.getAttribute('data-api') : '/m2mgw/api/v1';
  M.appRoot = root ? root.getAttribute('data-app-root') : '/system/console';
  M.page = root ? root.getAttribute('data-page') : null;
  M.pages = M.pages || {};

  /** An API error: HTTP status, the API's error code and its reason. */
  function ApiError(status, code, reason) {
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.message = reason || code || ('HTTP ' + status);
  }
  ApiError.prototype = Object.create(Error.prototype);
  M.ApiError = ApiError;

  /**
   * Calls the REST API. The URL is absolute on location.origin: a page opened as
   * http://user:password@host/... would otherwise give fetch() a URL with credentials, which it
   * refuses.
   *
   * @param method HTTP method
   * @param path path under the API base, with its query, already encoded
   * @param body an object sent as JSON, or undefined
   * @return a promise of the parsed JSON answer (null for 204)
   */
  M.api = function (method, path, body) {
    var init = {
      method: method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { 'Accept': 'application/json' }
    };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(location.origin + M.apiBase + path, init).then(function (r) {
      if (r.status === 204) {
        return null;
      }
      var type = r.headers.get('Content-Type') || '';
      var parsed = type.indexOf('json') >= 0 ? r.json().catch(function () { return null; }) : Promise.resolve(null);
      return parsed.then(function (json) {
        if (!r.ok) {
          var reason = json && typeof json.reason === 'string' ? json.reason : null;
          if (!reason) {
            reason = r.status === 404 && !json ? 'not found (is the REST API bundle org.m2mgw.operator-api running?)'
              : r.status === 401 ? 'not logged in' : 'HTTP ' + r.status;
          }
          throw new ApiError(r.status, json && json.error, reason);
        }
        return json;
      });
    });
  };

  /** Builds a query string from an object, leaving out empty values. */
  M.query = function (params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
      var v = params[k];
      if (v !== undefined && v !== null && v !== '') {
        parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(String(v)));
      }
    });
    return parts.length ? '?' + parts.join('&') : '';
  };

  /** One path segment, percent-encoded. */
  M.seg = function (s) {
    return encodeURIComponent(String(s));
  };

  /**
   * Creates an element. attrs: class, id, type, name, value, title, placeholder, href, for,
   * data-*, aria-*, colspan, and on<event> functions; children: nodes, or anything else as text.
   */
  M.el = function (tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === undefined || v === null || v === false) {
          return;
        }
        if (k.indexOf('on') === 0 && typeof v === 'function') {
          e.addEventListener(k.substring(2), v);
        } else if (k === 'class') {
          e.className = v;
        } else if (k === 'text') {
          e.textContent = String(v);
        } else if (k === 'href') {
          e.setAttribute('href', M.safeHref(v));
        } else if (k === 'checked' || k === 'disabled' || k === 'selected' || k === 'required') {
          e[k] = !!v;
        } else if (k === 'value') {
          e.value = String(v);
        } else {
          e.setAttribute(k, v === true ? '' : String(v));
        }
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      M.append(e, arguments[i]);
    }
    return e;
  };

  /** Appends nodes or text (arrays are flattened; null and undefined are skipped). */
  M.append = function (parent, child) {
    if (child === undefined || child === null || child === false) {
      return parent;
    }
    if (Array.isArray(child)) {
      child.forEach(function (c) { M.append(parent, c); });
    } else if (child instanceof Node) {
      parent.appendChild(child);
    } else {
      parent.appendChild(document.createTextNode(String(child)));
    }
    return parent;
  };

  /** Removes all children. */
  M.clear = function (e) {
    while (e.firstChild) {
      e.removeChild(e.firstChild);
    }
    return e;
  };

  /** Only links to this console's own pages: a relative path beginning with one slash, or '#'. */
  M.safeHref = function (h) {
    h = String(h);
    return (h.charAt(0) === '/' && h.charAt(1) !== '/' && h.charAt(1) !== '\\') || h.charAt(0) === '#' ? h : '#';
  };

  /** The console path of a plugin page, with an optional query. */
  M.pageHref = function (label, params) {
    return M.appRoot + '/' + label + (params ? M.query(params) : '');
  };

  M.deviceHref = function (id) {
    return M.pageHref('m2mgw-devices', { id: id });
  };

  /** A link to a device's page, its text the id. */
  M.deviceLink = function (id) {
    return M.el('a', { href: M.deviceHref(id), class: 'm2mgw-device-link' }, String(id));
  };

  /** The page's status line: what is loading, what failed, what was done. */
  M.status = function (text, kind) {
    var s = document.getElementById('m2mgw-status');
    if (!s) {
      return;
    }
    s.textContent = text || '';
    s.className = 'm2mgw-status' + (kind ? ' m2mgw-' + kind : '');
  };

  M.errorText = function (err) {
    if (err && err.name === 'ApiError') {
      return err.message + ' (HTTP ' + err.status + (err.code ? ', ' + err.code : '') + ')';
    }
    return err && err.message ? err.message : String(err);
  };

  /** Reads one query parameter of the page's own URL. */
  M.param = function (name) {
    return new URLSearchParams(location.search).get(name);
  };

  // ------------------------------------------------------------------ formatting

  function pad(n) {
    return n < 10 ? '0' + n : '' + n;
  }

  /** An ISO-8601 time as local "YYYY-MM-DD hh:mm:ss", or "-" when absent. */
  M.time = function (iso) {
    if (!iso) {
      return '-';
    }
    var d = new Date(iso);
    if (isNaN(d.getTime())) {
      return String(iso);
    }
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + pad(d.getHours()) + ':'
      + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  };

  /** "12 s ago", "5 min ago", "3 h ago", "2 d ago", or "never". */
  M.ago = function (iso) {
    if (!iso) {
      return 'never';
    }
    var t = new Date(iso).getTime();
    if (isNaN(t)) {
      return String(iso);
    }
    var s = Math.max(0, Math.round((Date.now() - t) / 1000));
    return M.duration(s) + ' ago';
  };

  /** A number of seconds as "12 s", "5 min", "3 h", "2 d". */
  M.duration = function (s) {
    if (s === null || s === undefined || isNaN(s)) {
      return '-';
    }
    s = Math.round(s);
    return s < 120 ? s + ' s' : s < 7200 ? Math.round(s / 60) + ' min' : s < 172800 ? Math.round(s / 3600) + ' h'
      : Math.round(s / 86400) + ' d';
  };

  /** A number with up to two decimals, or "-". */
  M.num = function (x) {
    if (x === null || x === undefined || typeof x !== 'number' || isNaN(x)) {
      return '-';
    }
    return Math.abs(x) >= 100 || x === Math.round(x) ? String(Math.round(x)) : x.toFixed(2);
  };

  /** A table with a header row; returns {table, body}. */
  M.table = function (id, headers) {
    var tr = M.el('tr');
    headers.forEach(function (h) {
      M.append(tr, h instanceof Node ? M.el('th', null, h) : M.el('th', null, String(h)));
    });
    var body = M.el('tbody');
    var table = M.el('table', { id: id, class: 'tablelayout nicetable m2mgw-table' }, M.el('thead', null, tr), body);
    return { table: table, body: body };
  };

  /** A table row from cells (nodes or text). */
  M.row = function (cells, attrs) {
    var tr = M.el('tr', attrs);
    cells.forEach(function (c) {
      M.append(tr, c instanceof Node && c.tagName === 'TD' ? c : M.el('td', null, c));
    });
    return tr;
  };

  /** A small badge; kind is a CSS suffix (ok, warn, bad, off). */
  M.badge = function (text, kind) {
    return M.el('span', { class: 'm2mgw-badge m2mgw-badge-' + (kind || 'off') }, text);
  };

  /**
   * Repeats task() every periodMs while the tab is visible; task returns a promise. Never runs
   * two at once; a failed run is reported on the status line and retried at the next period.
   */
  M.every = function (periodMs, task) {
    var timer = null;
    var running = false;
    function run() {
      timer = null;
      if (document.hidden) {
        schedule();
        return;
      }
      running = true;
      Promise.resolve().then(task).catch(function (e) {
        M.status('Refresh failed: ' + M.errorText(e), 'error');
      }).then(function () {
        running = false;
        schedule();
      });
    }
    function schedule() {
      if (!timer) {
        timer = setTimeout(run, periodMs);
      }
    }
    return {
      now: function () {
        if (running) {
          return;
        }
        if (timer) {
          clearTimeout(timer);
          timer = null;
        }
        run();
      }
    };
  };

  /**
   * A key that is shown once: its value in a box with a warning, and a button that removes it
   * from the page. The key is never stored by the page.
   */
  M.secretBox = function (title, lines) {
    var box = M.el('div', { class: 'm2mgw-secret', id: 'm2mgw-secret', role: 'alert' });
    M.append(box, M.el('h3', null, title));
    M.append(box, M.el('p', { class: 'm2mgw-warn' },
      'Copy it now: this key is shown only this once. The gateway keeps it encrypted and never shows it again.'));
    var dl = M.el('dl');
    lines.forEach(function (l) {
      M.append(dl, [M.el('dt', null, l[0]), M.el('dd', null, M.el('code', { class: l[2] || null }, l[1]))]);
    });
    M.append(box, dl);
    M.append(box, M.el('button', {
      type: 'button', id: 'm2mgw-secret-done', onclick: function () {
        box.parentNode.removeChild(box);
      }
    }, 'I have copied it: remove it from this page'));
    return box;
  };

  function start() {
    if (!root) {
      return;
    }
    var page = M.pages[M.page];
    if (!page) {
      M.status('Unknown page: ' + M.page, 'error');
      return;
    }
    try {
      page(root);
    } catch (e) {
      M.status('This page failed to start: ' + M.errorText(e), 'error');
    }
  }

  // The page scripts are loaded after this one; start once all of them have registered.
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    setTimeout(start, 0);
  }
}());
