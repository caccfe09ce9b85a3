package nemesis

import (
	"encoding/json"
	"math/rand/v2"
	"sort"

	"github.com/quorumkit/quorumkit/harness/internal/net"
)

// Shapes are the partition shapes a start-partition picks from, uniformly.
var Shapes = []string{"one", "minority-third", "majority", "majorities-ring"}

// Partitioner is the part of the network the nemesis drives.
type Partitioner interface {
	Partition(g net.Grudge)
	Heal()
}

// Shape returns the grudge for the named shape over nodes. Every node in
// the result maps to the set of nodes it drops messages from.
func Shape(name string, nodes []string, rng *rand.Rand) net.Grudge {
	switch name {
	case "one":
		i := rng.IntN(len(nodes))
		return complete([]string{nodes[i]}, without(nodes, i))
	case "majority":
		s := shuffled(nodes, rng)
		return complete(s[:len(s)/2], s[len(s)/2:])
	case "minority-third":
		s := shuffled(nodes, rng)
		k := (len(s) - 1) / 3
		return complete(s[:k], s[k:])
	case "majorities-ring":
		if len(nodes) <= 5 {
			return ringPerfect(shuffled(nodes, rng))
		}
		return ringStochastic(nodes, rng)
	}
	panic("nemesis: unknown shape " + name)
}

// complete cuts every link between a and b, both ways.
func complete(a, b []string) net.Grudge {
	g := net.Grudge{}
	if len(a) == 0 || len(b) == 0 {
		return g
	}
	add := func(from, to []string) {
		for _, d := range to {
			if g[d] == nil {
				g[d] = map[string]bool{}
			}
			for _, s := range from {
				g[d][s] = true
			}
		}
	}
	add(a, b)
	add(b, a)
	return g
}

// ringPerfect arranges the nodes in a ring; each window of m = N/2+1
// consecutive nodes is the majority of its middle node, which drops every
// node outside it. For 5 nodes each node hears only its two neighbours; for
// 3 each node ignores exactly one peer, in a cycle.
func ringPerfect(ring []string) net.Grudge {
	n := len(ring)
	g := net.Grudge{}
	if n <= 2 {
		return g
	}
	m := n/2 + 1
	for i := range n {
		window := map[string]bool{}
		for j := range m {
			window[ring[(i+j)%n]] = true
		}
		mid := ring[(i+m/2)%n]
		for _, x := range ring {
			if !window[x] {
				if g[mid] == nil {
					g[mid] = map[string]bool{}
				}
				g[mid][x] = true
			}
		}
	}
	return g
}

// ringStochastic builds a random graph in which every node sees a majority
// (itself included), by adding random symmetric links to nodes that still
// see too few, then drops everything outside each node's view.
func ringStochastic(nodes []string, rng *rand.Rand) net.Grudge {
	n := len(nodes)
	m := n/2 + 1
	sees := make([]map[int]bool, n)
	for i := range sees {
		sees[i] = map[int]bool{i: true}
	}
	for _, i := range rng.Perm(n) {
		for len(sees[i]) < m {
			var cand []int
			for j := range n {
				if !sees[i][j] {
					cand = append(cand, j)
				}
			}
			j := cand[rng.IntN(len(cand))]
			sees[i][j], sees[j][i] = true, true
		}
	}
	g := net.Grudge{}
	for i := range n {
		for j := range n {
			if !sees[i][j] {
				if g[nodes[i]] == nil {
					g[nodes[i]] = map[string]bool{}
				}
				g[nodes[i]][nodes[j]] = true
			}
		}
	}
	return g
}

func shuffled(nodes []string, rng *rand.Rand) []string {
	s := append([]string(nil), nodes...)
	rng.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	return s
}

func without(nodes []string, i int) []string {
	s := append([]string(nil), nodes[:i]...)
	return append(s, nodes[i+1:]...)
}

// Describe renders a grudge as the JSON of Maelstrom's completion value,
// ["isolated", {node: [nodes it drops from]}], with sorted sets.
func Describe(g net.Grudge) json.RawMessage {
	m := map[string][]string{}
	for d, srcs := range g {
		var l []string
		for s := range srcs {
			l = append(l, s)
		}
		sort.Strings(l)
		m[d] = l
	}
	b, _ := json.Marshal([]any{"isolated", m})
	return b
}
