// Live trace page: a test client to connect in the page (join a group, send,
// see what it receives) and a form to send through the REST API, like the
// web view of Microsoft's tunnel tool. The page holds no key: the emulator
// mints the client's URL (POST /trace/client) and sends for the form
// (POST /trace/send), for the signed-in page only.
'use strict';

const MAX_INBOX = 100; // received messages shown (older ones are dropped)
const PROTOCOL = 'json.webpubsub.azure.v1';

const tc = { ws: null, ackId: 0, acks: new Map() };

const list = (s) => s.split(',').map((x) => x.trim()).filter((x) => x);

async function postJSON(path, body) {
  const r = await fetch(path, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error((await r.text()).trim() || (path + ': ' + r.status));
  return r.status === 202 ? null : r.json();
}

function tcError(message) { $('tc-error').textContent = message || ''; }

function inbox(text, cls) {
  const box = $('tc-inbox');
  box.append(el('li', cls, text));
  while (box.children.length > MAX_INBOX) box.firstChild.remove();
}

$('tc-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  tcError('');
  const roles = [];
  if ($('tc-role-join').checked) roles.push('webpubsub.joinLeaveGroup');
  if ($('tc-role-send').checked) roles.push('webpubsub.sendToGroup');
  try {
    const { url } = await postJSON('/trace/client', {
      hub: $('tc-hub').value.trim(), userId: $('tc-user').value.trim(), roles, groups: list($('tc-groups').value),
    });
    openTestClient(url);
  } catch (err) {
    tcError(err.message);
  }
});

function openTestClient(url) {
  closeTestClient();
  const ws = new WebSocket(url, PROTOCOL);
  tc.ws = ws;
  $('tc-inbox').replaceChildren();
  $('tc-status').textContent = 'connecting…';
  $('tc-form').hidden = true;
  $('tc-live').hidden = false;
  ws.addEventListener('message', (m) => onClientFrame(JSON.parse(m.data)));
  ws.addEventListener('close', (e) => {
    if (tc.ws !== ws) return;
    tc.ws = null;
    $('tc-status').textContent = 'closed (' + e.code + (e.reason ? ': ' + e.reason : '') + ')';
    $('tc-form').hidden = false;
  });
}

function closeTestClient() {
  if (tc.ws) { const ws = tc.ws; tc.ws = null; ws.close(1000); }
  $('tc-live').hidden = true;
  $('tc-form').hidden = false;
}

function onClientFrame(f) {
  if (f.type === 'system' && f.event === 'connected') {
    $('tc-status').textContent = 'connected as ' + f.connectionId + (f.userId ? ' (user ' + f.userId + ')' : '');
    $('tc-live').dataset.connectionId = f.connectionId;
  } else if (f.type === 'system' && f.event === 'disconnected') {
    inbox('disconnected: ' + (f.message || ''), 'sys');
  } else if (f.type === 'message') {
    const data = typeof f.data === 'string' ? f.data : JSON.stringify(f.data);
    inbox((f.from === 'group' ? 'group ' + f.group + (f.fromUserId ? ' from ' + f.fromUserId : '') : 'server') +
      ' (' + f.dataType + '): ' + data, 'msg');
  } else if (f.type === 'ack') {
    const what = tc.acks.get(f.ackId) || 'ack ' + f.ackId;
    tc.acks.delete(f.ackId);
    inbox(what + (f.success ? ': done' : ': failed: ' + ((f.error && f.error.name) || '') + ' ' + ((f.error && f.error.message) || '')), f.success ? 'sys' : 'err');
  }
}

function sendFrame(what, frame) {
  if (!tc.ws || tc.ws.readyState !== WebSocket.OPEN) { tcError('the test client is not connected'); return; }
  tcError('');
  frame.ackId = ++tc.ackId;
  tc.acks.set(frame.ackId, what);
  if (tc.acks.size > MAX_INBOX) tc.acks.delete(tc.acks.keys().next().value);
  tc.ws.send(JSON.stringify(frame));
}

$('tc-group-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const group = $('tc-group').value.trim();
  sendFrame('join ' + group, { type: 'joinGroup', group });
});
$('tc-leave').addEventListener('click', () => {
  const group = $('tc-group').value.trim();
  sendFrame('leave ' + group, { type: 'leaveGroup', group });
});
$('tc-send-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const group = $('tc-send-group').value.trim();
  sendFrame('send to ' + group, { type: 'sendToGroup', group, dataType: 'text', data: $('tc-text').value });
});
$('tc-close').addEventListener('click', closeTestClient);

// ---- send through REST ---------------------------------------------------

$('rs-to').addEventListener('change', () => {
  $('rs-name-label').hidden = $('rs-to').value === '';
});

$('rs-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const body = { hub: $('rs-hub').value.trim(), contentType: $('rs-type').value, data: $('rs-data').value };
  const to = $('rs-to').value;
  if (to) body[to] = $('rs-name').value.trim();
  const result = $('rs-result');
  result.className = 'hint';
  try {
    await postJSON('/trace/send', body);
    result.textContent = 'accepted: see the row in the trace for who received it';
  } catch (err) {
    result.className = 'error';
    result.textContent = err.message;
  }
});
