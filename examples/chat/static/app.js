// The chat page talks to Azure Web PubSub with the browser's own WebSocket and
// the JSON subprotocol: no client library, no build step.
//
//   1. GET /negotiate?user=<name> on our server returns {"url": "<client access URL>"}.
//   2. new WebSocket(url, "json.webpubsub.azure.v1") connects to the service.
//   3. The service greets us with {"type":"system","event":"connected",...};
//      we then join the "chat" group and wait for its ack.
//   4. Sending is {"type":"sendToGroup","group":"chat",...}; everyone in the group,
//      us included, receives it as {"type":"message","from":"group","fromUserId":...}.
//   5. Messages the server sends to the group through the REST API arrive as
//      group messages without a sender ({"from":"group","group":"chat"}, no
//      fromUserId) and are shown as notices (e.g. "bob joined the chat"), as
//      are messages {"from":"server"} sent to one user or connection.
'use strict';

const GROUP = 'chat';
const SUBPROTOCOL = 'json.webpubsub.azure.v1';

const el = (id) => document.getElementById(id);
const loginForm = el('login');
const composer = el('composer');
const list = el('messages');

let socket = null;
let me = '';
let nextAckId = 1;
const pendingAcks = new Map(); // ackId -> function(ok, error)

// show appends one line to the conversation. Text is always set with
// textContent, never innerHTML, so nobody can inject markup into the page.
function show(kind, text, from) {
  const li = document.createElement('li');
  li.className = kind;
  if (from !== undefined) {
    li.dataset.from = from;
    if (from === me) li.classList.add('mine');
    const who = document.createElement('span');
    who.className = 'from';
    who.textContent = from || '(anonymous)';
    li.append(who);
  }
  const body = document.createElement('span');
  body.className = 'text';
  body.textContent = text;
  li.append(body);
  list.append(li);
  list.scrollTop = list.scrollHeight;
}

// reason describes a failed ack's error for people.
function reason(error) {
  if (!error) return 'unknown error';
  return error.message || error.name;
}

function setStatus(state) {
  const s = el('status');
  s.dataset.state = state;
  s.textContent = state;
}

// payloadText renders a message's data for display, whatever its dataType.
function payloadText(msg) {
  switch (msg.dataType) {
    case 'text': return msg.data;
    case 'json': return JSON.stringify(msg.data);
    default: return '[' + msg.dataType + ' data]';
  }
}

// send writes one protocol message. With onAck it adds an ackId so the service
// answers with an "ack" telling whether the operation succeeded.
function send(msg, onAck) {
  if (onAck) {
    msg.ackId = nextAckId++;
    pendingAcks.set(msg.ackId, onAck);
  }
  socket.send(JSON.stringify(msg));
}

function onServiceMessage(msg) {
  switch (msg.type) {
    case 'system':
      if (msg.event === 'connected') {
        me = msg.userId || '';
        show('notice', 'Connected as ' + me);
        send({ type: 'joinGroup', group: GROUP }, (ok, error) => {
          if (!ok) {
            show('error', 'Could not join #' + GROUP + ': ' + reason(error));
            return;
          }
          show('notice', 'You joined #' + GROUP);
          setStatus('online');
          composer.hidden = false;
          el('text').focus();
        });
      } else if (msg.event === 'disconnected') {
        show('notice', 'The service is closing the connection: ' + msg.message);
      }
      break;
    case 'message':
      if (msg.from === 'group' && msg.fromUserId) {
        show('message', payloadText(msg), msg.fromUserId);
      } else {
        show('notice', payloadText(msg));
      }
      break;
    case 'ack': {
      const done = pendingAcks.get(msg.ackId);
      pendingAcks.delete(msg.ackId);
      // "Duplicate" means the service already did it: that is a success.
      if (done) done(msg.success || (msg.error && msg.error.name === 'Duplicate'), msg.error);
      break;
    }
  }
}

async function connect(name) {
  setStatus('connecting');
  const res = await fetch('negotiate?user=' + encodeURIComponent(name));
  if (!res.ok) throw new Error((await res.text()).trim() || res.statusText);
  const { url } = await res.json();

  socket = new WebSocket(url, SUBPROTOCOL);
  socket.onmessage = (e) => onServiceMessage(JSON.parse(e.data));
  socket.onclose = (e) => {
    show('notice', 'Disconnected' + (e.reason ? ': ' + e.reason : ''));
    setStatus('offline');
    composer.hidden = true;
    loginForm.hidden = false;
    pendingAcks.clear();
  };
}

loginForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const name = el('name').value.trim();
  if (!name) return;
  loginForm.hidden = true;
  try {
    await connect(name);
  } catch (err) {
    show('error', 'Could not connect: ' + err.message);
    setStatus('offline');
    loginForm.hidden = false;
  }
});

composer.addEventListener('submit', (e) => {
  e.preventDefault();
  const input = el('text');
  const text = input.value;
  if (!text.trim() || !socket || socket.readyState !== WebSocket.OPEN) return;
  // Our own message comes back to us from the group, so it is not shown here.
  send({ type: 'sendToGroup', group: GROUP, dataType: 'text', data: text }, (ok, error) => {
    if (!ok) show('error', 'Not delivered: ' + reason(error));
  });
  input.value = '';
});
