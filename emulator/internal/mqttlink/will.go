package mqttlink

import (
	"strings"
	"sync"
	"time"

	"github.com/webpubsub-go/webpubsub/internal/mqtt"
)

// willState is a link's will: the CONNECT's will message, its delay, and
// whether the link's end publishes it (not after a DISCONNECT with reason
// 0).
type willState struct {
	w       *mqtt.Will
	delay   time.Duration
	onClose bool
}

// setWill records the will of an admitted CONNECT.
func (l *link) setWill(ad *admission) {
	if ad.cp.Will == nil {
		return
	}
	l.mu.Lock()
	l.will = &willState{w: ad.cp.Will, delay: ad.acc.WillDelay, onClose: true}
	l.mu.Unlock()
}

// pendingWill is a will waiting for its delay; fire publishes it once.
type pendingWill struct {
	once  sync.Once
	timer *time.Timer
	pub   func()
}

func (p *pendingWill) fire() { p.once.Do(p.pub) }

// scheduleWill publishes the will of an ended link, as MQTT says (5.0
// §3.1.2.5, §3.1.3.2): at once without a delay or when the session ended;
// after the delay (at most the session expiry) unless the client resumed
// the session meanwhile, in which case a delayed will is dropped. resumed
// says the session has another socket already (taken over), gone that it
// ended.
func (l *link) scheduleWill(resumed, gone bool) {
	l.mu.Lock()
	ws := l.will
	l.will = nil
	l.mu.Unlock()
	if ws == nil || !ws.onClose {
		return
	}
	s := l.sess
	pub := func() { l.a.publishWill(l, ws.w) }
	switch {
	case ws.delay == 0 || gone:
		pub()
		return
	case resumed:
		return
	}
	p := &pendingWill{pub: pub}
	gen := l.gen
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone {
		l.a.cfg.Tasks.Go(p.fire) // the session ended meanwhile: now, off the lock
		return
	}
	s.wills[p] = struct{}{}
	p.timer = time.AfterFunc(ws.delay, func() {
		s.mu.Lock()
		_, waiting := s.wills[p]
		delete(s.wills, p)
		back := s.gen != gen
		s.mu.Unlock()
		if waiting && !back {
			l.a.cfg.Tasks.Go(p.fire)
		}
	})
}

// cancelWillsLocked drops the wills waiting for their delay: the client
// came back (5.0 §3.1.3.2). s.mu must be held.
func (s *session) cancelWillsLocked() {
	for p := range s.wills {
		p.timer.Stop()
	}
	clear(s.wills)
}

// publishWill publishes link l's will like a PUBLISH of its client: to the
// group its topic names, with the client's sendToGroup permission. A will
// to a reserved topic is not published.
func (a *Adapter) publishWill(l *link, w *mqtt.Will) {
	p := mqtt.WillPublish(w)
	if strings.HasPrefix(p.Topic, mqtt.ReservedPrefix) {
		a.log.Warn("emulator: an mqtt will to a reserved topic is not published", "hub", l.hub, "clientId", l.clientID(), "topic", p.Topic)
		return
	}
	if code := a.toGroup(l.c(), l.v, p, nil); code != mqtt.Success {
		a.log.Warn("emulator: an mqtt will was not published", "hub", l.hub, "clientId", l.clientID(), "topic", p.Topic, "code", code.String())
	}
}
