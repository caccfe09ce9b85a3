package workload

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func gen(t *testing.T, n, c, limit int) *Generator {
	t.Helper()
	g, err := NewGenerator(n, c, limit, rand.New(rand.NewPCG(3, 4)))
	require.NoError(t, err)
	return g
}

func TestConcurrencyMustBeAMultipleOf2N(t *testing.T) {
	for _, c := range []int{0, 3, 5, 9} {
		_, err := NewGenerator(3, c, 0, rand.New(rand.NewPCG(1, 1)))
		assert.ErrorIs(t, err, ErrConcurrency, c)
	}
}

func TestThreadRolesAndKeys(t *testing.T) {
	// N=3, C=12: group 0 is threads 0-5 on key 0, group 1 threads 6-11 on key 1.
	g := gen(t, 3, 12, 0)
	fs := map[int]map[string]int{}
	for range 300 {
		for th := range 12 {
			inv := g.Next(th)
			if fs[th] == nil {
				fs[th] = map[string]int{}
			}
			fs[th][inv.F]++
			assert.Equal(t, int64(th/6), inv.Key)
			assert.Equal(t, th, inv.Process)
		}
	}
	for th := range 12 {
		if th < 3 {
			assert.Equal(t, map[string]int{"read": 300}, fs[th], "thread %d only reads", th)
			continue
		}
		assert.Zero(t, fs[th]["read"], "thread %d never reads (only group 0's first N threads do)", th)
		assert.InDelta(t, 100, fs[th]["write"], 35, "thread %d writes about 1/3", th)
		assert.InDelta(t, 200, fs[th]["cas"], 35, "thread %d cas's about 2/3", th)
	}
}

func TestThreadsAreBoundToNodes(t *testing.T) {
	nodes := []string{"n0", "n1", "n2"}
	var got []string
	for th := range 6 {
		got = append(got, NodeFor(th, nodes))
	}
	assert.Equal(t, []string{"n0", "n1", "n2", "n0", "n1", "n2"}, got, "reader i and writer N+i share node i")
}

func TestValues(t *testing.T) {
	g := gen(t, 1, 2, 0)
	seen := map[string]bool{}
	for range 1000 {
		inv := g.Next(1)
		switch inv.F {
		case "write":
			var v int
			require.NoError(t, json.Unmarshal(inv.Value, &v))
			assert.True(t, v >= 0 && v <= 4)
			seen["w"+string(inv.Value)] = true
		case "cas":
			var ft [2]int
			require.NoError(t, json.Unmarshal(inv.Value, &ft))
			assert.True(t, ft[0] >= 0 && ft[0] <= 4 && ft[1] >= 0 && ft[1] <= 4)
			if ft[0] == ft[1] {
				seen["same"] = true
			}
		}
	}
	assert.Len(t, seen, 6, "all five write values and a cas with from == to")
}

func TestKeyRetiresAfter20Processes(t *testing.T) {
	// N=3, C=6: 6 starting processes, so the key changes after the 15th crash.
	g := gen(t, 3, 6, 0)
	for th := range 6 {
		g.Next(th)
	}
	for crash := 1; crash <= 14; crash++ {
		g.Crash(3)
		inv := g.Next(3)
		assert.Equal(t, int64(0), inv.Key, "crash %d", crash)
		assert.Equal(t, 3+6*crash, inv.Process)
	}
	g.Crash(3)
	inv := g.Next(3)
	assert.Equal(t, int64(1), inv.Key, "21st process retires the key")
	assert.Equal(t, int64(1), g.Next(0).Key, "the whole group moves on")
}

func TestPerKeyLimit(t *testing.T) {
	g := gen(t, 1, 2, 5)
	var keys []int64
	for i := range 12 {
		keys = append(keys, g.Next(i%2).Key)
	}
	assert.Equal(t, []int64{0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2}, keys)
}
