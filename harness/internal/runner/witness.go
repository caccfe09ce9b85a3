package runner

import (
	"sync"

	"github.com/quorumkit/quorumkit/harness/internal/net"
	"github.com/quorumkit/quorumkit/harness/internal/witness"
)

// causality feeds every routed message to one witness.Tracker, for the
// quorum-witness section. The network calls it from every node's stdout
// reader and stdin pump, every service and every client, so one mutex
// serializes the tracker; each call holds it for a few hundred ns.
type causality struct {
	mu sync.Mutex
	w  *witness.Tracker
}

// Sent stamps a message with its sender's clock. For a node this runs
// when its line has been read from stdout, so the stamp covers every input
// written to the node before: the node's output is taken to follow all of
// them.
func (c *causality) Sent(m net.Message) witness.Stamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.w.Sent(m.Src)
}

// Delivered records a delivery; the pump writes the message to the node's
// stdin only after this returns.
func (c *causality) Delivered(m net.Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.w.Delivered(m.Dest, m.Src, m.Cause, m.Body)
}

// judge is the clients' workload.Judge.
func (c *causality) judge(client string, msgID int64, reply net.Message) witness.Verdict {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.w.Judge(client, msgID, reply.Src, reply.Cause)
}
