package paxos

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// crashPlan is how a seed kills nodes (simConfig.crash), as Maelstrom's kill nemesis does:
// events at random times, each striking one node, a minority, a majority, every node at once
// or a random subset. A killed node loses everything it had not saved, hears nothing while
// down, and restarts from its disk.
type crashPlan struct {
	every   int64 // mean ticks between crash events; 0: none
	downMax int64 // a killed node stays down 0..downMax ticks
	damage  bool  // a kill may also lose one record in the middle of the node's disk
}

// String describes the plan for the failure message.
func (p crashPlan) String() string {
	if p.every <= 0 {
		return ""
	}
	s := fmt.Sprintf(" crashes=every %dms down<=%dms", p.every, p.downMax)
	if p.damage {
		s += " with damage"
	}
	return s
}

// crashPoint is where in handling its Ready a node dies.
type crashPoint int

const (
	noCrash          crashPoint = iota - 1 // the Ready is handled and the node lives on
	crashBeforeReady                       // everything since its last Ready is lost
	crashAfterReady                        // its Ready is taken and lost: nothing saved, nothing sent
	crashAfterSave                         // its Ready is saved, and nothing of it applied or sent
	crashAfterSend                         // its Ready is handled whole
	crashPoints
)

// crashes is the crash schedule of a running sim.
type crashes struct {
	crashPlan
	rng       *rand.Rand
	next      int64
	now       map[string]crashPoint // nodes that die in this step, and where
	restartAt map[string]int64      // when each dead node comes back
	kills     int
	damaged   int
}

func newCrashes(p crashPlan, rng *rand.Rand) crashes {
	return crashes{crashPlan: p, rng: rng, now: map[string]crashPoint{}, restartAt: map[string]int64{}}
}

// crashDue picks the victims of a crash event when one is due.
func (s *sim) crashDue() {
	c := &s.crashes
	if c.every <= 0 {
		return
	}
	now := s.now()
	if c.next == 0 {
		c.next = now + 1 + c.rng.Int64N(2*c.every)
	}
	if now < c.next {
		return
	}
	c.next = now + 1 + c.rng.Int64N(2*c.every)
	n := len(s.ids)
	k := []int{1, 1 + c.rng.IntN(n/2), n/2 + 1, n, 1 + c.rng.IntN(n)}[c.rng.IntN(5)]
	down := c.rng.Int64N(c.downMax + 1) // one downtime for all, or one each
	each := c.rng.IntN(2) == 0
	for _, i := range c.rng.Perm(n)[:k] {
		id := s.ids[i]
		if s.nodes[id].down {
			continue
		}
		if each {
			down = c.rng.Int64N(c.downMax + 1)
		}
		c.now[id] = crashPoint(c.rng.IntN(int(crashPoints)))
		c.restartAt[id] = now + down
	}
}

// crashAt kills node id at the given point of handling its Ready, then loses a record of its
// disk when the plan says so and no node is damaged already (the fault model under which a
// damaged node can recover: one copy of a chosen value is lost, not two).
func (s *sim) crashAt(id string, at crashPoint) {
	c := &s.crashes
	r := s.nodes[id]
	if at != crashBeforeReady && r.node.HasReady() {
		if at == crashAfterSend {
			at = noCrash
		}
		s.handleReady(id, at)
	}
	damaged := false
	if c.damage && c.rng.IntN(3) == 0 && !s.anyDamaged() {
		if lost, ok := r.disk.damage(c.rng); ok {
			s.or.forget(id, lost)
			c.damaged++
			damaged = true
		}
	}
	c.kills++
	s.crash(id)
	s.or.crashed(id)
	s.or.checkRestart(id)
	if damaged && !s.node(id).damaged {
		s.or.fail("DAMAGE: %s restarted from a damaged disk but does not know it", id)
	}
	if s.traceFrom > 0 {
		s.t.Logf("%d %s crashed (%d), back at %d", s.now(), id, at, c.restartAt[id])
	}
}

// anyDamaged reports whether some node is damaged (a dead one's next incarnation included).
func (s *sim) anyDamaged() bool {
	return slices.ContainsFunc(s.ids, func(id string) bool { return s.node(id).damaged })
}

// restartDue brings back the dead nodes whose time has come. A paused process cannot start:
// a dead node that the network pauses waits for the pause to end.
func (s *sim) restartDue() {
	if len(s.crashes.restartAt) == 0 {
		return
	}
	for _, id := range s.ids {
		if at, ok := s.crashes.restartAt[id]; ok && s.now() >= at && !s.net.Paused(id) {
			delete(s.crashes.restartAt, id)
			s.restart(id)
		}
	}
}

// strikeRestart aims at the lease across restarts (Node.quietUntil) in two acts. First a
// follower c is cut off from leader l both ways, so that it loses l while the others still
// hear it; an election timeout or more later, l's messages to every other follower are
// blocked and each of them dies and comes back at once (restartFollowers). Those followers
// acknowledged l's last lease round before they died and have not heard l since: if they
// promised at once, c could lead while l still serves lease reads.
func (s *sim) strikeRestart(l string) {
	a := &s.aimed
	c := s.ids[a.rng.IntN(len(s.ids))]
	if c == l {
		return
	}
	a.cut = append(a.cut, [2]string{l, c}, [2]string{c, l})
	s.net.Block(l, c)
	s.net.Block(c, l)
	et := int64(defaultElectionTicks)
	a.restart.at = s.now() + et + a.rng.Int64N(et/2)
	a.restart.leader, a.restart.c = l, c
	a.heal = a.restart.at + et + a.rng.Int64N(et)
}

// restartFollowers is strikeRestart's second act.
func (s *sim) restartFollowers() {
	a := &s.aimed
	l, c := a.restart.leader, a.restart.c
	a.restart.at = 0
	for _, x := range s.ids {
		if x == l || x == c || s.nodes[x].down {
			continue
		}
		a.cut = append(a.cut, [2]string{l, x})
		s.net.Block(l, x)
		s.crashes.now[x] = crashAfterSend
		s.crashes.restartAt[x] = s.now()
	}
	if s.traceFrom > 0 {
		s.t.Logf("%d leader %s: followers other than %s restart", s.now(), l, c)
	}
}
