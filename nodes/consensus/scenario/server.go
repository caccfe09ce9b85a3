package scenario

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// collect takes every node's Ready, in node order, plays the server for it and puts its
// messages in flight.
func (c *cluster[M]) collect() {
	for _, id := range c.ids {
		if _, on := c.h.Status(c.cores[id]); on != c.lease[id] {
			c.lease[id] = on
			c.line(fmt.Sprintf("%s lease %s", id, map[bool]string{true: "on", false: "off"}[on]))
		}
	}
	for _, id := range c.ids {
		core := c.cores[id]
		if !core.HasReady() {
			continue
		}
		rd := core.Ready()
		if rd.Snapshot != nil {
			c.restore(id, rd.Snapshot)
		}
		c.apply(id, rd.Committed)
		for _, rs := range rd.ReadStates {
			c.readState(id, rs)
		}
		if rd.Leader != c.leader[id] {
			c.leader[id] = rd.Leader
			c.line(fmt.Sprintf("%s leader %s", id, orNone(rd.Leader)))
		}
		for _, m := range rd.Messages {
			c.net.Enqueue(id, m.Dest(), m, 0)
		}
	}
}

// restore replaces id's state with a snapshot, which must agree with what was applied.
func (c *cluster[M]) restore(id string, s *consensus.Snapshot) {
	var state []string
	if err := json.Unmarshal(s.Data, &state); err != nil || uint64(len(state)) != s.Index {
		c.t.Fatalf("%s: snapshot %d holds %d values (%v)", id, s.Index, len(state), err)
	}
	for i, v := range state {
		c.agree(id, uint64(i+1), v)
	}
	c.applied[id] = state
	c.line(fmt.Sprintf("%s restored snapshot %d", id, s.Index))
}

// apply applies committed entries, which must follow what id applied with no gap and agree
// with every other node, and prints them in one line.
func (c *cluster[M]) apply(id string, ents []consensus.Entry) {
	if len(ents) == 0 {
		return
	}
	vals := make([]string, len(ents))
	for i, e := range ents {
		if want := uint64(len(c.applied[id]) + 1); e.Index != want {
			c.t.Fatalf("%s: committed index %d, expected %d\n%s", id, e.Index, want, c.out.String())
		}
		vals[i] = "no-op"
		if e.Data != nil {
			vals[i] = fmt.Sprintf("%q", e.Data)
		}
		c.agree(id, e.Index, vals[i])
		c.applied[id] = append(c.applied[id], vals[i])
	}
	span := fmt.Sprint(ents[0].Index)
	if len(ents) > 1 {
		span += fmt.Sprintf("..%d", ents[len(ents)-1].Index)
	}
	c.line(fmt.Sprintf("%s applied %s: %s", id, span, strings.Join(vals, " ")))
}

// agree checks that v at index is what every node applied there.
func (c *cluster[M]) agree(id string, index uint64, v string) {
	if index <= uint64(len(c.chosen)) {
		if want := c.chosen[index-1]; want != v {
			c.t.Fatalf("SAFETY: %s applied %s at %d, another node applied %s\n%s", id, v, index, want, c.out.String())
		}
		return
	}
	if index != uint64(len(c.chosen)+1) {
		c.t.Fatalf("%s applied index %d before %d was applied anywhere", id, index, len(c.chosen)+1)
	}
	c.chosen = append(c.chosen, v)
}

// readState checks a read point: it answers a read id asked, and covers everything applied
// anywhere before the read was asked.
func (c *cluster[M]) readState(id string, rs consensus.ReadState) {
	call, ok := c.reads[rs.ID]
	if !ok || call.node != id {
		c.t.Fatalf("%s: read state %d answers no read it was asked", id, rs.ID)
	}
	if rs.Index < call.minIndex {
		c.t.Fatalf("LINEARIZABILITY: %s answered read %d at %d, index %d was applied before it was asked", id, rs.ID, rs.Index, call.minIndex)
	}
	delete(c.reads, rs.ID)
	c.line(fmt.Sprintf("%s read %d at %d", id, rs.ID, rs.Index))
}

// encodeState is the snapshot of a node's applied values.
func encodeState(state []string) []byte {
	b, err := json.Marshal(state)
	if err != nil {
		panic(err)
	}
	return b
}
