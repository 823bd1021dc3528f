// Live trace page of the Web PubSub emulator: the stream, the connection
// table and the events (page.js signs in, tryit.js has the test client).
// Every value from the stream is rendered with textContent, never as HTML.
'use strict';

const MAX_EVENTS = 5000; // events kept by the page (older ones are forgotten)
const MAX_ROWS = 2000;   // event rows shown at once

const state = {
  events: [],          // recorded events, oldest first (at most MAX_EVENTS)
  conns: new Map(),    // "hub/connectionId" -> connection row
  hubs: new Set(),
  paused: false,
  held: 0,             // events that arrived while paused
  missed: 0,           // updates the server dropped for this page
  showGone: false,     // departed connections are folded away until asked for
  source: null,
};

// ---- stream --------------------------------------------------------------

function connect() {
  $('signin').hidden = true;
  $('app').hidden = false;
  $('signout').hidden = false;
  if (state.source) state.source.close();
  const src = new EventSource('/trace/stream');
  state.source = src;
  src.addEventListener('open', () => updateStatus());
  src.addEventListener('snapshot', (m) => {
    const snap = JSON.parse(m.data);
    state.events = [];
    for (const ev of snap.events || []) if (!foldREST(ev)) state.events.push(ev);
    state.conns.clear();
    for (const c of snap.connections || []) state.conns.set(key(c), c);
    for (const h of snap.hubs || []) state.hubs.add(h);
    renderAll();
  });
  src.addEventListener('update', (m) => onUpdate(JSON.parse(m.data)));
  src.addEventListener('missed', (m) => {
    state.missed = JSON.parse(m.data).dropped;
    updateStatus();
  });
  src.addEventListener('connections', (m) => {
    state.conns.clear();
    for (const c of JSON.parse(m.data) || []) state.conns.set(key(c), c);
    renderConnections();
  });
  src.addEventListener('error', async () => {
    if (src.readyState === EventSource.CLOSED) {
      if (!(await session())) { showSignIn('the session ended: sign in again'); return; }
      setTimeout(connect, 1000);
    }
    setStatus('reconnecting…', 'down');
  });
}

const key = (c) => c.hub + '/' + c.connectionId;

// One REST send is one row: the emulator records the message (with its
// recipients) and then the REST call that sent it; the call is folded into
// the message, the latest one of its hub and target that has none yet.
const SEND_PATH = /^\/api\/hubs\/[^/]+\/(?:(groups|users|connections)\/(.+)\/)?:send$/;
const TARGET_OF = { groups: 'group ', users: 'user ', connections: 'connection ' };

function foldREST(ev) {
  if (ev.kind !== 'rest' || ev.method !== 'POST' || ev.status !== 202) return null;
  const m = SEND_PATH.exec(ev.path || '');
  if (!m) return null;
  const target = m[1] ? TARGET_OF[m[1]] + m[2] : 'hub';
  for (let i = state.events.length - 1; i >= 0 && i >= state.events.length - 500; i--) {
    const msg = state.events[i];
    if (msg.kind === 'message' && msg.source === 'rest' && !msg.rest && msg.hub === ev.hub && msg.target === target) {
      msg.rest = ev;
      return msg;
    }
  }
  return null;
}

// refreshRow redraws the row of ev, if it is shown.
function refreshRow(ev) {
  const tr = document.querySelector('#events tr[data-seq="' + ev.seq + '"]');
  if (tr) tr.replaceChild(details(ev), tr.lastChild);
}

function onUpdate(u) {
  const ev = u.event;
  if (ev.hub && !state.hubs.has(ev.hub)) { state.hubs.add(ev.hub); renderHubs(); }
  if (u.connection) {
    state.conns.set(key(u.connection), u.connection);
    renderConnections();
  } else if (ev.kind === 'reset') {
    for (const c of state.conns.values()) {
      if (c.state !== 'gone' && (!ev.hub || c.hub === ev.hub)) { c.state = 'gone'; c.reason = 'the emulator was reset'; }
    }
    renderConnections();
  }
  const folded = foldREST(ev);
  if (folded) { refreshRow(folded); return; }
  state.events.push(ev);
  if (state.events.length > MAX_EVENTS) state.events.splice(0, state.events.length - MAX_EVENTS);
  if (state.paused) { state.held++; updateStatus(); return; }
  if (matches(ev)) appendRow(ev, true);
  updateStatus();
}

// ---- filters -------------------------------------------------------------

const filters = () => ({
  hub: $('f-hub').value,
  group: $('f-group').value.trim(),
  user: $('f-user').value.trim(),
  conn: $('f-conn').value.trim(),
});

function connOf(ev) {
  return ev.connectionId ? state.conns.get(ev.hub + '/' + ev.connectionId) : undefined;
}

function matches(ev) {
  const f = filters();
  if (f.hub && ev.hub !== f.hub) return false;
  if (f.group) {
    const c = connOf(ev);
    const ok = ev.group === f.group || (ev.groups || []).includes(f.group) ||
      ev.target === 'group ' + f.group || (c && (c.groups || []).includes(f.group));
    if (!ok) return false;
  }
  if (f.user) {
    const c = connOf(ev);
    const ok = ev.userId === f.user || ev.target === 'user ' + f.user || (c && c.userId === f.user);
    if (!ok) return false;
  }
  if (f.conn) {
    const ok = ev.connectionId === f.conn || ev.target === 'connection ' + f.conn ||
      (ev.recipients || []).includes(f.conn);
    if (!ok) return false;
  }
  return true;
}

function connMatches(c) {
  const f = filters();
  if (f.hub && c.hub !== f.hub) return false;
  if (f.group && !(c.groups || []).includes(f.group)) return false;
  if (f.user && c.userId !== f.user) return false;
  if (f.conn && c.connectionId !== f.conn) return false;
  return true;
}

for (const id of ['f-hub', 'f-group', 'f-user', 'f-conn']) {
  $(id).addEventListener('input', () => { renderEvents(); renderConnections(); renderHubs(); });
}

$('pause').addEventListener('click', () => {
  state.paused = !state.paused;
  $('pause').textContent = state.paused ? 'Resume' : 'Pause';
  $('pause').classList.toggle('on', state.paused);
  if (!state.paused) { state.held = 0; renderEvents(); }
  updateStatus();
});

$('clear').addEventListener('click', () => {
  state.events = [];
  state.held = 0;
  renderEvents();
  updateStatus();
});

// ---- rendering -----------------------------------------------------------

function updateStatus() {
  const shown = $('events').tBodies[0].rows.length;
  let counts = shown + ' shown · ' + state.events.length + ' kept';
  if (state.missed) counts += ' · ' + state.missed + ' missed (page too slow)';
  $('counts').textContent = counts;
  if (state.paused) setStatus('paused · ' + state.held + ' new', 'paused');
  else if (state.source && state.source.readyState === EventSource.OPEN) setStatus('live', 'live');
}

function renderAll() { renderHubs(); renderConnections(); renderEvents(); }

function renderHubs() {
  const sel = $('f-hub');
  const current = sel.value;
  const hubs = [...state.hubs].sort();
  if (sel.options.length !== hubs.length + 1) {
    sel.replaceChildren(el('option', '', 'all hubs'));
    sel.options[0].value = '';
    for (const h of hubs) { const o = el('option', '', h); o.value = h; sel.append(o); }
    sel.value = current;
  }
  const list = $('hubs');
  list.replaceChildren();
  for (const h of hubs) {
    let live = 0;
    for (const c of state.conns.values()) if (c.hub === h && c.state !== 'gone') live++;
    const li = el('li', h === current ? 'selected' : '', h + ' (' + live + ')');
    li.dataset.hub = h;
    li.addEventListener('click', () => {
      sel.value = sel.value === h ? '' : h;
      renderAll();
    });
    list.append(li);
  }
}

function renderConnections() {
  const body = $('connections').tBodies[0];
  const all = [...state.conns.values()].filter(connMatches);
  const gone = all.filter((c) => c.state === 'gone').length;
  const toggle = $('show-gone');
  toggle.hidden = gone === 0;
  toggle.textContent = state.showGone ? 'hide departed' : 'show ' + gone + ' departed';
  const rows = all.filter((c) => state.showGone || c.state !== 'gone').sort((a, b) => {
    const ga = a.state === 'gone', gb = b.state === 'gone';
    if (ga !== gb) return ga ? 1 : -1;
    return (a.hub + a.connectionId).localeCompare(b.hub + b.connectionId);
  });
  body.replaceChildren();
  for (const c of rows) {
    const tr = el('tr', c.state === 'gone' ? 'gone' : '');
    tr.dataset.id = c.connectionId;
    tr.dataset.hub = c.hub;
    tr.title = c.hub + (c.reason ? ' · ' + c.reason : '');
    const sp = el('td', 'subprotocol', shortSubprotocol(c.subprotocol));
    sp.title = c.subprotocol || 'simple WebSocket (no subprotocol)';
    sp.dataset.subprotocol = c.subprotocol || '';
    tr.append(el('td', 'id', c.connectionId), el('td', 'user', c.userId || '—'), sp);
    const groups = el('td', 'groups');
    for (const g of c.groups || []) groups.append(el('span', 'group', g));
    tr.append(groups, el('td', 'state state-' + c.state, c.state));
    tr.addEventListener('click', () => {
      $('f-conn').value = $('f-conn').value === c.connectionId ? '' : c.connectionId;
      renderEvents(); renderConnections();
    });
    body.append(tr);
  }
  if (rows.length === 0) {
    const tr = el('tr');
    const td = el('td', 'empty', gone ? 'no live connections' : 'no connections yet');
    td.colSpan = 5;
    tr.append(td);
    body.append(tr);
  }
  renderHubsCounts();
}

// shortSubprotocol drops the common ".webpubsub.azure.v1" suffix.
$('show-gone').addEventListener('click', () => {
  state.showGone = !state.showGone;
  renderConnections();
});

function shortSubprotocol(p) {
  if (!p) return 'simple';
  return p.replace(/\.webpubsub\.azure\.v1$/, '');
}

function renderHubsCounts() {
  for (const li of $('hubs').children) {
    let live = 0;
    for (const c of state.conns.values()) if (c.hub === li.dataset.hub && c.state !== 'gone') live++;
    li.textContent = li.dataset.hub + ' (' + live + ')';
  }
}

function renderEvents() {
  const body = $('events').tBodies[0];
  body.replaceChildren();
  const shown = state.events.filter(matches).slice(-MAX_ROWS);
  for (const ev of shown) appendRow(ev, false);
  scrollToEnd();
  updateStatus();
}

function appendRow(ev, live) {
  const body = $('events').tBodies[0];
  const box = $('events-box');
  const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 20;
  const tr = el('tr', isBad(ev) ? 'bad' : '');
  tr.dataset.kind = ev.kind;
  tr.dataset.seq = ev.seq;
  const t = new Date(ev.time);
  tr.append(
    el('td', '', t.toLocaleTimeString([], { hour12: false }) + '.' + String(t.getMilliseconds()).padStart(3, '0')),
    el('td', 'kind k-' + ev.kind, ev.kind),
    el('td', '', ev.hub || ''),
    el('td', 'conn', ev.connectionId || ''),
  );
  tr.append(details(ev));
  body.append(tr);
  while (body.rows.length > MAX_ROWS) body.deleteRow(0);
  if (live && atEnd) scrollToEnd();
}

function scrollToEnd() { const box = $('events-box'); box.scrollTop = box.scrollHeight; }

function isBad(ev) {
  return ev.kind === 'refused' || ev.kind === 'ack' || ev.status >= 400 ||
    (ev.kind === 'upstream' && (ev.reason || ev.status >= 300));
}

const ms = (d) => (d === undefined ? '' : ' (' + (d < 10 ? d.toFixed(1) : Math.round(d)) + ' ms)');
const size = (ev) => (ev.size || 0) + ' B' + (ev.contentType ? ' ' + ev.contentType : '');

function details(ev) {
  const td = el('td', 'details');
  const text = (s) => td.append(document.createTextNode(s));
  const preview = () => {
    if (ev.preview) { text(' '); td.append(el('span', 'preview', ev.preview)); }
  };
  switch (ev.kind) {
    case 'connected':
      text((ev.userId ? 'user ' + ev.userId : 'anonymous') + ' · ' + (ev.subprotocol || 'simple WebSocket'));
      if (ev.groups && ev.groups.length) text(' · groups ' + ev.groups.join(', '));
      break;
    case 'refused': text((ev.status ? ev.status + ': ' : '') + (ev.reason || '')); break;
    case 'dropped': text('transport lost; waiting for the client to recover'); break;
    case 'recovered': text('recovered on a new transport'); break;
    case 'disconnected': text(ev.reason || ''); break;
    case 'joined': text('joined ' + ev.group); break;
    case 'left': text('left ' + ev.group); break;
    case 'rest': text(ev.method + ' ' + ev.path + ' → ' + ev.status + ms(ev.durationMs)); break;
    case 'message':
      text((ev.rest ? 'REST ' + ev.rest.method + ' ' + ev.rest.path + ' → ' + ev.rest.status + ms(ev.rest.durationMs) + ' · '
        : 'from ' + ev.source + (ev.source === 'connection' && ev.userId ? ' (' + ev.userId + ')' : '') + ' ') +
        'to ' + ev.target + (ev.group && ev.source === 'rest' ? ' as a group message' : '') +
        ' → ' + ev.recipientCount + ' recipient' + (ev.recipientCount === 1 ? '' : 's') +
        (ev.recipientCount === 0 ? ' (nobody is there right now)' : '') +
        ' · ' + size(ev) + (ev.stream ? ' · stream ' + ev.stream : ''));
      preview();
      break;
    case 'event': text('user event ' + ev.event + ' · ' + size(ev)); preview(); break;
    case 'packet':
      text('MQTT ' + ev.event + (ev.group ? ' · ' + ev.group : '') + (ev.size ? ' · ' + ev.size + ' B' : '') + (ev.reason ? ' · ' + ev.reason : ''));
      break;
    case 'upstream':
      text((ev.event ? ev.event + ' ' : '') + ev.method + ' ' + ev.path + ' → ' +
        (ev.status ? ev.status : 'failed: ' + (ev.reason || '')) + ms(ev.durationMs));
      break;
    case 'ack':
      text((ev.invocationId ? 'invocation ' + ev.invocationId : 'ack ' + (ev.ackId === undefined ? '' : ev.ackId)) +
        ' failed: ' + (ev.reason || ''));
      break;
    case 'reset': text('every connection was forgotten'); break;
    default: text(JSON.stringify(ev));
  }
  return td;
}

// ---- start ---------------------------------------------------------------

// start shows the signed-in page with its features (from session()).
function start(features) {
  $('tryit').hidden = !(features && (features.testClient || features.send));
  $('tc-form').hidden = !(features && features.testClient);
  $('rs-form').hidden = !(features && features.send);
  connect();
}

// boot signs in with the code of a sign-in link, if the address has one,
// and shows the page or the sign-in form. A link opened in a tab that shows
// the page already changes only the address's fragment: boot runs again.
async function boot() {
  try {
    const code = takeSignInCode();
    if (code) {
      try {
        await redeemCode(code);
      } catch (err) {
        if (state.source) state.source.close();
        showSignIn(err.message);
        return;
      }
    }
    const features = await session();
    if (features) start(features); else showSignIn('');
  } catch (err) {
    showSignIn(err.message);
  }
}

window.addEventListener('hashchange', () => { if (location.hash.startsWith('#code=')) boot(); });
boot();
