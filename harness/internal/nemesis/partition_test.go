package nemesis

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/quorumkit/quorumkit/harness/internal/net"
)

func nodes(n int) []string {
	var s []string
	for i := range n {
		s = append(s, fmt.Sprintf("n%d", i))
	}
	return s
}

// drops is how many peers each node drops.
func drops(g net.Grudge, ns []string) map[string]int {
	d := map[string]int{}
	for _, n := range ns {
		d[n] = len(g[n])
	}
	return d
}

func symmetric(g net.Grudge) bool {
	for d, srcs := range g {
		for s := range srcs {
			if !g[s][d] {
				return false
			}
		}
	}
	return true
}

func TestShapes(t *testing.T) {
	for seed := range uint64(50) {
		rng := rand.New(rand.NewPCG(seed, seed))
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			ns := nodes(5)

			g := Shape("one", ns, rng)
			counts := map[int]int{}
			for _, c := range drops(g, ns) {
				counts[c]++
			}
			assert.Equal(t, map[int]int{4: 1, 1: 4}, counts, "one: a node cut off both ways")
			assert.True(t, symmetric(g))

			g = Shape("majority", ns, rng)
			counts = map[int]int{}
			for _, c := range drops(g, ns) {
				counts[c]++
			}
			assert.Equal(t, map[int]int{3: 2, 2: 3}, counts, "majority: 2 | 3")
			assert.True(t, symmetric(g))

			assert.Empty(t, Shape("minority-third", nodes(3), rng), "no partition for N <= 3")
			g = Shape("minority-third", nodes(7), rng)
			counts = map[int]int{}
			for _, c := range drops(g, nodes(7)) {
				counts[c]++
			}
			assert.Equal(t, map[int]int{5: 2, 2: 5}, counts, "minority-third: 2 of 7 cut off")

			g = Shape("majorities-ring", ns, rng)
			for n, c := range drops(g, ns) {
				assert.Equal(t, 2, c, "ring of 5: %s hears only its two neighbours", n)
			}
			assert.True(t, symmetric(g))

			g = Shape("majorities-ring", nodes(3), rng)
			for n, c := range drops(g, nodes(3)) {
				assert.Equal(t, 1, c, "ring of 3: %s ignores exactly one peer", n)
			}
			for d, srcs := range g {
				for s := range srcs {
					assert.False(t, g[s][d], "ring of 3 is one-directional: %s and %s", d, s)
				}
			}
			assert.Empty(t, Shape("majorities-ring", nodes(2), rng))

			ns = nodes(9)
			g = Shape("majorities-ring", ns, rng)
			assert.True(t, symmetric(g))
			for n, c := range drops(g, ns) {
				assert.LessOrEqual(t, c, 4, "stochastic ring: %s sees a majority", n)
			}
		})
	}
}
