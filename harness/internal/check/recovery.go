package check

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/history"
)

// Partition is one start-partition of the nemesis and how long the cluster
// took to accept a write after it.
type Partition struct {
	// Start is when the partition took effect (the start-partition
	// completion), in seconds on the history's scale; End is when it was
	// healed, or nil if it lasted to the end of the run.
	Start float64  `json:"start-seconds"`
	End   *float64 `json:"end-seconds"`
	// Shape is the nemesis's shape, e.g. "one" or "majorities-ring".
	Shape string `json:"shape"`
	// Isolated lists the nodes outside the largest group that can still
	// reach one another (a link counts if it works in either direction):
	// the cut-off node of :one, the smaller half of :majority. It is empty
	// when every node still reaches a majority, as in :majorities-ring.
	Isolated []string `json:"isolated"`
	// Quorum is true when some node still talks both ways with a majority
	// of the cluster (itself included), so a leader there can commit. It is
	// false for the 3-node :majorities-ring, whose links all work one way
	// only: a leader-based node serves a write before the heal only if it
	// relays messages round the ring.
	Quorum bool `json:"quorum?"`
	// Recovery is the seconds from Start to the :ok completion of the first
	// write or cas invoked at or after Start, whichever side of the cut it
	// came from; nil if none completed :ok before the run ended. Since a
	// minority cannot commit, this is the time the majority side took to
	// serve a write again: a failover time when the cut isolated the
	// leader, one round trip otherwise.
	Recovery *float64 `json:"recovery-seconds"`
	// AfterHeal is true when that first :ok write came after the heal,
	// i.e. the cluster did not recover while the partition lasted.
	AfterHeal bool `json:"after-heal"`
}

// RecoveryResult is the recovery section; it is always valid and only
// present when the nemesis ran.
type RecoveryResult struct {
	// Valid is always true: recovery measures.
	Valid Validity `json:"valid?"`
	// Partitions lists every start-partition in order.
	Partitions []*Partition `json:"partitions"`
	// Count is the number of partitions with a Recovery; Median and Max
	// summarize their Recovery times (nil when Count is 0).
	Count  int      `json:"count"`
	Median *float64 `json:"median-seconds"`
	Max    *float64 `json:"max-seconds"`
}

// Recovery measures, for each start-partition in ops, the time to the first
// :ok write or cas invoked after it. nodes is the cluster, needed to tell
// which nodes a shape isolated. It returns nil when there was no partition.
func Recovery(ops []history.Op, nodes []string) *RecoveryResult {
	var parts []*Partition
	var shape string
	for _, op := range ops {
		if op.IsClient() {
			continue
		}
		switch op.F {
		case "start-partition":
			var name string
			if json.Unmarshal(op.Value, &name) == nil {
				shape = name // the invocation names the shape
				continue
			}
			var desc []json.RawMessage
			var grudge map[string][]string
			if json.Unmarshal(op.Value, &desc) != nil || len(desc) != 2 || json.Unmarshal(desc[1], &grudge) != nil {
				continue
			}
			parts = append(parts, &Partition{Start: op.Time.Seconds(), Shape: shape,
				Isolated: Isolated(nodes, grudge), Quorum: QuorumReachable(nodes, grudge)})
		case "stop-partition":
			if len(parts) > 0 && parts[len(parts)-1].End == nil && string(op.Value) != "null" {
				end := op.Time.Seconds()
				parts[len(parts)-1].End = &end
			}
		}
	}
	if parts == nil {
		return nil
	}
	// Each partition takes the earliest :ok completion among the writes and
	// cases invoked at or after its start.
	invokedAt := map[int]time.Duration{}
	for _, op := range ops {
		if !op.IsClient() || (op.F != "write" && op.F != "cas") {
			continue
		}
		if op.Type == history.Invoke {
			invokedAt[op.Process] = op.Time
			continue
		}
		inv, ok := invokedAt[op.Process]
		delete(invokedAt, op.Process)
		if !ok || op.Type != history.OK {
			continue
		}
		for _, p := range parts {
			if inv.Seconds() < p.Start {
				break
			}
			rec := op.Time.Seconds() - p.Start
			if p.Recovery == nil || rec < *p.Recovery {
				p.Recovery = &rec
				p.AfterHeal = p.End != nil && op.Time.Seconds() > *p.End
			}
		}
	}
	r := &RecoveryResult{Valid: Valid, Partitions: parts}
	var recs []float64
	for _, p := range parts {
		if p.Recovery != nil {
			recs = append(recs, *p.Recovery)
		}
	}
	if r.Count = len(recs); r.Count > 0 {
		slices.Sort(recs)
		med, mx := Median(recs), recs[len(recs)-1]
		r.Median, r.Max = &med, &mx
	}
	return r
}

// Median is the median of sorted (the mean of the middle two for an even
// count); sorted must not be empty.
func Median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// QuorumReachable reports whether some node has working links in both
// directions to enough nodes to form a majority with itself; grudge is as for
// Isolated.
func QuorumReachable(nodes []string, grudge map[string][]string) bool {
	drops := func(dst, src string) bool { return slices.Contains(grudge[dst], src) }
	for _, a := range nodes {
		n := 1
		for _, b := range nodes {
			if b != a && !drops(a, b) && !drops(b, a) {
				n++
			}
		}
		if 2*n > len(nodes) {
			return true
		}
	}
	return false
}

// Isolated returns, in the order of nodes, the nodes outside the largest
// group of nodes connected by links that work in at least one direction;
// grudge maps each node to the nodes it drops messages from (the
// start-partition completion's map). Ties between equal groups keep the
// group of the earliest node.
func Isolated(nodes []string, grudge map[string][]string) []string {
	drops := func(dst, src string) bool { return slices.Contains(grudge[dst], src) }
	group := map[string]int{}
	sizes := []int{}
	for _, root := range nodes {
		if _, seen := group[root]; seen {
			continue
		}
		g := len(sizes)
		sizes = append(sizes, 0)
		stack := []string{root}
		group[root] = g
		for len(stack) > 0 {
			a := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			sizes[g]++
			for _, b := range nodes {
				if _, seen := group[b]; seen || (drops(a, b) && drops(b, a)) {
					continue
				}
				group[b] = g
				stack = append(stack, b)
			}
		}
	}
	largest := 0
	for g, s := range sizes {
		if s > sizes[largest] {
			largest = g
		}
	}
	out := []string{}
	for _, n := range nodes {
		if group[n] != largest {
			out = append(out, n)
		}
	}
	return out
}
